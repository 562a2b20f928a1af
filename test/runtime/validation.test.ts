import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { newKey, parseBody, postPaymentEvent } from './support/events';
import { cases, token } from './support/malformed-cases';
import { createPaymentHarness, type PaymentHarness } from './support/harness';

/**
 * Malformed requests: each gets the documented 4xx, error code and field, and none of them writes anything
 * (no payment or ledger row, no DynamoDB item, no S3 object).
 */
let h: PaymentHarness;

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
});

afterAll(async () => {
  await h?.close();
});

describe('malformed POST /payments requests', () => {
  it('has at least 30 distinct cases', () => {
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('$name -> $status $code', async ({ request, status, code, field }) => {
    const res = await h.handler(postPaymentEvent(request));
    expect(res.statusCode).toBe(status);
    const body = parseBody<{ error: { code: string; message: string; field?: string } }>(res);
    expect(body.error.code).toBe(code);
    expect(body.error.message).toEqual(expect.any(String));
    if (field === undefined) expect(body.error.field).toBeUndefined();
    else expect(body.error.field).toBe(field);
    expect(Object.keys(body)).toEqual(['error']);
    expect(res.headers?.['Content-Type']).toMatch(/^application\/json/);
    // Error messages never echo submitted values.
    expect(res.body).not.toContain('4242424242424242');
    expect(res.body).not.toContain(token);
  });

  it('wrote nothing anywhere', async () => {
    expect(await h.counts()).toEqual({
      payments: 0,
      ledgerEntries: 0,
      reservations: 0,
      sessionItems: 0,
      receipts: 0,
    });
  });

  it('a valid request with a quoted charset is accepted (the cases above fail for their stated reason)', async () => {
    const res = await h.handler(
      postPaymentEvent({ contentType: 'application/json; charset="UTF-8"', idempotencyKey: newKey() }),
    );
    expect(res.statusCode).toBe(201);
  });
});
