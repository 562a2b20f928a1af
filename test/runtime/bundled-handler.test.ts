import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleFunction } from '../../src/bundling/bundle';
import { healthEvent, newKey, parseBody, postPaymentEvent } from './support/events';
import { createPaymentHarness, type PaymentHarness } from './support/harness';
import { TEST_CREDENTIALS } from './support/aws';
import { TEST_MERCHANTS } from './support/merchants';

/**
 * The deployed artefacts themselves: the esbuild bundles of the payment and health functions (as zipped for
 * Lambda), loaded from disk with only environment variables, serving POST /payments and /health against
 * PostgreSQL and moto. This
 * catches what a source-level test cannot: a dependency that bundles wrongly (module format, dynamic requires).
 */
type Handler = (event: unknown) => Promise<{ statusCode: number; body: string }>;
let h: PaymentHarness;
let handler: Handler;
let healthHandler: Handler;
const saved = { ...process.env };

beforeAll(async () => {
  if (!process.env.DATABASE_URL) return;
  h = await createPaymentHarness(inject('motoUrl'));
  const out = mkdtempSync(join(tmpdir(), 'bundled-'));
  bundleFunction('payment-api', { outDir: out, noCache: true });
  bundleFunction('health', { outDir: out, noCache: true });
  Object.assign(process.env, {
    AWS_REGION: h.region,
    AWS_ENDPOINT_URL: inject('motoUrl'),
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    DATABASE_URL: h.tdb.url as string,
    CONTROL_TABLE: h.names.controlTable,
    SESSIONS_TABLE: h.names.sessionsTable,
    RECEIPTS_BUCKET: h.names.receiptsBucket,
    RECEIPTS_KMS_KEY_ARN: h.names.receiptsKmsKeyArn,
    MERCHANTS: JSON.stringify(TEST_MERCHANTS),
  });
  const mod = (await import(join(out, 'payment-api', 'index.js'))) as {
    handler?: Handler;
    default?: { handler?: Handler };
  };
  handler = (mod.handler ?? mod.default?.handler) as Handler;
  const health = (await import(join(out, 'health', 'index.js'))) as typeof mod;
  healthHandler = (health.handler ?? health.default?.handler) as Handler;
});

afterAll(async () => {
  process.env = saved;
  await h?.close();
});

// A PostgreSQL server is needed: the bundle connects by URL (PGlite is in-process only). CI always has one.
describe.skipIf(!process.env.DATABASE_URL)('the bundled payment and health functions', () => {
  it('answers the deep health check (the health function, committing its heartbeat)', async () => {
    const res = await healthHandler(healthEvent());
    expect(res.statusCode).toBe(200);
    expect(parseBody(res)).toEqual({ status: 'ok', region: h.region, role: 'active' });
  });

  it('records a payment and replays it', async () => {
    const key = newKey('bundle');
    const first = await handler(postPaymentEvent({ idempotencyKey: key }));
    expect(first.statusCode).toBe(201);
    const again = await handler(postPaymentEvent({ idempotencyKey: key }));
    expect(again.body).toBe(first.body);
    expect(await h.counts()).toMatchObject({
      payments: 1,
      ledgerEntries: 2,
      receipts: 1,
      reservations: 1,
    });
  });
});
