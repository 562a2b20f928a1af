import { type CloudWatchClient, type MetricDatum, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { Verdict } from './classify';
import { DETECTION_METRICS } from './metrics';
import type { VantageRun } from './vantage';

/**
 * Publishes one run's verdicts as CloudWatch data points, in one PutMetricData call to the client's region
 * (us-east-2, where the agreement alarms are, whatever region the vantage point runs in: CloudWatch metrics
 * belong to the regional endpoint they are sent to, monitoring.<region>.amazonaws.com,
 * https://docs.aws.amazon.com/general/latest/gr/cw_region.html). Each data point carries the run's window
 * start as its timestamp, so the period it lands in is the minute its probes were taken in. An inconclusive
 * verdict publishes nothing: missing data is what the alarms treat as "no evidence" (agreement.ts). A run
 * whose verdicts are both inconclusive makes no call at all.
 *
 * The call is bounded by the client (runtime/shared/aws-clients.ts, the failover budget: 5 s for all
 * attempts); a failure is thrown, so the run fails, lands in the dead-letter queue, and leaves its period
 * without a data point, which the alarms treat like an inconclusive run.
 */
const primaryValue = (v: Verdict): number | undefined =>
  v === 'failed' ? 1 : v === 'healthy' ? 0 : undefined;
const secondaryValue = (v: Verdict): number | undefined =>
  v === 'healthy' ? 1 : v === 'failed' ? 0 : undefined;

/** The data points of one run (empty when nothing is conclusive). */
export function runDatums(run: VantageRun): MetricDatum[] {
  const datum = (name: string, value: number | undefined): MetricDatum[] =>
    value === undefined
      ? []
      : [
          {
            MetricName: name,
            Dimensions: [{ Name: DETECTION_METRICS.dimension, Value: run.vantage }],
            Timestamp: new Date(run.windowStart),
            Value: value,
            Unit: 'None',
            // Standard resolution: the alarms use one-minute periods.
            StorageResolution: 60,
          },
        ];
  return [
    ...datum(DETECTION_METRICS.primaryFailed, primaryValue(run.primary)),
    ...(run.secondary === undefined
      ? []
      : datum(DETECTION_METRICS.secondaryHealthy, secondaryValue(run.secondary))),
  ];
}

export async function publishRun(
  cw: CloudWatchClient,
  namespace: string,
  run: VantageRun,
): Promise<MetricDatum[]> {
  const datums = runDatums(run);
  if (datums.length === 0) return datums;
  await cw.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: datums }));
  return datums;
}
