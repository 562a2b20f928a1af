import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { Config, Region } from '../config';
import { DYNAMODB_TABLE_KEY_ACTIONS, keyUseThrough, type PolicyStatement, policy } from '../iam';
import type { Naming } from '../naming';
import type { ResourceNames } from '../resource-names';

/** A region as a Sid suffix (Sids are alphanumeric): us-east-1 -> useast1. */
const compact = (region: string): string => region.replace(/-/g, '');

export interface OperatorRoleProps {
  provider: AwsProvider;
  config: Config;
  naming: Naming;
  names: ResourceNames;
  accountId: string;
  /** Key ARNs by region (the ops key encrypts the topics, the data key the receipts and the tables). */
  opsKeyArns: Record<Region, string>;
  dataKeyArns: Record<Region, string>;
}

/**
 * The role operators (and game-day automation) assume to run `drctl`: exactly the calls its commands make
 * (docs/runbooks/drctl.md lists them per command), on the named resources of this environment. Trusted
 * principals come from config `failover.operatorPrincipalArns`; without any, the account itself may assume
 * it, with MFA.
 */
export class OperatorRole extends Construct {
  readonly role: IamRole;

  constructor(scope: Construct, id: string, p: OperatorRoleProps) {
    super(scope, id);
    const { names, accountId, config } = p;
    const { primary, secondary } = config.regions;
    const regions = [primary, secondary];
    const suffix = config.environmentSuffix;
    const globalCluster = `arn:aws:rds::${accountId}:global-cluster:${names.globalClusterId}`;
    const clusters = regions.map((r) => `arn:aws:rds:${r}:${accountId}:cluster:${names.clusterId(r)}`);
    const stateTable = `arn:aws:dynamodb:${secondary}:${accountId}:table/${p.naming.name('dr-state')}`;
    const idempotencyTables = regions.map(
      (r) => `arn:aws:dynamodb:${r}:${accountId}:table/${names.idempotencyTable}`,
    );
    const topics = regions.map((r) => names.alertTopicArn(r, accountId));

    const statements: PolicyStatement[] = [
      {
        Sid: 'ReadTopology',
        Effect: 'Allow',
        Action: ['rds:DescribeGlobalClusters', 'rds:DescribeDBClusters'],
        Resource: [globalCluster, ...clusters],
      },
      {
        Sid: 'SwitchoverFailoverFailback',
        Effect: 'Allow',
        Action: ['rds:SwitchoverGlobalCluster', 'rds:FailoverGlobalCluster'],
        Resource: [globalCluster, ...clusters],
      },
      {
        Sid: 'WatchdogStateAndLock',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        Resource: stateTable,
      },
      // The tables named here (idempotency replicas in both regions, the state table in the secondary) are
      // encrypted with their region's data key, whose key policy only delegates to IAM through DynamoDB:
      // without a grant per region every GetItem / PutItem on them is denied.
      ...regions.map((r) =>
        keyUseThrough(
          `TablesKey${compact(r)}`,
          p.dataKeyArns[r],
          DYNAMODB_TABLE_KEY_ACTIONS,
          ['dynamodb'],
          r,
        ),
      ),
      { Sid: 'Notify', Effect: 'Allow', Action: 'sns:Publish', Resource: topics },
      ...regions.map((r) =>
        keyUseThrough(
          `TopicKey${compact(r)}`,
          p.opsKeyArns[r],
          ['kms:GenerateDataKey', 'kms:Decrypt'],
          ['sns'],
          r,
        ),
      ),
      // DescribeAlarms supports resource-level permissions on alarm ARNs (Service Authorization Reference);
      // only composite alarms need Resource "*", and drctl asks for metric alarms only (cli/lib/status.ts).
      {
        Sid: 'AlarmsOfThisEnvironment',
        Effect: 'Allow',
        Action: 'cloudwatch:DescribeAlarms',
        Resource: regions.map(
          (r) => `arn:aws:cloudwatch:${r}:${accountId}:alarm:payment-processing-*-${suffix}*`,
        ),
      },
      // GetMetricData and ListHealthChecks support no resource-level permissions.
      { Sid: 'ReadMetrics', Effect: 'Allow', Action: 'cloudwatch:GetMetricData', Resource: '*' },
      { Sid: 'FindHealthCheck', Effect: 'Allow', Action: 'route53:ListHealthChecks', Resource: '*' },
      // Route 53 assigns health check ids at creation, in the primary regional stack; this (global) stack is
      // applied before it and reads no other stack's state, so the id cannot be named here. drctl finds the
      // check by its Name tag at run time (cli/lib/status.ts). UpdateHealthCheck is the drill's inversion.
      {
        Sid: 'HealthCheckStatusAndDrillInversion',
        Effect: 'Allow',
        Action: [
          'route53:ListTagsForResources',
          'route53:GetHealthCheck',
          'route53:GetHealthCheckStatus',
          'route53:UpdateHealthCheck',
        ],
        Resource: `arn:aws:route53:::healthcheck/*`,
      },
      {
        Sid: 'CanaryPayments',
        Effect: 'Allow',
        Action: 'execute-api:Invoke',
        Resource: [
          ...regions.map((r) => `arn:aws:execute-api:${r}:${accountId}:*/prod/POST/payments`),
          ...regions.map((r) => `arn:aws:execute-api:${r}:${accountId}:*/prod/GET/payments/*`),
        ],
      },
      {
        Sid: 'ObserveReplication',
        Effect: 'Allow',
        Action: 'dynamodb:GetItem',
        Resource: idempotencyTables,
      },
      {
        Sid: 'ObserveReceipts',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:ListBucket'],
        Resource: regions.flatMap((r) => [
          `arn:aws:s3:::${names.receiptsBucket(r, accountId)}`,
          `arn:aws:s3:::${names.receiptsBucket(r, accountId)}/receipts/*`,
        ]),
      },
      ...regions.map((r) =>
        keyUseThrough(`ReceiptsKey${compact(r)}`, p.dataKeyArns[r], 'kms:Decrypt', ['s3'], r),
      ),
    ];

    const principals = config.failover.operatorPrincipalArns;
    this.role = new IamRole(this, 'role', {
      provider: p.provider,
      name: p.naming.name('dr-operator'),
      description: 'Runs drctl: status, switchover, failover, failback, drill for this environment',
      // A drill with its default timeouts can run about 2 h 10 min (observation 15 min, switchover 2 + 10 min,
      // public name 30 min, failback 30 + 10 min, return of the public name 30 min), past one hour: 4 h covers
      // it. A session assumed by another role (role chaining) is still capped at 1 h by STS.
      maxSessionDuration: 14_400,
      assumeRolePolicy: policy({
        Effect: 'Allow',
        Principal: { AWS: principals.length > 0 ? principals : `arn:aws:iam::${accountId}:root` },
        Action: 'sts:AssumeRole',
        ...(principals.length > 0 ? {} : { Condition: { Bool: { 'aws:MultiFactorAuthPresent': true } } }),
      }),
    });
    new IamRolePolicy(this, 'policy', {
      provider: p.provider,
      role: this.role.id,
      name: 'drctl',
      policy: policy(...statements),
    });
  }
}
