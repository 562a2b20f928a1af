import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PaymentResource } from '../../runtime/payment-api/resource';
import { newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { createPaymentHarness, type PaymentHarness } from './support/harness';

/**
 * 100 identical POSTs racing with one Idempotency-Key in one region: the conditional reservation lets exactly
 * one through; the others answer at once, 409 IDEMPOTENCY_REQUEST_IN_PROGRESS while it is in flight (none waits
 * on the database) or the original 201 once it is done. (The same race across two regions against the MRSC
 * model is in test/runtime/mrsc-guarantees.test.ts.)
 */
let h: PaymentHarness;

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
});

afterAll(async () => {
  await h?.close();
});

describe('concurrent duplicate POSTs', () => {
  it('create exactly one payment; every other request gets it or an immediate 409 in progress', async () => {
    const key = newKey('race');
    const body = validPayment({ amount: 4200 });
    const send = () => h.handler(postPaymentEvent({ idempotencyKey: key, body, sessionId: 'sess_race_01' }));
    const responses = await Promise.all(Array.from({ length: 100 }, send));

    const statuses = new Set(responses.map((r) => r.statusCode));
    expect([...statuses].every((s) => s === 201 || s === 409)).toBe(true);
    const created = responses.filter((r) => r.statusCode === 201);
    expect(new Set(created.map((r) => r.body)).size).toBe(1);
    // Exactly one response is the original, all other 201s are marked as replays.
    expect(created.filter((r) => r.headers?.['Idempotent-Replayed'] === undefined)).toHaveLength(1);
    for (const r of responses.filter((x) => x.statusCode === 409)) {
      expect(parseBody(r)).toMatchObject({ error: { code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS' } });
      expect(r.headers?.['Retry-After']).toBe('1');
    }
    const payment = parseBody<PaymentResource>(created[0] as { body: string });
    expect(payment.amount).toBe(4200);

    // Retried after Retry-After, every one of them gets the same payment.
    const retried = await Promise.all(Array.from({ length: 10 }, send));
    expect(retried.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(retried.map((r) => r.body))).toEqual(new Set([created[0]?.body]));

    const { rows } = await h.tdb.db.query<{ id: string }>(
      'SELECT id FROM payments WHERE idempotency_key = $1',
      [key],
    );
    expect(rows.map((r) => r.id)).toEqual([payment.id]);
    expect(await h.counts()).toEqual({
      payments: 1,
      ledgerEntries: 2,
      reservations: 1,
      sessionItems: 1,
      receipts: 1,
    });
    const { rows: sums } = await h.tdb.db.query<{ total: string }>(
      'SELECT sum(amount)::text AS total FROM ledger_entries WHERE payment_id = $1',
      [payment.id],
    );
    expect(sums[0]?.total).toBe('0');
  });

  it('different keys racing each get their own payment', async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        h.handler(postPaymentEvent({ body: validPayment({ amount: 100 + i }) })),
      ),
    );
    expect(responses.every((r) => r.statusCode === 201)).toBe(true);
    expect(new Set(responses.map((r) => parseBody<PaymentResource>(r).id)).size).toBe(20);
    const counts = await h.counts();
    expect(counts.payments).toBe(21);
    expect(counts.ledgerEntries).toBe(42);
    expect(counts.reservations).toBe(21);
  });
});
