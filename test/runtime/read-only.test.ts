import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { reservationKey } from '../../runtime/payment-api/reservations';
import type { PaymentResource } from '../../runtime/payment-api/resource';
import type { Database } from '../../runtime/shared/db';
import { createWritabilityProbe, queryWritable } from '../../runtime/shared/writability';
import { getPaymentEvent, newKey, parseBody, postPaymentEvent } from './support/events';
import { createPaymentHarness, type PaymentHarness } from './support/harness';

/**
 * A region whose database is a read-only Aurora secondary: POST is refused with 503 REGION_READ_ONLY and
 * writes nothing anywhere; GET keeps working. The read-only database is real: a session with
 * default_transaction_read_only=on (server) or read-only transactions (PGlite).
 */
let h: PaymentHarness;
let readOnly: Database;
let seeded: PaymentResource;
let seededKey: string;

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
  seededKey = newKey('seed');
  const res = await h.handler(postPaymentEvent({ idempotencyKey: seededKey }));
  expect(res.statusCode).toBe(201);
  seeded = parseBody<PaymentResource>(res);
  readOnly = h.tdb.open({ readOnly: true });
});

afterAll(async () => {
  await h?.close();
});

describe('read-only region', () => {
  it('the test database handle really is read-only', async () => {
    expect(await queryWritable(readOnly)).toBe(false);
    await expect(readOnly.query("UPDATE payments SET status = 'accepted'")).rejects.toMatchObject({
      code: '25006',
    });
  });

  it('POST answers 503 REGION_READ_ONLY with Retry-After and writes nothing anywhere', async () => {
    const before = await h.counts();
    const handler = h.handlerWith({ db: readOnly, writability: createWritabilityProbe(readOnly) });
    const res = await handler(postPaymentEvent({ sessionId: 'sess_ro_000001' }));
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('10');
    expect(parseBody(res)).toEqual({ error: { code: 'REGION_READ_ONLY', message: expect.any(String) } });
    expect(await h.counts()).toEqual(before);
    expect(await h.counts(readOnly)).toEqual(before);
  });

  it('a replay of an existing key is refused too, without touching DynamoDB or S3', async () => {
    const before = await h.counts();
    const handler = h.handlerWith({ db: readOnly, writability: createWritabilityProbe(readOnly) });
    const res = await handler(postPaymentEvent({ idempotencyKey: seededKey }));
    expect(res.statusCode).toBe(503);
    expect(await h.counts()).toEqual(before);
  });

  it('a stale "writable" answer still ends in REGION_READ_ONLY (SQLSTATE 25006); only the key stays reserved', async () => {
    const before = await h.counts();
    let invalidated = false;
    const stale = { isWritable: async () => true, invalidate: () => void (invalidated = true) };
    const handler = h.handlerWith({ db: readOnly, writability: stale });
    const key = newKey('stale');
    const res = await handler(postPaymentEvent({ idempotencyKey: key, sessionId: 'sess_ro_000002' }));
    expect(res.statusCode).toBe(503);
    expect(parseBody(res)).toMatchObject({ error: { code: 'REGION_READ_ONLY' } });
    expect(invalidated).toBe(true);
    // The reservation came before the ledger: it binds the key to this body and id, its lease given up, so
    // the retry (in a writable region) continues at once under the reserved id. Nothing else was written.
    expect(await h.counts()).toEqual({ ...before, reservations: before.reservations + 1 });
    const { Item } = await h.aws.documents.send(
      new GetCommand({ TableName: h.names.controlTable, Key: { pk: reservationKey('merchant_42', key) } }),
    );
    expect(Item).toMatchObject({ state: 'pending', leaseExpiresAt: 0 });
    const retry = await h.handler(postPaymentEvent({ idempotencyKey: key }));
    expect(retry.statusCode).toBe(201);
    expect(parseBody<PaymentResource>(retry).id).toBe(Item?.paymentId);
    expect(retry.headers?.['Idempotent-Replayed']).toBeUndefined();
  });

  it('GET still works', async () => {
    const handler = h.handlerWith({ db: readOnly, writability: createWritabilityProbe(readOnly) });
    const res = await handler(getPaymentEvent(seeded.id));
    expect(res.statusCode).toBe(200);
    expect(parseBody(res)).toEqual(seeded);
  });
});

describe('writability probe', () => {
  it('caches the answer for its TTL and asks again afterwards', async () => {
    let now = 0;
    let queries = 0;
    let answer = 'off';
    const db = {
      query: async () => {
        queries += 1;
        return { rows: [{ transaction_read_only: answer }], rowCount: 1 };
      },
      exec: async () => undefined,
    };
    const probe = createWritabilityProbe(db as unknown as Database, { ttlMs: 2000, now: () => now });
    expect(await probe.isWritable()).toBe(true);
    answer = 'on';
    now = 1999;
    expect(await probe.isWritable()).toBe(true);
    expect(queries).toBe(1);
    now = 2000;
    expect(await probe.isWritable()).toBe(false);
    expect(queries).toBe(2);
    probe.invalidate();
    await Promise.all([probe.isWritable(), probe.isWritable(), probe.isWritable()]);
    expect(queries).toBe(3);
  });

  it('does not cache failures', async () => {
    let fail = true;
    const db = {
      query: async () => {
        if (fail) throw new Error('connection refused');
        return { rows: [{ transaction_read_only: 'off' }], rowCount: 1 };
      },
      exec: async () => undefined,
    };
    const probe = createWritabilityProbe(db as unknown as Database);
    await expect(probe.isWritable()).rejects.toThrow('connection refused');
    fail = false;
    expect(await probe.isWritable()).toBe(true);
  });
});
