import { Cloudtrail } from '@cdktn/provider-aws/lib/cloudtrail';
import { KmsAlias } from '@cdktn/provider-aws/lib/kms-alias';
import { KmsKey } from '@cdktn/provider-aws/lib/kms-key';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3Bucket } from '@cdktn/provider-aws/lib/s3-bucket';
import { S3BucketPolicy } from '@cdktn/provider-aws/lib/s3-bucket-policy';
import { S3BucketServerSideEncryptionConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { S3BucketVersioningA } from '@cdktn/provider-aws/lib/s3-bucket-versioning';
import { Construct } from 'constructs';
import { keepBucketPrivate, versionedBucketHousekeeping } from './private-bucket';
import { arn } from '../grants';
import { policy, tlsOnlyBucketStatements } from '../iam';
import { trailKeyPolicy } from './kms-policy';

export interface AuditTrailProps {
  /** The trail's home region: the secondary region (see the class comment); the failover stack's default. */
  provider: AwsProvider;
  region: string;
  accountId: string;
  trailName: string;
  bucketName: string;
  keyAlias: string;
  /** The buckets whose object-level API calls are recorded (both regions' receipts buckets). */
  dataEventBuckets: string[];
  keySafety: { deletionWindowInDays: number; preventDestroy: boolean; keyAdminRoleArn?: string };
  /** Days old versions of log files are kept (the current ones are kept). */
  noncurrentVersionDays: number;
}

/**
 * The account's audit trail: a multi-Region CloudTrail trail with management events and S3 data events (every
 * object-level call: GetObject, PutObject, DeleteObject, ...) for the receipts buckets of both regions, log file
 * validation (signed digest files), delivered to a versioned, private, TLS-only bucket encrypted with a key of its own.
 *
 * Home region, bucket and key are all in the secondary region (us-east-2), the region the design keeps when
 * us-east-1 is lost: a trail can be updated only from its home Region
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-create-and-update-a-trail-by-using-the-aws-cli-update-trail.html),
 * and a multi-Region trail delivers every region's events to its one bucket, which may be in any region
 * (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html).
 * With all three in us-east-1 the loss of that region would stop delivery of the surviving region's events, the
 * logs of the outage included, and leave the trail unmanageable; in us-east-2 they outlive it.
 *
 * The trail's own bucket is not a data-event target: the trail would record its own deliveries. The data events
 * are selected with advanced event selectors by the two bucket ARNs (resources.ARN starts with `<bucket ARN>/`).
 */
export class AuditTrail extends Construct {
  readonly trail: Cloudtrail;
  readonly bucket: S3Bucket;
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, p: AuditTrailProps) {
    super(scope, id);
    const provider = p.provider;
    const trailArn = arn.cloudtrailTrail(p.region, p.accountId, p.trailName);
    const destroyable = !p.keySafety.preventDestroy;
    const lifecycle = destroyable ? {} : { lifecycle: { preventDestroy: true } };

    this.key = new KmsKey(this, 'key', {
      provider,
      description: `${p.trailName}: CloudTrail log and digest files`,
      enableKeyRotation: true,
      rotationPeriodInDays: 365,
      deletionWindowInDays: p.keySafety.deletionWindowInDays,
      policy: trailKeyPolicy({
        accountId: p.accountId,
        region: p.region,
        trailArn,
        bucketArn: arn.s3Bucket(p.bucketName),
        ...(p.keySafety.keyAdminRoleArn !== undefined
          ? { keyAdminRoleArn: p.keySafety.keyAdminRoleArn }
          : {}),
      }),
      ...lifecycle,
    });
    new KmsAlias(this, 'key-alias', { provider, name: p.keyAlias, targetKeyId: this.key.keyId });

    this.bucket = new S3Bucket(this, 'bucket', {
      provider,
      bucket: p.bucketName,
      forceDestroy: destroyable,
      ...lifecycle,
    });
    const bucket = this.bucket.id;
    const versioning = new S3BucketVersioningA(this, 'versioning', {
      provider,
      bucket,
      versioningConfiguration: { status: 'Enabled' },
    });
    // The trail's key by default, with an S3 Bucket Key (fewer KMS calls; trailKeyPolicy allows for it).
    new S3BucketServerSideEncryptionConfigurationA(this, 'sse', {
      provider,
      bucket,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: this.key.arn },
          bucketKeyEnabled: true,
        },
      ],
    });
    keepBucketPrivate(this, provider, bucket);
    // CloudTrail User Guide, "Amazon S3 bucket policy for CloudTrail": the ACL check and the write, each for this
    // trail only (aws:SourceArn), writes only under AWSLogs/<account>/ and with bucket-owner-full-control
    // (https://docs.aws.amazon.com/awscloudtrail/latest/userguide/create-s3-bucket-policy-for-cloudtrail.html).
    const bucketPolicy = new S3BucketPolicy(this, 'policy', {
      provider,
      bucket,
      policy: policy(
        ...tlsOnlyBucketStatements(this.bucket.arn),
        {
          Sid: 'AWSCloudTrailAclCheck',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:GetBucketAcl',
          Resource: this.bucket.arn,
          Condition: { StringEquals: { 'aws:SourceArn': trailArn } },
        },
        {
          Sid: 'AWSCloudTrailWrite',
          Effect: 'Allow',
          Principal: { Service: 'cloudtrail.amazonaws.com' },
          Action: 's3:PutObject',
          Resource: arn.s3Objects(this.bucket.arn, `AWSLogs/${p.accountId}/`),
          Condition: {
            StringEquals: { 's3:x-amz-acl': 'bucket-owner-full-control', 'aws:SourceArn': trailArn },
          },
        },
      ),
    });
    versionedBucketHousekeeping(this, {
      provider,
      bucket: bucket,
      versioning: versioning,
      noncurrentVersionDays: p.noncurrentVersionDays,
    });

    this.trail = new Cloudtrail(this, 'trail', {
      provider,
      name: p.trailName,
      s3BucketName: bucket,
      isMultiRegionTrail: true,
      includeGlobalServiceEvents: true,
      enableLogFileValidation: true,
      kmsKeyId: this.key.arn,
      advancedEventSelector: [
        { name: 'Management events', fieldSelector: [{ field: 'eventCategory', equalTo: ['Management'] }] },
        {
          name: 'Receipts buckets: object-level events',
          fieldSelector: [
            { field: 'eventCategory', equalTo: ['Data'] },
            { field: 'resources.type', equalTo: ['AWS::S3::Object'] },
            { field: 'resources.ARN', startsWith: p.dataEventBuckets.map((b) => `${arn.s3Bucket(b)}/`) },
          ],
        },
      ],
      // CloudTrail checks the bucket policy and the key when the trail is created.
      dependsOn: [bucketPolicy, this.key],
    });
  }
}
