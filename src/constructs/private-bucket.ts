import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3BucketLifecycleConfiguration } from '@cdktn/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketNotification } from '@cdktn/provider-aws/lib/s3-bucket-notification';
import { S3BucketOwnershipControls } from '@cdktn/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktn/provider-aws/lib/s3-bucket-public-access-block';
import type { ITerraformDependable } from 'cdktn';
import type { Construct } from 'constructs';

/**
 * What every bucket of the project has: all four public-access blocks, and ACLs disabled (BucketOwnerEnforced),
 * so only bucket policies and IAM decide who reads or writes. Created in `scope` under the ids `public-access`
 * and `ownership`.
 */
export function keepBucketPrivate(scope: Construct, provider: AwsProvider, bucket: string): void {
  new S3BucketPublicAccessBlock(scope, 'public-access', {
    provider,
    bucket,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketOwnershipControls(scope, 'ownership', {
    provider,
    bucket,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
}

/**
 * The housekeeping of a versioned bucket: object events to EventBridge (replication failures among them), old
 * versions expired after `noncurrentVersionDays`, abandoned multipart uploads after 7 days. The lifecycle rule
 * waits for `versioning` (a rule on noncurrent versions needs it). Ids `events` and `lifecycle` in `scope`.
 */
export function versionedBucketHousekeeping(
  scope: Construct,
  p: {
    provider: AwsProvider;
    bucket: string;
    versioning: ITerraformDependable;
    noncurrentVersionDays: number;
  },
): void {
  new S3BucketNotification(scope, 'events', { provider: p.provider, bucket: p.bucket, eventbridge: true });
  new S3BucketLifecycleConfiguration(scope, 'lifecycle', {
    provider: p.provider,
    bucket: p.bucket,
    dependsOn: [p.versioning],
    rule: [
      {
        id: 'expire-old-versions-and-abandoned-uploads',
        status: 'Enabled',
        filter: [{ prefix: '' }],
        noncurrentVersionExpiration: [{ noncurrentDays: p.noncurrentVersionDays }],
        abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
      },
    ],
  });
}
