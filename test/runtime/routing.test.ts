import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createPgDatabase, type Database } from '../../runtime/shared/db';
import { createWritabilityProbe } from '../../runtime/shared/writability';
import { getPaymentEvent, parseBody, postPaymentEvent, proxyEvent, validPayment } from './support/events';
import { createPaymentHarness, type PaymentHarness } from './support/harness';

/** Routing, error mapping and database failures of the payment API. */
let h: PaymentHarness;

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
});

afterAll(async () => {
  await h?.close();
});

describe('database failures', () => {
  it('a connection lost once is retried transparently (the insert is idempotent by key)', async () => {
    let failures = 1;
    const flaky: Database = {
      ...h.tdb.db,
      transaction: (fn) => {
        if (failures-- > 0) {
          return Promise.reject(
            Object.assign(new Error('Connection terminated unexpectedly'), { code: 'ECONNRESET' }),
          );
        }
        return h.tdb.db.transaction(fn);
      },
    };
    const res = await h.handlerWith({ db: flaky })(postPaymentEvent({ body: validPayment({ amount: 31 }) }));
    expect(res.statusCode).toBe(201);
    expect(failures).toBe(-1);
  });

  it('an unreachable database is 503 DATABASE_UNAVAILABLE with Retry-After, for POST and GET', async () => {
    const down = createPgDatabase({ host: '127.0.0.1', port: 1, user: 'x', connectionTimeoutMillis: 500 });
    try {
      const handler = h.handlerWith({ db: down, writability: createWritabilityProbe(down) });
      const before = await h.counts();
      const post = await handler(postPaymentEvent());
      expect(post.statusCode).toBe(503);
      expect(post.headers?.['Retry-After']).toBe('2');
      expect(parseBody(post)).toMatchObject({ error: { code: 'DATABASE_UNAVAILABLE' } });
      const get = await handler(getPaymentEvent('pay_01HZZZZZZZZZZZZZZZZZZZZZZZ'));
      expect(get.statusCode).toBe(503);
      expect(await h.counts()).toEqual(before);
    } finally {
      await down.close();
    }
  });
});

describe('GET /payments/{id} and routing', () => {
  it('404 for an unknown payment', async () => {
    const res = await h.handler(getPaymentEvent('pay_01HZZZZZZZZZZZZZZZZZZZZZZZ'));
    expect(res.statusCode).toBe(404);
    expect(parseBody(res)).toEqual({ error: { code: 'PAYMENT_NOT_FOUND', message: expect.any(String) } });
  });

  it.each([
    'nope',
    'pay_123',
    "pay_01HZZZZZZZZZZZZZZZZZZZZZZ'",
    'pay_01HZZZZZZZZZZZZZZZZZZZZZZI',
    'pay_91HZZZZZZZZZZZZZZZZZZZZZZZ',
  ])('400 for the malformed id %s', async (id) => {
    const res = await h.handler(getPaymentEvent(id));
    expect(res.statusCode).toBe(400);
    expect(parseBody(res)).toMatchObject({ error: { code: 'INVALID_PAYMENT_ID', field: 'id' } });
  });

  it('404 JSON for an unknown route', async () => {
    const res = await h.handler(proxyEvent({ method: 'GET', path: '/refunds' }));
    expect(res.statusCode).toBe(404);
    expect(parseBody(res)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });

  it('405 JSON with Allow for a wrong method', async () => {
    const put = await h.handler(proxyEvent({ method: 'PUT', path: '/payments', resource: '/payments' }));
    expect(put.statusCode).toBe(405);
    expect(put.headers?.['Allow']).toBe('POST');
    expect(parseBody(put)).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
    const del = await h.handler(
      proxyEvent({
        method: 'DELETE',
        path: '/payments/pay_x',
        resource: '/payments/{id}',
        pathParameters: { id: 'pay_x' },
      }),
    );
    expect(del.statusCode).toBe(405);
    expect(del.headers?.['Allow']).toBe('GET');
  });

  it('does not serve the health routes: each has a function of its own (runtime/health/)', async () => {
    for (const path of ['/health', '/health/probe']) {
      const res = await h.handler(proxyEvent({ method: 'GET', path, resource: path }));
      expect(res.statusCode).toBe(404);
      expect(parseBody(res)).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
    }
  });

  it('names the serving region on every answer, errors included', async () => {
    const answers = [
      await h.handler(proxyEvent({ method: 'GET', path: '/nowhere', resource: '/nowhere' })),
      await h.handler(getPaymentEvent('pay_01HZZZZZZZZZZZZZZZZZZZZZZZ')),
      await h.handler(proxyEvent({ method: 'DELETE', path: '/payments' })),
      await h.handlerWith({ region: 'us-east-2' })(getPaymentEvent('pay_01HZZZZZZZZZZZZZZZZZZZZZZZ')),
    ];
    expect(answers.map((a) => a.headers?.['X-Served-By-Region'])).toEqual([
      'us-east-1',
      'us-east-1',
      'us-east-1',
      'us-east-2',
    ]);
  });

  it('echoes a valid X-Correlation-Id and replaces an invalid one with the request id', async () => {
    const ok = await h.handler(
      getPaymentEvent('pay_01HZZZZZZZZZZZZZZZZZZZZZZZ', { 'X-Correlation-Id': 'corr-123' }),
    );
    expect(ok.headers?.['X-Correlation-Id']).toBe('corr-123');
    const event = getPaymentEvent('pay_01HZZZZZZZZZZZZZZZZZZZZZZZ', { 'X-Correlation-Id': 'bad value!' });
    const bad = await h.handler(event);
    expect(bad.headers?.['X-Correlation-Id']).toBe(event.requestContext.requestId);
  });
});
