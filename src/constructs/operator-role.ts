import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { Config, Region } from '../config';
import { allow, arn, tableKeyAccess } from '../grants';
import { keyUseThrough, type PolicyStatement, policy } from '../iam';
import type { ResourceNames } from '../resource-names';

/** A region as a Sid suffix (Sids are alphanumeric): us-east-1 -> useast1. */
const compact = (region: string): string => region.replace(/-/g, '');

export interface OperatorRoleProps {
  provider: AwsProvider;
  regions: Config['regions'];
  /**
   * Principals allowed to assume the role (config `failover.operatorPrincipalArns`, checked there: one account,
   * no account root, unless `orgId`).
   * @default the account itself when empty
   */
  operatorPrincipalArns: string[];
  /** Config `failover.operatorOrgId`: principals must belong to this organisation instead of this account. */
  orgId?: string;
  /** Config `failover.operatorMfaMaxAgeSeconds`: the oldest MFA sign-in a new session may rest on. */
  mfaMaxAgeSeconds: number;
  names: ResourceNames;
  accountId: string;
  /** Key ARNs by region (the ops key encrypts the topics, the data key the receipts and the tables). */
  opsKeyArns: Record<Region, string>;
  dataKeyArns: Record<Region, string>;
}

/** The longest operator session: IAM's minimum for max_session_duration (3600 s). */
export const OPERATOR_MAX_SESSION_SECONDS = 3600;

/**
 * Who may assume the role, and how. Every condition key below is documented in the IAM User Guide, "AWS global
 * condition context keys" (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html)
 * and, for sts:SourceIdentity, "IAM and AWS STS condition context keys"
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html):
 * - aws:MultiFactorAuthPresent (Bool true): the caller's temporary credentials were obtained with MFA. The key is
 *   absent for long-term access keys, so Bool (not BoolIfExists) refuses them.
 * - aws:MultiFactorAuthAge (NumericLessThanEquals): seconds since that MFA sign-in; absent without MFA, so the
 *   condition also fails then.
 * - aws:PrincipalAccount / aws:PrincipalOrgID: the calling principal's account, or its organisation in AWS
 *   Organizations; a principal listed by mistake from elsewhere never matches.
 * - sts:SourceIdentity (Null false): AssumeRole must set a source identity, which CloudTrail records for every
 *   action of the session and which persists through role chaining; the caller needs sts:SetSourceIdentity
 *   (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_monitor.html).
 */
export function operatorTrust(
  p: Pick<OperatorRoleProps, 'operatorPrincipalArns' | 'orgId' | 'mfaMaxAgeSeconds' | 'accountId'>,
): PolicyStatement {
  const principals = p.operatorPrincipalArns;
  return {
    Sid: 'OperatorsWithMfaAndSourceIdentity',
    Effect: 'Allow',
    Principal: { AWS: principals.length > 0 ? principals : arn.accountRoot(p.accountId) },
    Action: ['sts:AssumeRole', 'sts:SetSourceIdentity'],
    Condition: {
      Bool: { 'aws:MultiFactorAuthPresent': 'true' },
      NumericLessThanEquals: { 'aws:MultiFactorAuthAge': String(p.mfaMaxAgeSeconds) },
      Null: { 'sts:SourceIdentity': 'false' },
      StringEquals: p.orgId ? { 'aws:PrincipalOrgID': p.orgId } : { 'aws:PrincipalAccount': p.accountId },
    },
  };
}

/**
 * What `drctl recover-lost-writes` calls (runtime/recovery/, cli/commands/recover-lost-writes.ts), named
 * resources only: in the old primary's region, list the `rds:unplanned-global-failover-<cluster>-*` snapshot,
 * copy it to `<lost-writes prefix>-*`, restore that to the one temporary cluster (in the old cluster's subnet
 * group, with the default cluster parameter group) with its instance, then delete both; read the master secret
 * (the password the restored and the promoted cluster share); in the promoted region, read and commit
 * reservations, scan them for the report, and write receipts. RDS checks the caller on the snapshot's CMK for
 * the copy and the restore (kms:CreateGrant and the data-key actions, through RDS only). The dependent
 * resources RestoreDBClusterFromSnapshot checks besides the cluster (subnet group, parameter group) follow
 * the Service Authorization Reference's resource types; the exact set is to be confirmed in a drill.
 */
function lostWriteRecovery(
  p: OperatorRoleProps,
  regions: Region[],
  controlTables: string[],
  receiptObjects: string[],
): PolicyStatement[] {
  const { names, accountId } = p;
  const snapshots = regions.flatMap((r) => [
    arn.rdsClusterSnapshot(r, accountId, `${names.failoverSnapshotPrefix(r)}*`),
    arn.rdsClusterSnapshot(r, accountId, `${names.lostWritesSnapshotPrefix(r)}-*`),
  ]);
  const temporary = regions.flatMap((r) => [
    arn.rdsCluster(r, accountId, names.recoveryClusterId(r)),
    arn.rdsInstance(r, accountId, names.recoveryInstanceId(r)),
  ]);
  return [
    allow(
      'LostWriteSnapshots',
      ['rds:DescribeDBClusterSnapshots', 'rds:CopyDBClusterSnapshot', 'rds:AddTagsToResource'],
      [...snapshots, ...regions.map((r) => arn.rdsCluster(r, accountId, names.clusterId(r)))],
    ),
    allow(
      'LostWriteTemporaryCluster',
      [
        'rds:RestoreDBClusterFromSnapshot',
        'rds:CreateDBInstance',
        'rds:DescribeDBClusters',
        'rds:DescribeDBInstances',
        'rds:AddTagsToResource',
        'rds:DeleteDBInstance',
        'rds:DeleteDBCluster',
      ],
      [
        ...temporary,
        ...snapshots,
        ...regions.flatMap((r) => [
          arn.rdsSubnetGroup(r, accountId, names.clusterId(r)),
          arn.rdsClusterParameterGroup(r, accountId, 'default.aurora-postgresql*'),
        ]),
      ],
    ),
    ...regions.map((r) =>
      keyUseThrough(
        `LostWriteSnapshotKey${compact(r)}`,
        p.dataKeyArns[r],
        ['kms:CreateGrant', 'kms:DescribeKey', 'kms:Decrypt', 'kms:GenerateDataKey*'],
        ['rds'],
        r,
      ),
    ),
    allow(
      'LedgerMasterSecret',
      'secretsmanager:GetSecretValue',
      regions.map((r) => arn.secret(r, accountId, names.dbSecretName)),
    ),
    ...regions.map((r) =>
      keyUseThrough(`MasterSecretKey${compact(r)}`, p.dataKeyArns[r], 'kms:Decrypt', ['secretsmanager'], r),
    ),
    allow(
      'RecoveryReservations',
      ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:Scan'],
      controlTables,
    ),
    allow('RecoveryReceipts', 's3:PutObject', receiptObjects),
  ];
}

/**
 * The role operators (and game-day automation) assume to run `drctl`: exactly the calls its commands make
 * (docs/runbooks/drctl.md lists them per command), on the named resources of this environment. Trusted
 * principals come from config `failover.operatorPrincipalArns`; without any, the account itself may assume
 * it. Either way only with recent MFA and a source identity, from this account or the configured organisation
 * (operatorTrust).
 */
export class OperatorRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, p: OperatorRoleProps) {
    super(scope, id);
    const { names, accountId } = p;
    const { primary, secondary } = p.regions;
    const regions = [primary, secondary];
    const ledger = [
      arn.rdsGlobalCluster(accountId, names.globalClusterId),
      ...regions.map((r) => arn.rdsCluster(r, accountId, names.clusterId(r))),
    ];
    const controlTables = regions.map((r) => arn.dynamodbTable(r, accountId, names.paymentControlTable));
    const secondaryBucket = arn.s3Bucket(names.receiptsBucket(secondary, accountId));
    const receiptObjects = regions.map((r) =>
      arn.s3Objects(arn.s3Bucket(names.receiptsBucket(r, accountId)), 'receipts/'),
    );

    const statements: PolicyStatement[] = [
      // drctl only reads the global database: the plan's Aurora step switches it over or fails it over (with the
      // plan's execution role), so the operator has no rds:SwitchoverGlobalCluster or FailoverGlobalCluster.
      allow('ReadTopology', ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'], ledger),
      // drctl on the Region switch plan, data-plane operations only (cli/lib/arc-client.ts): ListPlansInRegion has
      // no resource type (Service Authorization Reference, ARC Region switch), the rest act on this plan only.
      // ListRoute53HealthChecksInRegion (drctl status reads the DNS health checks the plan owns) has the
      // resource type plan* there, so it is scoped to the plan too.
      allow('FindPlan', 'arc-region-switch:ListPlansInRegion', '*'),
      allow(
        'RunPlanExecutions',
        [
          'arc-region-switch:GetPlanInRegion',
          'arc-region-switch:StartPlanExecution',
          'arc-region-switch:GetPlanExecution',
          'arc-region-switch:ListPlanExecutions',
          'arc-region-switch:ListPlanExecutionEvents',
          'arc-region-switch:CancelPlanExecution',
          'arc-region-switch:GetPlanEvaluationStatus',
          'arc-region-switch:ApprovePlanExecutionStep',
          'arc-region-switch:ListRoute53HealthChecksInRegion',
        ],
        arn.regionSwitchPlan(accountId, names.regionSwitchPlan),
      ),
      // The tables named here (the control table's replicas in both regions) are encrypted with their region's
      // data key, whose key policy only delegates to IAM through DynamoDB:
      // without a grant per region every GetItem / PutItem on them is denied.
      ...regions.map((r) => tableKeyAccess(`TablesKey${compact(r)}`, p.dataKeyArns[r], r)),
      // DescribeAlarms supports resource-level permissions on alarm ARNs (Service Authorization Reference);
      // only composite alarms need Resource "*", and drctl asks for metric alarms only (cli/lib/status.ts).
      allow(
        'AlarmsOfThisEnvironment',
        'cloudwatch:DescribeAlarms',
        regions.map((r) => arn.cloudwatchAlarms(r, accountId, names.alarmNamePattern)),
      ),
      // GetMetricData supports no resource-level permissions. No Route 53 actions: the plan creates and owns the
      // DNS health checks, drctl reads them through ARC (above) and never changes them.
      allow('ReadMetrics', 'cloudwatch:GetMetricData', '*'),
      // The drill posts its canaries through the public name (either region may answer, signed for the primary
      // before and the secondary after the switch) and reads them back from the secondary only
      // (cli/lib/drill/canaries.ts, observe.ts). The API id is "*": the REST APIs are created by the regional
      // stacks after this one, and an execute-api ARN names the API by its generated id, never by its name.
      allow('CanaryPayments', 'execute-api:Invoke', [
        ...regions.map((r) => names.executeApiArn(r, accountId, 'POST', 'payments')),
        names.executeApiArn(secondary, accountId, 'GET', 'payments/*'),
      ]),
      // The drill looks for its canaries' reservations in the secondary's control table, and for their receipts
      // with HeadObject there (s3:GetObject; s3:ListBucket so a missing receipt is a 404, not a 403).
      allow(
        'ObserveReplication',
        'dynamodb:GetItem',
        arn.dynamodbTable(secondary, accountId, names.paymentControlTable),
      ),
      allow(
        'ObserveReceipts',
        ['s3:GetObject', 's3:ListBucket'],
        [secondaryBucket, arn.s3Objects(secondaryBucket, 'receipts/')],
      ),
      // Receipts are written (recovery, either region) with SSE-KMS and read back (drill, secondary): S3 uses the
      // data key on the caller's behalf ("Using server-side encryption with AWS KMS keys":
      // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html).
      ...regions.map((r) =>
        keyUseThrough(
          `ReceiptsKey${compact(r)}`,
          p.dataKeyArns[r],
          ['kms:Decrypt', 'kms:GenerateDataKey'],
          ['s3'],
          r,
        ),
      ),
      ...lostWriteRecovery(p, regions, controlTables, receiptObjects),
    ];

    this.role = new IamRole(this, 'role', {
      provider: p.provider,
      name: names.operatorRole,
      description:
        'Runs drctl: status, switchover, failover, failback, drill, recover-lost-writes for this environment',
      // One hour, the shortest IAM allows (1 to 12 h). A default drill can outlast it (about 2 h 10 min at worst:
      // observation 15 min, switchover 2 + 10 min, public name 30 min, failback 30 + 10 min, return of the public
      // name 30 min), so the operator re-assumes the role (with a fresh MFA code) before the hour ends:
      // docs/runbooks/drctl.md, "IAM permissions". A session assumed by another role (role chaining) is capped
      // at 1 h by STS anyway.
      maxSessionDuration: OPERATOR_MAX_SESSION_SECONDS,
      assumeRolePolicy: policy(operatorTrust(p)),
    });
    new IamRolePolicy(this, 'policy', {
      provider: p.provider,
      role: this.role.id,
      name: 'drctl',
      policy: policy(...statements),
    });
  }
}
