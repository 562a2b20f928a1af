import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import type { Construct } from 'constructs';
import { keyPolicy } from './kms-policy';

/** How hard the key is to lose: the safety profile's values (src/config/safety.ts), as for the project's keys. */
export interface DetectorKeySafety {
  deletionWindowInDays: number;
  preventDestroy: boolean;
  keyAdminRoleArn?: string;
}

/**
 * The key of a detector in a region where the project has none (the witness region): its environment, its
 * log group and its dead-letter queue. Rotated yearly, deletable after the profile's window (7 days in test, 30
 * in production, administered by the key-admin role there), usable by the account only through Lambda and SQS of
 * that region, and by CloudWatch Logs there (src/constructs/kms-policy.ts).
 */
export function detectorKey(
  scope: Construct,
  p: { provider: AwsProvider; region: string; accountId: string; alias: string; safety: DetectorKeySafety },
): KmsKey {
  const key = new KmsKey(scope, 'key', {
    provider: p.provider,
    description: `Detector of ${p.region}: environment, logs, dead-letter queue`,
    enableKeyRotation: true,
    rotationPeriodInDays: 365,
    deletionWindowInDays: p.safety.deletionWindowInDays,
    policy: keyPolicy({
      accountId: p.accountId,
      region: p.region,
      viaServices: ['lambda', 'sqs'],
      allowCloudWatchLogs: true,
      ...(p.safety.keyAdminRoleArn !== undefined ? { keyAdminRoleArn: p.safety.keyAdminRoleArn } : {}),
    }),
    ...(p.safety.preventDestroy ? { lifecycle: { preventDestroy: true } } : {}),
  });
  new KmsAlias(scope, 'key-alias', { provider: p.provider, name: p.alias, targetKeyId: key.keyId });
  return key;
}
