import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PaymentResource } from '../../runtime/payment-api/resource';
import { newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { createPaymentHarness, type PaymentHarness } from './support/harness';

/** 100 identical POSTs racing with one Idempotency-Key: the unique constraint lets exactly one through. */
let h: PaymentHarness;

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
});

afterAll(async () => {
  await h?.close();
});

describe('concurrent duplicate POSTs', () => {
  it('create exactly one payment and answer every request with it', async () => {
    const key = newKey('race');
    const body = validPayment({ amount: 4200 });
    const responses = await Promise.all(
      Array.from({ length: 100 }, () =>
        h.handler(postPaymentEvent({ idempotencyKey: key, body, sessionId: 'sess_race_01' })),
      ),
    );

    const statuses = responses.map((r) => r.statusCode);
    if (process.env.DEBUG_RACE)
      console.log(statuses.join(','), h.logs.filter((l) => l.includes('"error"')).slice(0, 5));
    expect(statuses.every((s) => s === 201)).toBe(true);
    const bodies = new Set(responses.map((r) => r.body));
    expect(bodies.size).toBe(1);
    const payment = parseBody<PaymentResource>(responses[0] as { body: string });
    expect(payment.amount).toBe(4200);
    // Exactly one response is the original, all others are marked as replays.
    expect(responses.filter((r) => r.headers?.['Idempotent-Replayed'] === undefined)).toHaveLength(1);

    const { rows } = await h.tdb.db.query<{ id: string }>(
      'SELECT id FROM payments WHERE idempotency_key = $1',
      [key],
    );
    expect(rows.map((r) => r.id)).toEqual([payment.id]);
    const counts = await h.counts();
    expect(counts).toEqual({
      payments: 1,
      ledgerEntries: 2,
      idempotencyItems: 1,
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
  });
});
