import type { Config, Region } from '../config';
import { resourceNames } from '../resource-names';

/** One CloudWatch metric with the real dimensions of a synthesized resource. */
export interface MetricSpec {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  region: Region;
  stat: string;
  label: string;
}

/**
 * Functions of a region as [short id, deployed name]: the watchdog, orchestrator and alert relay run in the
 * secondary only.
 */
export function functionNames(config: Config, region: Region): Array<[string, string]> {
  const n = resourceNames(config);
  const names: Array<[string, string]> = [
    ['payment-api', n.paymentFunction(region)],
    ['migrate', n.migrateFunction(region)],
  ];
  if (region === config.regions.secondary)
    names.push(
      ['watchdog', n.watchdogFunction],
      ['orchestrator', n.orchestratorFunction],
      ['alert-relay', n.alertRelayFunction],
    );
  return names;
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
    functions: functionNames(config, region).map(([short, fn]) => ({
      short,
      name: fn,
      errors: m('AWS/Lambda', 'Errors', { FunctionName: fn }, 'Sum', `${fn} errors`),
      throttles: m('AWS/Lambda', 'Throttles', { FunctionName: fn }, 'Sum', `${fn} throttles`),
      duration: m('AWS/Lambda', 'Duration', { FunctionName: fn }, 'p99', `${fn} p99 (ms)`),
      invocations: m('AWS/Lambda', 'Invocations', { FunctionName: fn }, 'Sum', `${fn} invocations`),
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
