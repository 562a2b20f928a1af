import { arn } from '../grants';
import { type PolicyStatement, policy } from '../iam';

/** AWS services that may use a key on behalf of principals of the account (checked with kms:ViaService). */
export type ViaService = 's3' | 'dynamodb' | 'rds' | 'secretsmanager' | 'lambda' | 'sns' | 'sqs';

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
   * CloudWatch alarms (and Route 53 health-check alarms) may publish to topics encrypted with the key.
   * @default false
   */
  allowCloudWatchAlarms?: boolean;
}

const USE_ACTIONS = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncrypt*',
  'kms:GenerateDataKey*',
  'kms:DescribeKey',
];

/**
 * Key policy: the account administers the key (so IAM policies can grant administration, which includes no use of
 * the key and no grant); the account's principals may only *use* it through the listed AWS services, and create
 * grants only when one of those services asks for one for its resources; CloudWatch Logs and CloudWatch alarms get
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
    {
      Sid: 'KeyAdministration',
      Effect: 'Allow',
      Principal: { AWS: root },
      // Administration only: CreateAlias, not kms:Create*, which would also grant kms:CreateGrant, and with it use of
      // the key through a grant, to any principal IAM allows, with no service condition.
      Action: [
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
      ],
      Resource: '*',
    },
    {
      Sid: 'UseThroughNamedServices',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: USE_ACTIONS,
      Resource: '*',
      Condition: { StringEquals: via },
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
      Condition: { StringEquals: { 'aws:SourceAccount': p.accountId } },
    });
  }
  return policy(...statements);
}
