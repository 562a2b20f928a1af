import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import {
  GetHealthCheckStatusCommand,
  type HealthCheck,
  ListHealthChecksCommand,
  ListTagsForResourcesCommand,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Region } from '../../src/config';
import { errorFields } from '../../runtime/shared/logger';
import { LAST_RUN_KEY, WATCHDOG_STATE_KEY, type WatchdogRecord } from '../../runtime/failover/state-store';
import { LOCK_KEY } from '../../runtime/failover/lock';
import {
  GlobalClusterNotFoundError,
  type GlobalTopology,
  readTopology,
} from '../../runtime/failover/topology';
import { awsHttpStatus } from '../../runtime/shared/aws-clients';
import type { AwsClients } from './aws';
import type { DrNames } from './names';

/**
 * `drctl status`: everything an operator needs before and during a failover, gathered from both regions in
 * parallel. Each region's checks are independent: a region whose APIs do not answer is reported unreachable
 * and the other region's view is still complete (the report is then marked degraded).
 */
export interface Lag {
  /** Maximum over the latest one-minute period with data in the last 15 minutes, in milliseconds. */
  valueMs: number | null;
  at: string | null;
}

export interface RegionStatus {
  region: Region;
  role: 'primary' | 'secondary';
  reachable: boolean;
  alarms: Array<{ name: string; reason: string; since: string | null }> | null;
  errors: Array<{ check: string; error: string }>;
}

/**
 * Replication in one direction. Aurora reports lag on the receiving cluster (metric in the receiving region);
 * DynamoDB global tables and S3 replication report it on the sending side. `null`: the region holding the
 * metric could not be read; `valueMs: null`: no data in the window (e.g. nothing replicates that way).
 */
export interface ReplicationStatus {
  from: Region;
  to: Region;
  aurora: Lag | null;
  dynamodb: { idempotency: Lag; sessions: Lag } | null;
  s3: Lag | null;
}

export interface HealthCheckStatus {
  id: string;
  name: string;
  fqdn: string | null;
  inverted: boolean;
  checkersHealthy: number;
  checkersTotal: number;
  /** Route 53 counts an endpoint healthy when more than 18% of its checkers see it healthy. */
  endpointHealthy: boolean;
  /** What DNS failover acts on: the endpoint health, inverted when the check is inverted. */
  effectiveHealthy: boolean;
  lastChecked: string | null;
}

export interface StatusReport {
  environment: string;
  generatedAt: string;
  degraded: boolean;
  degradedReasons: string[];
  failoverMode: string;
  globalCluster: {
    id: string;
    status: string | null;
    writer: { clusterId: string; region: string } | null;
    members: Array<{
      clusterId: string;
      region: string;
      role: 'writer' | 'secondary';
      synchronization: string | null;
    }>;
    failoverInProgress: GlobalTopology['failover'] | null;
    observedFrom: string[];
    disagreement: boolean;
  } | null;
  healthCheck: HealthCheckStatus | null;
  regions: RegionStatus[];
  replication: ReplicationStatus[];
  watchdog: {
    phase: string;
    consecutiveFailures: number;
    flapping: boolean;
    lastDeclaredAt: string | null;
    lastProbe: WatchdogRecord['lastProbe'] | null;
    lastWriterRegion: string | null;
    pendingAlerts: number;
    handover: WatchdogRecord['handover'] | null;
    updatedAt: string | null;
  } | null;
  lock: { owner: string; operation: string; acquiredAt: string; leaseExpiresAt: string } | null;
  lastOrchestration: Record<string, unknown> | null;
  errors: Array<{ check: string; error: string }>;
}

const WINDOW_MS = 15 * 60_000;

const errorText = (err: unknown): string => {
  const e = errorFields(err);
  return `${e.errorName}: ${e.errorMessage}`.replace(/\s+/g, ' ').slice(0, 300);
};

/**
 * Whether an error still proves that the region's API answered: an AWS error response below 500 (not found,
 * access denied, validation) does; a network error, a timeout or a 5xx does not.
 */
export function regionAnswered(err: unknown): boolean {
  if (err instanceof GlobalClusterNotFoundError) return true;
  const status = awsHttpStatus(err);
  return status !== undefined && status < 500;
}

async function attempt<T>(
  check: string,
  errors: Array<{ check: string; error: string }>,
  fn: () => Promise<T>,
  onAnswer?: () => void,
): Promise<T | undefined> {
  try {
    const value = await fn();
    onAnswer?.();
    return value;
  } catch (err) {
    if (regionAnswered(err)) onAnswer?.();
    errors.push({ check, error: errorText(err) });
    return undefined;
  }
}

function latest(values: number[] | undefined, timestamps: Date[] | undefined, scale: number): Lag {
  if (!values || values.length === 0) return { valueMs: null, at: null };
  // Results are ordered newest first (ScanBy TimestampDescending).
  return { valueMs: Math.round((values[0] as number) * scale), at: timestamps?.[0]?.toISOString() ?? null };
}

interface RegionMetrics {
  /** Lag of this region's cluster behind the writer (meaningful when this region is the secondary). */
  auroraIn: Lag;
  /** DynamoDB and S3 replication from this region to `other`. */
  dynamodbOut: { idempotency: Lag; sessions: Lag };
  s3Out: Lag;
}

async function regionMetrics(
  clients: AwsClients,
  names: DrNames,
  region: Region,
  other: Region,
  accountId: string | undefined,
  now: number,
): Promise<RegionMetrics> {
  const stat = (
    id: string,
    namespace: string,
    metric: string,
    dims: Record<string, string>,
  ): MetricDataQuery => ({
    Id: id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: namespace,
        MetricName: metric,
        Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: 60,
      Stat: 'Maximum',
    },
  });
  const queries: MetricDataQuery[] = [
    stat('aurora', 'AWS/RDS', 'AuroraGlobalDBReplicationLag', {
      DBClusterIdentifier: names.clusterId(region),
    }),
    stat('ddbidem', 'AWS/DynamoDB', 'ReplicationLatency', {
      TableName: names.idempotencyTable,
      ReceivingRegion: other,
    }),
    stat('ddbsess', 'AWS/DynamoDB', 'ReplicationLatency', {
      TableName: names.sessionsTable,
      ReceivingRegion: other,
    }),
  ];
  if (accountId) {
    queries.push(
      stat('s3', 'AWS/S3', 'ReplicationLatency', {
        SourceBucket: names.receiptsBucket(region, accountId),
        DestinationBucket: names.receiptsBucket(other, accountId),
        RuleId: names.receiptsReplicationRuleId,
      }),
    );
  }
  const out = await clients.cloudwatch(region).send(
    new GetMetricDataCommand({
      StartTime: new Date(now - WINDOW_MS),
      EndTime: new Date(now),
      ScanBy: 'TimestampDescending',
      MetricDataQueries: queries,
    }),
  );
  const byId = new Map((out.MetricDataResults ?? []).map((r) => [r.Id, r]));
  const lag = (id: string, scale = 1) => latest(byId.get(id)?.Values, byId.get(id)?.Timestamps, scale);
  return {
    auroraIn: lag('aurora'),
    dynamodbOut: { idempotency: lag('ddbidem'), sessions: lag('ddbsess') },
    // S3 reports seconds.
    s3Out: accountId ? lag('s3', 1000) : { valueMs: null, at: null },
  };
}

/**
 * Metric alarms of this environment in ALARM. Composite alarms are not asked for: the project defines none, and
 * DescribeAlarms returns composite alarms only to callers allowed on Resource "*", while the operator role is
 * scoped to this environment's alarm ARNs (src/constructs/operator-role.ts).
 */
async function environmentAlarms(clients: AwsClients, names: DrNames, region: Region) {
  const alarms: NonNullable<RegionStatus['alarms']> = [];
  let token: string | undefined;
  for (let page = 0; page < 20; page++) {
    const out = await clients.cloudwatch(region).send(
      new DescribeAlarmsCommand({
        AlarmNamePrefix: names.alarmPrefix,
        StateValue: 'ALARM',
        AlarmTypes: ['MetricAlarm'],
        MaxRecords: 100,
        ...(token ? { NextToken: token } : {}),
      }),
    );
    for (const a of out.MetricAlarms ?? []) {
      if (!a.AlarmName || !names.isEnvironmentAlarm(a.AlarmName)) continue;
      alarms.push({
        name: a.AlarmName,
        reason: (a.StateReason ?? '').slice(0, 200),
        since: a.StateUpdatedTimestamp?.toISOString() ?? null,
      });
    }
    token = out.NextToken;
    if (!token) break;
  }
  return alarms.sort((x, y) => x.name.localeCompare(y.name));
}

/** Finds the health check by its Name tag (ids are not known in advance) and reads its status. */
export async function findHealthCheck(
  route53: Route53Client,
  name: string,
): Promise<HealthCheck | undefined> {
  let marker: string | undefined;
  for (let page = 0; page < 50; page++) {
    const out = await route53.send(
      new ListHealthChecksCommand({ MaxItems: 100, ...(marker ? { Marker: marker } : {}) }),
    );
    const checks = out.HealthChecks ?? [];
    for (let i = 0; i < checks.length; i += 10) {
      const batch = checks.slice(i, i + 10);
      const tags = await route53.send(
        new ListTagsForResourcesCommand({
          ResourceType: 'healthcheck',
          ResourceIds: batch.map((c) => c.Id as string),
        }),
      );
      const match = (tags.ResourceTagSets ?? []).find((set) =>
        (set.Tags ?? []).some((t) => t.Key === 'Name' && t.Value === name),
      );
      if (match) return batch.find((c) => c.Id === match.ResourceId);
    }
    if (!out.IsTruncated || !out.NextMarker) return undefined;
    marker = out.NextMarker;
  }
  return undefined;
}

async function healthCheckStatus(route53: Route53Client, name: string): Promise<HealthCheckStatus | null> {
  const check = await findHealthCheck(route53, name);
  if (!check?.Id) return null;
  const out = await route53.send(new GetHealthCheckStatusCommand({ HealthCheckId: check.Id }));
  const observations = out.HealthCheckObservations ?? [];
  const healthy = observations.filter((o) => o.StatusReport?.Status?.startsWith('Success')).length;
  const endpointHealthy = observations.length > 0 && healthy / observations.length > 0.18;
  const inverted = check.HealthCheckConfig?.Inverted === true;
  const checked = observations
    .map((o) => o.StatusReport?.CheckedTime?.getTime() ?? 0)
    .reduce((a, b) => Math.max(a, b), 0);
  return {
    id: check.Id,
    name,
    fqdn: check.HealthCheckConfig?.FullyQualifiedDomainName ?? null,
    inverted,
    checkersHealthy: healthy,
    checkersTotal: observations.length,
    endpointHealthy,
    effectiveHealthy: inverted ? !endpointHealthy : endpointHealthy,
    lastChecked: checked > 0 ? new Date(checked).toISOString() : null,
  };
}

function summarizeTopology(
  views: Array<{ region: string; topology: GlobalTopology }>,
): StatusReport['globalCluster'] {
  const first = views[0];
  if (!first) return null;
  const t = first.topology;
  const writerKey = (x: GlobalTopology) => x.writer?.clusterId ?? 'none';
  return {
    id: t.globalClusterId,
    status: t.status ?? null,
    writer: t.writer ? { clusterId: t.writer.clusterId, region: t.writer.region } : null,
    members: t.members.map((m) => ({
      clusterId: m.clusterId,
      region: m.region,
      role: m.isWriter ? 'writer' : 'secondary',
      synchronization: m.synchronizationStatus ?? null,
    })),
    failoverInProgress: t.failover ?? null,
    observedFrom: views.map((v) => v.region),
    disagreement: views.some((v) => writerKey(v.topology) !== writerKey(t)),
  };
}

export async function collectStatus(
  clients: AwsClients,
  names: DrNames,
  options: { now: number; failoverMode: string },
): Promise<StatusReport> {
  const primary = names.primaryRegion;
  const secondary = names.secondaryRegion;
  const globalErrors: StatusReport['errors'] = [];

  // The account id (bucket names) from whichever region's STS answers first.
  const accountId = await (async () => {
    for (const region of [secondary, primary]) {
      try {
        const out = await clients.sts(region).send(new GetCallerIdentityCommand({}));
        if (out.Account) return out.Account;
      } catch (err) {
        globalErrors.push({ check: `sts ${region}`, error: errorText(err) });
      }
    }
    return undefined;
  })();

  const perRegion = async (region: Region, role: 'primary' | 'secondary', other: Region) => {
    const errors: RegionStatus['errors'] = [];
    let answers = 0;
    const answered = () => {
      answers++;
    };
    const [topology, metrics, alarms, state] = await Promise.all([
      attempt(
        'aurora topology',
        errors,
        () => readTopology(clients.rds(region), names.globalClusterId),
        answered,
      ),
      attempt(
        'replication metrics',
        errors,
        () => regionMetrics(clients, names, region, other, accountId, options.now),
        answered,
      ),
      attempt('alarms', errors, () => environmentAlarms(clients, names, region), answered),
      role === 'secondary'
        ? attempt(
            'dr state table',
            errors,
            async () => {
              const get = (pk: string) =>
                clients
                  .ddb(region)
                  .send(new GetCommand({ TableName: names.stateTable, Key: { pk }, ConsistentRead: true }));
              const [w, l, r] = await Promise.all([
                get(WATCHDOG_STATE_KEY),
                get(LOCK_KEY),
                get(LAST_RUN_KEY),
              ]);
              return { watchdog: w.Item, lock: l.Item, lastRun: r.Item };
            },
            answered,
          )
        : Promise.resolve(undefined),
    ]);
    const status: RegionStatus = {
      region,
      role,
      reachable: answers > 0,
      alarms: alarms ?? null,
      errors,
    };
    return { status, topology, state, metrics };
  };

  const [p, s, healthCheck] = await Promise.all([
    perRegion(primary, 'primary', secondary),
    perRegion(secondary, 'secondary', primary),
    attempt('route53 health check', globalErrors, () =>
      healthCheckStatus(clients.route53(), names.primaryHealthCheckName),
    ),
  ]);

  const views = [s, p].flatMap((x) =>
    x.topology ? [{ region: x.status.region, topology: x.topology }] : [],
  );
  const record = s.state?.watchdog?.record as WatchdogRecord | undefined;
  const lockItem = s.state?.lock;
  const lockLive = lockItem && Number(lockItem.leaseExpiresAtMs) > options.now;
  const degradedReasons: string[] = [];
  for (const r of [p.status, s.status]) {
    if (!r.reachable) degradedReasons.push(`${r.region} unreachable`);
    else if (r.errors.length > 0)
      degradedReasons.push(`${r.region}: ${r.errors.map((e) => e.check).join(', ')} failed`);
  }
  if (views.length === 0) degradedReasons.push('global database topology unknown');
  if (healthCheck === undefined) degradedReasons.push('route 53 health check status unknown');
  const globalCluster = summarizeTopology(views);
  if (globalCluster?.disagreement) degradedReasons.push('regions disagree on the writer');

  return {
    environment: names.environment,
    generatedAt: new Date(options.now).toISOString(),
    degraded: degradedReasons.length > 0,
    degradedReasons,
    failoverMode: options.failoverMode,
    globalCluster,
    healthCheck: healthCheck ?? null,
    regions: [p.status, s.status],
    replication: [
      { from: primary, to: secondary, send: p.metrics, receive: s.metrics },
      { from: secondary, to: primary, send: s.metrics, receive: p.metrics },
    ].map((d) => ({
      from: d.from,
      to: d.to,
      aurora: d.receive?.auroraIn ?? null,
      dynamodb: d.send?.dynamodbOut ?? null,
      s3: d.send?.s3Out ?? null,
    })),
    watchdog: record
      ? {
          phase: record.decision.phase,
          consecutiveFailures: record.decision.consecutiveFailures,
          flapping: record.decision.flapping,
          lastDeclaredAt: record.decision.lastDeclaredAt
            ? new Date(record.decision.lastDeclaredAt).toISOString()
            : null,
          lastProbe: record.lastProbe ?? null,
          lastWriterRegion: record.lastWriterRegion ?? null,
          pendingAlerts: record.pendingAlerts?.length ?? 0,
          handover: record.handover ?? null,
          updatedAt: record.updatedAt ?? null,
        }
      : null,
    lock: lockLive
      ? {
          owner: String(lockItem.owner),
          operation: String(lockItem.operation),
          acquiredAt: String(lockItem.acquiredAt),
          leaseExpiresAt: new Date(Number(lockItem.leaseExpiresAtMs)).toISOString(),
        }
      : null,
    lastOrchestration: s.state?.lastRun
      ? Object.fromEntries(Object.entries(s.state.lastRun).filter(([k]) => k !== 'pk'))
      : null,
    errors: globalErrors,
  };
}
