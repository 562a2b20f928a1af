import { DeleteTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  type AwsClientOptions,
  createDocumentClient,
  createDynamoDbClient,
  createS3Client,
} from '../../../runtime/shared/aws';
import { ensureBucket, ensureControlTable, ensureTable } from '../../../runtime/local/provision';
import { uniqueSuffix } from './database';

/** AWS clients and per-file resources in the shared moto emulator (unique names; never a global reset). */
export interface TestAws {
  dynamodb: DynamoDBClient;
  documents: DynamoDBDocumentClient;
  s3: S3Client;
  options: AwsClientOptions;
}

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export function testAws(motoUrl: string, region = 'us-east-1'): TestAws {
  const options: AwsClientOptions = { region, endpoint: motoUrl, credentials: TEST_CREDENTIALS };
  return {
    dynamodb: createDynamoDbClient(options),
    documents: createDocumentClient(options),
    s3: createS3Client(options),
    options,
  };
}

export interface ResourceNames {
  /** The payment control table (moto: a plain table; MRSC itself is modelled by test/support/mrsc-double.ts). */
  controlTable: string;
  sessionsTable: string;
  receiptsBucket: string;
  receiptsKmsKeyArn: string;
}

export function uniqueNames(region = 'us-east-1'): ResourceNames {
  const suffix = uniqueSuffix();
  return {
    controlTable: `control-${suffix}`,
    sessionsTable: `sess-${suffix}`,
    receiptsBucket: `receipts-${suffix}`,
    receiptsKmsKeyArn: `arn:aws:kms:${region}:123456789012:key/0c5a7d7e-0000-4000-8000-${suffix}`,
  };
}

export async function createResources(
  aws: TestAws,
  names: ResourceNames,
  parts: { tables?: boolean; bucket?: boolean } = {},
): Promise<void> {
  if (parts.tables ?? true) {
    // The fence names the client's region, as the first deployment does for the primary.
    await ensureControlTable(aws.dynamodb, aws.documents, names.controlTable, aws.options.region);
    await ensureTable(aws.dynamodb, names.sessionsTable);
  }
  if (parts.bucket ?? true) await ensureBucket(aws.s3, names.receiptsBucket, aws.options.region);
}

export async function scanAll(aws: TestAws, table: string): Promise<Record<string, unknown>[]> {
  const { Items } = await aws.documents.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
  return Items ?? [];
}

export async function listKeys(aws: TestAws, bucket: string): Promise<string[]> {
  const { Contents } = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (Contents ?? []).map((o) => o.Key ?? '');
}

export async function destroyResources(aws: TestAws, names: ResourceNames): Promise<void> {
  for (const table of [names.controlTable, names.sessionsTable]) {
    await aws.dynamodb.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
  }
  try {
    const versions = await aws.s3.send(new ListObjectVersionsCommand({ Bucket: names.receiptsBucket }));
    const objects = [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])].map((v) => ({
      Key: v.Key ?? '',
      VersionId: v.VersionId,
    }));
    if (objects.length > 0) {
      await aws.s3.send(
        new DeleteObjectsCommand({ Bucket: names.receiptsBucket, Delete: { Objects: objects } }),
      );
    }
    await aws.s3.send(new DeleteBucketCommand({ Bucket: names.receiptsBucket }));
  } catch {
    // The bucket may not exist (tests of a missing bucket).
  }
  aws.dynamodb.destroy();
  aws.documents.destroy();
  aws.s3.destroy();
}
