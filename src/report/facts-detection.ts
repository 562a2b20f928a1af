import { resourceNames } from '../resource-names';
import {
  type Attrs,
  environmentOf,
  everywhere,
  type Located,
  type PlanStacks,
  regionOf,
  ruleEnabled,
  scheduleSeconds,
  wholeNumber,
} from './plan';

/**
 * What the report reads of the detection slice (design-11.md "Detection", src/constructs/detection.ts): the
 * detector functions carry `-detector-` in their name (resourceNames().detectorFunction), their probe time limit
 * is the integer variable PROBE_TIMEOUT_MS of runtime/detection/env.ts (failover.probeTimeoutMs), and they
 * publish PrimaryFailed by Vantage. The contract is not imported from runtime/ (its module loads the AWS SDK
 * clients); test/report/rto.test.ts checks these names against it instead.
 */
export const DETECTION_CONTRACT = {
  functionNamePart: '-detector-',
  probeTimeoutVar: 'PROBE_TIMEOUT_MS',
  failedMetric: 'PrimaryFailed',
  vantageDimension: 'Vantage',
} as const;

export interface AlarmMetric {
  id: string;
  metricName?: string;
  dimensions: Record<string, string>;
  periodSeconds?: number;
}

/** A CloudWatch metric alarm as the plan defines it. */
export interface AlarmFact {
  name: string;
  region?: string;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  threshold?: number;
  comparison?: string;
  treatMissingData?: string;
  /** The metric-math expression whose result the alarm evaluates (metric_query with return_data). */
  expression?: string;
  metrics: AlarmMetric[];
}

export interface DetectorFact {
  functionName: string;
  region: string;
  rule: string;
  intervalSeconds?: number;
  probeTimeoutSeconds?: number;
}

export interface DetectionFacts {
  primaryFailed?: AlarmFact;
  secondaryUnhealthy?: AlarmFact;
  /** The agreement rule, when the alarm is exactly "every vantage >= 1 for N of N 60 s periods". */
  agreement?: { vantages: string[]; periods: number; periodSeconds: number };
  detectors: DetectorFact[];
  /** Pieces that are absent or not the contract, each said precisely. */
  missing: string[];
  /** The part of `missing` about the agreement alarm and its detectors (what "no failover" rests on). */
  agreementMissing: string[];
  /** Values the plan does not give (the RTO needs them; never defaulted). */
  unknown: string[];
}

function readAlarm(p: PlanStacks, a: Located): AlarmFact {
  const x = a.attrs;
  const queries = (x.metric_query as Attrs[] | undefined) ?? [];
  const metrics: AlarmMetric[] = queries.flatMap((q) => {
    const m = q.metric as Attrs | undefined;
    if (!m) return [];
    const period = wholeNumber(m.period);
    return [
      {
        id: String(q.id),
        ...(typeof m.metric_name === 'string' ? { metricName: m.metric_name } : {}),
        dimensions: Object.fromEntries(
          Object.entries((m.dimensions as Record<string, unknown> | undefined) ?? {}).map(([k, v]) => [
            k,
            String(v),
          ]),
        ),
        ...(period !== undefined ? { periodSeconds: period } : {}),
      },
    ];
  });
  const expression = queries.find((q) => q.return_data === true && typeof q.expression === 'string')
    ?.expression as string | undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : wholeNumber(v));
  const region = regionOf(p, a);
  const evaluationPeriods = num(x.evaluation_periods);
  const datapointsToAlarm = num(x.datapoints_to_alarm);
  const threshold = num(x.threshold);
  return {
    name: String(x.alarm_name),
    ...(region ? { region } : {}),
    ...(evaluationPeriods !== undefined ? { evaluationPeriods } : {}),
    ...(datapointsToAlarm !== undefined ? { datapointsToAlarm } : {}),
    ...(threshold !== undefined ? { threshold } : {}),
    ...(typeof x.comparison_operator === 'string' ? { comparison: x.comparison_operator } : {}),
    ...(typeof x.treat_missing_data === 'string' ? { treatMissingData: x.treat_missing_data } : {}),
    ...(expression ? { expression } : {}),
    metrics,
  };
}

/**
 * The agreement rule: the alarm's expression is 1 only when the PrimaryFailed metric of every one of at least two
 * distinct vantage points is >= 1, compared >= 1 in N of N 60 s periods (M of N would let a minority of periods
 * count), missing data not breaching. Returns why not, or the rule.
 */
function agreementOf(a: AlarmFact): DetectionFacts['agreement'] | string {
  const failed = a.metrics.filter((m) => m.metricName === DETECTION_CONTRACT.failedMetric);
  const vantages = [
    ...new Set(failed.map((m) => m.dimensions[DETECTION_CONTRACT.vantageDimension]).filter(Boolean)),
  ];
  const ids = failed.map((m) => m.id);
  // `(v1 >= 1) AND (v2 >= 1)`: a comparison counts a series missing at a time stamp as 0 ("When comparison
  // operators are used between two time series, and only one of the time series has a value for a particular time
  // stamp, the function treats the missing value in the other time series as 0": CloudWatch User Guide, "Using
  // metric math", https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html, as
  // runtime/detection/agreement.ts quotes it). MIN([v1, v2]) is refused: how it counts a missing series is not
  // documented, so a vantage point that publishes nothing might leave the other to decide alone.
  const expr = a.expression?.replace(/\s+/g, '') ?? '';
  const anded = expr.split('AND').map((t) => /^\((\w+)>=1\)$/.exec(t)?.[1]);
  const over = anded.length > 1 && anded.every((id) => id !== undefined) ? (anded as string[]) : [];
  const problems: string[] = [];
  if (vantages.length < 2)
    problems.push(`${DETECTION_CONTRACT.failedMetric} of two vantage points (found ${vantages.length})`);
  if (over.length !== ids.length || !ids.every((id) => over.includes(id)))
    problems.push(
      `the expression (v1 >= 1) AND (v2 >= 1) over every vantage's metric (found ${a.expression ?? 'none'})`,
    );
  if (a.threshold !== 1 || a.comparison !== 'GreaterThanOrEqualToThreshold')
    problems.push(`>= 1 (found ${a.comparison ?? '?'} ${a.threshold ?? '?'})`);
  if (
    a.evaluationPeriods === undefined ||
    (a.datapointsToAlarm ?? a.evaluationPeriods) !== a.evaluationPeriods
  )
    problems.push(`N of N periods (found ${a.datapointsToAlarm ?? '?'} of ${a.evaluationPeriods ?? '?'})`);
  const periods = [...new Set(failed.map((m) => m.periodSeconds))];
  if (periods.length !== 1 || periods[0] !== 60)
    problems.push(`60 s periods (found ${periods.join(',') || '?'})`);
  if (a.treatMissingData !== 'notBreaching')
    problems.push(`missing data notBreaching (found ${a.treatMissingData ?? 'unset: missing'})`);
  if (problems.length > 0) return `alarm ${a.name} is not the agreement rule: needs ${problems.join('; ')}`;
  return { vantages, periods: a.evaluationPeriods as number, periodSeconds: 60 };
}

function readDetectors(p: PlanStacks, unknown: string[]): DetectorFact[] {
  const rules = everywhere(p, 'aws_cloudwatch_event_rule');
  const targets = everywhere(p, 'aws_cloudwatch_event_target');
  return everywhere(p, 'aws_lambda_function')
    .filter((f) => String(f.attrs.function_name).includes(DETECTION_CONTRACT.functionNamePart))
    .flatMap((f) => {
      const functionName = String(f.attrs.function_name);
      const region = regionOf(p, f);
      // Only an enabled rule with a target invoking this very function schedules it.
      const scheduled = targets
        .filter(
          (t) =>
            t.stack === f.stack &&
            (String(t.attrs.arn).startsWith(`\${aws_lambda_function.${f.key}.`) ||
              String(t.attrs.arn).endsWith(`:function:${functionName}`)),
        )
        .map((t) =>
          rules.find(
            (r) =>
              r.stack === t.stack &&
              (String(t.attrs.rule) === String(r.attrs.name) ||
                String(t.attrs.rule).startsWith(`\${aws_cloudwatch_event_rule.${r.key}.`)),
          ),
        )
        .filter((r): r is Located => r !== undefined && ruleEnabled(r.attrs).enabled);
      if (!region || scheduled.length === 0) return [];
      const rule = scheduled[0];
      const interval = scheduleSeconds(rule.attrs.schedule_expression);
      const raw = environmentOf(f.attrs)[DETECTION_CONTRACT.probeTimeoutVar];
      const timeoutMs = wholeNumber(raw);
      if (timeoutMs === undefined)
        unknown.push(
          `detector ${functionName} ${DETECTION_CONTRACT.probeTimeoutVar} ${raw === undefined ? 'not in the plan' : `=${raw} is not a number`}`,
        );
      return [
        {
          functionName,
          region,
          rule: String(rule.attrs.name ?? rule.key),
          ...(interval !== undefined ? { intervalSeconds: interval } : {}),
          ...(timeoutMs !== undefined ? { probeTimeoutSeconds: timeoutMs / 1000 } : {}),
        },
      ];
    });
}

/** The detectors and their alarms, found by the names in src/resource-names.ts. */
export function extractDetectionFacts(p: PlanStacks, planName: string | undefined): DetectionFacts {
  const facts: DetectionFacts = { detectors: [], missing: [], agreementMissing: [], unknown: [] };
  // The plan is resource-names' regionSwitchPlan of some suffix: the suffix names the rest. Only the
  // environment-derived names are read, so dns and regions do not enter them.
  const namesFor = (environmentSuffix: string) =>
    resourceNames({
      environmentSuffix,
      dns: { zoneName: 'unused.invalid', zoneId: 'ZUNUSED', apiLabel: 'unused' },
      regions: { primary: 'us-east-1', secondary: 'us-east-2', witness: 'us-west-2' },
    });
  const prefix = namesFor('x').regionSwitchPlan.slice(0, -1);
  const suffix = planName?.startsWith(prefix) ? planName.slice(prefix.length) : undefined;
  if (!suffix || namesFor(suffix).regionSwitchPlan !== planName) {
    const m = 'the detection alarms (their names follow the plan name, and there is no plan)';
    facts.missing.push(m);
    facts.agreementMissing.push(m);
    return facts;
  }
  const names = namesFor(suffix);
  const alarms = everywhere(p, 'aws_cloudwatch_metric_alarm');
  const find = (name: string) => alarms.find((a) => a.attrs.alarm_name === name);
  const failed = find(names.primaryFailedAlarm);
  const unhealthy = find(names.secondaryUnhealthyAlarm);
  const agreementProblem = (m: string) => {
    facts.missing.push(m);
    facts.agreementMissing.push(m);
  };
  if (!failed) agreementProblem(`agreement alarm ${names.primaryFailedAlarm} (detection not in the plan)`);
  else {
    facts.primaryFailed = readAlarm(p, failed);
    const rule = agreementOf(facts.primaryFailed);
    if (typeof rule === 'string') agreementProblem(rule);
    else facts.agreement = rule;
  }
  if (!unhealthy)
    facts.missing.push(`secondary health alarm ${names.secondaryUnhealthyAlarm} (detection not in the plan)`);
  else {
    facts.secondaryUnhealthy = readAlarm(p, unhealthy);
    if (facts.secondaryUnhealthy.treatMissingData !== 'breaching')
      facts.missing.push(
        `alarm ${names.secondaryUnhealthyAlarm} with missing data breaching (found ${facts.secondaryUnhealthy.treatMissingData ?? 'unset: missing'}): an unknown secondary must block an automatic failover`,
      );
  }
  facts.detectors = readDetectors(p, facts.unknown);
  for (const vantage of facts.agreement?.vantages ?? []) {
    const d = facts.detectors.filter((x) => x.region === vantage);
    if (d.length === 0)
      agreementProblem(
        `a detector function in ${vantage} on an enabled EventBridge schedule (vantage of ${names.primaryFailedAlarm})`,
      );
    else if (d.some((x) => x.intervalSeconds !== 60))
      agreementProblem(
        `the ${vantage} detector on rate(1 minute) (found ${d.map((x) => x.intervalSeconds ?? 'no rate()').join(', ')} s)`,
      );
  }
  return facts;
}
