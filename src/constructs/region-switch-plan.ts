import {
  ArcregionswitchPlan,
  type ArcregionswitchPlanWorkflowStep,
} from '@cdktn/provider-aws/lib/arcregionswitch-plan';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { ITerraformDependable } from 'cdktn';
import { Construct } from 'constructs';
import type { Config, Region } from '../config';
import { allow, arn } from '../grants';
import { assumeRolePolicy, policy, type PolicyStatement } from '../iam';

/** An alarm the plan reads: its name inside the plan (trigger conditions refer to it) and its ARN. */
export interface PlanAlarm {
  key: string;
  arn: string;
}

export interface RegionSwitchPlanProps {
  provider: AwsProvider;
  planName: string;
  executionRoleName: string;
  accountId: string;
  regions: Config['regions'];
  failover: Config['failover'];
  /**
   * The resources the plan names by ARN and ARC checks when it evaluates the plan (at creation and every 30 min):
   * the trigger's alarms. Created first, so the first evaluation does not report them missing.
   */
  dependsOn?: ITerraformDependable[];
  globalClusterId: string;
  clusterArns: Record<Region, string>;
  /** The fence step's function in each region (deterministic names, regional stacks). */
  fenceFunctionArns: Record<Region, string>;
  dns: { zoneId: string; recordName: string; recordSetIds: Record<Region, string> };
  /** Who may approve an execution's approval step (the DR operator role). */
  approvalRoleArn: string;
  /** The detectors' agreement alarm (us-east-2): red when both vantage points see the primary failed. */
  primaryFailed: PlanAlarm;
  /** Red when the secondary's own probe fails or is missing: no automatic failover onto a broken region. */
  secondaryUnhealthy: PlanAlarm;
}

/** Step names: drctl, the docs and the scenario suite find steps by them. */
export const PLAN_STEPS = {
  approval: 'approve-data-loss',
  fence: 'write-fence',
  database: 'aurora-global-database',
  dns: 'route53-health-checks',
} as const;

/** Minutes ARC waits for a step before failing it; the RTO model reads the same values from the plan. */
export const STEP_TIMEOUT_MINUTES = { fence: 5, database: 30, dns: 10 } as const;

/**
 * The failover engine: one ARC Region switch plan, active/passive, with a workflow that activates each region.
 *
 * Each workflow, in order (a step starts when the one before it has succeeded):
 * 1. Optional manual approval (`failover.approveUngraceful`; the operator role approves). ARC has no
 *    graceful-only steps, so when enabled it applies to every execution of the workflow, switchovers included.
 * 2. The write fence (custom action Lambda, run in the activating region): the region being activated becomes the
 *    fence's active region before any database change, so the old region stops writing first (split brain needs
 *    both regions to write; an isolated old region cannot reach the MRSC quorum and writes nothing).
 * 3. Aurora Global Database: `switchoverOnly` for graceful executions (SwitchoverGlobalCluster, no data loss);
 *    ungraceful executions fail over (`ungraceful: failover` = FailoverGlobalCluster with AllowDataLoss): AWS,
 *    GlobalAuroraConfiguration, https://docs.aws.amazon.com/arc-region-switch/latest/api/API_GlobalAuroraConfiguration.html
 * 4. Route 53 health checks: the plan creates one health check per region and sets their state; the failover
 *    records of the public name carry them (failover stack), so DNS follows executions only and never flips back
 *    on its own ("The execution block creates Amazon Route 53 health checks, which you then attach to Route 53
 *    DNS records": https://docs.aws.amazon.com/r53recovery/latest/dg/route53-health-check-block.html).
 *
 * Trigger (automatic mode only): activate the secondary when the agreement alarm is red AND the secondary's own
 * health alarm is green, at most once per `minMinutesBetweenExecutions`. In manual mode the alarms only page.
 * The plan lives in the failover stack (state in us-east-2): plans are global resources, and its Terraform state
 * must stay manageable when us-east-1 is down.
 */
export class RegionSwitchPlan extends Construct {
  readonly plan: ArcregionswitchPlan;
  readonly executionRole: IamRole;

  constructor(scope: Construct, id: string, p: RegionSwitchPlanProps) {
    super(scope, id);
    const { provider } = p;
    const { primary, secondary } = p.regions;
    // Trust as AWS documents it ("Plan execution role trust policy":
    // https://docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_trust_policy.html).
    this.executionRole = new IamRole(this, 'execution-role', {
      provider,
      name: p.executionRoleName,
      description: `ARC Region switch executes and evaluates plan ${p.planName} with this role`,
      assumeRolePolicy: assumeRolePolicy('arc-region-switch.amazonaws.com'),
    });
    const roleArn = arn.iamRole(p.accountId, p.executionRoleName);
    const executionPolicy = new IamRolePolicy(this, 'execution-policy', {
      provider,
      role: this.executionRole.id,
      name: 'execute-plan',
      policy: policy(...executionStatements(p, roleArn)),
    });

    const workflow = (target: Region) => ({
      workflowTargetAction: 'activate',
      workflowTargetRegion: target,
      workflowDescription: `Activate ${target}: fence, database, DNS`,
      step: steps(p, target),
    });
    const alarms = [p.primaryFailed, p.secondaryUnhealthy];
    this.plan = new ArcregionswitchPlan(this, 'plan', {
      provider,
      name: p.planName,
      description: 'Payment API active/passive Region switch: write fence, Aurora Global Database, Route 53',
      executionRole: this.executionRole.arn,
      recoveryApproach: 'activePassive',
      regions: [primary, secondary],
      primaryRegion: primary,
      recoveryTimeObjectiveMinutes: p.failover.rtoObjectiveMinutes,
      associatedAlarms: alarms.map((a) => ({
        mapBlockKey: a.key,
        alarmType: 'trigger',
        resourceIdentifier: a.arn,
      })),
      ...(p.failover.mode === 'automatic'
        ? {
            triggers: [
              {
                description: 'Both vantage points agree the primary failed, and the secondary is healthy',
                action: 'activate',
                targetRegion: secondary,
                minDelayMinutesBetweenExecutions: p.failover.minMinutesBetweenExecutions,
                conditions: [
                  { associatedAlarmName: p.primaryFailed.key, condition: 'red' },
                  { associatedAlarmName: p.secondaryUnhealthy.key, condition: 'green' },
                ],
              },
            ],
          }
        : {}),
      workflow: [workflow(secondary), workflow(primary)],
      // The execution role's policy must exist before ARC evaluates the plan with it.
      dependsOn: [executionPolicy, ...(p.dependsOn ?? [])],
    });
  }
}

function steps(p: RegionSwitchPlanProps, target: Region): ArcregionswitchPlanWorkflowStep[] {
  const { primary, secondary } = p.regions;
  const approval: ArcregionswitchPlanWorkflowStep[] = p.failover.approveUngraceful
    ? [
        {
          name: PLAN_STEPS.approval,
          description:
            'An operator approves before the database moves (an ungraceful execution may lose data)',
          executionBlockType: 'ManualApproval',
          executionApprovalConfig: [
            { approvalRole: p.approvalRoleArn, timeoutMinutes: p.failover.approvalTimeoutMinutes },
          ],
        },
      ]
    : [];
  return [
    ...approval,
    {
      name: PLAN_STEPS.fence,
      description: `Make ${target} the active region of the write fence before the database moves`,
      executionBlockType: 'CustomActionLambda',
      customActionLambdaConfig: [
        {
          regionToRun: 'activatingRegion',
          retryIntervalMinutes: 1,
          timeoutMinutes: STEP_TIMEOUT_MINUTES.fence,
          lambda: [{ arn: p.fenceFunctionArns[primary] }, { arn: p.fenceFunctionArns[secondary] }],
        },
      ],
    },
    {
      name: PLAN_STEPS.database,
      description: `Make the ${target} cluster the writer: switchover when graceful, failover with data loss when ungraceful`,
      executionBlockType: 'AuroraGlobalDatabase',
      globalAuroraConfig: [
        {
          behavior: 'switchoverOnly',
          ungraceful: [{ ungraceful: 'failover' }],
          globalClusterIdentifier: p.globalClusterId,
          databaseClusterArns: [p.clusterArns[primary], p.clusterArns[secondary]],
          timeoutMinutes: STEP_TIMEOUT_MINUTES.database,
        },
      ],
    },
    {
      name: PLAN_STEPS.dns,
      description: `Mark ${target} healthy and the other region unhealthy: the public name answers ${target}`,
      executionBlockType: 'Route53HealthCheck',
      route53HealthCheckConfig: [
        {
          hostedZoneId: p.dns.zoneId,
          recordName: p.dns.recordName,
          timeoutMinutes: STEP_TIMEOUT_MINUTES.dns,
          recordSet: [primary, secondary].map((region) => ({
            region,
            recordSetIdentifier: p.dns.recordSetIds[region],
          })),
        },
      ],
    },
  ];
}

/**
 * Exactly the permissions AWS documents for the blocks and features this plan uses, on named resources wherever
 * the action supports them:
 * - plan evaluation and execution (managed policy AmazonApplicationRecoveryControllerRegionSwitchPlanExecutionPolicy:
 *   GetPlan, GetPlanExecution, ListPlanExecutions; iam:SimulatePrincipalPolicy for evaluation; CloudWatch alarm
 *   reads): https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AmazonApplicationRecoveryControllerRegionSwitchPlanExecutionPolicy.html
 *   — scoped here to this plan, this role and the two associated alarms; StartPlanExecution for the trigger.
 * - Aurora block (DescribeGlobalClusters / DescribeDBClusters on "*" as AWS's sample; Failover/Switchover on the
 *   global cluster and both clusters): https://docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_aurora.html
 * - Custom action Lambda block (GetFunction, InvokeFunction on the two functions):
 *   https://docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_lambda.html
 * - Route 53 health-check block (ListResourceRecordSets on the zone):
 *   https://docs.aws.amazon.com/r53recovery/latest/dg/security_iam_region_switch_route53.html
 */
function executionStatements(p: RegionSwitchPlanProps, roleArn: string): PolicyStatement[] {
  const { primary, secondary } = p.regions;
  const planArns = arn.regionSwitchPlan(p.accountId, p.planName);
  return [
    allow(
      'PlanAndExecutions',
      [
        'arc-region-switch:GetPlan',
        'arc-region-switch:GetPlanExecution',
        'arc-region-switch:ListPlanExecutions',
        ...(p.failover.mode === 'automatic' ? ['arc-region-switch:StartPlanExecution'] : []),
      ],
      planArns,
    ),
    allow('PlanEvaluation', 'iam:SimulatePrincipalPolicy', roleArn),
    allow(
      'TriggerAlarms',
      ['cloudwatch:DescribeAlarms', 'cloudwatch:DescribeAlarmHistory'],
      [p.primaryFailed.arn, p.secondaryUnhealthy.arn],
    ),
    // GetMetricStatistics has no resource type (Service Authorization Reference, Amazon CloudWatch): "*" only.
    allow('TriggerMetrics', 'cloudwatch:GetMetricStatistics', '*'),
    // Describe calls take no resource-level restriction in AWS's sample policy for this block.
    allow('DescribeGlobalDatabase', ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'], '*'),
    allow(
      'MoveGlobalDatabase',
      ['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster'],
      [
        arn.rdsGlobalCluster(p.accountId, p.globalClusterId),
        p.clusterArns[primary],
        p.clusterArns[secondary],
      ],
    ),
    allow(
      'FenceStep',
      ['lambda:GetFunction', 'lambda:InvokeFunction'],
      [p.fenceFunctionArns[primary], p.fenceFunctionArns[secondary]],
    ),
    allow('FailoverRecords', 'route53:ListResourceRecordSets', arn.route53Zone(p.dns.zoneId)),
  ];
}
