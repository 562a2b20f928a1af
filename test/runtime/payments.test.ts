import { GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { PaymentResource } from '../../runtime/payment-api/resource';
import { sha256Canonical } from '../../runtime/shared/canonical-json';
import { getPaymentEvent, newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { createPaymentHarness, type PaymentHarness } from './support/harness';
import { reservationKey } from '../../runtime/payment-api/reservations';

let h: PaymentHarness;

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
});

afterAll(async () => {
  await h?.close();
});

describe('POST /payments happy path', () => {
  let key: string;
  let created: PaymentResource;
  const sessionId = 'sess_happy_0001';

  it('answers 201 with the payment, naming the serving region', async () => {
    key = newKey();
    const before = Date.now();
    const res = await h.handler(postPaymentEvent({ idempotencyKey: key, sessionId }));
    expect(res.statusCode).toBe(201);
    created = parseBody<PaymentResource>(res);
    expect(created).toEqual({
      id: expect.stringMatching(/^pay_[0-7][0-9A-HJKMNP-TV-Z]{25}$/),
      status: 'accepted',
      amount: 1234,
      currency: 'USD',
      merchantId: 'merchant_42',
      reference: 'order-1001',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      region: 'us-east-1',
    });
    expect(Object.keys(created)).toHaveLength(8);
    expect(Date.parse(created.createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(res.headers?.['Content-Type']).toMatch(/^application\/json/);
    expect(res.headers?.['Location']).toBe(`/payments/${created.id}`);
    expect(res.headers?.['Idempotent-Replayed']).toBeUndefined();
    expect(res.headers?.['X-Correlation-Id']).toBeTruthy();
  });

  it('writes one payment row and two ledger entries that sum to zero, in one currency', async () => {
    const { rows: payments } = await h.tdb.db.query<Record<string, unknown>>(
      'SELECT idempotency_key, request_hash, amount::text AS amount, currency, status, region, side_effects_completed_at FROM payments WHERE id = $1',
      [created.id],
    );
    expect(payments).toHaveLength(1);
    expect(payments[0]).toMatchObject({
      idempotency_key: key,
      request_hash: sha256Canonical(validPayment()),
      amount: '1234',
      currency: 'USD',
      status: 'accepted',
      region: 'us-east-1',
    });
    expect(payments[0]?.side_effects_completed_at).not.toBeNull();
    const { rows: entries } = await h.tdb.db.query<{
      entry_type: string;
      amount: string;
      currency: string;
      account: string;
    }>(
      'SELECT entry_type, amount::text AS amount, currency, account FROM ledger_entries WHERE payment_id = $1 ORDER BY entry_type',
      [created.id],
    );
    expect(entries).toEqual([
      { entry_type: 'credit', amount: '-1234', currency: 'USD', account: 'merchant_payable:merchant_42' },
      { entry_type: 'debit', amount: '1234', currency: 'USD', account: 'card_clearing' },
    ]);
    expect(entries.reduce((sum, e) => sum + Number(e.amount), 0)).toBe(0);
  });

  it('reserves the key for the payment id before the ledger and commits the reservation after (no TTL)', async () => {
    const { Item } = await h.aws.documents.send(
      new GetCommand({
        TableName: h.names.controlTable,
        Key: { pk: reservationKey('merchant_42', key) },
        ConsistentRead: true,
      }),
    );
    expect(Item).toMatchObject({
      pk: `rsv#merchant_42#${key}`,
      requestHash: sha256Canonical(validPayment()),
      paymentId: created.id,
      state: 'committed',
      region: 'us-east-1',
      leaseRegion: 'us-east-1',
      createdAt: created.createdAt,
      amount: created.amount,
      currency: created.currency,
    });
    expect(Item?.expiresAt).toBeUndefined();
  });

  it('writes the session record with a 30 min TTL', async () => {
    const { Item } = await h.aws.documents.send(
      new GetCommand({ TableName: h.names.sessionsTable, Key: { pk: sessionId }, ConsistentRead: true }),
    );
    expect(Item).toMatchObject({ pk: sessionId, lastPaymentId: created.id, region: 'us-east-1' });
    const updatedAt = Date.parse(Item?.updatedAt as string);
    expect(Item?.expiresAt).toBe(Math.floor(updatedAt / 1000) + 1800);
  });

  it('stores the receipt under receipts/YYYY/MM/DD/<id>.json with SSE-KMS and no token', async () => {
    const day = created.createdAt.slice(0, 10).replace(/-/g, '/');
    const key = `receipts/${day}/${created.id}.json`;
    const head = await h.aws.s3.send(new HeadObjectCommand({ Bucket: h.names.receiptsBucket, Key: key }));
    expect(head.ServerSideEncryption).toBe('aws:kms');
    expect(head.SSEKMSKeyId).toBe(h.names.receiptsKmsKeyArn);
    expect(head.ContentType).toBe('application/json');
    const object = await h.aws.s3.send(new GetObjectCommand({ Bucket: h.names.receiptsBucket, Key: key }));
    const text = await object.Body?.transformToString();
    expect(text).not.toContain('tok_');
    expect(JSON.parse(text ?? '')).toMatchObject({
      paymentId: created.id,
      amount: 1234,
      currency: 'USD',
      amountFormatted: '12.34',
      merchantId: 'merchant_42',
      region: 'us-east-1',
      createdAt: created.createdAt,
    });
  });

  it('GET /payments/{id} returns the same representation', async () => {
    const res = await h.handler(getPaymentEvent(created.id));
    expect(res.statusCode).toBe(200);
    expect(parseBody(res)).toEqual(created);
    expect(res.headers?.['Cache-Control']).toBe('no-store');
  });

  it('replaying the same key and body returns the original response without writing', async () => {
    const before = await h.counts();
    const res = await h.handler(postPaymentEvent({ idempotencyKey: key, sessionId }));
    expect(res.statusCode).toBe(201);
    expect(res.body).toBe(JSON.stringify(created));
    expect(res.headers?.['Idempotent-Replayed']).toBe('true');
    expect(await h.counts()).toEqual(before);
  });

  it('treats key order and whitespace as the same body', async () => {
    const p = validPayment();
    const reordered = `{ "paymentMethod": ${JSON.stringify(p.paymentMethod)}, "description": "Two coffees",
      "reference": "order-1001", "merchantId": "merchant_42", "currency": "USD", "amount": 1234 }`;
    const res = await h.handler(postPaymentEvent({ idempotencyKey: key, rawBody: reordered }));
    expect(res.statusCode).toBe(201);
    expect(res.body).toBe(JSON.stringify(created));
  });

  it('same key with a different body is 422 (IETF Idempotency-Key draft) and writes nothing', async () => {
    const before = await h.counts();
    const res = await h.handler(
      postPaymentEvent({ idempotencyKey: key, body: validPayment({ amount: 1235 }) }),
    );
    expect(res.statusCode).toBe(422);
    expect(parseBody(res)).toEqual({
      error: { code: 'IDEMPOTENCY_KEY_REUSED', message: expect.any(String) },
    });
    expect(await h.counts()).toEqual(before);
  });

  it('scopes keys to the merchant: another merchant with the same key gets its own payment', async () => {
    const res = await h.handler(
      postPaymentEvent({ idempotencyKey: key, body: validPayment({ merchantId: 'merchant_other' }) }),
    );
    expect(res.statusCode).toBe(201);
    expect(res.headers?.['Idempotent-Replayed']).toBeUndefined();
    const other = parseBody<PaymentResource>(res);
    expect(other.id).not.toBe(created.id);
    expect(other.merchantId).toBe('merchant_other');
    const { rows } = await h.tdb.db.query<{ merchant_id: string }>(
      'SELECT merchant_id FROM payments WHERE idempotency_key = $1 ORDER BY merchant_id',
      [key],
    );
    expect(rows.map((r) => r.merchant_id)).toEqual(['merchant_42', 'merchant_other']);
  });
});

describe('other currencies and optional fields', () => {
  it('accepts a zero-decimal currency without optional fields and renders the receipt amount', async () => {
    const body = {
      amount: 500,
      currency: 'JPY',
      merchantId: 'm-1',
      paymentMethod: validPayment().paymentMethod,
    };
    const res = await h.handler(postPaymentEvent({ body }));
    expect(res.statusCode).toBe(201);
    const payment = parseBody<PaymentResource>(res);
    expect(payment).toMatchObject({ amount: 500, currency: 'JPY', reference: null });
    const day = payment.createdAt.slice(0, 10).replace(/-/g, '/');
    const object = await h.aws.s3.send(
      new GetObjectCommand({ Bucket: h.names.receiptsBucket, Key: `receipts/${day}/${payment.id}.json` }),
    );
    expect(JSON.parse((await object.Body?.transformToString()) ?? '')).toMatchObject({
      amountFormatted: '500',
    });
  });

  it('renders three-decimal currencies', async () => {
    const res = await h.handler(postPaymentEvent({ body: validPayment({ amount: 1005, currency: 'BHD' }) }));
    expect(res.statusCode).toBe(201);
  });

  it('accepts a base64-encoded body', async () => {
    const raw = Buffer.from(JSON.stringify(validPayment({ amount: 77 }))).toString('base64');
    const res = await h.handler(postPaymentEvent({ rawBody: raw, isBase64Encoded: true }));
    expect(res.statusCode).toBe(201);
    expect(parseBody(res)).toMatchObject({ amount: 77 });
  });

  it('accepts header names in any case', async () => {
    const event = postPaymentEvent({ idempotencyKey: null, contentType: null });
    event.headers = { 'CONTENT-TYPE': 'Application/JSON; Charset=UTF-8', 'idempotency-KEY': newKey() };
    event.multiValueHeaders = {};
    const res = await h.handler(event);
    expect(res.statusCode).toBe(201);
  });
});
