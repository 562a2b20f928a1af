import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import type { MetricSpec } from './catalog';

export interface RpoLagAlarmProps {
  provider: AwsProvider;
  alarmName: string;
  /** AuroraGlobalDBRPOLag of this region's cluster (catalog `aurora.rpoLag`). */
  metric: MetricSpec;
  thresholdMs: number;
  /** rds.global_db_rpo of the primary, when opted in: the description says where commits block. */
  rpoBoundSeconds?: number;
  topicArn: string;
}

/**
 * The ledger's RPO lag: `AuroraGlobalDBRPOLag`, "how far the secondary cluster is behind the primary cluster for
 * user transactions", in milliseconds, "available only in secondary AWS Regions" (Aurora User Guide, "Amazon
 * CloudWatch metrics for Amazon Aurora"); AWS's guidance for Aurora PostgreSQL global databases is to watch this
 * metric on every secondary (Aurora User Guide, switchover and failover). Each region alarms on its own cluster:
 * the metric exists where that cluster is currently a secondary, and moves with the roles after a switchover or
 * failover; the writer region has no data, which is not breaching.
 *
 * The dimensions AWS publishes it under are not verified here (the cluster id, possibly with `SourceRegion`), and
 * an alarm on a dimension set that does not exactly match would never receive data. So the alarm is a Metrics
 * Insights query: `FROM "AWS/RDS"` (a namespace, not SCHEMA) "matches all ... metrics in the namespace regardless
 * of their dimensions, and returns a single aggregated time series" (CloudWatch User Guide, "Metrics Insights query
 * components and syntax"), filtered to this cluster; alarms can be created on any Metrics Insights query (CloudWatch
 * User Guide, "Create a CloudWatch alarm based on a Metrics Insights query").
 */
export function rpoLagAlarm(scope: Construct, id: string, p: RpoLagAlarmProps): CloudwatchMetricAlarm {
  const cluster = p.metric.dimensions.DBClusterIdentifier as string;
  const blocks =
    p.rpoBoundSeconds !== undefined
      ? `; at ${p.rpoBoundSeconds} s rds.global_db_rpo pauses every ledger commit in the primary region`
      : '';
  return new CloudwatchMetricAlarm(scope, id, {
    provider: p.provider,
    alarmName: p.alarmName,
    alarmDescription: `Ledger RPO lag of ${cluster} above ${p.thresholdMs} ms for 2 minutes: a failover now would lose about that much${blocks}`,
    metricQuery: [
      {
        id: 'rpo_lag',
        expression: `SELECT MAX(${p.metric.metricName}) FROM "${p.metric.namespace}" WHERE DBClusterIdentifier = '${cluster}'`,
        period: 60,
        returnData: true,
        label: p.metric.label,
      },
    ],
    evaluationPeriods: 2,
    threshold: p.thresholdMs,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
    alarmActions: [p.topicArn],
    okActions: [p.topicArn],
  });
}
