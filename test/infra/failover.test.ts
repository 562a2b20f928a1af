import { describe, expect, it } from 'vitest';
import { only, parsePolicy, regionOf, resources, synthAll, testConfig } from '../support/synth';

type Attrs = Record<string, unknown>;
const manual = synthAll(testConfig({ failover: { mode: 'manual' } }));
const automatic = synthAll(
  testConfig({ failover: { mode: 'automatic', watchdogConsecutiveFailures: 4, watchdogIntervalMinutes: 2 } }),
);
const fnByName = (st: typeof manual.secondary, name: string) =>
  only(st, 'aws_lambda_function', (f) => f.function_name === name);
const statements = (st: typeof manual.secondary, roleFragment: string) =>
  parsePolicy(only(st, 'aws_iam_role_policy', (p) => String(p.role).includes(roleFragment)).policy).Statement;

describe('failover automation (secondary region only)', () => {
  it('deploys the watchdog, orchestrator, state table and schedule in us-east-2 and nothing of it in us-east-1', () => {
    const st = manual.secondary;
    for (const name of ['payment-processing-watchdog-test', 'payment-processing-orchestrator-test']) {
      const f = fnByName(st, name);
      expect(regionOf(st, f)).toBe('us-east-2');
      expect(f.vpc_config).toBeUndefined(); // probes the public endpoint and the regional RDS API
    }
    expect(resources(manual.primary, 'aws_lambda_function').map(([, f]) => f.function_name)).not.toContain(
      'payment-processing-watchdog-test',
    );
    const table = only(st, 'aws_dynamodb_table');
    expect(table).toMatchObject({
      name: 'payment-processing-dr-state-test',
      hash_key: 'pk',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: '${data.aws_kms_key.data-key.arn}' },
      ttl: { attribute_name: 'expiresAt', enabled: true },
    });
    expect(table.replica).toBeUndefined();
  });

  it('probes the primary on its own regional name and talks only to us-east-2 resources', () => {
    const env = (
      fnByName(manual.secondary, 'payment-processing-watchdog-test').environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env).toMatchObject({
      PRIMARY_HEALTH_URL: 'https://payments-use1.example.com/health',
      GLOBAL_CLUSTER_ID: 'payment-processing-ledger-global-test',
      SECONDARY_CLUSTER_ID: 'payment-processing-ledger-test-use2',
      STATE_TABLE: 'payment-processing-dr-state-test',
      FAILURE_THRESHOLD: '3',
      FAILOVER_MODE: 'manual',
      TOPIC_ARN: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/),
    });
    // The watchdog reads and alerts only in us-east-2 (the primary cluster ARN appears only as a failover
    // target in automatic mode, and naming an ARN is not calling that region).
    const all = JSON.stringify(statements(manual.secondary, 'failover_watchdog_role'));
    expect(all).not.toMatch(/us-east-1/);
  });

  it('runs on the configured schedule, with failed runs going to an encrypted dead-letter queue', () => {
    expect(only(manual.secondary, 'aws_cloudwatch_event_rule').schedule_expression).toBe('rate(1 minute)');
    expect(only(automatic.secondary, 'aws_cloudwatch_event_rule').schedule_expression).toBe(
      'rate(2 minutes)',
    );
    expect(only(manual.secondary, 'aws_cloudwatch_event_target').arn).toMatch(/failover_watchdog_function/);
    const perm = only(
      manual.secondary,
      'aws_lambda_permission',
      (p) => p.principal === 'events.amazonaws.com',
    );
    expect(perm.source_arn).toMatch(/aws_cloudwatch_event_rule\..+\.arn/);
    const invoke = only(manual.secondary, 'aws_lambda_function_event_invoke_config');
    expect(invoke).toMatchObject({ maximum_retry_attempts: 0 });
    expect(((invoke.destination_config as Attrs).on_failure as Attrs).destination).toMatch(
      /aws_sqs_queue\..+\.arn/,
    );
    expect(only(manual.secondary, 'aws_sqs_queue').kms_master_key_id).toBe('${data.aws_kms_key.ops-key.arn}');
  });

  it('in manual mode the watchdog cannot promote; in automatic mode it can fail over to this region', () => {
    const manualActions = statements(manual.secondary, 'failover_watchdog_role').flatMap((x) =>
      [x.Action].flat(),
    );
    expect(manualActions).not.toContain('rds:FailoverGlobalCluster');
    const auto = statements(automatic.secondary, 'failover_watchdog_role');
    const promote = auto.find((x) => x.Sid === 'PromoteSecondary') as Attrs;
    expect(promote.Action).toEqual(['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster']);
    expect(promote.Resource).toEqual([
      'arn:aws:rds::${data.aws_caller_identity.caller-identity.account_id}:global-cluster:payment-processing-ledger-global-test',
      'arn:aws:rds:us-east-2:${data.aws_caller_identity.caller-identity.account_id}:cluster:payment-processing-ledger-test-use2',
      'arn:aws:rds:us-east-1:${data.aws_caller_identity.caller-identity.account_id}:cluster:payment-processing-ledger-test-use1',
    ]);
    const env = (
      fnByName(automatic.secondary, 'payment-processing-watchdog-test').environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env).toMatchObject({ FAILOVER_MODE: 'automatic', FAILURE_THRESHOLD: '4' });
  });

  it('lets the orchestrator switch over and fail back between exactly the two clusters', () => {
    const st = statements(manual.secondary, 'failover_orchestrator_role');
    const promote = st.find((x) => x.Sid === 'PromoteSecondary') as Attrs;
    expect(promote.Resource).toHaveLength(3);
    expect(JSON.stringify(promote.Resource)).toContain('cluster:payment-processing-ledger-test-use1');
    const lock = st.find((x) => x.Sid === 'StateAndLock') as Attrs;
    expect(lock.Resource).toMatch(/aws_dynamodb_table\.failover_state_\w+\.arn/);
    expect(JSON.stringify(st.filter((x) => x.Sid !== 'XRayTraces'))).not.toContain('"*"');
  });
});

describe('DR operator role (drctl)', () => {
  const role = (st: typeof manual.global) =>
    only(st, 'aws_iam_role', (r) => r.name === 'payment-processing-dr-operator-test');
  const rolePolicy = (st: typeof manual.global) =>
    parsePolicy(only(st, 'aws_iam_role_policy', (p) => p.name === 'drctl').policy).Statement;

  it('is assumable by the configured principals, or by the account with MFA when none are configured', () => {
    const trust = parsePolicy(role(manual.global).assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({
      AWS: 'arn:aws:iam::${data.aws_caller_identity.caller-identity.account_id}:root',
    });
    expect(trust.Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': true } });
    const ops = synthAll(
      testConfig({ failover: { operatorPrincipalArns: ['arn:aws:iam::123456789012:role/oncall'] } }),
    );
    const t2 = parsePolicy(role(ops.global).assume_role_policy).Statement[0];
    expect(t2.Principal).toEqual({ AWS: ['arn:aws:iam::123456789012:role/oncall'] });
    expect(t2.Condition).toBeUndefined();
    expect(role(manual.global).max_session_duration).toBe(3600);
  });

  it('names the environment resources drctl touches; only list/metric calls without resource scoping use "*"', () => {
    const st = rolePolicy(manual.global);
    const bySid = Object.fromEntries(st.map((x) => [x.Sid, x]));
    expect(bySid.SwitchoverFailoverFailback.Resource).toEqual([
      'arn:aws:rds::${data.aws_caller_identity.caller-identity.account_id}:global-cluster:payment-processing-ledger-global-test',
      'arn:aws:rds:us-east-1:${data.aws_caller_identity.caller-identity.account_id}:cluster:payment-processing-ledger-test-use1',
      'arn:aws:rds:us-east-2:${data.aws_caller_identity.caller-identity.account_id}:cluster:payment-processing-ledger-test-use2',
    ]);
    expect(bySid.WatchdogStateAndLock.Resource).toBe(
      'arn:aws:dynamodb:us-east-2:${data.aws_caller_identity.caller-identity.account_id}:table/payment-processing-dr-state-test',
    );
    const wildcard = st.filter((x) => [x.Resource].flat().includes('*')).map((x) => x.Sid);
    expect(wildcard.sort()).toEqual(['FindHealthCheck', 'ReadMetrics']);
    expect(bySid.ReadMetrics.Action).toBe('cloudwatch:GetMetricData');
    expect(bySid.FindHealthCheck.Action).toBe('route53:ListHealthChecks');
  });
});
