import {
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { Region } from '../../src/config';
import type { AwsClients } from './aws';
import type { DrNames } from './names';

/**
 * What `drctl status` reads from CloudWatch, one function per source (ARC Region switch: status-arc.ts). Every call takes the
 * command's AbortSignal (its overall budget); each is also bounded by the client's own call deadline.
 */
export interface Lag {
  /** Maximum over the latest one-minute period with data in the last 15 minutes, in milliseconds. */
  valueMs: number | null;
  at: string | null;
}

export interface Alarm {
  name: string;
  reason: string;
  since: string | null;
}

/** One region's replication metrics: what it receives (Aurora) and what it sends (DynamoDB, S3). */
export interface RegionMetrics {
  /** Lag of this region's cluster behind the writer (meaningful when this region is the secondary). */
  auroraIn: Lag;
  /** DynamoDB replication from this region to `other`. */
  dynamodbOut: { idempotency: Lag; sessions: Lag };
  /** S3 replication from this region to `other`; undefined when the account id (bucket names) is unknown. */
  s3Out?: Lag;
}

const WINDOW_MS = 15 * 60_000;

function latest(values: number[] | undefined, timestamps: Date[] | undefined, scale: number): Lag {
  if (!values || values.length === 0) return { valueMs: null, at: null };
  // Results are ordered newest first (ScanBy TimestampDescending).
  return { valueMs: Math.round((values[0] as number) * scale), at: timestamps?.[0]?.toISOString() ?? null };
}

export async function regionMetrics(
  clients: AwsClients,
  names: DrNames,
  region: Region,
  other: Region,
  accountId: string | undefined,
  now: number,
  signal?: AbortSignal,
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
    { abortSignal: signal },
  );
  const byId = new Map((out.MetricDataResults ?? []).map((r) => [r.Id, r]));
  const lag = (id: string, scale = 1) => latest(byId.get(id)?.Values, byId.get(id)?.Timestamps, scale);
  return {
    auroraIn: lag('aurora'),
    dynamodbOut: { idempotency: lag('ddbidem'), sessions: lag('ddbsess') },
    // S3 reports seconds.
    ...(accountId ? { s3Out: lag('s3', 1000) } : {}),
  };
}

/**
 * Metric alarms of this environment in ALARM. Composite alarms are not asked for: the project defines none, and
 * DescribeAlarms returns composite alarms only to callers allowed on Resource "*", while the operator role is
 * scoped to this environment's alarm ARNs (src/constructs/operator-role.ts).
 */
export async function environmentAlarms(
  clients: AwsClients,
  names: DrNames,
  region: Region,
  signal?: AbortSignal,
): Promise<Alarm[]> {
  const alarms: Alarm[] = [];
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
      { abortSignal: signal },
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
