import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3BucketOwnershipControls } from '@cdktn/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktn/provider-aws/lib/s3-bucket-public-access-block';
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
