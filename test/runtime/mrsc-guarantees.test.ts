import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { reconcileIncompletePayments } from '../../runtime/payment-api/reconcile';
import { reservationKey } from '../../runtime/payment-api/reservations';
import type { PaymentResource } from '../../runtime/payment-api/resource';
import { createFenceGuard, FENCE_KEY } from '../../runtime/shared/fence';
import { createLogger } from '../../runtime/shared/logger';
import { createWritabilityProbe } from '../../runtime/shared/writability';
import { listKeys, scanAll } from './support/aws';
import { createMigratedTestDatabase, type TestDatabase } from './support/database';
import { newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { countIncomplete, countRows, createPaymentHarness, type PaymentHarness } from './support/harness';
import { twoRegions } from './support/regions';

/**
 * The payment-integrity guarantees across regions, against real PostgreSQL, moto (S3, sessions) and the MRSC
 * test double for the payment control table (moto does not model multi-Region strong consistency; the double
 * enforces quorum, linearizable conditional writes and cross-Region write conflicts as AWS documents them:
 * test/support/mrsc-double.ts).
 */
let h: PaymentHarness;
let other: TestDatabase;

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
  other = await createMigratedTestDatabase();
});

afterAll(async () => {
  await other?.close();
  await h?.close();
});

const idsFor = async (key: string, db = h.tdb.db) =>
  (
    await db.query<{ id: string }>('SELECT id FROM payments WHERE idempotency_key = $1 ORDER BY id', [key])
  ).rows.map((r) => r.id);

describe('the double-payment sequence of the outside review', () => {
  it('now yields one payment: a retry after an unplanned failover never gets a new id', async () => {
    // us-east-1 records the payment; the client gets 201 and its reservation is committed in both replicas.
    const world = await twoRegions(h, { secondLedger: other.db });
    const key = newKey('review');
    const first = await world.handler('us-east-1')(postPaymentEvent({ idempotencyKey: key }));
    expect(first.statusCode).toBe(201);
    const original = parseBody<PaymentResource>(first);

    // Unplanned failover: us-east-1 is cut off, the plan moves the fence from us-east-2 (quorum with the
    // witness), and the promoted ledger (`other`) lost the last row.
    world.mrsc.isolate('us-east-1');
    await world.activate('us-east-2');
    expect(await idsFor(key, other.db)).toEqual([]);

    // The client retries while the reservation write is browning out in us-east-2: 503 with Retry-After,
    // never a new payment id (the old code swallowed this error and recorded the retry under a new id).
    world.mrsc.inject('us-east-2', 'write', 'hang');
    const during = await world.handler('us-east-2')(postPaymentEvent({ idempotencyKey: key }));
    expect(during.statusCode).toBe(503);
    expect(parseBody(during)).toMatchObject({ error: { code: 'IDEMPOTENCY_UNAVAILABLE' } });
    expect(during.headers?.['Retry-After']).toBe('2');
    expect(await idsFor(key, other.db)).toEqual([]);

    // The next retry gets the original payment, re-recorded under its reserved id, time and region.
    const retry = await world.handler('us-east-2')(postPaymentEvent({ idempotencyKey: key }));
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(first.body);
    expect(retry.headers?.['Idempotent-Replayed']).toBe('true');
    expect(retry.headers?.['X-Served-By-Region']).toBe('us-east-2');
    expect(await idsFor(key, other.db)).toEqual([original.id]);
    expect(world.logs.some((l) => l.includes('re-recorded under its reserved id'))).toBe(true);

    // One key, one payment id, one receipt; the reservation still names the original.
    const receipts = (await listKeys(h.aws, h.names.receiptsBucket)).filter((k) => k.includes(original.id));
    expect(receipts).toHaveLength(1);
    expect(world.mrsc.latest(world.table, reservationKey('merchant_42', key))).toMatchObject({
      paymentId: original.id,
      state: 'committed',
      region: 'us-east-1',
    });

    const again = await world.handler('us-east-2')(postPaymentEvent({ idempotencyKey: key }));
    expect(again.body).toBe(first.body);
    expect(await countRows(other.db)).toMatchObject({ payments: 1, ledgerEntries: 2 });

    // Same key, another body: 422, nothing written.
    const before = await countRows(other.db);
    const mismatch = await world.handler('us-east-2')(
      postPaymentEvent({ idempotencyKey: key, body: validPayment({ amount: 1 }) }),
    );
    expect(mismatch.statusCode).toBe(422);
    expect(parseBody(mismatch)).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await countRows(other.db)).toEqual(before);
  });
});

describe('100 concurrent duplicates across two regions', () => {
  it('get one payment id even without the fence and with a ledger per region (split brain)', async () => {
    // The fence is bypassed on purpose: this shows what the reservation alone guarantees when both regions
    // write (as they could within the fence's cache bound), each into a ledger of its own.
    const second = await createMigratedTestDatabase();
    try {
      const world = await twoRegions(h, { secondLedger: second.db, fence: 'none' });
      const key = newKey('two-regions');
      const body = validPayment({ amount: 777 });
      const regions = ['us-east-1', 'us-east-2'] as const;
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          world.handler(regions[i % 2] as (typeof regions)[number])(
            postPaymentEvent({ idempotencyKey: key, body }),
          ),
        ),
      );
      const statuses = responses.map((r) => r.statusCode);
      expect(statuses.every((s) => s === 201 || s === 409 || s === 503)).toBe(true);
      const ids = new Set(
        responses.filter((r) => r.statusCode === 201).map((r) => parseBody<PaymentResource>(r).id),
      );
      // At most one id in the burst: under load the reservation's holder may itself answer 503 (every wait is
      // bounded) and leave the payment to the retries below, which must then all name that one id.
      expect(ids.size).toBeLessThanOrEqual(1);
      // Cross-region writes of the one reservation item really conflicted (and were retried or answered 503).
      expect(world.mrsc.conflicts).toBeGreaterThan(0);

      // Clients retry, one after the other, in both regions: the same single id, at most one row per ledger,
      // under that id.
      const retries = [];
      for (const r of [...regions, ...regions])
        retries.push(await world.handler(r)(postPaymentEvent({ idempotencyKey: key, body })));
      expect(retries.map((r) => r.statusCode)).toEqual([201, 201, 201, 201]);
      const all = new Set([...ids, ...retries.map((r) => parseBody<PaymentResource>(r).id)]);
      expect(all.size).toBe(1);
      const [id] = [...all];
      const union = [...(await idsFor(key)), ...(await idsFor(key, second.db))];
      expect(new Set(union)).toEqual(new Set([id]));
      expect(world.mrsc.items(world.table).filter((i) => String(i.pk).startsWith('rsv#'))).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe('a fenced region', () => {
  const everything = async (db = h.tdb.db) => ({
    ledger: await countRows(db),
    sessions: (await scanAll(h.aws, h.names.sessionsTable)).length,
    receipts: (await listKeys(h.aws, h.names.receiptsBucket)).length,
  });

  it('that the fence does not name writes nothing anywhere, whichever name the client used', async () => {
    const world = await twoRegions(h, { secondLedger: other.db });
    const before = await everything(other.db);
    const writes = world.mrsc.log.length;
    for (const host of ['payments.example.org', 'payments-use2.example.org']) {
      const event = postPaymentEvent({ idempotencyKey: newKey('fenced'), sessionId: 'sess_fenced_1' });
      event.headers = { ...event.headers, Host: host };
      const res = await world.handler('us-east-2')(event);
      expect(res.statusCode).toBe(503);
      expect(parseBody(res)).toMatchObject({ error: { code: 'REGION_NOT_ACTIVE' } });
      expect(res.headers?.['Retry-After']).toBe('10');
    }
    expect(await everything(other.db)).toEqual(before);
    expect(world.mrsc.log.length).toBe(writes);
    expect(world.logs.some((l) => l.includes('write refused by the regional fence'))).toBe(true);
  });

  it('cut off from the quorum (an isolated us-east-1 whose database still takes writes) writes nothing', async () => {
    const world = await twoRegions(h);
    // A payment left incomplete before the isolation: the reconcile run would otherwise write its receipt.
    await h.tdb.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO payments (id, idempotency_key, request_hash, amount, currency, merchant_id,
           payment_method_type, payment_method_token, status, region)
         VALUES ('pay_01M8TERQFREQ3RR2V19DZKPF3P', 'isolated-incomplete', repeat('a', 64), 5, 'USD', 'm_iso',
           'card_token', 'tok_isolated1234', 'accepted', 'us-east-1')`,
      );
      await tx.query(
        `INSERT INTO ledger_entries (payment_id, entry_type, account, amount, currency) VALUES
           ('pay_01M8TERQFREQ3RR2V19DZKPF3P', 'debit', 'card_clearing', 5, 'USD'),
           ('pay_01M8TERQFREQ3RR2V19DZKPF3P', 'credit', 'merchant_payable:m_iso', -5, 'USD')`,
      );
    });
    expect(await countIncomplete(h.tdb.db)).toBe(1);
    world.mrsc.isolate('us-east-1');
    const before = await everything();
    const writes = world.mrsc.log.length;
    const res = await world.handler('us-east-1')(postPaymentEvent({ idempotencyKey: newKey('isolated') }));
    expect(res.statusCode).toBe(503);
    expect(parseBody(res)).toMatchObject({ error: { code: 'REGION_NOT_ACTIVE' } });

    const fence = createFenceGuard({
      ddb: world.mrsc.client('us-east-1', h.aws.documents),
      table: world.table,
      region: 'us-east-1',
      cacheMs: 0,
    });
    const reconcile = await reconcileIncompletePayments(
      {
        db: h.tdb.db,
        writability: createWritabilityProbe(h.tdb.db),
        fence,
        targets: { ...h.deps.targets, ddb: world.mrsc.client('us-east-1', h.aws.documents) },
        region: 'us-east-1',
        now: () => new Date(),
      },
      createLogger({ service: 'test' }, () => undefined),
      { olderThanMs: 0, limit: 10, reserveMs: 0, maxConsecutiveFailures: 3 },
    );
    expect(reconcile).toEqual({ status: 'skipped_not_active', verdict: 'unreachable' });
    expect(await everything()).toEqual(before);
    expect(await countIncomplete(h.tdb.db)).toBe(1);
    expect(world.mrsc.log.length).toBe(writes);

    // Back online after the fence moved: it reads the fence with quorum again and still refuses.
    await world.activate('us-east-2');
    world.mrsc.heal();
    world.mrsc.catchUp('us-east-1');
    expect(world.mrsc.latest(world.table, FENCE_KEY)?.activeRegion).toBe('us-east-2');
    const after = await world.handler('us-east-1')(postPaymentEvent({ idempotencyKey: newKey('rejoined') }));
    expect(parseBody(after)).toMatchObject({ error: { code: 'REGION_NOT_ACTIVE' } });
    expect(await everything()).toEqual(before);
  });
});
