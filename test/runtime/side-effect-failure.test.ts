import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureBucket, ensureTable } from '../../runtime/local/provision';
import type { PaymentResource } from '../../runtime/payment-api/resource';
import { newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { countIncomplete, createPaymentHarness, type PaymentHarness } from './support/harness';

/**
 * A side effect fails after the ledger commit: the client gets a retryable error, the payment stays recorded
 * exactly once, and retrying the same request completes what is missing and returns the original response.
 */
let h: PaymentHarness;

beforeAll(async () => {
  // Start with no bucket and no sessions table: those writes fail until they are created.
  h = await createPaymentHarness(inject('motoUrl'), { createBucket: false });
});

afterAll(async () => {
  await h?.close();
});

const pendingRows = () => countIncomplete(h.tdb.db);

describe('receipt bucket missing', () => {
  const key = newKey('s3fail');
  const body = validPayment({ amount: 999 });

  it('answers 503 PAYMENT_INCOMPLETE with Retry-After, keeping the ledger write', async () => {
    const res = await h.handler(postPaymentEvent({ idempotencyKey: key, body }));
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('1');
    expect(parseBody(res)).toEqual({ error: { code: 'PAYMENT_INCOMPLETE', message: expect.any(String) } });
    expect(await h.counts()).toMatchObject({ payments: 1, ledgerEntries: 2, receipts: 0 });
    expect(await pendingRows()).toBe(1);
    const failure = h.logs.map((l) => JSON.parse(l)).find((l) => l.message === 'payment side effect failed');
    expect(failure).toMatchObject({ level: 'error', component: 'receipt' });
  });

  it('a retry after the bucket exists completes the receipt and returns the payment', async () => {
    await ensureBucket(h.aws.s3, h.names.receiptsBucket, h.region);
    const res = await h.handler(postPaymentEvent({ idempotencyKey: key, body }));
    expect(res.statusCode).toBe(201);
    expect(res.headers?.['Idempotent-Replayed']).toBe('true');
    const payment = parseBody<PaymentResource>(res);
    expect(await h.counts()).toMatchObject({
      payments: 1,
      ledgerEntries: 2,
      receipts: 1,
      reservations: 1,
    });
    expect(await pendingRows()).toBe(0);
    const day = payment.createdAt.slice(0, 10).replace(/-/g, '/');
    const head = await h.aws.s3.send(
      new HeadObjectCommand({ Bucket: h.names.receiptsBucket, Key: `receipts/${day}/${payment.id}.json` }),
    );
    expect(head.ServerSideEncryption).toBe('aws:kms');

    // Further replays return the identical body and touch nothing.
    const before = await h.counts();
    const again = await h.handler(postPaymentEvent({ idempotencyKey: key, body }));
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(res.body);
    expect(await h.counts()).toEqual(before);
  });
});

describe('sessions table missing', () => {
  it('fails with 503, then a retry writes the session record', async () => {
    const broken = h.handlerWith({
      targets: { ...h.deps.targets, sessionsTable: `${h.names.sessionsTable}-later` },
    });
    const key = newKey('ddbfail');
    const first = await broken(postPaymentEvent({ idempotencyKey: key, sessionId: 'sess_fail_0001' }));
    expect(first.statusCode).toBe(503);
    expect(await pendingRows()).toBe(1);

    await ensureTable(h.aws.dynamodb, `${h.names.sessionsTable}-later`);
    const second = await broken(postPaymentEvent({ idempotencyKey: key, sessionId: 'sess_fail_0001' }));
    expect(second.statusCode).toBe(201);
    const { Item } = await h.aws.documents.send(
      new GetCommand({
        TableName: `${h.names.sessionsTable}-later`,
        Key: { pk: 'sess_fail_0001' },
        ConsistentRead: true,
      }),
    );
    expect(Item?.lastPaymentId).toBe(parseBody<PaymentResource>(second).id);
    expect(await pendingRows()).toBe(0);
  });
});

describe('an injected S3 fault', () => {
  it('a transient error on the receipt write is recovered by the retry', async () => {
    let failuresLeft = 1;
    const s3 = h.aws.s3;
    const flaky = Object.create(s3) as typeof s3;
    flaky.send = ((command: unknown, ...rest: unknown[]) => {
      if (command instanceof PutObjectCommand && failuresLeft > 0) {
        failuresLeft -= 1;
        return Promise.reject(
          Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' }),
        );
      }
      return (s3.send as (...args: unknown[]) => Promise<unknown>)(command, ...rest);
    }) as typeof s3.send;
    const handler = h.handlerWith({ targets: { ...h.deps.targets, s3: flaky } });
    const key = newKey('flaky');
    const first = await handler(postPaymentEvent({ idempotencyKey: key }));
    expect(first.statusCode).toBe(503);
    const second = await handler(postPaymentEvent({ idempotencyKey: key }));
    expect(second.statusCode).toBe(201);
    const { rows } = await h.tdb.db.query('SELECT 1 FROM payments WHERE idempotency_key = $1', [key]);
    expect(rows).toHaveLength(1);
  });
});
