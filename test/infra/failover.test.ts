import { describe, expect, it } from 'vitest';
import { PLAN_STEPS } from '../../src/constructs/region-switch-plan';
import { resourceNames } from '../../src/resource-names';
import { only, parsePolicy, regionOf, resources, synthAll, testConfig, type TfJson } from '../support/synth';

type Attrs = Record<string, unknown>;
type Step = Attrs & { name: string; execution_block_type: string };
type Workflow = { workflow_target_action: string; workflow_target_region: string; step: Step[] };

const automaticConfig = testConfig({ failover: { mode: 'automatic' } });
const automatic = synthAll(automaticConfig);
const names = resourceNames(automaticConfig);
const manual = synthAll(testConfig({ failover: { mode: 'manual' } }));
const approving = synthAll(testConfig({ failover: { approveUngraceful: true, approvalTimeoutMinutes: 45 } }));
const plan = (st: TfJson) => only(st, 'aws_arcregionswitch_plan');
const workflows = (st: TfJson) => plan(st).workflow as Workflow[];
const workflowTo = (st: TfJson, region: string) => {
  const w = workflows(st).filter((x) => x.workflow_target_region === region);
  expect(w).toHaveLength(1);
  return w[0];
};
const ACCOUNT = '${data.aws_caller_identity.caller-identity.account_id}';

describe('the failover engine: one ARC Region switch plan in the us-east-2 failover stack', () => {
  it('is an active/passive plan of the two regions with the configured RTO objective, managed from us-east-2', () => {
    const st = automatic.failover;
    const p = plan(st);
    expect(p).toMatchObject({
      name: 'payment-processing-test',
      recovery_approach: 'activePassive',
      regions: ['us-east-1', 'us-east-2'],
      primary_region: 'us-east-1',
      recovery_time_objective_minutes: automaticConfig.failover.rtoObjectiveMinutes,
    });
    // The trigger's alarms and the execution policy exist before ARC first evaluates the plan.
    const alarmKeys = resources(st, 'aws_cloudwatch_metric_alarm')
      .filter(([, a]) =>
        [names.primaryFailedAlarm, names.secondaryUnhealthyAlarm].includes(String(a.alarm_name)),
      )
      .map(([k]) => `aws_cloudwatch_metric_alarm.${k}`);
    expect(alarmKeys).toHaveLength(2);
    expect(p.depends_on).toEqual(expect.arrayContaining(alarmKeys));
    // ARC plan names: at most 32 of [a-zA-Z0-9-] (CloudFormation AWS::ARCRegionSwitch::Plan Name pattern).
    expect(String(p.name)).toMatch(/^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$/);
    expect(regionOf(st, p)).toBe('us-east-2');
    // The longest suffix the config allows still fits.
    const longest = synthAll(testConfig({ environmentSuffix: 'abcdefghijkl' })).failover;
    expect(String(plan(longest).name).length).toBeLessThanOrEqual(32);
  });

  it('activates each region in the same order: write fence, then the database, then DNS', () => {
    for (const region of ['us-east-2', 'us-east-1']) {
      const w = workflowTo(automatic.failover, region);
      expect(w.workflow_target_action).toBe('activate');
      expect(w.step.map((s) => [s.name, s.execution_block_type])).toEqual([
        [PLAN_STEPS.fence, 'CustomActionLambda'],
        [PLAN_STEPS.database, 'AuroraGlobalDatabase'],
        [PLAN_STEPS.dns, 'Route53HealthCheck'],
      ]);
    }
  });

  it('switches the database over when graceful and fails it over (data loss) only when ungraceful', () => {
    const db = workflowTo(automatic.failover, 'us-east-2').step[1];
    expect(db.global_aurora_config).toEqual([
      {
        behavior: 'switchoverOnly',
        ungraceful: [{ ungraceful: 'failover' }],
        global_cluster_identifier: 'payment-processing-ledger-global-test',
        database_cluster_arns: [
          `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:payment-processing-ledger-test-use1`,
          `arn:aws:rds:us-east-2:${ACCOUNT}:cluster:payment-processing-ledger-test-use2`,
        ],
        timeout_minutes: 30,
      },
    ]);
  });

  it('runs the fence in the activating region, never skipped on an ungraceful execution', () => {
    const fence = workflowTo(automatic.failover, 'us-east-2').step[0];
    const [cfg] = fence.custom_action_lambda_config as Attrs[];
    expect(cfg.region_to_run).toBe('activatingRegion');
    expect(cfg.ungraceful).toBeUndefined(); // "skip" would let a data-loss failover run unfenced
    expect(cfg.lambda).toEqual([
      { arn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:payment-processing-fence-test-use1` },
      { arn: `arn:aws:lambda:us-east-2:${ACCOUNT}:function:payment-processing-fence-test-use2` },
    ]);
    // Each regional stack deploys the function the plan names, outside the VPC, with only the fence calls.
    for (const [stack, region] of [
      [automatic.primary, 'use1'],
      [automatic.secondary, 'use2'],
    ] as const) {
      const fn = only(
        stack,
        'aws_lambda_function',
        (f) => f.function_name === `payment-processing-fence-test-${region}`,
      );
      expect(fn.vpc_config).toBeUndefined();
      expect((fn.environment as { variables: Attrs }).variables).toEqual({
        CONTROL_TABLE: 'payment-processing-payment-control-test',
      });
    }
  });

  it('owns the health state of both failover records: DNS follows executions and never flips back on its own', () => {
    const st = automatic.failover;
    const dns = workflowTo(st, 'us-east-2').step[2];
    expect(dns.route53_health_check_config).toEqual([
      {
        hosted_zone_id: 'Z0TEST0000000000000',
        record_name: 'payments.example.com',
        timeout_minutes: 10,
        record_set: [
          { region: 'us-east-1', record_set_identifier: 'primary-us-east-1' },
          { region: 'us-east-2', record_set_identifier: 'secondary-us-east-2' },
        ],
      },
    ]);
    const records = resources(st, 'aws_route53_record').map(([, r]) => r);
    expect(records.map((r) => [r.set_identifier, (r.failover_routing_policy as Attrs).type])).toEqual([
      ['primary-us-east-1', 'PRIMARY'],
      ['secondary-us-east-2', 'SECONDARY'],
    ]);
    for (const r of records) {
      const region = String(r.set_identifier).replace(/^(primary|secondary)-/, '');
      // The plan's own check of the record's region, read back from ARC (exactly one, or the apply stops).
      expect(r.health_check_id).toBe(
        `\${one([for hc in data.aws_arcregionswitch_route53_health_checks.plan-health-checks.health_checks : hc.health_check_id if hc.region == "${region}"])}`,
      );
      expect((r.alias as Attrs).evaluate_target_health).toBe(false);
      expect(r.name).toBe('payments.example.com');
    }
    // No record of the public name anywhere else, and no health check probing /health any more.
    for (const id of ['global', 'primary', 'secondary', 'interconnect'] as const) {
      const stack = automatic[id];
      expect(
        resources(stack, 'aws_route53_record').filter(([, r]) => r.name === 'payments.example.com'),
      ).toEqual([]);
      expect(resources(stack, 'aws_route53_health_check')).toEqual([]);
    }
  });

  it('starts itself only in automatic mode, only when both detectors agree and the secondary is healthy', () => {
    const alarmArn = (name: string) => `arn:aws:cloudwatch:us-east-2:${ACCOUNT}:alarm:${name}`;
    for (const st of [automatic.failover, manual.failover]) {
      expect(plan(st).associated_alarms).toEqual([
        {
          alarm_type: 'trigger',
          map_block_key: 'primary-failed',
          resource_identifier: alarmArn('payment-processing-primary-failed-test'),
        },
        {
          alarm_type: 'trigger',
          map_block_key: 'secondary-unhealthy',
          resource_identifier: alarmArn('payment-processing-secondary-unhealthy-test'),
        },
      ]);
    }
    expect(plan(automatic.failover).triggers).toEqual([
      {
        description: 'Both vantage points agree the primary failed, and the secondary is healthy',
        action: 'activate',
        target_region: 'us-east-2',
        min_delay_minutes_between_executions: 60,
        conditions: [
          { associated_alarm_name: 'primary-failed', condition: 'red' },
          { associated_alarm_name: 'secondary-unhealthy', condition: 'green' },
        ],
      },
    ]);
    expect(plan(manual.failover).triggers).toBeUndefined();
  });

  it('adds the approval step first when configured, approved by the DR operator role', () => {
    for (const region of ['us-east-2', 'us-east-1']) {
      const [approval] = workflowTo(approving.failover, region).step;
      expect(approval).toMatchObject({
        name: PLAN_STEPS.approval,
        execution_block_type: 'ManualApproval',
        execution_approval_config: [
          {
            approval_role: `arn:aws:iam::${ACCOUNT}:role/payment-processing-dr-operator-test`,
            timeout_minutes: 45,
          },
        ],
      });
    }
  });

  it('executes with exactly the documented permissions, on named resources wherever AWS allows', () => {
    const st = automatic.failover;
    // The failover stack also holds the detectors' roles: the plan's is the one it names.
    const executionRole = (s: TfJson) => only(s, 'aws_iam_role', (r) => r.name === names.planExecutionRole);
    const role = executionRole(st);
    expect(parsePolicy(role.assume_role_policy).Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { Service: 'arc-region-switch.amazonaws.com' },
        Action: 'sts:AssumeRole',
      },
    ]);
    const plans = [
      `arn:aws:arc-region-switch::${ACCOUNT}:plan/payment-processing-test:??????`,
      `arn:aws:arc-region-switch::${ACCOUNT}:plan/payment-processing-test/??????`,
    ];
    const statements = (s: TfJson) => {
      const [key] = resources(s, 'aws_iam_role').find(([, r]) => r === executionRole(s)) ?? [];
      return parsePolicy(
        only(s, 'aws_iam_role_policy', (r) => String(r.role).startsWith(`\${aws_iam_role.${key}.`)).policy,
      ).Statement;
    };
    expect(statements(st)).toEqual([
      {
        Sid: 'PlanAndExecutions',
        Effect: 'Allow',
        Action: [
          'arc-region-switch:GetPlan',
          'arc-region-switch:GetPlanExecution',
          'arc-region-switch:ListPlanExecutions',
          'arc-region-switch:StartPlanExecution',
        ],
        Resource: plans,
      },
      {
        Sid: 'PlanEvaluation',
        Effect: 'Allow',
        Action: 'iam:SimulatePrincipalPolicy',
        Resource: `arn:aws:iam::${ACCOUNT}:role/payment-processing-region-switch-test`,
      },
      {
        Sid: 'TriggerAlarms',
        Effect: 'Allow',
        Action: ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
        Resource: [
          `arn:aws:cloudwatch:us-east-2:${ACCOUNT}:alarm:payment-processing-primary-failed-test`,
          `arn:aws:cloudwatch:us-east-2:${ACCOUNT}:alarm:payment-processing-secondary-unhealthy-test`,
        ],
      },
      { Sid: 'TriggerMetrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricStatistics', Resource: '*' },
      {
        Sid: 'DescribeGlobalDatabase',
        Effect: 'Allow',
        Action: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
        Resource: '*',
      },
      {
        Sid: 'MoveGlobalDatabase',
        Effect: 'Allow',
        Action: ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'],
        Resource: [
          `arn:aws:rds::${ACCOUNT}:global-cluster:payment-processing-ledger-global-test`,
          `arn:aws:rds:us-east-1:${ACCOUNT}:cluster:payment-processing-ledger-test-use1`,
          `arn:aws:rds:us-east-2:${ACCOUNT}:cluster:payment-processing-ledger-test-use2`,
        ],
      },
      {
        Sid: 'FenceStep',
        Effect: 'Allow',
        Action: ['lambda:GetFunction', 'lambda:InvokeFunction'],
        Resource: [
          `arn:aws:lambda:us-east-1:${ACCOUNT}:function:payment-processing-fence-test-use1`,
          `arn:aws:lambda:us-east-2:${ACCOUNT}:function:payment-processing-fence-test-use2`,
        ],
      },
      {
        Sid: 'FailoverRecords',
        Effect: 'Allow',
        Action: 'route53:ListResourceRecordSets',
        Resource: 'arn:aws:route53:::hostedzone/Z0TEST0000000000000',
      },
    ]);
    // Manual mode: no trigger, so ARC needs no StartPlanExecution on the role.
    expect(statements(manual.failover)[0].Action).not.toContain('arc-region-switch:StartPlanExecution');
  });
});
