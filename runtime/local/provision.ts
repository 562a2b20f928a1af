import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  HeadBucketCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsErrorName } from '../shared/aws';
import type { Database } from '../shared/db';
import type { Env } from '../shared/env';
import { activateRegion, readFence } from '../shared/fence';
import type { Logger } from '../shared/logger';
import {
  defaultMigrationsDir,
  loadMigrations,
  runMigrations,
  unappliedMigrations,
} from '../shared/migrations';
import { queryWritable } from '../shared/writability';

/**
 * What the local server sets up before it serves: the schema (migrations) and, against an emulator, the
 * tables and bucket.
 *
 * Creates the tables and bucket the service expects when they are missing, for an AWS emulator (local runs,
 * tests). The shapes match production: tables keyed by `pk` (S), on-demand, TTL on `expiresAt` unless
 * `ttl: false` (the control table: MRSC tables support no TTL).
 */
export async function ensureTable(
  ddb: DynamoDBClient,
  tableName: string,
  options: { ttl?: boolean } = {},
): Promise<void> {
  try {
    await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (err) {
    if (awsErrorName(err) !== 'ResourceNotFoundException') throw err;
  }
  try {
    await ddb.send(
      new CreateTableCommand({
        TableName: tableName,
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
  } catch (err) {
    if (awsErrorName(err) !== 'ResourceInUseException') throw err;
  }
  await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 1 }, { TableName: tableName });
  if (options.ttl === false) return;
  await ddb.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    }),
  );
}

/**
 * The payment control table for a local run, and its write fence naming `region` when no region was ever
 * activated (an existing fence is left as it is). The emulator does not model multi-Region strong
 * consistency: locally this is a plain single-Region table (the guarantees are tested against an MRSC test
 * double, test/support/mrsc-double.ts).
 */
export async function ensureControlTable(
  ddb: DynamoDBClient,
  documents: DynamoDBDocumentClient,
  tableName: string,
  region: string,
): Promise<void> {
  await ensureTable(ddb, tableName, { ttl: false });
  if (!(await readFence(documents, tableName))) {
    await activateRegion(documents, tableName, { region, by: 'local-server', reason: 'local run' });
  }
}

export async function ensureBucket(s3: S3Client, bucket: string, region: string): Promise<void> {
  try {
    await s3.send(new HeadBucketCommand({ Bucket: bucket }));
    return;
  } catch (err) {
    const name = awsErrorName(err);
    if (name !== 'NotFound' && name !== 'NoSuchBucket') throw err;
  }
  try {
    await s3.send(
      new CreateBucketCommand({
        Bucket: bucket,
        ...(region === 'us-east-1'
          ? {}
          : { CreateBucketConfiguration: { LocationConstraint: region as BucketLocationConstraint } }),
      }),
    );
  } catch (err) {
    if (awsErrorName(err) !== 'BucketAlreadyOwnedByYou') throw err;
  }
}

/**
 * Applies the migrations; against a read-only database (a standby) checks instead that none is pending, and
 * refuses to start when one is (it cannot be applied there).
 */
export async function migrateOrCheck(db: Database, env: Env, log: Logger): Promise<void> {
  const migrations = loadMigrations(defaultMigrationsDir(env));
  if (await queryWritable(db)) {
    await runMigrations(db, migrations);
    return;
  }
  const pending = await unappliedMigrations(db, migrations);
  if (pending.length > 0) {
    throw new Error(
      `the database is read-only and ${pending.length} migration(s) are not applied (${pending
        .map((m) => m.filename)
        .join(', ')}); apply them where the database is writable`,
    );
  }
  log.warn('database is read-only: migrations checked, not run; payments answer 503 REGION_READ_ONLY', {
    count: migrations.length,
  });
}
