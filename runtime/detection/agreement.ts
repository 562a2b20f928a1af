import { DETECTION_METRICS } from './metrics';
import {
  LATE_START_TOLERANCE_MS,
  PERIOD_MS,
  probeSpacingMs,
  type RunTiming,
  timingProblem,
} from './schedule';

/**
 * The two alarms the failover trigger reads, as src/constructs/detection.ts synthesizes them (it renders these
 * specs), and a model of how CloudWatch evaluates them, so the tests, the scenario suite and the report all
 * evaluate the same rule.
 *
 * `primary-failed`: per vantage point, the Minimum of `PrimaryFailed` over one-minute periods (two runs in one
 * period, e.g. a duplicate EventBridge delivery, fail it only if both saw the primary failed); then the
 * expression `(v1 >= 1) AND (v2 >= 1)`. Metric math treats a value missing from one of two compared time series
 * as 0 ("When comparison operators are used between two time series, and only one of the time series has a
 * value for a particular time stamp, the function treats the missing value in the other time series as 0";
 * example `(metric1 > 15 AND metric2 > 15)`, CloudWatch User Guide, "Using metric math",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html). So a period is 1 only
 * when both vantage points published 1, 0 when either published 0 or only one published at all, and missing
 * when neither did. This is "MIN over the vantage points, missing as 0" written with documented operators: the
 * guide does not say how MIN([m1, m2]) treats a missing value, and advises against MIN in alarms.
 * Threshold >= 1 for N of N periods (N = failover.detectionMinutes), missing data notBreaching.
 *
 * `secondary-unhealthy`: Minimum of `SecondaryHealthy` (us-east-2's vantage point) < 1 for 1 of 1 period,
 * missing data breaching: a secondary nobody has seen healthy is never a failover target.
 *
 * Evaluation (CloudWatch User Guide, "Configuring how CloudWatch alarms treat missing data",
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/alarms-and-missing-data.html): an alarm with a
 * period of a minute or more is evaluated every minute; each evaluation retrieves more data points than the
 * evaluation periods (the *evaluation range*); when at least N of them exist it evaluates the N most recent
 * existing ones and ignores the missing-data setting; otherwise it fills the missing ones with that setting, as
 * few as possible. So a minute in which both vantage points were inconclusive neither counts nor breaks a
 * streak, while a minute in which one of them saw the primary healthy (or was cut off) breaks it. The length of
 * the evaluation range for one-minute periods is not documented (the guide's example retrieves 5 data points
 * for 3 evaluation periods): the model takes it as a parameter, and the tests check the guarantees for a span
 * of ranges.
 */
export type Comparison = 'GreaterThanOrEqualToThreshold' | 'LessThanThreshold';
export type MissingData = 'notBreaching' | 'breaching';

export interface AlarmSpec {
  periodSeconds: number;
  statistic: 'Minimum' | 'SampleCount';
  evaluationPeriods: number;
  datapointsToAlarm: number;
  threshold: number;
  comparison: Comparison;
  treatMissingData: MissingData;
}

export function primaryFailedAlarm(detectionMinutes: number): AlarmSpec {
  if (!Number.isInteger(detectionMinutes) || detectionMinutes < 2)
    throw new Error('detectionMinutes must be an integer of at least 2');
  return {
    periodSeconds: PERIOD_MS / 1000,
    statistic: 'Minimum',
    evaluationPeriods: detectionMinutes,
    datapointsToAlarm: detectionMinutes,
    threshold: 1,
    comparison: 'GreaterThanOrEqualToThreshold',
    treatMissingData: 'notBreaching',
  };
}

export const SECONDARY_UNHEALTHY_ALARM: AlarmSpec = {
  periodSeconds: PERIOD_MS / 1000,
  statistic: 'Minimum',
  evaluationPeriods: 1,
  datapointsToAlarm: 1,
  threshold: 1,
  comparison: 'LessThanThreshold',
  treatMissingData: 'breaching',
};

/**
 * `detector-blind-<region>`, per vantage point: SampleCount of its `PrimaryFailed` < 1, 1 of 3 periods, missing
 * data breaching. Periods without a verdict are missing, so (with the evaluation described above) it fires as
 * soon as fewer than 3 of the periods in the evaluation range hold a verdict: the detector there has been
 * failing, throttled, unscheduled or inconclusive for a few minutes, and `primary-failed` cannot fire whatever
 * happens to the primary.
 */
export const DETECTOR_BLIND_ALARM: AlarmSpec = {
  periodSeconds: PERIOD_MS / 1000,
  statistic: 'SampleCount',
  evaluationPeriods: 3,
  datapointsToAlarm: 1,
  threshold: 1,
  comparison: 'LessThanThreshold',
  treatMissingData: 'breaching',
};

/** The metric query id of a vantage point's series (ids must start with a lower-case letter). */
export const vantageQueryId = (vantage: string): string => `v_${vantage.replace(/-/g, '_')}`;

/** The expression `primary-failed` watches: every vantage point published 1 in the period. */
export function primaryFailedExpression(vantages: readonly string[]): string {
  if (vantages.length !== 2) throw new Error('the agreement needs exactly two vantage points');
  return vantages.map((v) => `(${vantageQueryId(v)} >= 1)`).join(' AND ');
}

/** One published data point, and when it reached CloudWatch. */
export interface DataPoint {
  metric: string;
  vantage: string;
  /** The run's window start (the data point's timestamp). */
  timestamp: number;
  value: number;
  arrivedAt: number;
}

const periodOf = (t: number): number => Math.floor(t / PERIOD_MS) * PERIOD_MS;

/** Minimum per period of one vantage point's metric, counting only what arrived before `at`. */
function minimumByPeriod(points: readonly DataPoint[], metric: string, vantage: string, at: number) {
  const out = new Map<number, number>();
  for (const p of points) {
    if (p.metric !== metric || p.vantage !== vantage || p.arrivedAt > at) continue;
    const period = periodOf(p.timestamp);
    out.set(period, Math.min(out.get(period) ?? Infinity, p.value));
  }
  return out;
}

/** The series `primary-failed` evaluates, as the expression computes it (see above). */
export function agreementSeries(
  points: readonly DataPoint[],
  vantages: readonly string[],
  at: number,
): Map<number, number> {
  const per = vantages.map((v) => minimumByPeriod(points, DETECTION_METRICS.primaryFailed, v, at));
  const periods = new Set(per.flatMap((m) => [...m.keys()]));
  const out = new Map<number, number>();
  for (const period of periods) out.set(period, per.every((m) => (m.get(period) ?? 0) >= 1) ? 1 : 0);
  return out;
}

/** The series `secondary-unhealthy` evaluates. */
export function secondarySeries(
  points: readonly DataPoint[],
  vantage: string,
  at: number,
): Map<number, number> {
  return minimumByPeriod(points, DETECTION_METRICS.secondaryHealthy, vantage, at);
}

/** The series a `detector-blind-<region>` alarm evaluates: how many verdicts of that vantage point per period. */
export function verdictCountSeries(
  points: readonly DataPoint[],
  vantage: string,
  at: number,
): Map<number, number> {
  const out = new Map<number, number>();
  for (const p of points) {
    if (p.metric !== DETECTION_METRICS.primaryFailed || p.vantage !== vantage || p.arrivedAt > at) continue;
    const period = periodOf(p.timestamp);
    out.set(period, (out.get(period) ?? 0) + 1);
  }
  return out;
}

const breaches = (spec: AlarmSpec, value: number): boolean =>
  spec.comparison === 'GreaterThanOrEqualToThreshold' ? value >= spec.threshold : value < spec.threshold;

export type AlarmState = 'ALARM' | 'OK';

/**
 * The state one evaluation at `at` sets: over the `rangePeriods` most recent closed periods, the N most recent
 * existing values, topped up with the missing-data setting when fewer than N exist.
 */
export function evaluateAlarm(
  spec: AlarmSpec,
  series: ReadonlyMap<number, number>,
  at: number,
  rangePeriods: number,
): AlarmState {
  const n = spec.evaluationPeriods;
  if (rangePeriods < n) throw new Error('the evaluation range is at least the evaluation periods');
  const lastClosed = periodOf(at) - PERIOD_MS;
  const existing: boolean[] = [];
  for (let p = lastClosed; p > lastClosed - rangePeriods * PERIOD_MS && existing.length < n; p -= PERIOD_MS) {
    const value = series.get(p);
    if (value !== undefined) existing.push(breaches(spec, value));
  }
  const filled = [
    ...existing,
    ...Array<boolean>(n - existing.length).fill(spec.treatMissingData === 'breaching'),
  ];
  return filled.filter(Boolean).length >= spec.datapointsToAlarm ? 'ALARM' : 'OK';
}

/** Evaluation range assumed when none is given: the User Guide's example (5 data points for 3 periods). */
export const defaultRangePeriods = (spec: AlarmSpec): number => spec.evaluationPeriods + 2;

/** CloudWatch evaluates alarms with periods of a minute or more once a minute. */
export const EVALUATION_INTERVAL_MS = PERIOD_MS;

/**
 * The first evaluation in [from, to) that sets ALARM, with evaluations every minute at `offsetMs` past the
 * minute (their phase is not documented), or undefined.
 */
export function firstAlarm(
  spec: AlarmSpec,
  seriesAt: (at: number) => ReadonlyMap<number, number>,
  window: { from: number; to: number; offsetMs?: number; rangePeriods?: number },
): number | undefined {
  const range = window.rangePeriods ?? defaultRangePeriods(spec);
  const offset = window.offsetMs ?? 0;
  for (let at = periodOf(window.from) + offset; at < window.to; at += EVALUATION_INTERVAL_MS) {
    if (at < window.from) continue;
    if (evaluateAlarm(spec, seriesAt(at), at, range) === 'ALARM') return at;
  }
  return undefined;
}

export interface DetectionBounds {
  /** Outages of at most this length never fire `primary-failed` (they cannot cover N windows' probes). */
  longestSilentOutageMs: number;
  /** The shortest outage (at millisecond resolution) that fires, when it covers N windows exactly. */
  shortestFiringOutageMs: number;
  /** From the start of a sustained outage seen by both vantage points to `primary-failed` in ALARM, at most. */
  longestDetectionMs: number;
  terms: {
    /** The window whose first probe came just before the outage still sees the primary healthy. */
    lostWindowMs: number;
    /** N windows of agreement. */
    agreementMs: number;
    /** The last of them is evaluated at most one evaluation interval after its period closed. */
    evaluationMs: number;
    /**
     * EventBridge's start jitter (under a minute, "within that minute"): absorbed by the wait for the window,
     * so it lengthens each run (schedule.ts) but adds nothing to detection.
     */
    eventBridgeJitterMs: number;
  };
}

export function detectionBounds(detectionMinutes: number, timing: RunTiming): DetectionBounds {
  const problem = timingProblem(timing);
  if (problem) throw new Error(problem);
  primaryFailedAlarm(detectionMinutes);
  // Every probe of N consecutive windows must fail: from the first probe of the first window to the last
  // probe of the last one, less what a late start can shave off the first window (schedule.ts).
  const longestSilentOutageMs =
    (detectionMinutes - 1) * PERIOD_MS +
    (timing.probesPerRun - 1) * probeSpacingMs(timing.probesPerRun) -
    LATE_START_TOLERANCE_MS;
  // The verdict of a window arrives inside its own period (timingProblem checks it), so the last agreeing
  // period is complete, data point included, when it closes.
  const terms = {
    lostWindowMs: PERIOD_MS,
    agreementMs: detectionMinutes * PERIOD_MS,
    evaluationMs: EVALUATION_INTERVAL_MS,
    eventBridgeJitterMs: 0,
  };
  return {
    longestSilentOutageMs,
    shortestFiringOutageMs: longestSilentOutageMs + 1,
    longestDetectionMs:
      terms.lostWindowMs + terms.agreementMs + terms.evaluationMs + terms.eventBridgeJitterMs,
    terms,
  };
}
