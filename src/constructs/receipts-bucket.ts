import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketLifecycleConfiguration } from '@cdktn/provider-aws/lib/s3-bucket-lifecycle-configuration';
import { S3BucketNotification } from '@cdktn/provider-aws/lib/s3-bucket-notification';
import { S3BucketOwnershipControls } from '@cdktn/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketPublicAccessBlock } from '@cdktn/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktn/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { policy, tlsOnlyBucketStatements } from '../iam';

export interface ReceiptsBucketProps {
  provider: AwsProvider;
  bucketName: string;
  kmsKeyArn: string;
  /** Days a replaced or deleted receipt version is kept before it expires. */
  noncurrentVersionDays: number;
}

/**
 * The receipts/audit bucket of one region (identical in both; replication between them is wired in the
 * interconnect stack): versioned, SSE-KMS with the regional CMK and bucket keys, owner-enforced, no public
 * access, TLS 1.2+ only, events to EventBridge, lifecycle for old versions and abandoned uploads, destroyable.
 */
export class ReceiptsBucket extends Construct {
  readonly bucket: S3Bucket;
  /** Versioning must be on before replication can be configured. */
  readonly versioning: S3BucketVersioningA;

  constructor(scope: Construct, id: string, p: ReceiptsBucketProps) {
    super(scope, id);
    const provider = p.provider;
    this.bucket = new S3Bucket(this, 'bucket', { provider, bucket: p.bucketName, forceDestroy: true });
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
    new S3BucketPublicAccessBlock(this, 'public-access', {
      provider,
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketOwnershipControls(this, 'ownership', {
      provider,
      bucket: this.bucket.id,
      rule: { objectOwnership: 'BucketOwnerEnforced' },
    });
    new S3BucketPolicy(this, 'policy', {
      provider,
      bucket: this.bucket.id,
      policy: policy(...tlsOnlyBucketStatements(this.bucket.arn)),
    });
    // Object and replication events (e.g. OperationFailedReplication) go to EventBridge for alerting.
    new S3BucketNotification(this, 'events', { provider, bucket: this.bucket.id, eventbridge: true });
    new S3BucketLifecycleConfiguration(this, 'lifecycle', {
      provider,
      bucket: this.bucket.id,
      dependsOn: [this.versioning],
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
}
