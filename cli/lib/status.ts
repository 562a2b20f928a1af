import { setMaxListeners } from 'node:events';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Region } from '../../src/config';
import { LOCK_KEY } from '../../runtime/failover/lock';
import { LAST_RUN_KEY, WATCHDOG_STATE_KEY, type WatchdogRecord } from '../../runtime/failover/state-store';
import {
  GlobalClusterNotFoundError,
  type GlobalTopology,
  readTopology,
} from '../../runtime/failover/topology';
import { awsErrorName } from '../../runtime/shared/aws-clients';
import type { AwsClients } from './aws';
import type { DrNames } from './names';
import { answered, type Reading, toReading, unknownField, valueOf } from './reading';
import {
  type Alarm,
  environmentAlarms,
  type HealthCheckStatus,
  healthCheckStatus,
  type Lag,
  type RegionMetrics,
  regionMetrics,
} from './status-sources';

export type { HealthCheckStatus, Lag } from './status-sources';

/**
 * `drctl status`: everything an operator needs before and during a failover, gathered from both regions in
 * parallel within one budget (STATUS_BUDGET_MS; every call is also bounded by the operator call deadline).
 * Every field is a Reading (reading.ts): a fact, `unknown` with why, or the error the service answered; a
 * region that does not answer leaves its fields unknown and the other region's view is still complete.
 *
 * The verdict: `ok` when every field is known and nothing needs attention, `degraded` (with reasons) when a
 * field could not be read or something needs attention, `unreadable` when no region answered anything.
 * `missing` lists the environment's resources the services said do not exist (a mistyped --env: all of them).
 */
export const STATUS_BUDGET_MS = 12_000;

export interface RegionStatus {
  region: Region;
  role: 'primary' | 'secondary';
  /** Whether any of this region's APIs answered (with data or with an error). */
  reachable: boolean;
  topology: Reading<GlobalTopology>;
  alarms: Reading<Alarm[]>;
}

/**
 * Replication in one direction. Aurora reports lag on the receiving cluster (metric in the receiving region);
 * DynamoDB global tables and S3 replication report it on the sending side. A known `Lag` with `valueMs: null`
 * means no data in the window (e.g. nothing replicates that way).
 */
export interface ReplicationStatus {
  from: Region;
  to: Region;
  aurora: Reading<Lag>;
  dynamodb: Reading<{ idempotency: Lag; sessions: Lag }>;
  s3: Reading<Lag>;
}

export interface GlobalClusterView {
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
}

export interface WatchdogView {
  phase: string;
  consecutiveFailures: number;
  flapping: boolean;
  lastDeclaredAt: string | null;
  lastProbe: WatchdogRecord['lastProbe'] | null;
  lastWriterRegion: string | null;
  pendingAlerts: number;
  handover: WatchdogRecord['handover'] | null;
  updatedAt: string | null;
}

export interface LockView {
  owner: string;
  operation: string;
  acquiredAt: string;
  leaseExpiresAt: string;
}

export type StatusVerdict = 'ok' | 'degraded' | 'unreadable';

export interface StatusReport {
  environment: string;
  generatedAt: string;
  verdict: StatusVerdict;
  degradedReasons: string[];
  /** Resources of this environment that the services said do not exist. */
  missing: string[];
  failoverMode: string;
  accountId: Reading<string>;
  globalCluster: Reading<GlobalClusterView>;
  /** null: no health check carries the expected Name tag. */
  healthCheck: Reading<HealthCheckStatus | null>;
  regions: RegionStatus[];
  replication: ReplicationStatus[];
  /** null: the watchdog has recorded no state yet. */
  watchdog: Reading<WatchdogView | null>;
  /** null: free (no lock item, or its lease expired). */
  lock: Reading<LockView | null>;
  /** null: no orchestration recorded. */
  lastOrchestration: Reading<Record<string, unknown> | null>;
}

type Outcome<T> = { value: T } | { error: unknown };
const settle = <T>(work: Promise<T>): Promise<Outcome<T>> =>
  work.then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
const isNotFound = (o: Outcome<unknown>): boolean =>
  'error' in o &&
  (o.error instanceof GlobalClusterNotFoundError || awsErrorName(o.error) === 'ResourceNotFoundException');

function summarizeTopology(views: Array<{ region: string; topology: GlobalTopology }>): GlobalClusterView {
  const t = (views[0] as { topology: GlobalTopology }).topology;
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

/** The global cluster as seen from every region that could read it; otherwise why not (per region). */
function globalClusterReading(regions: RegionStatus[]): Reading<GlobalClusterView> {
  const views = regions.flatMap((r) => {
    const topology = valueOf(r.topology);
    return topology ? [{ region: r.region, topology }] : [];
  });
  if (views.length > 0) return { state: 'known', value: summarizeTopology(views) };
  const why = (r: RegionStatus) =>
    r.topology.state === 'error' ? r.topology.error : r.topology.state === 'unknown' ? r.topology.reason : '';
  const detail = regions.map((r) => `${r.region}: ${why(r)}`).join('; ');
  return regions.some((r) => r.topology.state === 'error')
    ? { state: 'error', error: detail }
    : unknownField(detail);
}

function watchdogView(item: Record<string, unknown> | undefined): WatchdogView | null {
  const record = item?.record as WatchdogRecord | undefined;
  if (!record) return null;
  return {
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
  };
}

function lockView(item: Record<string, unknown> | undefined, now: number): LockView | null {
  if (!item || !(Number(item.leaseExpiresAtMs) > now)) return null;
  return {
    owner: String(item.owner),
    operation: String(item.operation),
    acquiredAt: String(item.acquiredAt),
    leaseExpiresAt: new Date(Number(item.leaseExpiresAtMs)).toISOString(),
  };
}

/** What needs attention in what was read (a field that could not be read is added by the caller). */
function attention(r: Omit<StatusReport, 'verdict' | 'degradedReasons' | 'missing'>): string[] {
  const out: string[] = [];
  const g = valueOf(r.globalCluster);
  if (g?.disagreement) out.push('regions disagree on the writer');
  if (g && !g.writer) out.push('the global database reports no writer');
  if (g?.status && g.status !== 'available') out.push(`global database ${g.status}`);
  if (g?.failoverInProgress) out.push(`${g.failoverInProgress.status} in progress`);
  for (const m of g?.members ?? []) {
    if (m.role === 'secondary' && m.synchronization && m.synchronization !== 'connected')
      out.push(`${m.clusterId} ${m.synchronization}`);
  }
  const hc = valueOf(r.healthCheck);
  if (hc && !hc.effectiveHealthy) out.push('primary health check unhealthy');
  if (hc?.inverted) out.push('primary health check inverted');
  for (const region of r.regions) {
    const n = valueOf(region.alarms)?.length ?? 0;
    if (n > 0) out.push(`${region.region}: ${n} alarm(s) in ALARM`);
  }
  const w = valueOf(r.watchdog);
  if (w && w.phase !== 'healthy') out.push(`watchdog ${w.phase}`);
  if (w && w.pendingAlerts > 0) out.push(`${w.pendingAlerts} watchdog alert(s) not yet published`);
  return out;
}

export interface CollectOptions {
  now: number;
  failoverMode: string;
  /** Overall budget (STATUS_BUDGET_MS unless a test narrows it). */
  budgetMs?: number;
  /** Told once, after PROGRESS_AFTER_MS, which reads are still outstanding. */
  progress?: (line: string) => void;
}

const PROGRESS_AFTER_MS = 3000;

export async function collectStatus(
  clients: AwsClients,
  names: DrNames,
  options: CollectOptions,
): Promise<StatusReport> {
  const budgetMs = options.budgetMs ?? STATUS_BUDGET_MS;
  const controller = new AbortController();
  // Every read in flight listens on the budget signal (dozens at once): not a leak.
  setMaxListeners(200, controller.signal);
  const budgetTimer = setTimeout(() => controller.abort(), budgetMs);
  const budget = { signal: controller.signal, ms: budgetMs };
  const signal = controller.signal;
  const pending = new Set<string>();
  const track = <T>(label: string, work: () => Promise<T>): Promise<Outcome<T>> => {
    pending.add(label);
    // A read that outlasts the budget is abandoned at once (the abort also cancels its request).
    const abandoned = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('budget spent')), { once: true }),
    );
    return settle(Promise.race([work(), abandoned])).finally(() => pending.delete(label));
  };
  const progressTimer = setTimeout(() => {
    if (pending.size > 0)
      options.progress?.(
        `status: still waiting for ${[...pending].join(', ')} (giving up after ${budgetMs / 1000} s)`,
      );
  }, PROGRESS_AFTER_MS);

  const primary = names.primaryRegion;
  const secondary = names.secondaryRegion;
  const missing: string[] = [];
  try {
    // The account id (bucket names) from whichever region's STS answers first.
    const sts = (region: Region) =>
      track(`sts ${region}`, async () => {
        const out = await clients.sts(region).send(new GetCallerIdentityCommand({}), { abortSignal: signal });
        if (!out.Account) throw new Error('GetCallerIdentity returned no account');
        return out.Account;
      });
    const stsSecondary = sts(secondary);
    const stsPrimary = sts(primary);
    const accountOutcome = await new Promise<Outcome<string>>((resolve) => {
      let left = 2;
      for (const p of [stsSecondary, stsPrimary]) {
        void p.then((o) => {
          left--;
          if ('value' in o || left === 0) resolve(o);
        });
      }
    });
    const accountId = toReading(accountOutcome, budget);

    const perRegion = async (region: Region, role: 'primary' | 'secondary', other: Region) => {
      const [topology, metrics, alarms] = await Promise.all([
        track(`${region} aurora topology`, () =>
          readTopology(clients.rds(region), names.globalClusterId, signal),
        ),
        track(`${region} replication metrics`, () =>
          regionMetrics(clients, names, region, other, valueOf(accountId), options.now, signal),
        ),
        track(`${region} alarms`, () => environmentAlarms(clients, names, region, signal)),
      ]);
      if (isNotFound(topology)) missing.push(`global cluster ${names.globalClusterId}`);
      const readings = {
        topology: toReading(topology, budget),
        metrics: toReading(metrics, budget),
        alarms: toReading(alarms, budget),
      };
      const status: RegionStatus = {
        region,
        role,
        reachable: [readings.topology, readings.metrics, readings.alarms].some(answered),
        topology: readings.topology,
        alarms: readings.alarms,
      };
      return { status, metrics: readings.metrics };
    };
    // The DR state table lives in the secondary region only.
    const stateItem = (pk: string) =>
      track(`state table ${pk}`, async () => {
        const out = await clients
          .ddb(secondary)
          .send(new GetCommand({ TableName: names.stateTable, Key: { pk }, ConsistentRead: true }), {
            abortSignal: signal,
          });
        return out.Item;
      });

    const [p, s, healthCheck, watchdogItem, lockItem, lastRunItem] = await Promise.all([
      perRegion(primary, 'primary', secondary),
      perRegion(secondary, 'secondary', primary),
      track('route 53 health check', () =>
        healthCheckStatus(clients.route53(), names.primaryHealthCheckName, signal),
      ),
      stateItem(WATCHDOG_STATE_KEY),
      stateItem(LOCK_KEY),
      stateItem(LAST_RUN_KEY),
    ]);
    if ([watchdogItem, lockItem, lastRunItem].some(isNotFound))
      missing.push(`state table ${names.stateTable} (${secondary})`);

    const mapped = <T, U>(o: Outcome<T>, f: (v: T) => U): Outcome<U> =>
      'value' in o ? { value: f(o.value) } : o;
    const lag = <T>(
      metrics: Reading<RegionMetrics>,
      pick: (m: RegionMetrics) => T | undefined,
    ): Reading<T> => {
      if (metrics.state !== 'known') return metrics;
      const v = pick(metrics.value);
      if (v !== undefined) return { state: 'known', value: v };
      return unknownField(
        accountId.state === 'known' ? 'not reported' : 'the account id (bucket names) could not be read',
      );
    };
    const regions = [p.status, s.status];
    const body: Omit<StatusReport, 'verdict' | 'degradedReasons' | 'missing'> = {
      environment: names.environment,
      generatedAt: new Date(options.now).toISOString(),
      failoverMode: options.failoverMode,
      accountId,
      // The secondary region's view first: it is the one the failover path depends on.
      globalCluster: globalClusterReading([s.status, p.status]),
      healthCheck: toReading(healthCheck, budget),
      regions,
      replication: [
        { from: primary, to: secondary, send: p.metrics, receive: s.metrics },
        { from: secondary, to: primary, send: s.metrics, receive: p.metrics },
      ].map((d) => ({
        from: d.from,
        to: d.to,
        aurora: lag(d.receive, (m) => m.auroraIn),
        dynamodb: lag(d.send, (m) => m.dynamodbOut),
        s3: lag(d.send, (m) => m.s3Out),
      })),
      watchdog: toReading(mapped(watchdogItem, watchdogView), budget),
      lock: toReading(
        mapped(lockItem, (item) => lockView(item, options.now)),
        budget,
      ),
      lastOrchestration: toReading(
        mapped(lastRunItem, (item) =>
          item ? Object.fromEntries(Object.entries(item).filter(([k]) => k !== 'pk')) : null,
        ),
        budget,
      ),
    };

    const unread: string[] = [];
    for (const r of regions) {
      if (!r.reachable) unread.push(`${r.region} unreachable`);
      else {
        const failed = [
          ['aurora topology', r.topology],
          ['replication metrics', r.region === primary ? p.metrics : s.metrics],
          ['alarms', r.alarms],
        ].filter(([, x]) => (x as Reading<unknown>).state !== 'known');
        if (failed.length > 0) unread.push(`${r.region}: ${failed.map(([n]) => n).join(', ')} not read`);
      }
    }
    for (const [label, reading] of [
      ['account id', body.accountId],
      ['route 53 health check', body.healthCheck],
      ['watchdog state', body.watchdog],
      ['orchestration lock', body.lock],
      ['last orchestration', body.lastOrchestration],
    ] as const) {
      if (reading.state !== 'known') unread.push(`${label} ${reading.state}`);
    }
    const nothingAnswered =
      !regions.some((r) => r.reachable) &&
      ![body.accountId, body.healthCheck, body.watchdog, body.lock, body.lastOrchestration].some(answered);
    const degradedReasons = [...unread, ...attention(body)];
    return {
      ...body,
      verdict: nothingAnswered ? 'unreadable' : degradedReasons.length > 0 ? 'degraded' : 'ok',
      degradedReasons,
      missing: [...new Set(missing)],
    };
  } finally {
    clearTimeout(budgetTimer);
    clearTimeout(progressTimer);
    controller.abort();
  }
}
