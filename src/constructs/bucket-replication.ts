import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktn/provider-aws/lib/iam-role-policy';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { S3BucketReplicationConfigurationA } from '@cdktn/provider-aws/lib/s3-bucket-replication-configuration';
import { Construct } from 'constructs';
import { arn } from '../grants';
import { assumeRolePolicy, policy } from '../iam';

export interface ReplicationEnd {
  region: string;
  bucketName: string;
  /** Key ARN of the bucket's CMK in its region. */
  kmsKeyArn: string;
}

export interface BucketReplicationProps {
  /** Provider of the source bucket's region. */
  provider: AwsProvider;
  roleName: string;
  /** Id of the replication rule (a dimension of the replication metrics, ResourceNames.receiptsReplicationRuleId). */
  ruleId: string;
  accountId: string;
  source: ReplicationEnd;
  destination: ReplicationEnd;
  /** S3 Replication Time Control threshold; AWS supports exactly 15 minutes. */
  rtcMinutes: 15;
}

/**
 * One direction of S3 cross-region replication: every object and delete marker, SSE-KMS objects re-encrypted
 * with the destination region's key, Replication Time Control (15-minute SLA) with metrics, and a role that
 * can touch exactly these two buckets and these two keys (each only through S3 of its own region).
 */
export class BucketReplication extends Construct {
  readonly role: IamRole;
  readonly configuration: S3BucketReplicationConfigurationA;

  constructor(scope: Construct, id: string, p: BucketReplicationProps) {
    super(scope, id);
    const src = arn.s3Bucket(p.source.bucketName);
    const dst = arn.s3Bucket(p.destination.bucketName);
    this.role = new IamRole(this, 'role', {
      provider: p.provider,
      name: p.roleName,
      description: `S3 replication ${p.source.bucketName} -> ${p.destination.bucketName}`,
      assumeRolePolicy: assumeRolePolicy('s3.amazonaws.com', {
        StringEquals: { 'aws:SourceAccount': p.accountId },
        ArnLike: { 'aws:SourceArn': src },
      }),
    });
    const rolePolicy = new IamRolePolicy(this, 'policy', {
      provider: p.provider,
      role: this.role.id,
      name: 'replicate-receipts',
      policy: policy(
        {
          Sid: 'ReadSourceConfiguration',
          Effect: 'Allow',
          Action: ['s3:GetReplicationConfiguration', 's3:ListBucket'],
          Resource: src,
        },
        {
          Sid: 'ReadSourceVersions',
          Effect: 'Allow',
          Action: [
            's3:GetObjectVersionForReplication',
            's3:GetObjectVersionAcl',
            's3:GetObjectVersionTagging',
          ],
          Resource: arn.s3Objects(src),
        },
        {
          Sid: 'WriteDestination',
          Effect: 'Allow',
          Action: [
            's3:ReplicateObject',
            's3:ReplicateDelete',
            's3:ReplicateTags',
            's3:ObjectOwnerOverrideToBucketOwner',
          ],
          Resource: arn.s3Objects(dst),
        },
        {
          Sid: 'DecryptSourceObjects',
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: p.source.kmsKeyArn,
          Condition: {
            StringEquals: { 'kms:ViaService': `s3.${p.source.region}.amazonaws.com` },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [src, arn.s3Objects(src)] },
          },
        },
        {
          Sid: 'EncryptDestinationObjects',
          Effect: 'Allow',
          Action: ['kms:Encrypt', 'kms:GenerateDataKey'],
          Resource: p.destination.kmsKeyArn,
          Condition: {
            StringEquals: { 'kms:ViaService': `s3.${p.destination.region}.amazonaws.com` },
            StringLike: { 'kms:EncryptionContext:aws:s3:arn': [dst, arn.s3Objects(dst)] },
          },
        },
      ),
    });

    this.configuration = new S3BucketReplicationConfigurationA(this, 'configuration', {
      provider: p.provider,
      bucket: p.source.bucketName,
      role: this.role.arn,
      dependsOn: [rolePolicy],
      rule: [
        {
          id: p.ruleId,
          status: 'Enabled',
          priority: 1,
          filter: { prefix: '' },
          deleteMarkerReplication: { status: 'Enabled' },
          sourceSelectionCriteria: {
            sseKmsEncryptedObjects: { status: 'Enabled' },
            // Two-way replication: changes S3 makes to replicas flow back too (needed for failback).
            replicaModifications: { status: 'Enabled' },
          },
          destination: {
            bucket: dst,
            storageClass: 'STANDARD',
            encryptionConfiguration: { replicaKmsKeyId: p.destination.kmsKeyArn },
            replicationTime: { status: 'Enabled', time: { minutes: p.rtcMinutes } },
            metrics: { status: 'Enabled', eventThreshold: { minutes: p.rtcMinutes } },
          },
        },
      ],
    });
  }
}
