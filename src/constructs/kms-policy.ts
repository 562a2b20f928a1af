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
 * Key policy: the account administers the key (so IAM policies can grant administration); the account's
 * principals may only *use* it through the listed AWS services; CloudWatch Logs and CloudWatch alarms get
 * exactly the data-key actions they need, scoped to this account. "Resource": "*" in a key policy means
 * "this key" (see test/policy/iam-wildcard-allowlist.json).
 */
export function keyPolicy(p: KeyPolicyProps): string {
  const root = arn.accountRoot(p.accountId);
  const statements: PolicyStatement[] = [
    {
      Sid: 'KeyAdministration',
      Effect: 'Allow',
      Principal: { AWS: root },
      Action: [
        'kms:Create*',
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
      Action: [...USE_ACTIONS, 'kms:CreateGrant', 'kms:ListGrants'],
      Resource: '*',
      Condition: {
        StringEquals: {
          'kms:CallerAccount': p.accountId,
          'kms:ViaService': p.viaServices.map((s) => `${s}.${p.region}.amazonaws.com`),
        },
      },
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
