import {
  CreateDBClusterCommand,
  CreateDBClusterSnapshotCommand,
  DeleteDBClusterSnapshotCommand,
  DescribeDBClusterSnapshotsCommand,
  type RDSClient,
} from '@aws-sdk/client-rds';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AwsClients } from '../../cli/lib/aws';
import { resolveContext } from '../../cli/lib/context';
import { recoverLostWritesCommand } from '../../cli/commands/recover-lost-writes';
import { ensureBucket, ensureControlTable } from '../../runtime/local/provision';
import { insertPaymentOnce } from '../../runtime/payment-api/payments-repo';
import { commitReservation } from '../../runtime/payment-api/reservations';
import { describeCluster, describeSnapshot } from '../../runtime/recovery/snapshot-restore';
import { systemClock } from '../../runtime/shared/clock';
import { awsClients, BUDGETS } from '../../runtime/shared/aws-clients';
import type { Database } from '../../runtime/shared/db';
import { activateRegion } from '../../runtime/shared/fence';
import { newPaymentId } from '../../runtime/shared/ids';
import { resourceNames } from '../../src/resource-names';
import { testConfig } from '../support/synth';
import { createMigratedTestDatabase, type TestDatabase } from '../runtime/support/database';
import { TEST_CREDENTIALS } from '../runtime/support/aws';
import { captureIo, drctl, noAws, staticCredentials, uniqueSuffix } from './support/cli';

/**
 * `drctl recover-lost-writes` end to end: RDS (describe, copy, restore, instance, delete), DynamoDB, S3 and STS
 * in moto; the restored and the promoted ledger are two PostgreSQL test databases the command is connected to
 * in place of the clusters' endpoints (moto runs no database engine).
 */
const suffix = uniqueSuffix();
const names = resourceNames(testConfig({ environmentSuffix: suffix }));
const factory = awsClients(BUDGETS.operator);
let motoUrl: string;
let oldLedger: TestDatabase;
let promoted: TestDatabase;
let clients: AwsClients;
let lost: string[] = [];
const ACCOUNT = '123456789012';

const secrets = (region: string) =>
  factory.secretsManager({ region, endpoint: motoUrl, credentials: TEST_CREDENTIALS });

function motoClients(url: string): AwsClients {
  const t = (region: string) => ({ region, endpoint: url, credentials: TEST_CREDENTIALS });
  return noAws({
    endpoint: url,
    credentials: staticCredentials,
    rds: (r) => factory.rds(t(r)),
    ddb: (r) => factory.documents(t(r)),
    s3: (r) => factory.s3(t(r)),
    sts: (r) => factory.sts(t(r)),
  });
}

async function payment(db: Database, key: string, id = newPaymentId()): Promise<string> {
  await insertPaymentOnce(db, {
    id,
    idempotencyKey: key,
    requestHash: 'd'.repeat(64),
    amount: 990,
    currency: 'USD',
    merchantId: 'merchant_42',
    paymentMethodToken: 'tok_recover12345',
    region: 'us-east-1',
  });
  return id;
}

beforeAll(async () => {
  motoUrl = inject('motoUrl');
  clients = motoClients(motoUrl);
  oldLedger = await createMigratedTestDatabase();
  promoted = await createMigratedTestDatabase();
  const rds: RDSClient = clients.rds('us-east-1');
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: names.clusterId('us-east-1'),
      Engine: 'aurora-postgresql',
      EngineVersion: '16.4',
      MasterUsername: names.masterUsername,
      MasterUserPassword: 'not-a-real-password-1',
      StorageEncrypted: true,
    }),
  );
  // What Aurora leaves after an unplanned global failover (moto lets the test create it by name).
  await rds.send(
    new CreateDBClusterSnapshotCommand({
      DBClusterIdentifier: names.clusterId('us-east-1'),
      DBClusterSnapshotIdentifier: `${names.failoverSnapshotPrefix('us-east-1')}2026-12-02-04-05`,
    }),
  );
  // The promoted cluster (its endpoint is where the command connects) and the master secret's replica.
  await clients.rds('us-east-2').send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: names.clusterId('us-east-2'),
      Engine: 'aurora-postgresql',
      EngineVersion: '16.4',
      MasterUsername: names.masterUsername,
      MasterUserPassword: 'not-a-real-password-1',
    }),
  );
  await secrets('us-east-2').send(
    new CreateSecretCommand({
      Name: names.dbSecretName,
      SecretString: JSON.stringify({ username: names.masterUsername, password: 'not-a-real-password-1' }),
    }),
  );
  const raw = factory.dynamodb({ region: 'us-east-2', endpoint: motoUrl, credentials: TEST_CREDENTIALS });
  await ensureControlTable(raw, clients.ddb('us-east-2'), names.paymentControlTable, 'us-east-1');
  raw.destroy();
  await ensureBucket(clients.s3('us-east-2'), names.receiptsBucket('us-east-2', ACCOUNT), 'us-east-2');
  // Three payments in the old primary; only the first reached the promoted ledger before the failure.
  const keys = ['rec-key-0001', 'rec-key-0002', 'rec-key-0003'];
  const ids = [];
  for (const k of keys) ids.push(await payment(oldLedger.db, k));
  await payment(promoted.db, 'unrelated-0001');
  // Replicated in time: the first one (same id) is in the promoted ledger too.
  await payment(promoted.db, keys[0] as string, ids[0]);
  lost = ids.slice(1);
  for (const [i, id] of ids.entries())
    await commitReservation(
      { ddb: clients.ddb('us-east-2'), table: names.paymentControlTable },
      {
        id,
        merchantId: 'merchant_42',
        idempotencyKey: keys[i] as string,
        requestHash: 'd'.repeat(64),
        amount: 990,
        currency: 'USD',
        region: 'us-east-1',
        createdAt: new Date(),
      },
      { now: new Date() },
    );
});

afterAll(async () => {
  await oldLedger?.close();
  await promoted?.close();
});

function context(json = false) {
  const cap = captureIo();
  const ctx = resolveContext(
    { env: suffix, yes: true, json },
    {
      io: cap.io,
      env: {},
      clients: () => clients,
      clock: systemClock,
      http: { request: async () => Promise.reject(new Error('no HTTP')) },
      operator: 'tester@test',
      random: () => 0.5,
    },
  );
  return { ctx, out: cap.out, err: cap.err };
}

/**
 * moto keeps the automated snapshot (`rds:<cluster>-<minute>`) it makes of a restored cluster after the cluster
 * is deleted, so restoring the same name again within a minute collides; RDS deletes a cluster's automated
 * backups with it ("Amazon RDS deletes automated backups ... When you delete a DB cluster", Aurora User Guide,
 * aurora-copy-snapshot). The emulator's leftovers are removed between runs.
 */
async function removeMotoLeftovers(): Promise<void> {
  const rds = clients.rds('us-east-1');
  const out = await rds.send(
    new DescribeDBClusterSnapshotsCommand({ DBClusterIdentifier: names.recoveryClusterId('us-east-1') }),
  );
  for (const s of out.DBClusterSnapshots ?? [])
    if (s.SnapshotType === 'automated')
      await rds.send(
        new DeleteDBClusterSnapshotCommand({ DBClusterSnapshotIdentifier: s.DBClusterSnapshotIdentifier }),
      );
}

const run = async (ctx: ReturnType<typeof context>['ctx'], extra: { dryRun?: boolean } = {}) => {
  await removeMotoLeftovers();
  return recoverLostWritesCommand(
    ctx,
    { timeout: 60, ...extra },
    {
      // The temporary cluster's endpoint names it (`...-ledger-recovery-...`); the other is the promoted one.
      connect: (t) => {
        if ('url' in t) throw new Error('no URL was given');
        expect(t).toMatchObject({
          user: names.masterUsername,
          password: 'not-a-real-password-1',
          port: 5432,
        });
        return t.host.includes(names.recoveryClusterId('us-east-1'))
          ? keepOpen(oldLedger.db)
          : keepOpen(promoted.db);
      },
      secretsManager: secrets,
      pollMs: 10,
    },
  );
};

describe('drctl recover-lost-writes', () => {
  it('refuses bad arguments with exit 2 before any AWS call', async () => {
    const res = await drctl(['recover-lost-writes', '--yes', '--from-region', 'eu-west-1', '--env', suffix], {
      clients: () => noAws({ credentials: staticCredentials }),
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--from-region must be us-east-1 or us-east-2/);
    const noTerm = await drctl(['recover-lost-writes', '--env', suffix]);
    expect(noTerm.code).toBe(2);
    expect(noTerm.stderr).toMatch(/without confirmation/);
  });

  it('refuses (exit 2) while the fence does not name the promoted region, and deletes the temporary cluster', async () => {
    const { ctx } = context();
    await expect(run(ctx)).rejects.toMatchObject({
      exitCode: 2,
      message: expect.stringMatching(/write fence/),
    });
    expect(await countPayments(promoted.db)).toBe(2);
    expect(
      await describeCluster(clients.rds('us-east-1'), names.recoveryClusterId('us-east-1')),
    ).toBeUndefined();
  });

  it('keeps the snapshot, restores it, re-records exactly the lost payments and deletes the temporary cluster', async () => {
    await activateRegion(clients.ddb('us-east-2'), names.paymentControlTable, {
      region: 'us-east-2',
      by: 'test',
      reason: 'unplanned failover',
    });
    const { ctx, out, err } = context();
    expect(await run(ctx)).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/compared 3 payments: 1 already in the promoted ledger, 2 re-recorded, 0 conflicts/);
    for (const id of lost) expect(text).toContain(id);
    expect(err.join('')).toMatch(/deleting the temporary cluster/);
    const { rows } = await promoted.db.query<{ id: string }>(
      'SELECT id FROM payments WHERE id = ANY($1::text[])',
      [lost],
    );
    expect(rows.map((r) => r.id).sort()).toEqual([...lost].sort());
    expect(
      await describeCluster(clients.rds('us-east-1'), names.recoveryClusterId('us-east-1')),
    ).toBeUndefined();
  });

  it('run again (reusing the kept copy): nothing to do, nothing written twice (JSON report)', async () => {
    const before = await countPayments(promoted.db);
    const { ctx, out } = context(true);
    expect(await run(ctx)).toBe(0);
    const json = JSON.parse(out.join('')) as {
      copy: string;
      report: { present: number; rerecorded: unknown[] };
    };
    expect(json.report).toMatchObject({ present: 3, rerecorded: [] });
    expect(await describeSnapshot(clients.rds('us-east-1'), json.copy)).toMatchObject({
      Status: 'available',
    });
    expect(await countPayments(promoted.db)).toBe(before);
  });
});

/** The command closes what it opened; the test databases stay open for the next test. */
const keepOpen = (db: Database): Database => ({
  ...db,
  query: db.query.bind(db),
  exec: db.exec.bind(db),
  transaction: db.transaction.bind(db),
  close: async () => undefined,
});

async function countPayments(db: Database): Promise<number> {
  const { rows } = await db.query<{ n: string }>('SELECT count(*)::text AS n FROM payments');
  return Number(rows[0]?.n);
}
