import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newKey } from '../runtime/support/events';
import {
  type CallerName,
  MERCHANT_OF,
  type MerchantServer,
  startMerchantServer,
} from '../runtime/support/merchant-server';

/**
 * Broken object-level authorization, counted (issue #14): every way one caller could act on another merchant's
 * payments through the local server (the payment function behind the API Gateway stand-in), each tried once. An
 * attempt succeeds when it is answered 2xx. The count is printed; it must be 0.
 */
let s: MerchantServer;

beforeAll(async () => {
  s = await startMerchantServer();
});

afterAll(async () => {
  await s?.close();
});

type Attempt = { what: string; run: () => Promise<{ status: number }> };

describe('cross-merchant attempts', () => {
  it('none succeeds', async () => {
    // The victims' own payments, made with their own principals.
    const aliceKey = newKey('victim');
    const alice = await s.post('alice', MERCHANT_OF.alice, aliceKey);
    const bob = await s.post('bob', MERCHANT_OF.bob);
    expect([alice.status, bob.status]).toEqual([201, 201]);
    const aliceId = alice.body.id as string;
    const bobId = bob.body.id as string;

    const attempts: Attempt[] = [];
    const others: Array<[CallerName, string, string]> = [
      ['bob', MERCHANT_OF.alice, aliceId],
      ['alice', MERCHANT_OF.bob, bobId],
      ['mallory', MERCHANT_OF.alice, aliceId],
      ['mallory', MERCHANT_OF.bob, bobId],
    ];
    for (const [caller, victim, paymentId] of others) {
      attempts.push(
        { what: `${caller} POSTs a payment for ${victim}`, run: () => s.post(caller, victim) },
        { what: `${caller} GETs ${victim}'s payment`, run: () => s.get(caller, paymentId) },
      );
    }
    attempts.push(
      // Replaying the victim's key and body: the original answer would leak alice's payment.
      {
        what: "bob replays alice's Idempotency-Key and body",
        run: () => s.post('bob', MERCHANT_OF.alice, aliceKey),
      },
      {
        what: "mallory replays alice's Idempotency-Key and body",
        run: () => s.post('mallory', MERCHANT_OF.alice, aliceKey),
      },
      { what: 'mallory POSTs for a merchant of its own choosing', run: () => s.post('mallory', 'm_mallory') },
      {
        what: "an unsigned GET of alice's payment",
        run: () => s.as('alice')({ method: 'GET', path: `/payments/${aliceId}`, unsigned: true }),
      },
    );

    const succeeded: string[] = [];
    for (const a of attempts) {
      const { status } = await a.run();
      if (status >= 200 && status < 300) succeeded.push(`${a.what} (${status})`);
    }
    console.log(
      `cross-merchant attempts: ${attempts.length}, succeeded: ${succeeded.length}${succeeded.length > 0 ? `\n  ${succeeded.join('\n  ')}` : ''}`,
    );
    expect(succeeded).toEqual([]);
    // The victims' payments are untouched and still theirs.
    expect((await s.get('alice', aliceId)).status).toBe(200);
    expect((await s.get('bob', bobId)).status).toBe(200);
  });
});
