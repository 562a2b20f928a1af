import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { commitReservation, reservationKey } from '../../runtime/payment-api/reservations';
import type { PaymentResource } from '../../runtime/payment-api/resource';
import {
  RecoveryRefusedError,
  recoverLostWrites,
  type RecoveryDeps,
} from '../../runtime/recovery/lost-writes';
import type { Database } from '../../runtime/shared/db';
import { activateRegion, createFenceGuard } from '../../runtime/shared/fence';
import { newPaymentId } from '../../runtime/shared/ids';
import { listKeys, scanAll } from './support/aws';
import { createMigratedTestDatabase, type TestDatabase } from './support/database';
import { newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { countRows, createPaymentHarness, type PaymentHarness } from './support/harness';

/**
 * The diff-and-re-record core of lost-write recovery against two real PostgreSQL databases: the harness ledger
 * stands for the old primary (what the restored `rds:unplanned-global-failover-*` snapshot holds), `promoted`
 * for the promoted us-east-2 ledger. Asynchronous replication is played by copying some rows across; the
 * rest were lost. The control table and bucket are moto's.
 */
let h: PaymentHarness;
let promoted: TestDatabase;
const ids: Record<string, string> = {};
const keys: Record<string, string> = {};

/** Copies one payment with its entries, as Aurora replication would have. */
async function replicate(from: Database, to: Database, id: string): Promise<void> {
  const { rows } = await from.query<Record<string, unknown>>('SELECT * FROM payments WHERE id = $1', [id]);
  const { rows: entries } = await from.query<Record<string, unknown>>(
    'SELECT * FROM ledger_entries WHERE payment_id = $1',
    [id],
  );
  const p = rows[0] as Record<string, unknown>;
  await to.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO payments (id, idempotency_key, request_hash, amount, currency, merchant_id, reference, description,
         payment_method_type, payment_method_token, status, region, created_at, side_effects_completed_at)
       VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14)`,
      [
        p.id,
        p.idempotency_key,
        p.request_hash,
        p.amount,
        p.currency,
        p.merchant_id,
        p.reference,
        p.description,
        p.payment_method_type,
        p.payment_method_token,
        p.status,
        p.region,
        p.created_at,
        p.side_effects_completed_at,
      ],
    );
    for (const e of entries)
      await tx.query(
        'INSERT INTO ledger_entries (payment_id, entry_type, account, amount, currency, created_at) VALUES ($1,$2,$3,$4,$5,$6)',
        [e.payment_id, e.entry_type, e.account, e.amount, e.currency, e.created_at],
      );
  });
}

/** A payment recorded straight into a ledger, with no reservation (as before reservations existed). */
async function legacy(db: Database, key: string, amount: number): Promise<string> {
  const id = newPaymentId();
  await db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO payments (id, idempotency_key, request_hash, amount, currency, merchant_id, payment_method_type,
         payment_method_token, status, region)
       VALUES ($1, $2, repeat('b', 64), $3, 'USD', 'merchant_42', 'card_token', 'tok_legacy123456', 'accepted', 'us-east-1')`,
      [id, key, amount],
    );
    await tx.query(
      `INSERT INTO ledger_entries (payment_id, entry_type, account, amount, currency) VALUES
         ($1, 'debit', 'card_clearing', $2, 'USD'), ($1, 'credit', 'merchant_payable:merchant_42', $3, 'USD')`,
      [id, amount, -amount],
    );
  });
  return id;
}

const deps = (region = 'us-east-2'): RecoveryDeps => ({
  source: h.tdb.db,
  target: promoted.db,
  targets: h.deps.targets,
  fence: createFenceGuard({ ddb: h.aws.documents, table: h.names.controlTable, region, cacheMs: 0 }),
  region,
  now: () => new Date(),
});

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
  promoted = await createMigratedTestDatabase();
  // Seven payments through the real API in us-east-1 (each answered 201, reservation committed).
  for (const name of ['r1', 'r2', 'r3', 'lost1', 'lost2', 'retried', 'solo']) {
    keys[name] = newKey(name);
    const res = await h.handler(
      postPaymentEvent({ idempotencyKey: keys[name], body: validPayment({ amount: 100 }) }),
    );
    expect(res.statusCode).toBe(201);
    ids[name] = parseBody<PaymentResource>(res).id;
  }
  // Replicated before the failure: r1..r3 and solo.
  for (const name of ['r1', 'r2', 'r3', 'solo']) await replicate(h.tdb.db, promoted.db, ids[name] as string);
  // A payment from before reservations, whose key the promoted ledger holds for another payment: a conflict.
  keys.legacy = newKey('legacy');
  ids.legacy = await legacy(h.tdb.db, keys.legacy, 300);
  ids.legacyOther = await legacy(promoted.db, keys.legacy, 301);
  // A payment lost from both ledgers whose reservation was committed (e.g. the snapshot could not be taken).
  ids.ghost = newPaymentId();
  await commitReservation(
    { ddb: h.aws.documents, table: h.names.controlTable },
    {
      id: ids.ghost,
      merchantId: 'merchant_42',
      idempotencyKey: newKey('ghost'),
      requestHash: 'c'.repeat(64),
      amount: 4200,
      currency: 'EUR',
      region: 'us-east-1',
      createdAt: new Date(),
    },
    { now: new Date() },
  );
  // Unplanned failover: the fence moves to us-east-2; a client retries `retried` there.
  await activateRegion(h.aws.documents, h.names.controlTable, {
    region: 'us-east-2',
    by: 'test',
    reason: 'dr',
  });
});

afterAll(async () => {
  await promoted?.close();
  await h?.close();
});

describe('recover-lost-writes core', () => {
  it('refuses to write unless the fence names the promoted region', async () => {
    const before = await countRows(promoted.db);
    await expect(recoverLostWrites(deps('us-east-1'))).rejects.toBeInstanceOf(RecoveryRefusedError);
    expect(await countRows(promoted.db)).toEqual(before);
  });

  it('a dry run reports exactly the lost payments and writes nothing', async () => {
    const before = await countRows(promoted.db);
    const report = await recoverLostWrites(deps(), { dryRun: true, batchSize: 2 });
    expect(report.rerecorded.map((p) => p.id).sort()).toEqual([ids.lost1, ids.lost2, ids.retried].sort());
    expect(await countRows(promoted.db)).toEqual(before);
  });

  it('re-records exactly the rows that were lost, under their ids, with entries and side effects', async () => {
    // `retried` is recorded again by its client's retry in us-east-2 before the recovery runs.
    const retry = await h.handlerIn(
      'us-east-2',
      promoted.db,
    )(postPaymentEvent({ idempotencyKey: keys.retried as string, body: validPayment({ amount: 100 }) }));
    expect(retry.statusCode).toBe(201);
    const receiptsBefore = (await listKeys(h.aws, h.names.receiptsBucket)).length;

    const report = await recoverLostWrites(deps(), { batchSize: 2 });
    expect(report.rerecorded.map((p) => p.id).sort()).toEqual([ids.lost1, ids.lost2].sort());
    expect(report.present).toBe(5); // r1..r3, solo, retried
    expect(report.incomplete).toEqual([]);
    expect(report.conflicts).toEqual([
      expect.objectContaining({
        id: ids.legacy,
        reason: `the promoted ledger holds ${ids.legacyOther} for this key`,
      }),
    ]);
    expect(report.unrecoverable).toEqual([
      expect.objectContaining({ paymentId: ids.ghost, amount: 4200, currency: 'EUR' }),
    ]);
    expect(report.scanned).toBe(8);

    // In the promoted ledger now as they were in the old primary: same id, key, time, region, entries.
    for (const name of ['lost1', 'lost2']) {
      const [a, b] = await Promise.all(
        [h.tdb.db, promoted.db].map((db) =>
          db.query(
            `SELECT id, idempotency_key, request_hash, amount::text, currency, merchant_id, reference, description,
               payment_method_token, region, created_at,
               (SELECT string_agg(entry_type || ':' || amount::text || ':' || account, ',' ORDER BY entry_type)
                  FROM ledger_entries e WHERE e.payment_id = p.id) AS entries
             FROM payments p WHERE id = $1`,
            [ids[name]],
          ),
        ),
      );
      expect(b?.rows[0]).toEqual(a?.rows[0]);
    }
    const { rows } = await promoted.db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM payments WHERE id = ANY($1::text[]) AND side_effects_completed_at IS NOT NULL',
      [[ids.lost1, ids.lost2]],
    );
    expect(rows[0]?.n).toBe('2');
    // Their receipts were written (the other receipts already existed) and the reservations still name them.
    const receipts = await listKeys(h.aws, h.names.receiptsBucket);
    expect(receipts.length).toBe(receiptsBefore);
    for (const name of ['lost1', 'lost2'])
      expect(receipts.some((k) => k.includes(ids[name] as string))).toBe(true);
    const items = await scanAll(h.aws, h.names.controlTable);
    for (const name of ['lost1', 'lost2'])
      expect(items.find((i) => i.pk === reservationKey('merchant_42', keys[name] as string))).toMatchObject({
        paymentId: ids[name],
        state: 'committed',
        region: 'us-east-1',
      });
  });

  it('run again, finds everything present and writes nothing twice', async () => {
    const before = await countRows(promoted.db);
    const items = await scanAll(h.aws, h.names.controlTable);
    const report = await recoverLostWrites(deps());
    expect(report.rerecorded).toEqual([]);
    expect(report.present).toBe(7);
    expect(report.conflicts).toHaveLength(1);
    expect(await countRows(promoted.db)).toEqual(before);
    expect(await scanAll(h.aws, h.names.controlTable)).toEqual(items);
    const { rows } = await promoted.db.query<{ id: string; n: string }>(
      'SELECT idempotency_key AS id, count(*)::text AS n FROM payments GROUP BY idempotency_key HAVING count(*) > 1',
    );
    expect(rows).toEqual([]);
  });
});
