import { keyUseThrough, type PolicyStatement } from './iam';

/**
 * ARNs of the resources the project grants access to, one builder per kind, so no construct writes an ARN
 * template of its own. Each takes the region (where the ARN has one), the account id and the resource's name.
 */
export const arn = {
  dynamodbTable: (region: string, accountId: string, table: string) =>
    `arn:aws:dynamodb:${region}:${accountId}:table/${table}`,
  rdsCluster: (region: string, accountId: string, clusterId: string) =>
    `arn:aws:rds:${region}:${accountId}:cluster:${clusterId}`,
  /** DB cluster snapshots by identifier (or an identifier pattern ending in `*`). */
  /** AWS Backup API, BackupVaultArn: `arn:aws:backup:<region>:<account>:backup-vault:<name>`. */
  backupVault: (region: string, accountId: string, vaultName: string) =>
    `arn:aws:backup:${region}:${accountId}:backup-vault:${vaultName}`,
  /** CloudTrail trails of an account, any region (IAM wildcards): the encryption context CloudTrail sends. */
  cloudtrailTrails: (accountId: string) => `arn:aws:cloudtrail:*:${accountId}:trail/*`,
  rdsClusterSnapshot: (region: string, accountId: string, snapshotId: string) =>
    `arn:aws:rds:${region}:${accountId}:cluster-snapshot:${snapshotId}`,
  rdsInstance: (region: string, accountId: string, instanceId: string) =>
    `arn:aws:rds:${region}:${accountId}:db:${instanceId}`,
  rdsSubnetGroup: (region: string, accountId: string, name: string) =>
    `arn:aws:rds:${region}:${accountId}:subgrp:${name}`,
  rdsClusterParameterGroup: (region: string, accountId: string, name: string) =>
    `arn:aws:rds:${region}:${accountId}:cluster-pg:${name}`,
  /** A KMS key by its alias (`alias/...`): accepted wherever a key ARN is, e.g. S3's SSEKMSKeyId. */
  kmsAlias: (region: string, accountId: string, aliasName: string) =>
    `arn:aws:kms:${region}:${accountId}:${aliasName}`,
  rdsGlobalCluster: (accountId: string, globalClusterId: string) =>
    `arn:aws:rds::${accountId}:global-cluster:${globalClusterId}`,
  /** IAM database authentication: a database user of one cluster (by its resource id, not its name). */
  rdsDbUser: (region: string, accountId: string, clusterResourceId: string, user: string) =>
    `arn:aws:rds-db:${region}:${accountId}:dbuser:${clusterResourceId}/${user}`,
  /** A secret by its deterministic name: AWS appends six random characters to the name in the ARN. */
  secret: (region: string, accountId: string, name: string) =>
    `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-??????`,
  s3Bucket: (bucket: string) => `arn:aws:s3:::${bucket}`,
  /** Objects of a bucket under a key prefix (`''` for all of them). */
  s3Objects: (bucketArn: string, prefix = '') => `${bucketArn}/${prefix}*`,
  snsTopic: (region: string, accountId: string, topic: string) =>
    `arn:aws:sns:${region}:${accountId}:${topic}`,
  lambdaFunction: (region: string, accountId: string, fn: string) =>
    `arn:aws:lambda:${region}:${accountId}:function:${fn}`,
  /** Metric alarms whose names match `namePattern` (IAM wildcards). */
  cloudwatchAlarms: (region: string, accountId: string, namePattern: string) =>
    `arn:aws:cloudwatch:${region}:${accountId}:alarm:${namePattern}`,
  /** A CloudTrail trail by name (the region is the trail's home region). */
  cloudtrailTrail: (region: string, accountId: string, name: string) =>
    `arn:aws:cloudtrail:${region}:${accountId}:trail/${name}`,
  /** The account itself as a principal (IAM policies of the account decide). */
  accountRoot: (accountId: string) => `arn:aws:iam::${accountId}:root`,
  iamRole: (accountId: string, name: string) => `arn:aws:iam::${accountId}:role/${name}`,
  route53Zone: (zoneId: string) => `arn:aws:route53:::hostedzone/${zoneId}`,
  /**
   * A Region switch plan by name, as IAM resources. Plans are global (no region in the ARN) and ARC appends a
   * generated six-character id to the name, so the id is matched by `??????`: this plan and no other. AWS writes
   * the separator two ways (CloudFormation AWS::ARCRegionSwitch::Plan Arn pattern `plan/<name>:([a-z0-9]{6})`; the
   * ARC Developer Guide's sample policies `plan/<name>/<id>`), so both forms are listed.
   */
  regionSwitchPlan: (accountId: string, name: string) => [
    `arn:aws:arc-region-switch::${accountId}:plan/${name}:??????`,
    `arn:aws:arc-region-switch::${accountId}:plan/${name}/??????`,
  ],
  logGroups: (region: string, accountId: string, namePattern: string) =>
    `arn:aws:logs:${region}:${accountId}:log-group:${namePattern}`,
};

/** Actions a principal needs on the CMK of a DynamoDB table it reads and writes (DynamoDB checks the caller). */
export const DYNAMODB_TABLE_KEY_ACTIONS = [
  'kms:Decrypt',
  'kms:Encrypt',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];

/** What SNS (and SQS) need of the caller on the CMK of an encrypted topic (or queue) it publishes to. */
export const PUBLISH_KEY_ACTIONS = ['kms:GenerateDataKey', 'kms:Decrypt'];

/**
 * Use of a table's CMK through DynamoDB of `region`: tables encrypted with a customer-managed key check the
 * caller's own permission on the key (the key policy delegates to IAM), so every read and write of the table
 * fails without this statement.
 */
export const tableKeyAccess = (sid: string, keyArn: string, region: string): PolicyStatement =>
  keyUseThrough(sid, keyArn, DYNAMODB_TABLE_KEY_ACTIONS, ['dynamodb'], region);

/** Use of the CMK of an encrypted SNS topic or SQS queue through that service of `region`. */
export const messagingKeyAccess = (
  sid: string,
  keyArn: string,
  service: 'sns' | 'sqs',
  region: string,
): PolicyStatement => keyUseThrough(sid, keyArn, PUBLISH_KEY_ACTIONS, [service], region);

/** An Allow statement (the shape every grant of this project has). */
export const allow = (
  sid: string,
  actions: string | string[],
  resource: string | string[],
): PolicyStatement => ({
  Sid: sid,
  Effect: 'Allow',
  Action: actions,
  Resource: resource,
});

export interface KeyedGrant {
  /** Sid of the resource statement. */
  sid: string;
  /** Sid of the key statement that goes with it. */
  keySid: string;
  actions: string | string[];
  /** The encryption key of the resource, usable only through the resource's service in `region`. */
  keyArn: string;
  region: string;
}

/**
 * Access to one or more DynamoDB tables of `region`, returned together with the key statement the tables need:
 * `[table statement, key statement]` (callers place both, in the order the policy lists them).
 */
export function tableAccess(
  tableArns: string | string[],
  g: KeyedGrant,
): [table: PolicyStatement, key: PolicyStatement] {
  return [allow(g.sid, g.actions, tableArns), tableKeyAccess(g.keySid, g.keyArn, g.region)];
}

/**
 * Publishing to an encrypted SNS topic (or sending to an encrypted SQS queue, `service: 'sqs'`), together with
 * the key statement it needs: `[resource statement, key statement]`.
 */
export function encryptedMessaging(
  resourceArns: string | string[],
  g: Omit<KeyedGrant, 'actions'> & { service: 'sns' | 'sqs' },
): [resource: PolicyStatement, key: PolicyStatement] {
  const action = g.service === 'sns' ? 'sns:Publish' : 'sqs:SendMessage';
  return [allow(g.sid, action, resourceArns), messagingKeyAccess(g.keySid, g.keyArn, g.service, g.region)];
}

/**
 * The resource policy a log group needs for AWS "vended" log delivery (WAF web ACL logs among them): the
 * `delivery.logs.amazonaws.com` service may create streams and put events in that one group, for this account's
 * deliveries only. The shape is AWS's own (CloudWatch Logs User Guide, "Logs sent to CloudWatch Logs",
 * statement AWSLogDeliveryWrite20150319: https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/AWS-logs-infrastructure-CWL.html).
 */
export const logDeliveryWrite = (
  logGroupArn: string,
  region: string,
  accountId: string,
): PolicyStatement => ({
  Sid: 'AWSLogDeliveryWrite',
  Effect: 'Allow',
  Principal: { Service: 'delivery.logs.amazonaws.com' },
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Resource: `${logGroupArn}:log-stream:*`,
  Condition: {
    StringEquals: { 'aws:SourceAccount': accountId },
    ArnLike: { 'aws:SourceArn': `arn:aws:logs:${region}:${accountId}:*` },
  },
});
