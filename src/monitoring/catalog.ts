import type { Config, Region } from '../config';
import { RECONCILE_INTERVAL_MINUTES } from '../constructs/payment-service';
import { resourceNames } from '../resource-names';
import { failureAlarmShape, type InvocationProfile, periodFor } from './function-alarms';

/** One CloudWatch metric with the real dimensions of a synthesized resource. */
export interface MetricSpec {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  region: Region;
  stat: string;
  label: string;
}

/** A failure alarm of a function: which Lambda metric counts its failed runs, and how it is invoked. */
export interface FunctionFailure {
  /** Alarm id suffix: `<short>-<id>`. */
  id: string;
  metricName: 'Errors' | 'AsyncEventsDropped';
  profile: InvocationProfile;
  description: string;
}

export interface FunctionEntry {
  short: string;
  name: string;
  failures: FunctionFailure[];
}

/**
 * Functions of a region with how each is invoked (which decides the shape of its failure alarms, see
 * function-alarms.ts): the fence step runs in both regions, the alert relay in the secondary only. The detectors
 * live in the failover stack with their own alarms (src/constructs/detection.ts).
 */
export function functionNames(config: Config, region: Region): FunctionEntry[] {
  const n = resourceNames(config);
  const errors = (fn: string, profile: InvocationProfile, why: string): FunctionFailure => ({
    id: 'errors',
    metricName: 'Errors',
    profile,
    description: `${fn}: ${failureAlarmShape(profile).what} (${why})`,
  });
  const payment = n.paymentFunction(region);
  const reconcileEvery = RECONCILE_INTERVAL_MINUTES * 60;
  const names: FunctionEntry[] = [
    {
      short: 'payment-api',
      name: payment,
      failures: [
        errors(
          payment,
          { kind: 'traffic', errorsPerMinute: config.thresholds.lambdaErrorsPerMinute },
          'API requests',
        ),
        // Its asynchronous invocations are exactly the reconcile schedule (API Gateway invokes synchronously), and
        // a failed run is not retried (maximum_retry_attempts 0), so Lambda drops it: AsyncEventsDropped counts
        // the failed or expired reconcile runs, which one failed run a minute could never push past the API's rate.
        {
          id: 'reconcile-failed',
          metricName: 'AsyncEventsDropped',
          profile: { kind: 'scheduled', everySeconds: reconcileEvery, missing: 'notBreaching' },
          description: `${payment}: a reconcile run failed or expired within ${periodFor(reconcileEvery)} s (incomplete payments stay incomplete)`,
        },
      ],
    },
    {
      short: 'migrate',
      name: n.migrateFunction(region),
      failures: [errors(n.migrateFunction(region), { kind: 'on-demand' }, 'run by operators')],
    },
    // The health functions answer every failed check with a 503, never an error: Errors counts crashes and
    // timeouts of the function itself. Their throttles alarm is what a /health flood (health) or a starved
    // detector probe (probe) looks like.
    ...(
      [
        ['health', n.healthFunction(region), 'GET /health (public status)'],
        ['probe', n.probeFunction(region), 'GET /health/probe for the failover detectors'],
      ] as const
    ).map(([short, name, why]) => ({
      short,
      name,
      failures: [
        errors(name, { kind: 'traffic', errorsPerMinute: config.thresholds.lambdaErrorsPerMinute }, why),
      ],
    })),
  ];
  names.push({
    short: 'fence',
    name: n.fenceFunction(region),
    failures: [
      errors(
        n.fenceFunction(region),
        { kind: 'on-demand' },
        'the Region switch plan\u2019s write-fence step',
      ),
    ],
  });
  if (region === config.regions.secondary) {
    names.push({
      short: 'alert-relay',
      name: n.alertRelayFunction,
      failures: [errors(n.alertRelayFunction, { kind: 'on-demand' }, 'relaying us-east-1 alerts')],
    });
  }
  return names;
}

/**
 * Dead-letter queues of a region and what a message in one means: the last copy of something that failed. Only
 * the secondary has one (the alert relay's); the detectors' queues belong to the failover stack.
 */
export function deadLetterQueues(
  config: Config,
  region: Region,
): Array<{ short: string; name: string; what: string }> {
  if (region !== config.regions.secondary) return [];
  const n = resourceNames(config);
  return [
    {
      short: 'alert-relay-dlq',
      name: n.alertRelayDeadLetters,
      what: `alerts of ${config.regions.primary} the relay could not deliver here (the only copy of the primary region's alarm notifications)`,
    },
  ];
}

/**
 * The metrics of one region, derived from the configuration only (the same deterministic names the stacks
 * use), so the alarms of each regional stack and the shared dashboard name exactly the deployed resources.
 * `accountId` is a Terraform expression for bucket names.
 */
export function regionCatalog(config: Config, region: Region, accountId: string) {
  const names = resourceNames(config);
  const peer = region === config.regions.primary ? config.regions.secondary : config.regions.primary;
  const m = (
    namespace: string,
    metricName: string,
    dimensions: Record<string, string>,
    stat: string,
    label: string,
  ): MetricSpec => ({
    namespace,
    metricName,
    dimensions,
    region,
    stat,
    label,
  });
  const cluster = { DBClusterIdentifier: names.clusterId(region) };
  const api = { ApiName: names.apiName(region), Stage: names.apiStage };
  const replication = {
    SourceBucket: names.receiptsBucket(region, accountId),
    DestinationBucket: names.receiptsBucket(peer, accountId),
    RuleId: names.receiptsReplicationRuleId,
  };
  // [short id, table, replication]: MRSC tables replicate synchronously and "do not publish a
  // ReplicationLatency metric" (bp-global-table-design.html, key facts about MRSC): only the eventually
  // consistent sessions table has one.
  const tables: Array<[string, string, 'strong' | 'eventual']> = [
    ['payment-control', names.paymentControlTable, 'strong'],
    ['sessions', names.sessionsTable, 'eventual'],
  ];
  return {
    region,
    peer,
    aurora: {
      replicationLag: m(
        'AWS/RDS',
        'AuroraGlobalDBReplicationLag',
        cluster,
        'Maximum',
        `ledger replication lag ${region} (ms)`,
      ),
      rpoLag: m('AWS/RDS', 'AuroraGlobalDBRPOLag', cluster, 'Maximum', `ledger RPO lag ${region} (ms)`),
      cpu: m('AWS/RDS', 'CPUUtilization', cluster, 'Average', `ledger CPU ${region} (%)`),
      connections: m('AWS/RDS', 'DatabaseConnections', cluster, 'Maximum', `ledger connections ${region}`),
      capacity: m('AWS/RDS', 'ACUUtilization', cluster, 'Average', `ledger ACU utilisation ${region} (%)`),
    },
    dynamodb: tables.map(([short, table, replication]) => ({
      short,
      table,
      ...(replication === 'eventual'
        ? {
            replicationLatency: m(
              'AWS/DynamoDB',
              'ReplicationLatency',
              { TableName: table, ReceivingRegion: peer },
              'Average',
              `${table} ${region}->${peer} (ms)`,
            ),
          }
        : {}),
      readThrottles: m(
        'AWS/DynamoDB',
        'ReadThrottleEvents',
        { TableName: table },
        'Sum',
        `${table} read throttles ${region}`,
      ),
      writeThrottles: m(
        'AWS/DynamoDB',
        'WriteThrottleEvents',
        { TableName: table },
        'Sum',
        `${table} write throttles ${region}`,
      ),
    })),
    s3: {
      replicationLatency: m(
        'AWS/S3',
        'ReplicationLatency',
        replication,
        'Maximum',
        `receipts ${region}->${peer} latency (s)`,
      ),
      failed: m(
        'AWS/S3',
        'OperationsFailedReplication',
        replication,
        'Sum',
        `receipts ${region}->${peer} failed`,
      ),
      pending: m(
        'AWS/S3',
        'OperationsPendingReplication',
        replication,
        'Maximum',
        `receipts ${region}->${peer} pending`,
      ),
    },
    functions: functionNames(config, region).map(({ short, name: fn, failures }) => ({
      short,
      name: fn,
      failures,
      errors: m('AWS/Lambda', 'Errors', { FunctionName: fn }, 'Sum', `${fn} errors`),
      throttles: m('AWS/Lambda', 'Throttles', { FunctionName: fn }, 'Sum', `${fn} throttles`),
      duration: m('AWS/Lambda', 'Duration', { FunctionName: fn }, 'p99', `${fn} p99 (ms)`),
      invocations: m('AWS/Lambda', 'Invocations', { FunctionName: fn }, 'Sum', `${fn} invocations`),
    })),
    deadLetterQueues: deadLetterQueues(config, region).map((q) => ({
      ...q,
      visible: m(
        'AWS/SQS',
        'ApproximateNumberOfMessagesVisible',
        { QueueName: q.name },
        'Maximum',
        `${q.name} messages`,
      ),
    })),
    api: {
      errors5xx: m('AWS/ApiGateway', '5XXError', api, 'Sum', `API 5xx ${region}`),
      errors4xx: m('AWS/ApiGateway', '4XXError', api, 'Sum', `API 4xx ${region}`),
      latency: m('AWS/ApiGateway', 'Latency', api, 'p99', `API p99 ${region} (ms)`),
      count: m('AWS/ApiGateway', 'Count', api, 'Sum', `API requests ${region}`),
    },
  };
}

export type RegionCatalog = ReturnType<typeof regionCatalog>;
