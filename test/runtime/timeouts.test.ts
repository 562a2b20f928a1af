import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sha256Canonical } from '../../runtime/shared/canonical-json';
import { createPgDatabase, type Database } from '../../runtime/shared/db';
import { newPaymentId } from '../../runtime/shared/ids';
import { createWritabilityProbe } from '../../runtime/shared/writability';
import { newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { createPaymentHarness, type PaymentHarness } from './support/harness';

/**
 * A request blocked in the ledger: the duplicate arriving meanwhile answers 409 at once instead of queueing
 * on the unique index, and the blocked request itself ends in 503 with Retry-After when its statement times
 * out (SQLSTATE 57014), never 500. Real PostgreSQL server only: PGlite has one connection, so nothing can
 * block on another session's lock there (CI always has a server).
 */
let h: PaymentHarness;
let shortTimeout: Database;
let blocker: Database;

beforeAll(async () => {
  if (!process.env.DATABASE_URL) return;
  h = await createPaymentHarness(inject('motoUrl'));
  shortTimeout = createPgDatabase({ connectionString: h.tdb.url, max: 4, statement_timeout: 400 });
  blocker = createPgDatabase({ connectionString: h.tdb.url, max: 1 });
});

afterAll(async () => {
  await shortTimeout?.close();
  await blocker?.close();
  await h?.close();
});

/**
 * Holds the ledger's unique entry for (merchant, key) in an open transaction until `release` is called,
 * as a request that committed nothing yet would; the blocked INSERT waits on it.
 */
async function holdKey(key: string): Promise<{ release: () => Promise<void> }> {
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  let locked!: () => void;
  const ready = new Promise<void>((r) => (locked = r));
  const tx = blocker
    .transaction(async (q) => {
      const p = validPayment();
      await q.query(
        `INSERT INTO payments (id, idempotency_key, request_hash, amount, currency, merchant_id,
           payment_method_type, payment_method_token, status, region)
         VALUES ($1, $2, $3, 1234, 'USD', 'merchant_42', 'card_token', 'tok_blocker12345', 'accepted', 'us-east-1')`,
        [newPaymentId(), key, sha256Canonical(p)],
      );
      locked();
      await held;
      throw new Error('rolled back on purpose');
    })
    .catch(() => undefined);
  await ready;
  return {
    release: async () => {
      release();
      await tx;
    },
  };
}

describe.skipIf(!process.env.DATABASE_URL)('a request blocked in the ledger', () => {
  it('gets 503 DATABASE_UNAVAILABLE with Retry-After on statement timeout; a duplicate gets 409 at once', async () => {
    const key = newKey('blocked');
    const hold = await holdKey(key);
    const handler = h.handlerWith({ db: shortTimeout, writability: createWritabilityProbe(shortTimeout) });
    try {
      const blocked = handler(postPaymentEvent({ idempotencyKey: key }));
      // Give the first request time to reserve the key and block in its INSERT.
      await new Promise((r) => setTimeout(r, 150));
      const started = Date.now();
      const duplicate = await handler(postPaymentEvent({ idempotencyKey: key }));
      expect(duplicate.statusCode).toBe(409);
      expect(parseBody(duplicate)).toMatchObject({ error: { code: 'IDEMPOTENCY_REQUEST_IN_PROGRESS' } });
      expect(duplicate.headers?.['Retry-After']).toBe('1');
      // It did not wait for the blocked statement (400 ms timeout) to end.
      expect(Date.now() - started).toBeLessThan(350);

      const res = await blocked;
      expect(res.statusCode).toBe(503);
      expect(parseBody(res)).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
      expect(res.headers?.['Retry-After']).toBe('2');
      expect(h.logs.some((l) => l.includes('"errorCode":"57014"'))).toBe(true);
    } finally {
      await hold.release();
    }
    // The lock is gone: the retry completes under the id reserved by the first request.
    const retry = await handler(postPaymentEvent({ idempotencyKey: key }));
    expect(retry.statusCode).toBe(201);
    const { rows } = await h.tdb.db.query<{ n: string }>(
      'SELECT count(*)::text AS n FROM payments WHERE idempotency_key = $1',
      [key],
    );
    expect(rows[0]?.n).toBe('1');
  });
});
