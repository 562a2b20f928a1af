import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { insertPaymentOnce, markSideEffectsCompleted } from '../../runtime/payment-api/payments-repo';
import { ensureAppRole } from '../../runtime/shared/app-role';
import type { Database } from '../../runtime/shared/db';
import { newPaymentId } from '../../runtime/shared/ids';
import { loadMigrations, MigrationError, runMigrations } from '../../runtime/shared/migrations';
import {
  createMigratedTestDatabase,
  createTestDatabase,
  MIGRATIONS_DIR,
  type TestDatabase,
  uniqueSuffix,
} from './support/database';

const open: TestDatabase[] = [];
const dirs: string[] = [];

async function freshDatabase(migrated = false): Promise<TestDatabase> {
  const tdb = migrated ? await createMigratedTestDatabase() : await createTestDatabase();
  open.push(tdb);
  return tdb;
}

/** The service's own migrations, and the file name prefix of the n-th version after them. */
const REAL = loadMigrations(MIGRATIONS_DIR);
const after = (n: number) => String(REAL.length + n).padStart(3, '0');
const REAL_VERSIONS = REAL.map((m) => m.version);

/** A temporary migrations directory holding copies of the real files plus `extra` ones. */
function migrationsDir(extra: Record<string, string> = {}, withReal = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
  dirs.push(dir);
  if (withReal) for (const m of REAL) copyFileSync(join(MIGRATIONS_DIR, m.filename), join(dir, m.filename));
  for (const [name, sql] of Object.entries(extra)) writeFileSync(join(dir, name), sql);
  return dir;
}

async function appliedVersions(db: Database): Promise<number[]> {
  const { rows } = await db.query<{ version: number }>(
    'SELECT version FROM schema_migrations ORDER BY version',
  );
  return rows.map((r) => Number(r.version));
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

afterAll(async () => {
  for (const tdb of open) await tdb.close();
});

describe('migration runner', () => {
  it('applies the migrations once and records their checksums; a re-run does nothing', async () => {
    const { db } = await freshDatabase();
    const migrations = loadMigrations(MIGRATIONS_DIR);
    expect(await runMigrations(db, migrations)).toEqual({
      applied: ['001_payments_ledger.sql', '002_health_heartbeat.sql'],
      alreadyApplied: 0,
    });
    expect(await runMigrations(db, migrations)).toEqual({ applied: [], alreadyApplied: 2 });
    const { rows } = await db.query<{ version: number; name: string; checksum: string }>(
      'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
    );
    expect(rows).toEqual([
      { version: 1, name: 'payments_ledger', checksum: migrations[0]?.checksum },
      { version: 2, name: 'health_heartbeat', checksum: migrations[1]?.checksum },
    ]);
  });

  it('refuses to run when an applied file changed', async () => {
    const { db } = await freshDatabase(true);
    const dir = migrationsDir({}, false);
    writeFileSync(join(dir, '001_payments_ledger.sql'), 'CREATE TABLE sneaky (id int);');
    await expect(runMigrations(db, loadMigrations(dir))).rejects.toThrow(/checksum mismatch/);
    const { rows } = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'sneaky'");
    expect(rows).toHaveLength(0);
  });

  it('ignores line-ending differences in the checksum', async () => {
    const { db } = await freshDatabase(true);
    const dir = migrationsDir();
    const original = REAL[0]?.sql ?? '';
    writeFileSync(join(dir, '001_payments_ledger.sql'), original.replace(/\n/g, '\r\n'));
    expect(await runMigrations(db, loadMigrations(dir))).toEqual({
      applied: [],
      alreadyApplied: REAL.length,
    });
  });

  it('refuses when an applied migration has no file, or a new one sorts before an applied one', async () => {
    const { db } = await freshDatabase(true);
    await expect(runMigrations(db, loadMigrations(migrationsDir({}, false)))).rejects.toThrow(/has no file/);
    await runMigrations(
      db,
      loadMigrations(migrationsDir({ [`${after(2)}_third.sql`]: 'CREATE TABLE third (id int);' })),
    );
    const late = migrationsDir({
      [`${after(1)}_second.sql`]: 'SELECT 1;',
      [`${after(2)}_third.sql`]: 'CREATE TABLE third (id int);',
    });
    await expect(runMigrations(db, loadMigrations(late))).rejects.toThrow(/out of order/);
    expect(await appliedVersions(db)).toEqual([...REAL_VERSIONS, REAL.length + 2]);
  });

  it('applies only new migrations, and a failing one leaves no trace', async () => {
    const { db } = await freshDatabase(true);
    const good = migrationsDir({ [`${after(1)}_add_notes.sql`]: 'CREATE TABLE notes (id int PRIMARY KEY);' });
    expect(await runMigrations(db, loadMigrations(good))).toEqual({
      applied: [`${after(1)}_add_notes.sql`],
      alreadyApplied: REAL.length,
    });
    const bad = migrationsDir({
      [`${after(1)}_add_notes.sql`]: 'CREATE TABLE notes (id int PRIMARY KEY);',
      [`${after(2)}_broken.sql`]: 'CREATE TABLE half (id int); SELECT no_such_function();',
    });
    await expect(runMigrations(db, loadMigrations(bad))).rejects.toThrow();
    expect(await appliedVersions(db)).toEqual([...REAL_VERSIONS, REAL.length + 1]);
    const { rows } = await db.query("SELECT 1 FROM pg_tables WHERE tablename = 'half'");
    expect(rows).toHaveLength(0);
  });

  it('rejects badly named or duplicate migration files', () => {
    expect(() => loadMigrations(migrationsDir({ '2_bad.sql': 'SELECT 1;' }))).toThrow(MigrationError);
    expect(() => loadMigrations(migrationsDir({ '001_again.sql': 'SELECT 1;' }))).toThrow(/share version 1/);
  });

  it('concurrent runners are safe: one applies, the others find nothing to do', async () => {
    const tdb = await freshDatabase();
    const handles = Array.from({ length: 5 }, () => tdb.open());
    const migrations = loadMigrations(MIGRATIONS_DIR);
    const results = await Promise.all(handles.map((db) => runMigrations(db, migrations)));
    expect(results.filter((r) => r.applied.length === REAL.length)).toHaveLength(1);
    expect(results.filter((r) => r.applied.length === 0 && r.alreadyApplied === REAL.length)).toHaveLength(4);
    expect(await appliedVersions(tdb.db)).toEqual(REAL_VERSIONS);
  });
});

describe('ledger integrity enforced by the schema', () => {
  let ledgerDb: Database;
  const ledger = async () => (ledgerDb ??= (await freshDatabase(true)).db);
  const insertPayment = (db: Database, id: string, key: string) =>
    db.query(
      `INSERT INTO payments (id, idempotency_key, request_hash, amount, currency, merchant_id, payment_method_type,
         payment_method_token, status, region)
       VALUES ($1, $2, $3, 500, 'EUR', 'm1', 'card_token', 'tok_abcdefgh1', 'accepted', 'us-east-1')`,
      [id, key, 'a'.repeat(64)],
    );

  it('a payment without ledger entries cannot be committed', async () => {
    const db = await ledger();
    await expect(
      db.transaction((tx) => insertPayment(tx as Database, newPaymentId(), 'key-lonely-1')),
    ).rejects.toMatchObject({
      code: '23514',
    });
    expect(
      (await db.query("SELECT 1 FROM payments WHERE idempotency_key = 'key-lonely-1'")).rows,
    ).toHaveLength(0);
  });

  it('unbalanced or wrongly signed entries are rejected', async () => {
    const db = await ledger();
    const unbalanced = db.transaction(async (tx) => {
      const id = newPaymentId();
      await insertPayment(tx as Database, id, 'key-unbal-1');
      await tx.query(
        `INSERT INTO ledger_entries (payment_id, entry_type, account, amount, currency)
         VALUES ($1, 'debit', 'a', 500, 'EUR'), ($1, 'credit', 'b', -400, 'EUR')`,
        [id],
      );
    });
    await expect(unbalanced).rejects.toMatchObject({ code: '23514' });
    const wrongCurrency = db.transaction(async (tx) => {
      const id = newPaymentId();
      await insertPayment(tx as Database, id, 'key-unbal-2');
      await tx.query(
        `INSERT INTO ledger_entries (payment_id, entry_type, account, amount, currency)
         VALUES ($1, 'debit', 'a', 500, 'USD'), ($1, 'credit', 'b', -500, 'USD')`,
        [id],
      );
    });
    await expect(wrongCurrency).rejects.toMatchObject({ code: '23514' });
    const wrongSign = db.transaction(async (tx) => {
      const id = newPaymentId();
      await insertPayment(tx as Database, id, 'key-unbal-3');
      await tx.query(
        `INSERT INTO ledger_entries (payment_id, entry_type, account, amount, currency)
         VALUES ($1, 'debit', 'a', -500, 'EUR'), ($1, 'credit', 'b', 500, 'EUR')`,
        [id],
      );
    });
    await expect(wrongSign).rejects.toMatchObject({ code: '23514' });
    expect(
      (await db.query("SELECT 1 FROM payments WHERE idempotency_key LIKE 'key-unbal-%'")).rows,
    ).toHaveLength(0);
  });

  it('entries are immutable and payments change only to record completion, once', async () => {
    const db = await ledger();
    const { record } = await insertPaymentOnce(db, {
      id: newPaymentId(),
      idempotencyKey: 'key-immutable-1',
      requestHash: 'b'.repeat(64),
      amount: 700,
      currency: 'GBP',
      merchantId: 'm2',
      paymentMethodToken: 'tok_abcdefgh2',
      region: 'us-east-1',
    });
    await expect(db.query('UPDATE ledger_entries SET amount = amount * 2')).rejects.toMatchObject({
      code: '55000',
    });
    await expect(db.query('DELETE FROM ledger_entries')).rejects.toMatchObject({ code: '55000' });
    await expect(db.query('TRUNCATE ledger_entries, payments')).rejects.toMatchObject({ code: '55000' });
    await expect(db.query('UPDATE payments SET amount = 1')).rejects.toMatchObject({ code: '55000' });
    await expect(db.query('DELETE FROM payments')).rejects.toMatchObject({ code: '55000' });
    await markSideEffectsCompleted(db, record.id);
    await expect(db.query('UPDATE payments SET side_effects_completed_at = now()')).rejects.toMatchObject({
      code: '55000',
    });
  });
});

describe('application role', () => {
  it('is created once with exactly the grants the service needs', async () => {
    const tdb = await freshDatabase(true);
    const role = `payments_app_${uniqueSuffix()}`;
    tdb.trackRole(role);
    let createdRdsIam = false;
    const { rows } = await tdb.db.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_iam'");
    if (rows.length === 0) {
      await tdb.db.exec('CREATE ROLE rds_iam NOLOGIN');
      createdRdsIam = true;
    }
    expect(await ensureAppRole(tdb.db, role)).toEqual({ role, created: true, rdsIamGranted: true });
    if (createdRdsIam) tdb.trackRole('rds_iam');
    expect(await ensureAppRole(tdb.db, role)).toEqual({ role, created: false, rdsIamGranted: true });
    const { rows: members } = await tdb.db.query(
      `SELECT 1 FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.roleid JOIN pg_roles u ON u.oid = m.member
       WHERE r.rolname = 'rds_iam' AND u.rolname = $1`,
      [role],
    );
    expect(members).toHaveLength(1);

    const app = tdb.open({ role });
    const { record, created } = await insertPaymentOnce(app, {
      id: newPaymentId(),
      idempotencyKey: 'key-as-app-1',
      requestHash: 'c'.repeat(64),
      amount: 900,
      currency: 'USD',
      merchantId: 'm3',
      paymentMethodToken: 'tok_abcdefgh3',
      region: 'us-east-2',
    });
    expect(created).toBe(true);
    await markSideEffectsCompleted(app, record.id);
    expect((await app.query('SELECT id FROM payments')).rows).toHaveLength(1);
    await expect(app.query("UPDATE payments SET status = 'accepted'")).rejects.toMatchObject({
      code: '42501',
    });
    await expect(app.query('DELETE FROM ledger_entries')).rejects.toMatchObject({ code: '42501' });
    await expect(app.query('SELECT * FROM schema_migrations')).rejects.toMatchObject({ code: '42501' });
    await expect(app.query('CREATE TABLE app_owned (id int)')).rejects.toMatchObject({ code: '42501' });
  });

  it('rejects an unsafe role name', async () => {
    const { db } = open[0] ?? (await freshDatabase(true));
    await expect(ensureAppRole(db, 'bad"; DROP TABLE payments; --')).rejects.toThrow(/invalid role name/);
  });
});
