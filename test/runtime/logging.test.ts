import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { createPaymentApiHandler } from '../../runtime/payment-api/app';
import { createLogger } from '../../runtime/shared/logger';
import { getPaymentEvent, newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { createPaymentHarness, type PaymentHarness } from './support/harness';

/**
 * Logs as they leave the process (stdout): one JSON object per line, with the request's correlation id,
 * region, route, status and latency, and never the body, the card token, an Authorization header or a secret.
 */
let h: PaymentHarness;
let captured: string[] = [];

beforeAll(async () => {
  h = await createPaymentHarness(inject('motoUrl'));
});

afterAll(async () => {
  await h?.close();
});

afterEach(() => {
  vi.restoreAllMocks();
});

function captureStdout(): void {
  captured = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  });
}

function lines(): Array<Record<string, unknown>> {
  const text = captured.join('');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const SECRET_TOKEN = 'tok_SecretVaultToken9876';
const AUTHORIZATION = 'Bearer eyJhbGciOiJIUzI1NiJ9.super-secret-credential';
const DESCRIPTION = 'Private note: birthday present for Alice';

describe('request logs', () => {
  it('one JSON line per request with the required fields, and nothing sensitive', async () => {
    // The production handler with its default sink, writing to stdout.
    const handler = createPaymentApiHandler(async () => ({ ...h.deps, logSink: undefined }));
    const body = validPayment({
      description: DESCRIPTION,
      paymentMethod: { type: 'card_token', token: SECRET_TOKEN },
    });
    captureStdout();
    const res = await handler(
      postPaymentEvent({
        idempotencyKey: newKey(),
        body,
        headers: { Authorization: AUTHORIZATION, 'X-Correlation-Id': 'corr-log-001' },
      }),
    );
    const bad = await handler(
      postPaymentEvent({
        body: validPayment({
          paymentMethod: { type: 'card_token', token: '4111111111111111' },
          description: DESCRIPTION,
        }),
        headers: { Authorization: AUTHORIZATION },
      }),
    );
    const got = await handler(
      getPaymentEvent(parseBody<{ id: string }>(res).id, { 'x-correlation-id': 'corr-log-002' }),
    );
    vi.restoreAllMocks();

    expect([res.statusCode, bad.statusCode, got.statusCode]).toEqual([201, 400, 200]);
    const entries = lines();
    expect(entries).toHaveLength(3);
    expect(entries[0]).toMatchObject({
      level: 'info',
      message: 'request completed',
      correlationId: 'corr-log-001',
      region: 'us-east-1',
      route: 'POST /payments',
      status: 201,
      latencyMs: expect.any(Number),
      paymentId: parseBody<{ id: string }>(res).id,
    });
    expect(entries[1]).toMatchObject({ level: 'warn', route: 'POST /payments', status: 400 });
    expect(entries[2]).toMatchObject({
      correlationId: 'corr-log-002',
      route: 'GET /payments/{id}',
      status: 200,
    });
    expect(res.headers?.['X-Correlation-Id']).toBe('corr-log-001');

    const text = captured.join('');
    for (const secret of [
      SECRET_TOKEN,
      '4111111111111111',
      AUTHORIZATION,
      'super-secret-credential',
      DESCRIPTION,
      'Bearer',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('error logs of a failed side effect carry no token or body either', async () => {
    const handler = createPaymentApiHandler(async () => ({
      ...h.deps,
      logSink: undefined,
      targets: { ...h.deps.targets, receiptsBucket: `${h.names.receiptsBucket}-absent` },
    }));
    captureStdout();
    const res = await handler(
      postPaymentEvent({
        body: validPayment({
          description: DESCRIPTION,
          paymentMethod: { type: 'card_token', token: SECRET_TOKEN },
        }),
      }),
    );
    vi.restoreAllMocks();
    expect(res.statusCode).toBe(503);
    const entries = lines();
    expect(entries.map((e) => e.message)).toEqual(['payment side effect failed', 'request completed']);
    expect(entries[0]).toMatchObject({ level: 'error', component: 'receipt', errorName: expect.any(String) });
    const text = captured.join('');
    expect(text).not.toContain(SECRET_TOKEN);
    expect(text).not.toContain(DESCRIPTION);
  });
});

describe('logger', () => {
  it('scrubs anything shaped like a card token, even in error messages', () => {
    const out: string[] = [];
    const log = createLogger({ service: 'test' }, (line) => out.push(line));
    log.error('failed for tok_abcdefgh123', { errorMessage: 'bad value "tok_zzzzzzzz999" in row' });
    expect(out).toHaveLength(1);
    expect(out[0]).not.toMatch(/tok_(abcdefgh123|zzzzzzzz999)/);
    expect(JSON.parse(out[0] as string)).toMatchObject({ level: 'error', service: 'test' });
  });
});
