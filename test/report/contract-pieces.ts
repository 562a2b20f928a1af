import type { Attrs, PlanStacks } from '../../src/report/plan';
import { REGION_CODES } from '../../src/config';
import { resourceNames } from '../../src/resource-names';
import { synthAll, testConfig } from '../support/synth';

/**
 * The detection and health pieces as design-11.md describes them, added to a synthesized plan: what the report
 * must find once those slices land on main. THE LEAD MUST CHECK these shapes against the real slices when
 * merging (alarm math, detector names and variables, function names, WAF rules); the report reads exactly these.
 */
export interface PieceOptions {
  detectionMinutes?: number;
  probeTimeoutMs?: number;
  vantages?: string[];
  /** Add the health/probe functions, routes and WAF rules. */
  health?: boolean;
  /** Add the detectors and alarms. */
  detection?: boolean;
}

const names = {
  ...resourceNames(testConfig()),
  // The detection slice's names (resource-names on its branch): `payment-processing-detector-<suffix>-<code>`.
  detectorFunction: (region: string) =>
    `payment-processing-detector-test-${REGION_CODES[region as keyof typeof REGION_CODES]}`,
};
/** runtime/detection/agreement.ts vantageQueryId. */
const queryId = (vantage: string) => `v_${vantage.replace(/-/g, '_')}`;
const clone = (p: unknown): PlanStacks => JSON.parse(JSON.stringify(p)) as PlanStacks;
const resources = (p: PlanStacks, stack: keyof PlanStacks, type: string): Record<string, Attrs> => {
  const s = p[stack] as NonNullable<PlanStacks[keyof PlanStacks]>;
  s.resource ??= {};
  s.resource[type] ??= {};
  return s.resource[type];
};

function addDetection(p: PlanStacks, o: PieceOptions): void {
  const vantages = o.vantages ?? ['us-east-2', 'us-west-2'];
  const failover = p.failover as NonNullable<PlanStacks['failover']>;
  failover.provider?.aws?.push({ alias: 'usw2', region: 'us-west-2' });
  const providerOf = (region: string) => (region === 'us-west-2' ? 'aws.usw2' : undefined);
  vantages.forEach((region, i) => {
    const key = `detector_${i}`;
    const fn = names.detectorFunction(region);
    resources(p, 'failover', 'aws_lambda_function')[key] = {
      function_name: fn,
      timeout: 30,
      environment: { variables: { PROBE_TIMEOUT_MS: String(o.probeTimeoutMs ?? 3000), PROBES_PER_RUN: '3' } },
      ...(providerOf(region) ? { provider: providerOf(region) } : {}),
    };
    resources(p, 'failover', 'aws_cloudwatch_event_rule')[`${key}_schedule`] = {
      name: fn,
      schedule_expression: 'rate(1 minute)',
      ...(providerOf(region) ? { provider: providerOf(region) } : {}),
    };
    resources(p, 'failover', 'aws_cloudwatch_event_target')[`${key}_target`] = {
      rule: `\${aws_cloudwatch_event_rule.${key}_schedule.name}`,
      arn: `\${aws_lambda_function.${key}.arn}`,
      ...(providerOf(region) ? { provider: providerOf(region) } : {}),
    };
  });
  const n = o.detectionMinutes ?? 3;
  const alarms = resources(p, 'failover', 'aws_cloudwatch_metric_alarm');
  alarms.primary_failed = {
    alarm_name: names.primaryFailedAlarm,
    comparison_operator: 'GreaterThanOrEqualToThreshold',
    threshold: 1,
    evaluation_periods: n,
    datapoints_to_alarm: n,
    treat_missing_data: 'notBreaching',
    metric_query: [
      ...vantages.map((v) => ({
        id: queryId(v),
        return_data: false,
        metric: {
          metric_name: 'PrimaryFailed',
          namespace: 'PaymentsDR/test/detection',
          period: 60,
          stat: 'Minimum',
          dimensions: { Vantage: v },
        },
      })),
      {
        id: 'agreement',
        return_data: true,
        expression: vantages.map((v) => `(${queryId(v)} >= 1)`).join(' AND '),
      },
    ],
  };
  alarms.secondary_unhealthy = {
    alarm_name: names.secondaryUnhealthyAlarm,
    comparison_operator: 'LessThanThreshold',
    threshold: 1,
    evaluation_periods: 1,
    treat_missing_data: 'breaching',
    metric_name: 'SecondaryHealthy',
    namespace: 'PaymentsDR/test/detection',
    period: 60,
    statistic: 'Minimum',
  };
}

function addHealth(p: PlanStacks): void {
  const fns = resources(p, 'primary', 'aws_lambda_function');
  fns.health_fn = { function_name: 'payment-processing-health-test-use1', reserved_concurrent_executions: 5 };
  fns.probe_fn = {
    function_name: 'payment-processing-health-probe-test-use1',
    reserved_concurrent_executions: 3,
  };
  const api = Object.values(resources(p, 'primary', 'aws_api_gateway_rest_api'))[0];
  const doc = JSON.parse(String(api.body)) as { paths: Record<string, Record<string, Attrs>> };
  const integration = (key: string) => ({
    'x-amazon-apigateway-integration': {
      type: 'aws_proxy',
      uri: `\${aws_lambda_function.${key}.invoke_arn}`,
    },
  });
  doc.paths['/health'] = { get: { security: [], ...integration('health_fn') } };
  doc.paths['/health/probe'] = { get: { security: [{ sigv4: [] }], ...integration('probe_fn') } };
  api.body = JSON.stringify(doc);
  const acl = Object.values(resources(p, 'primary', 'aws_wafv2_web_acl'))[0];
  (acl.rule as Attrs[]).push(
    {
      name: 'probe-needs-sigv4',
      action: { block: {} },
      statement: {
        and_statement: { statement: [{ byte_match_statement: { search_string: '/health/probe' } }] },
      },
    },
    {
      name: 'health-rate-per-ip',
      action: { block: {} },
      statement: {
        rate_based_statement: {
          limit: 300,
          aggregate_key_type: 'IP',
          scope_down_statement: { byte_match_statement: { search_string: '/health' } },
        },
      },
    },
  );
}

/** A deep copy of the synthesized plan with the missing slices added as design-11.md specifies them. */
export function completePlan(config = testConfig(), o: PieceOptions = {}): PlanStacks {
  const p = clone(synthAll(config));
  // Once a slice is on main its own resources are synthesized: nothing is added for it then.
  const alarms = Object.values(p.failover?.resource?.aws_cloudwatch_metric_alarm ?? {});
  const hasDetection = alarms.some((a) => a.alarm_name === names.primaryFailedAlarm);
  const api = Object.values(p.primary?.resource?.aws_api_gateway_rest_api ?? {})[0];
  const hasHealth = String(api?.body ?? '').includes('/health/probe');
  if ((o.detection ?? true) && !hasDetection)
    addDetection(p, { ...o, detectionMinutes: o.detectionMinutes ?? config.failover.detectionMinutes });
  if ((o.health ?? true) && !hasHealth) addHealth(p);
  return p;
}

/** The plan as synthesized on main today (no detection, no health functions). */
export const mainPlan = (config = testConfig()): PlanStacks => clone(synthAll(config));
