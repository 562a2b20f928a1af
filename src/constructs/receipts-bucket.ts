import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktn/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { keepBucketPrivate, versionedBucketHousekeeping } from './private-bucket';
import { type PolicyStatement, policy, tlsOnlyBucketStatements } from '../iam';

export interface ReceiptsBucketProps {
  provider: AwsProvider;
  bucketName: string;
  kmsKeyArn: string;
  /** Days a replaced or deleted receipt version is kept before it expires. */
  noncurrentVersionDays: number;
  /**
   * Safety profile "production": the bucket is not emptied by `destroy` (no force_destroy), has `prevent_destroy`,
   * and only `adminRoleArn` (and the account's root user) may delete receipt versions or loosen the protection.
   * @default destroyable: force_destroy, no deny statements (test)
   */
  protection?: { adminRoleArn: string };
}

/**
 * What protects the receipts in production: versioning (on in every profile) keeps every overwritten or deleted
 * receipt as a noncurrent version for `noncurrentVersionDays`, and this statement keeps anyone but the admin role
 * from defeating that: deleting a version, suspending versioning, rewriting the lifecycle rule (an expiration rule
 * deletes versions too), replacing or removing this policy, deleting the bucket. Replication needs none of these
 * actions (the replication role replicates objects and delete markers; S3 never replicates a version deletion).
 *
 * Not Object Lock: it is compatible with replication (both buckets need it, and the replication role needs
 * s3:GetObjectRetention and s3:GetObjectLegalHold), but `object_lock_enabled` of aws_s3_bucket forces a new bucket
 * (a test environment switched to production would replace its receipts), Object Lock can never be turned off again
 * ("After you enable Object Lock on a bucket, you can't disable Object Lock or suspend versioning for that bucket":
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-managing.html), and a default retention needs a
 * records-retention decision this project does not own. The root user can still delete a bucket policy that locks
 * everyone else out (https://repost.aws/knowledge-center/s3-accidentally-denied-access), so this policy cannot make
 * the bucket unmanageable.
 */
export function receiptsProtectionStatement(bucketArn: string, adminRoleArn: string): PolicyStatement {
  return {
    Sid: 'DenyReceiptLossExceptAdmin',
    Effect: 'Deny',
    Principal: '*',
    Action: [
      's3:DeleteObjectVersion',
      's3:PutBucketVersioning',
      's3:PutLifecycleConfiguration',
      's3:PutBucketPolicy',
      's3:DeleteBucketPolicy',
      's3:DeleteBucket',
    ],
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': adminRoleArn } },
  };
}

/**
 * The receipts/audit bucket of one region (identical in both; replication between them is wired in the
 * interconnect stack): versioned, SSE-KMS with the regional CMK and bucket keys, owner-enforced, no public
 * access, TLS 1.2+ only, events to EventBridge, lifecycle for old versions and abandoned uploads, destroyable
 * unless `protection` is given (safety "production").
 */
export class ReceiptsBucket extends Construct {
  readonly bucket: S3Bucket;
  /** Versioning must be on before replication can be configured. */
  readonly versioning: S3BucketVersioningA;

  constructor(scope: Construct, id: string, p: ReceiptsBucketProps) {
    super(scope, id);
    const provider = p.provider;
    const protection = p.protection;
    this.bucket = new S3Bucket(this, 'bucket', {
      provider,
      bucket: p.bucketName,
      forceDestroy: protection === undefined,
      ...(protection ? { lifecycle: { preventDestroy: true } } : {}),
    });
    this.versioning = new S3BucketVersioningA(this, 'versioning', {
      provider,
      bucket: this.bucket.id,
      versioningConfiguration: { status: 'Enabled' },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, 'sse', {
      provider,
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: p.kmsKeyArn },
          bucketKeyEnabled: true,
        },
      ],
    });
    keepBucketPrivate(this, provider, this.bucket.id);
    new S3BucketPolicy(this, 'policy', {
      provider,
      bucket: this.bucket.id,
      policy: policy(
        ...tlsOnlyBucketStatements(this.bucket.arn),
        ...(protection ? [receiptsProtectionStatement(this.bucket.arn, protection.adminRoleArn)] : []),
      ),
    });
    // Object and replication events (e.g. OperationFailedReplication) go to EventBridge for alerting.
    versionedBucketHousekeeping(this, {
      provider,
      bucket: this.bucket.id,
      versioning: this.versioning,
      noncurrentVersionDays: p.noncurrentVersionDays,
    });
  }
}
