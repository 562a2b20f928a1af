import { keySafety, safetyProfile } from '../../src/config/safety';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { App, Testing, TerraformStack } from 'cdktn';
import { describe, expect, it } from 'vitest';
import {
  type AlarmSpec,
  DETECTOR_BLIND_ALARM,
  primaryFailedAlarm,
  SECONDARY_UNHEALTHY_ALARM,
} from '../../runtime/detection/agreement';
import { parseDetectorEnv } from '../../runtime/detection/env';
import { bundleFunction } from '../../src/bundling/bundle';
import { Detection, type DetectionProps } from '../../src/constructs/detection';
import { resourceNames } from '../../src/resource-names';
import { only, parsePolicy, regionOf, resources, testConfig, type TfJson } from '../support/synth';

/**
 * The detection construct synthesized alone, in a bare stack with the two providers the failover stack gives
 * it (us-east-2, where its state and alarms are, and us-west-2).
 */
const ACCOUNT = '123456789012';
const TOPIC = 'arn:aws:sns:us-east-2:123456789012:payment-processing-alerts-test-use2';
const KEY_USE2 = 'arn:aws:kms:us-east-2:123456789012:key/mrk-ops';
const bundle = bundleFunction('detector', {
  outDir: join(mkdtempSync(join(tmpdir(), 'detector-')), 'lambda'),
});
const config = testConfig();
const names = resourceNames(config);

function synth(over: Partial<DetectionProps> = {}, failover = config.failover): TfJson {
  const stack = new TerraformStack(Testing.app() as App, 'detection');
  const use2 = new AwsProvider(stack, 'aws', { region: 'us-east-2' });
  const usw2 = new AwsProvider(stack, 'aws-usw2', { region: 'us-west-2', alias: 'usw2' });
  new Detection(stack, 'detection', {
    names,
    accountId: ACCOUNT,
    primaryRegion: 'us-east-1',
    secondaryRegion: 'us-east-2',
    vantages: [
      { region: 'us-east-2', provider: use2, keyArn: KEY_USE2 },
      { region: 'us-west-2', provider: usw2 },
    ],
    failover,
    bundle,
    logRetentionDays: 30,
    alarmTopicArn: TOPIC,
    keySafety: keySafety(safetyProfile(config)),
    ...over,
  });
  return JSON.parse(Testing.synth(stack)) as TfJson;
}

const s = synth();
const fnIn = (region: string) =>
  only(s, 'aws_lambda_function', (f) =>
    String(f.function_name).endsWith(region === 'us-east-2' ? '-use2' : '-usw2'),
  );
const envOf = (fn: Record<string, unknown>) =>
  (fn.environment as { variables: Record<string, string> }).variables;
const policyOf = (region: string) => {
  const p = only(s, 'aws_iam_role_policy', (x) =>
    String(x.role).includes(region === 'us-east-2' ? 'us-east-2' : 'us-west-2'),
  );
  return Object.fromEntries(parsePolicy(p.policy).Statement.map((x) => [String(x.Sid), x]));
};

/** The alarm as the model reads it, from the synthesized attributes. */
const specOf = (
  a: Record<string, unknown>,
  statistic: AlarmSpec['statistic'],
  periodSeconds: number,
): AlarmSpec => ({
  periodSeconds,
  statistic,
  evaluationPeriods: Number(a.evaluation_periods),
  datapointsToAlarm: Number(a.datapoints_to_alarm),
  threshold: Number(a.threshold),
  comparison: a.comparison_operator as AlarmSpec['comparison'],
  treatMissingData: a.treat_missing_data as AlarmSpec['treatMissingData'],
});
const alarmNamed = (name: string) => only(s, 'aws_cloudwatch_metric_alarm', (a) => a.alarm_name === name);

describe('Detection: one detector per vantage point', () => {
  for (const region of ['us-east-2', 'us-west-2']) {
    it(`runs the detector in ${region}, outside any VPC, every minute, with a timeout that fits a run`, () => {
      const fn = fnIn(region);
      expect(regionOf(s, fn)).toBe(region);
      expect(fn).toMatchObject({
        function_name: names.detectorFunction(region as 'us-east-2'),
        timeout: 119,
        memory_size: 256,
      });
      expect(fn.vpc_config).toBeUndefined();
      const rule = only(s, 'aws_cloudwatch_event_rule', (r) => r.name === fn.function_name);
      expect(regionOf(s, rule)).toBe(region);
      expect(rule.schedule_expression).toBe('rate(1 minute)');
      const async = only(s, 'aws_lambda_function_event_invoke_config', (c) =>
        String(c.function_name).includes(region),
      );
      expect(async).toMatchObject({ maximum_retry_attempts: 0, maximum_event_age_in_seconds: 60 });
      expect(JSON.stringify(async.destination_config)).toMatch(
        new RegExp(`aws_sqs_queue\\.detection_${region.replace(/-/g, '-')}_dlq`),
      );
    });
  }

  it('renders an environment the function parses: the primary probed, the secondary only from us-east-2', () => {
    const use2 = parseDetectorEnv({ ...envOf(fnIn('us-east-2')), AWS_REGION: 'us-east-2' });
    expect(use2).toMatchObject({
      primaryProbeUrl: 'https://payments-use1.example.com/health/probe',
      primaryRegion: 'us-east-1',
      secondaryProbeUrl: 'https://payments-use2.example.com/health/probe',
      secondaryRegion: 'us-east-2',
      controlUrl: 'https://payments-use2.example.com/health',
      metricRegion: 'us-east-2',
      metricNamespace: 'PaymentsDR/test/detection',
      probesPerRun: 3,
      probeTimeoutMs: 3000,
    });
    const usw2 = parseDetectorEnv({ ...envOf(fnIn('us-west-2')), AWS_REGION: 'us-west-2' });
    expect(usw2.secondaryProbeUrl).toBeUndefined();
    expect(usw2.metricRegion).toBe('us-east-2');
  });

  it('gives each role exactly PutMetricData in the namespace and Invoke on the probe routes it probes', () => {
    for (const [region, routes] of [
      ['us-east-2', ['us-east-1', 'us-east-2']],
      ['us-west-2', ['us-east-1']],
    ] as const) {
      const bySid = policyOf(region);
      expect(Object.keys(bySid).sort()).toEqual(
        [
          'DeadLetters',
          'DeadLettersKey',
          'InvokeProbeRoutes',
          'OwnLogs',
          'PublishVerdicts',
          'XRayTraces',
        ].sort(),
      );
      expect(bySid.PublishVerdicts).toEqual({
        Sid: 'PublishVerdicts',
        Effect: 'Allow',
        Action: 'cloudwatch:PutMetricData',
        Resource: '*',
        Condition: { StringEquals: { 'cloudwatch:namespace': 'PaymentsDR/test/detection' } },
      });
      expect(bySid.InvokeProbeRoutes).toMatchObject({
        Action: 'execute-api:Invoke',
        Resource: routes.map((r) => `arn:aws:execute-api:${r}:${ACCOUNT}:*/prod/GET/health/probe`),
      });
    }
  });

  it('uses the given key in us-east-2 and a rotating key of its own in us-west-2', () => {
    expect(fnIn('us-east-2').kms_key_arn).toBe(KEY_USE2);
    const key = only(s, 'aws_kms_key');
    expect(regionOf(s, key)).toBe('us-west-2');
    expect(key.enable_key_rotation).toBe(true);
    expect(String(fnIn('us-west-2').kms_key_arn)).toMatch(/^\$\{aws_kms_key\./);
    const logs = parsePolicy(key.policy).Statement.find((x) => x.Sid === 'CloudWatchLogs');
    expect(JSON.stringify(logs)).toContain('logs.us-west-2.amazonaws.com');
    expect(only(s, 'aws_kms_alias').name).toBe('alias/payment-processing-detector-test-usw2');
  });
});

describe('Detection: the alarms, in us-east-2', () => {
  it('primary-failed: both vantage points agree for detectionMinutes, missing data notBreaching', () => {
    const a = alarmNamed(names.primaryFailedAlarm);
    expect(regionOf(s, a)).toBe('us-east-2');
    expect(specOf(a, 'Minimum', 60)).toEqual(primaryFailedAlarm(3));
    const queries = a.metric_query as Array<Record<string, unknown>>;
    expect(queries.map((q) => [q.id, q.return_data])).toEqual([
      ['v_us_east_2', false],
      ['v_us_west_2', false],
      ['agreement', true],
    ]);
    expect(queries[2]?.expression).toBe('(v_us_east_2 >= 1) AND (v_us_west_2 >= 1)');
    for (const [i, v] of ['us-east-2', 'us-west-2'].entries()) {
      expect(queries[i]?.metric).toEqual({
        namespace: 'PaymentsDR/test/detection',
        metric_name: 'PrimaryFailed',
        dimensions: { Vantage: v },
        period: 60,
        stat: 'Minimum',
      });
    }
    expect(a).toMatchObject({ alarm_actions: [TOPIC], ok_actions: [TOPIC] });
  });

  it('follows failover.detectionMinutes', () => {
    const five = synth({}, { ...config.failover, detectionMinutes: 5 });
    const a = only(five, 'aws_cloudwatch_metric_alarm', (x) => x.alarm_name === names.primaryFailedAlarm);
    expect([a.evaluation_periods, a.datapoints_to_alarm]).toEqual([5, 5]);
  });

  it('secondary-unhealthy: SecondaryHealthy of us-east-2 under 1, missing data breaching', () => {
    const a = alarmNamed(names.secondaryUnhealthyAlarm);
    expect(regionOf(s, a)).toBe('us-east-2');
    expect(specOf(a, 'Minimum', 60)).toEqual(SECONDARY_UNHEALTHY_ALARM);
    expect(a).toMatchObject({
      namespace: 'PaymentsDR/test/detection',
      metric_name: 'SecondaryHealthy',
      dimensions: { Vantage: 'us-east-2' },
      statistic: 'Minimum',
      period: 60,
    });
  });

  it('detector-blind per vantage point, both next to the topic in us-east-2', () => {
    for (const v of ['us-east-2', 'us-west-2'] as const) {
      const a = alarmNamed(names.detectorBlindAlarm(v));
      expect(regionOf(s, a)).toBe('us-east-2');
      expect(specOf(a, 'SampleCount', 60)).toEqual(DETECTOR_BLIND_ALARM);
      expect(a).toMatchObject({
        metric_name: 'PrimaryFailed',
        dimensions: { Vantage: v },
        statistic: 'SampleCount',
      });
    }
    expect(resources(s, 'aws_cloudwatch_metric_alarm')).toHaveLength(4);
  });

  it('refuses vantage points that share the primary, or none in the secondary region', () => {
    const stack = new TerraformStack(Testing.app() as App, 'bad');
    const p = (id: string, region: string) => new AwsProvider(stack, id, { region, alias: id });
    const base = {
      names,
      accountId: ACCOUNT,
      primaryRegion: 'us-east-1',
      secondaryRegion: 'us-east-2',
      failover: config.failover,
      bundle,
      logRetentionDays: 30,
      alarmTopicArn: TOPIC,
      keySafety: keySafety(safetyProfile(config)),
    } as const;
    expect(
      () =>
        new Detection(stack, 'a', {
          ...base,
          vantages: [
            { region: 'us-east-1', provider: p('a1', 'us-east-1') },
            { region: 'us-west-2', provider: p('a2', 'us-west-2') },
          ],
        }),
    ).toThrow(/secondary region/);
    expect(
      () =>
        new Detection(stack, 'b', {
          ...base,
          vantages: [
            { region: 'us-east-2', provider: p('b1', 'us-east-2') },
            { region: 'us-east-1', provider: p('b2', 'us-east-1') },
          ],
        }),
    ).toThrow(/other than the primary/);
  });
});
