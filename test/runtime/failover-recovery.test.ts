import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { activateRegion } from '../../runtime/shared/fence';
import { newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { countRows, createPaymentHarness, type PaymentHarness } from './support/harness';
import { createMigratedTestDatabase, type TestDatabase } from './support/database';

/**
 * An unplanned failover can lose the last seconds of ledger writes (Aurora replicates asynchronously) while
 * their reservations, written with multi-Region strong consistency, are in both regions. Here a second, empty
 * ledger stands for the promoted us-east-2 cluster that lost the row, and the moto control table for the
 * reservation table both regions read (moto does not model MRSC: the quorum itself is tested against the
 * MRSC double in mrsc-guarantees.test.ts). A client retry must get its original payment back, not a second one.
 */
let h: PaymentHarness;
let promoted: TestDatabase;

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
  promoted = await createMigratedTestDatabase();
});

afterAll(async () => {
  await promoted?.close();
  await h?.close();
});

const afterFailover = () => h.handlerIn('us-east-2', promoted.db);

describe('a payment the promoted database lost', () => {
  const key = newKey('lost');
  let original: { body: string; id: string };

  beforeAll(async () => {
    const res = await h.handler(postPaymentEvent({ idempotencyKey: key }));
    expect(res.statusCode).toBe(201);
    original = { body: res.body, id: parseBody<{ id: string }>(res).id };
  });

  it('is refused in us-east-2 until the fence names it, writing nothing', async () => {
    const res = await afterFailover()(postPaymentEvent({ idempotencyKey: key }));
    expect(res.statusCode).toBe(503);
    expect(parseBody(res)).toMatchObject({ error: { code: 'REGION_NOT_ACTIVE' } });
    expect(await countRows(promoted.db)).toEqual({ payments: 0, ledgerEntries: 0 });
  });

  it('is answered with the original payment (same id, time, body) and recorded again once', async () => {
    await activateRegion(h.aws.documents, h.names.controlTable, {
      region: 'us-east-2',
      by: 'test',
      reason: 'unplanned failover',
    });
    const retry = await afterFailover()(postPaymentEvent({ idempotencyKey: key }));
    expect(retry.statusCode).toBe(201);
    expect(retry.body).toBe(original.body);
    expect(retry.headers?.['Idempotent-Replayed']).toBe('true');
    expect(retry.headers?.['X-Served-By-Region']).toBe('us-east-2');
    expect(await countRows(promoted.db)).toEqual({ payments: 1, ledgerEntries: 2 });
    const { rows } = await promoted.db.query<{ id: string; region: string }>(
      'SELECT id, region FROM payments WHERE idempotency_key = $1',
      [key],
    );
    expect(rows).toEqual([{ id: original.id, region: 'us-east-1' }]);
    expect(h.logs.some((l) => l.includes('re-recorded under its reserved id'))).toBe(true);

    const again = await afterFailover()(postPaymentEvent({ idempotencyKey: key }));
    expect(again.body).toBe(original.body);
    expect(await countRows(promoted.db)).toEqual({ payments: 1, ledgerEntries: 2 });
  });

  it('refuses the same key with a different body with 422, writing nothing', async () => {
    const before = await countRows(promoted.db);
    const res = await afterFailover()(
      postPaymentEvent({ idempotencyKey: key, body: validPayment({ amount: 999 }) }),
    );
    expect(res.statusCode).toBe(422);
    expect(parseBody(res)).toMatchObject({ error: { code: 'IDEMPOTENCY_KEY_REUSED' } });
    expect(await countRows(promoted.db)).toEqual(before);
  });
});
