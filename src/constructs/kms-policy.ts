import { arn } from '../grants';
import { type PolicyStatement, policy } from '../iam';

/** AWS services that may use a key on behalf of principals of the account (checked with kms:ViaService). */
export type ViaService = 's3' | 'dynamodb' | 'rds' | 'secretsmanager' | 'lambda' | 'sns' | 'sqs' | 'backup';

export interface KeyPolicyProps {
  accountId: string;
  region: string;
  /** Services through which the account's principals may use the key. */
  viaServices: ViaService[];
  /**
   * CloudWatch Logs in this region may encrypt log groups of this account with the key.
   * @default false
   */
  allowCloudWatchLogs?: boolean;
  /**
   * CloudWatch alarms of this account and region whose names match `alarmNamePattern` (IAM wildcards) may publish to
   * topics encrypted with the key.
   * @default no alarm may
   */
  allowCloudWatchAlarms?: { alarmNamePattern: string };
  /**
   * Names of the only buckets whose objects S3 may encrypt and decrypt with the key (encryption context
   * `aws:s3:arn`: the bucket ARN with an S3 Bucket Key, the object ARN without one).
   * @default no encryption-context condition for S3
   */
  s3Buckets?: string[];
  /** Names of the only tables DynamoDB may use the key for (`aws:dynamodb:tableName`). @default no condition */
  dynamodbTables?: string[];
  /**
   * Safety profile "production": the one IAM role that may administer the key (besides the account's root user);
   * every other principal of the account may only read the key's metadata and use it through the named services.
   * @default every principal of the account whose IAM policies allow it administers the key (test)
   */
  keyAdminRoleArn?: string;
}

const ADMIN_ACTIONS = [
  'kms:CreateAlias',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:ReplicateKey',
  'kms:RotateKeyOnDemand',
];

/** What every principal of the account may still read of a key administered by one role (production). */
const METADATA_READ_ACTIONS = [
  'kms:DescribeKey',
  'kms:GetKeyPolicy',
  'kms:GetKeyRotationStatus',
  'kms:ListKeyPolicies',
  'kms:ListKeyRotations',
  'kms:ListResourceTags',
];

/**
 * Key administration, by the whole account (test) or by one role (production).
 *
 * Production keeps the account as the principal and names the role in an `aws:PrincipalArn` condition instead of
 * making the role the principal, so that the key can never become unmanageable:
 * - a role ARN in a Principal element is stored as the role's unique id, and a role deleted and re-created under
 *   the same name is a different principal ("If your Principal element ... contains an ARN that points to a
 *   specific IAM role, then that ARN transforms to the role unique principal ID when you save the policy":
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles);
 *   the condition compares the ARN string, so re-creating the role restores its access;
 * - the account's root user stays an administrator: it cannot be deleted, which is what the default key policy's
 *   account statement is for ("reduces the risk of the KMS key becoming unmanageable": "Allows access to the AWS
 *   account and enables IAM policies", https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html),
 *   without granting administration to every IAM principal of the account;
 * - KMS's lockout safety check refuses a key policy that would not let the caller of CreateKey / PutKeyPolicy call
 *   PutKeyPolicy again (PutKeyPolicy, BypassPolicyLockoutSafetyCheck:
 *   https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html), so applying as any other principal
 *   fails instead of locking the key: the global stack is applied as the key-admin role (docs/deploy.md). The role
 *   also needs IAM permissions for these actions, since the account is the principal.
 */
export function administration(root: string, keyAdminRoleArn: string | undefined): PolicyStatement[] {
  // Administration only: CreateAlias, not kms:Create*, which would also grant kms:CreateGrant, and with it use of
  // the key through a grant, to any principal IAM allows, with no service condition.
  const admin: PolicyStatement = {
    Sid: 'KeyAdministration',
    Effect: 'Allow',
    Principal: { AWS: root },
    Action: ADMIN_ACTIONS,
    Resource: '*',
  };
  if (keyAdminRoleArn === undefined) return [admin];
  return [
    { ...admin, Condition: { ArnEquals: { 'aws:PrincipalArn': [keyAdminRoleArn, root] } } },
    {
      // The regional stacks look their keys up by alias (data aws_kms_key: DescribeKey), drctl and the console show
      // them: reading metadata is no administration.
      Sid: 'KeyMetadataRead',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: METADATA_READ_ACTIONS,
      Resource: '*',
    },
  ];
}

const USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];

/**
 * The encryption-context conditions of the account's use of a key through S3 and DynamoDB: only this account's
 * named buckets and tables. One statement serves every named service (test/infra/kms.test.ts holds its shape), so the
 * conditions are the ...IfExists forms: each key is in the encryption context of its own service's requests only, and
 * there it must match. S3 sends `aws:s3:arn` on every SSE-KMS request, the bucket ARN when an S3 Bucket Key is used,
 * else the object ARN (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context);
 * DynamoDB sends `aws:dynamodb:tableName` and `aws:dynamodb:subscriberId` in all its requests to KMS
 * (https://docs.aws.amazon.com/kms/latest/developerguide/services-dynamodb.html#dynamodb-encryption-context). RDS,
 * Secrets Manager, Lambda and AWS Backup send neither key, and DescribeKey has no encryption context, so they are
 * unaffected. Replication's own role is conditioned the same way (bucket-replication.ts).
 */
function encryptionContextConditions(p: KeyPolicyProps): NonNullable<PolicyStatement['Condition']> {
  const out: NonNullable<PolicyStatement['Condition']> = {};
  if (p.s3Buckets?.length) {
    out.StringLikeIfExists = {
      'kms:EncryptionContext:aws:s3:arn': p.s3Buckets.flatMap((b) => [
        arn.s3Bucket(b),
        arn.s3Objects(arn.s3Bucket(b)),
      ]),
    };
  }
  if (p.dynamodbTables?.length) {
    out.StringEqualsIfExists = { 'kms:EncryptionContext:aws:dynamodb:tableName': p.dynamodbTables };
  }
  return out;
}

/**
 * Key policy: the account administers the key (so IAM policies can grant administration, which includes no use of
 * the key and no grant), or in production only the key-admin role and the root user do (see `administration`);
 * the account's principals may only *use* it through the listed AWS services, and create grants only when one of
 * those services asks for one for its resources; CloudWatch Logs and CloudWatch alarms get
 * exactly the data-key actions they need, scoped to this account. "Resource": "*" in a key policy means
 * "this key" (see test/policy/iam-wildcard-allowlist.json).
 */
export function keyPolicy(p: KeyPolicyProps): string {
  const root = arn.accountRoot(p.accountId);
  const via = {
    'kms:CallerAccount': p.accountId,
    'kms:ViaService': p.viaServices.map((s) => `${s}.${p.region}.amazonaws.com`),
  };
  const statements: PolicyStatement[] = [
    ...administration(root, p.keyAdminRoleArn),
    {
      Sid: 'UseThroughNamedServices',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: USE_ACTIONS,
      Resource: '*',
      Condition: { StringEquals: via, ...encryptionContextConditions(p) },
    },
    {
      // Grants are how RDS, DynamoDB, Secrets Manager and Lambda keep using a key for a resource: allowed only when
      // such a service asks on the principal's behalf ("kms:GrantIsForAWSResource - Allows principals to call
      // CreateGrant, ListGrants, or RevokeGrant only when an AWS service that is integrated with AWS KMS sends the
      // request on the principal's behalf": KMS Developer Guide, grant authorization), through the named services.
      Sid: 'GrantsForAwsResources',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: ['kms:CreateGrant', 'kms:ListGrants'],
      Resource: '*',
      Condition: { StringEquals: via, Bool: { 'kms:GrantIsForAWSResource': 'true' } },
    },
  ];
  if (p.allowCloudWatchLogs) {
    statements.push({
      Sid: 'CloudWatchLogs',
      Effect: 'Allow',
      Principal: { Service: `logs.${p.region}.amazonaws.com` },
      Action: USE_ACTIONS,
      Resource: '*',
      Condition: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': arn.logGroups(p.region, p.accountId, '*'),
        },
      },
    });
  }
  if (p.allowCloudWatchAlarms) {
    statements.push({
      Sid: 'CloudWatchAlarmsPublishToEncryptedTopics',
      Effect: 'Allow',
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      Resource: '*',
      // Confused deputy: CloudWatch acts for this account's alarms of this environment only (aws:SourceArn is the
      // alarm's ARN), as the SNS Developer Guide's key policy for CloudWatch alarms conditions it
      // (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).
      Condition: {
        StringEquals: { 'aws:SourceAccount': p.accountId },
        ArnLike: {
          'aws:SourceArn': arn.cloudwatchAlarms(
            p.region,
            p.accountId,
            p.allowCloudWatchAlarms.alarmNamePattern,
          ),
        },
      },
    });
  }
  return policy(...statements);
}

/**
 * Key policy of the audit trail's key (CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail":
 * https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html): CloudTrail
 * may use the key for this trail only (aws:SourceArn, the best practice that page names) and describe it; the log
 * bucket uses an S3 Bucket Key, for which the page requires kms:Decrypt besides kms:GenerateDataKey*. With a bucket key
 * S3's encryption context is the bucket ARN, so the trail-ARN context of the page's encrypt example is checked only
 * where a request carries it (...IfExists). The account's principals whose IAM policies allow it may decrypt the log
 * and digest files, through S3 and for this bucket only. Administration as for the project's other keys.
 */
export function trailKeyPolicy(p: {
  accountId: string;
  region: string;
  trailArn: string;
  bucketArn: string;
  keyAdminRoleArn?: string;
}): string {
  const root = arn.accountRoot(p.accountId);
  const trail = { StringEquals: { 'aws:SourceArn': p.trailArn } };
  return policy(
    ...administration(root, p.keyAdminRoleArn),
    {
      Sid: 'CloudTrailEncryptLogs',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      Resource: '*',
      Condition: {
        ...trail,
        StringLikeIfExists: {
          'kms:EncryptionContext:aws:cloudtrail:arn': arn.cloudtrailTrails(p.accountId),
        },
      },
    },
    {
      Sid: 'CloudTrailDescribeKey',
      Effect: 'Allow',
      Principal: { Service: 'cloudtrail.amazonaws.com' },
      Action: 'kms:DescribeKey',
      Resource: '*',
      Condition: trail,
    },
    {
      Sid: 'DecryptLogFiles',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: { 'kms:CallerAccount': p.accountId, 'kms:ViaService': `s3.${p.region}.amazonaws.com` },
        StringLike: { 'kms:EncryptionContext:aws:s3:arn': [p.bucketArn, arn.s3Objects(p.bucketArn)] },
      },
    },
    // AWS's own decrypt statement for trail logs keys on the trail's encryption context, which CloudTrail puts on
    // the log files it encrypts (CloudTrail User Guide, "Configure AWS KMS key policies for CloudTrail":
    // https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-kms-key-policy-for-cloudtrail.html); kept
    // beside the S3-context statement so reading the logs does not depend on which context a request carries.
    {
      Sid: 'DecryptTrailLogs',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: 'kms:Decrypt',
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:CallerAccount': p.accountId,
          'kms:EncryptionContext:aws:cloudtrail:arn': p.trailArn,
        },
      },
    },
  );
}
