import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import { KmsReplicaKey } from '@cdktn/provider-aws/lib/kms-replica-key';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';
import type { Region } from '../config';
import { type KeyPolicyProps, keyPolicy } from './kms-policy';

export interface MultiRegionKeyProps extends Omit<KeyPolicyProps, 'region'> {
  /** Alias name (`alias/...`), the same in both regions: how other stacks find the key in their region. */
  aliasName: string;
  description: string;
  primary: { region: Region; provider: AwsProvider };
  replica: { region: Region; provider: AwsProvider };
  /**
   * Days KMS waits before deleting a key scheduled for deletion (7-30): 7 in the test safety profile, 30 in
   * production.
   * @default 7
   */
  deletionWindowInDays?: number;
  /** `lifecycle { prevent_destroy }` on both keys (safety "production"). @default false */
  preventDestroy?: boolean;
}

/**
 * A KMS multi-Region key: primary in the primary region, replica in the secondary region (same key id, so
 * data encrypted in one region can be decrypted in the other), rotation on, the same alias in both regions.
 */
export class MultiRegionKey extends Construct {
  readonly primaryKey: KmsKey;
  readonly replicaKey: KmsReplicaKey;

  constructor(scope: Construct, id: string, props: MultiRegionKeyProps) {
    super(scope, id);
    const { primary, replica, deletionWindowInDays = 7, preventDestroy = false, ...policyProps } = props;
    const lifecycle = preventDestroy ? { lifecycle: { preventDestroy: true } } : {};
    this.primaryKey = new KmsKey(this, 'primary', {
      provider: primary.provider,
      description: `${props.description} (multi-Region primary)`,
      multiRegion: true,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays,
      policy: keyPolicy({ ...policyProps, region: primary.region }),
      ...lifecycle,
    });
    new KmsAlias(this, 'primary-alias', {
      provider: primary.provider,
      name: props.aliasName,
      targetKeyId: this.primaryKey.keyId,
    });
    this.replicaKey = new KmsReplicaKey(this, 'replica', {
      provider: replica.provider,
      description: `${props.description} (multi-Region replica)`,
      primaryKeyArn: this.primaryKey.arn,
      deletionWindowInDays,
      policy: keyPolicy({ ...policyProps, region: replica.region }),
      ...lifecycle,
    });
    new KmsAlias(this, 'replica-alias', {
      provider: replica.provider,
      name: props.aliasName,
      targetKeyId: this.replicaKey.keyId,
    });
  }
}
