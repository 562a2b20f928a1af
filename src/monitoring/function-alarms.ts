import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { Construct } from 'constructs';

/**
 * How a Lambda function is invoked, which decides what an alarm on its failures must look like. A rate alarm
 * ("more than 5 errors a minute for 2 minutes") suits only a function behind steady traffic: a function that runs
 * once a minute, every few minutes or on demand can never produce 5 errors a minute, so such an alarm cannot fire.
 * - `traffic`: request-driven (the payment API): more than `errorsPerMinute` errors in each of 2 minutes.
 * - `scheduled`: runs every `everySeconds` (watchdog, reconcile): one failed run in one run interval pages.
 * - `on-demand`: runs when something happens (an alert to relay, an operator's migration or failover): one
 *   failed run pages.
 * `missing` is what no data means (Lambda publishes Errors only for periods with invocations): for a schedule it
 * means "did not run", which only an alarm meant to watch liveness should treat as breaching; the others say "not
 * invoked", which is fine.
 */
export type InvocationProfile =
  | { kind: 'traffic'; errorsPerMinute: number }
  | { kind: 'scheduled'; everySeconds: number; missing: 'breaching' | 'notBreaching' }
  | { kind: 'on-demand' };

export interface FailureAlarmShape {
  comparison: 'GreaterThanThreshold' | 'GreaterThanOrEqualToThreshold';
  threshold: number;
  periodSeconds: number;
  evaluationPeriods: number;
  missing: 'breaching' | 'notBreaching';
  /** Fits after "<function> ...": what the alarm says happened. */
  what: string;
}

/**
 * CloudWatch periods of standard-resolution metrics are multiples of 60 s: a run interval is rounded up to one, so
 * every period holds at least one scheduled invocation.
 */
export const periodFor = (seconds: number): number => Math.max(60, Math.ceil(seconds / 60) * 60);

/** The alarm shape that can fire for a function invoked the way `profile` says. */
export function failureAlarmShape(profile: InvocationProfile): FailureAlarmShape {
  switch (profile.kind) {
    case 'traffic':
      return {
        comparison: 'GreaterThanThreshold',
        threshold: profile.errorsPerMinute,
        periodSeconds: 60,
        evaluationPeriods: 2,
        missing: 'notBreaching',
        what: `errors above ${profile.errorsPerMinute}/min for 2 minutes`,
      };
    case 'scheduled': {
      const period = periodFor(profile.everySeconds);
      return {
        comparison: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        periodSeconds: period,
        evaluationPeriods: 1,
        missing: profile.missing,
        what: `a scheduled run failed within ${period} s${profile.missing === 'breaching' ? ', or no run happened' : ''}`,
      };
    }
    case 'on-demand':
      return {
        comparison: 'GreaterThanOrEqualToThreshold',
        threshold: 1,
        periodSeconds: 60,
        evaluationPeriods: 1,
        missing: 'notBreaching',
        what: 'an invocation failed',
      };
  }
}

export interface FunctionFailureAlarmProps {
  provider: AwsProvider;
  alarmName: string;
  functionName: string;
  profile: InvocationProfile;
  /** The alert topic of the alarm's own region (alarm and OK actions). */
  topicArn: string;
  /**
   * The Lambda metric that counts failures: `Errors` (every failed invocation) by default, or `AsyncEventsDropped`
   * (asynchronous events Lambda gave up on after its retries and event age) where only the asynchronous
   * invocations are the runs in question, e.g. the schedule of a function that also serves requests.
   * @default 'Errors'
   */
  metricName?: 'Errors' | 'AsyncEventsDropped';
  /** @default "<function> <what the shape says happened>" */
  description?: string;
}

/**
 * An alarm that fires when a function fails the way its invocation profile allows: the one mechanism for the
 * failure alarms of every function, including ones added later.
 */
export function functionFailureAlarm(
  scope: Construct,
  id: string,
  p: FunctionFailureAlarmProps,
): CloudwatchMetricAlarm {
  const shape = failureAlarmShape(p.profile);
  return new CloudwatchMetricAlarm(scope, id, {
    provider: p.provider,
    alarmName: p.alarmName,
    alarmDescription: p.description ?? `${p.functionName}: ${shape.what}`,
    namespace: 'AWS/Lambda',
    metricName: p.metricName ?? 'Errors',
    dimensions: { FunctionName: p.functionName },
    statistic: 'Sum',
    period: shape.periodSeconds,
    evaluationPeriods: shape.evaluationPeriods,
    threshold: shape.threshold,
    comparisonOperator: shape.comparison,
    treatMissingData: shape.missing,
    alarmActions: [p.topicArn],
    okActions: [p.topicArn],
  });
}
