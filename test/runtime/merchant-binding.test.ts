import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey } from './support/events';
import { MERCHANT_OF, type MerchantServer, startMerchantServer } from './support/merchant-server';

/**
 * Merchant binding end to end (issue #14), through the local server (SigV4-verified callers, the identity API
 * Gateway reports) and the payment function against PostgreSQL (or PGlite) and moto: a caller acts for the one
 * merchant its principal is bound to, and for no other.
 */
let s: MerchantServer;

beforeAll(async () => {
  s = await startMerchantServer();
});

afterAll(async () => {
  await s?.close();
});

describe('merchant binding', () => {
  it('lets a caller pay for its own merchant and read its own payment', async () => {
    const created = await s.post('alice', MERCHANT_OF.alice);
    expect(created.status).toBe(201);
    expect(created.body.merchantId).toBe(MERCHANT_OF.alice);
    const read = await s.get('alice', created.body.id as string);
    expect(read.status).toBe(200);
    expect(read.body.id).toBe(created.body.id);
    // An IAM user principal is bound too (bob).
    expect((await s.post('bob', MERCHANT_OF.bob)).status).toBe(201);
  });

  it('refuses a POST for another merchant with 403 MERCHANT_FORBIDDEN, writing nothing', async () => {
    const before = await s.paymentCount();
    const reservations = await s.reservationKeys();
    const res = await s.post('bob', MERCHANT_OF.alice);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: {
        code: 'MERCHANT_FORBIDDEN',
        message: 'the calling principal may not act for this merchant',
        field: 'merchantId',
      },
    });
    expect(await s.paymentCount()).toBe(before);
    expect(await s.reservationKeys()).toEqual(reservations);
  });

  it("answers another merchant's payment 404, exactly like a payment that does not exist", async () => {
    const created = await s.post('alice', MERCHANT_OF.alice);
    expect(created.status).toBe(201);
    const foreign = await s.get('bob', created.body.id as string);
    const missing = await s.get('bob', 'pay_01ZZZZZZZZZZZZZZZZZZZZZZZZ');
    expect(foreign.status).toBe(404);
    expect(foreign.body).toEqual(missing.body);
    expect(foreign.body).toEqual({ error: { code: 'PAYMENT_NOT_FOUND', message: 'no payment has this id' } });
  });

  it('refuses a signed caller bound to no merchant with 403 MERCHANT_NOT_BOUND on both routes', async () => {
    const before = await s.paymentCount();
    const created = await s.post('alice', MERCHANT_OF.alice);
    for (const merchantId of [MERCHANT_OF.alice, 'm_mallory']) {
      const res = await s.post('mallory', merchantId);
      expect(res.status).toBe(403);
      expect((res.body.error as { code: string }).code).toBe('MERCHANT_NOT_BOUND');
    }
    const read = await s.get('mallory', created.body.id as string);
    expect(read.status).toBe(403);
    expect((read.body.error as { code: string }).code).toBe('MERCHANT_NOT_BOUND');
    expect(await s.paymentCount()).toBe(before + 1);
  });

  it('scopes Idempotency-Keys by the authenticated merchant: the same key of two merchants never collides', async () => {
    const key = newKey('shared');
    const a = await s.post('alice', MERCHANT_OF.alice, key);
    const b = await s.post('bob', MERCHANT_OF.bob, key);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toBe(b.body.id);
    expect([a.body.merchantId, b.body.merchantId]).toEqual([MERCHANT_OF.alice, MERCHANT_OF.bob]);
    // Each replay answers its own merchant's payment.
    expect((await s.post('alice', MERCHANT_OF.alice, key)).body.id).toBe(a.body.id);
    expect((await s.post('bob', MERCHANT_OF.bob, key)).body.id).toBe(b.body.id);
    // Bob cannot reach alice's reservation through her key either: his attempt is refused before any lookup.
    expect((await s.post('bob', MERCHANT_OF.alice, key)).status).toBe(403);
    const keys = await s.reservationKeys();
    expect(keys).toContain(`rsv#${MERCHANT_OF.alice}#${key}`);
    expect(keys).toContain(`rsv#${MERCHANT_OF.bob}#${key}`);
  });
});
