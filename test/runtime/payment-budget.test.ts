import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalClient, localClient, postPayment } from '../../runtime/local/client';
import { type LocalServer, type LocalServerOptions, startLocalServer } from '../../runtime/local/server';
import { createPaymentApiHandler, PAYMENT_REQUEST_BUDGET_MS } from '../../runtime/payment-api/app';
import { NOT_ACTIVE_RETRY_AFTER_SECONDS } from '../../runtime/payment-api/errors';
import { DEFAULT_FENCE_READ_TIMEOUT_MS } from '../../runtime/shared/fence';
import { createPgDatabase, type Database } from '../../runtime/shared/db';
import { createWritabilityProbe } from '../../runtime/shared/writability';
import { type FaultServer, startFaultServer } from '../../scripts/dev/loopback-faults';
import { TEST_CREDENTIALS, testAws, uniqueNames } from './support/aws';
import { createMigratedTestDatabase, type TestDatabase } from './support/database';
import { newKey, parseBody, postPaymentEvent, validPayment } from './support/events';
import { LOCAL_CALLER_MERCHANTS, TEST_MERCHANTS } from './support/merchants';

/**
 * The payment path answers within its budget when a dependency accepts connections and never answers (or
 * resets them): real sockets on loopback, through the local server over HTTP. Each answer is a 4xx/5xx with
 * a JSON body and, for 503, Retry-After; measured latencies are printed for the record.
 */
const SLACK_MS = 1000;
let tdb: TestDatabase;
let silent: FaultServer;
let reset: FaultServer;
const servers: LocalServer[] = [];
const extraDbs: Database[] = [];

beforeAll(async () => {
  tdb = await createMigratedTestDatabase();
  [silent, reset] = await Promise.all([startFaultServer('silent'), startFaultServer('reset')]);
});

afterAll(async () => {
  for (const s of servers) await s.close();
  for (const d of extraDbs) await d.close();
  await Promise.all([silent?.close(), reset?.close()]);
  await tdb?.close();
});

async function serve(options: Partial<LocalServerOptions>): Promise<LocalClient> {
  const server = await startLocalServer({
    port: 0,
    merchants: LOCAL_CALLER_MERCHANTS,
    database: tdb.db,
    credentials: TEST_CREDENTIALS,
    region: 'us-east-1',
    ...uniqueNames(),
    migrate: false,
    provision: false,
    logSink: () => undefined,
    env: {},
    ...options,
  });
  servers.push(server);
  return localClient(server.url, { region: 'us-east-1' });
}

const timedPost = (client: LocalClient, key = newKey('budget')) =>
  postPayment(client, key, JSON.stringify(validPayment()), PAYMENT_REQUEST_BUDGET_MS + 10_000);

describe('POST /payments within its budget', () => {
  it('AWS accepts connections and never answers: 503 REGION_NOT_ACTIVE within the fence read, nothing recorded', async () => {
    const client = await serve({ awsEndpoint: silent.url });
    const key = newKey('silent');
    const r = await timedPost(client, key);
    console.info(`POST, AWS silent: ${r.status} ${r.code} in ${r.ms.toFixed(0)} ms`);
    // The write fence cannot be read (no quorum, as far as this region can tell): the region refuses.
    expect(r).toMatchObject({ status: 503, code: 'REGION_NOT_ACTIVE' });
    expect(r.retryAfter).toBe(String(NOT_ACTIVE_RETRY_AFTER_SECONDS));
    expect(r.ms).toBeLessThan(DEFAULT_FENCE_READ_TIMEOUT_MS + SLACK_MS);
    const { rows } = await tdb.db.query<{ n: string | number }>(
      'SELECT count(*) AS n FROM payments WHERE idempotency_key = $1',
      [key],
    );
    expect(Number(rows[0]?.n)).toBe(0);
  }, 30_000);

  it('AWS resets every connection: 503 REGION_NOT_ACTIVE at once', async () => {
    const client = await serve({ awsEndpoint: reset.url });
    const r = await timedPost(client);
    console.info(`POST, AWS resets: ${r.status} ${r.code} in ${r.ms.toFixed(0)} ms`);
    expect(r).toMatchObject({ status: 503, code: 'REGION_NOT_ACTIVE' });
    expect(r.ms).toBeLessThan(2000);
  });

  it('the database accepts connections and never answers: 503 DATABASE_UNAVAILABLE after the connect timeout', async () => {
    const hung = createPgDatabase({
      host: '127.0.0.1',
      port: silent.port,
      user: 'nobody',
      database: 'none',
      connectionTimeoutMillis: 3000,
      query_timeout: 6000,
    });
    extraDbs.push(hung);
    // The emulator holds the control table (provisioned, the fence naming this region): only the database hangs.
    const client = await serve({ database: hung, awsEndpoint: inject('motoUrl'), provision: true });
    const r = await timedPost(client);
    console.info(`POST, database silent: ${r.status} ${r.code} in ${r.ms.toFixed(0)} ms`);
    expect(r).toMatchObject({
      status: 503,
      code: 'DATABASE_UNAVAILABLE',
      retryAfter: '2',
    });
    // One connect timeout: a timeout is not retried (it would double the wait).
    expect(r.ms).toBeLessThan(3000 + SLACK_MS);
  }, 30_000);

  it('GET /health answers 503 within its own deadline when AWS never answers', async () => {
    const client = await serve({ awsEndpoint: silent.url, healthTimeoutMs: 1000 });
    const started = performance.now();
    const res = await client({ method: 'GET', path: '/health', unsigned: true });
    const ms = performance.now() - started;
    console.info(`GET /health, AWS silent: ${res.status} in ${ms.toFixed(0)} ms`);
    expect(res.status).toBe(503);
    // The fence read never answers either: the region cannot show it is active.
    expect(await res.json()).toEqual({ status: 'unavailable', region: 'us-east-1', role: 'passive' });
    expect(ms).toBeLessThan(1000 + SLACK_MS);
  });
});

describe('the request budget', () => {
  it('answers 503 DEADLINE_EXCEEDED with Retry-After when the work outlasts it', async () => {
    const hanging = {
      query: () => new Promise<never>(() => undefined),
      exec: () => new Promise<never>(() => undefined),
      transaction: () => new Promise<never>(() => undefined),
      close: async () => undefined,
    } as unknown as Database;
    const aws = testAws(inject('motoUrl'));
    const logs: string[] = [];
    const handler = createPaymentApiHandler(async () => ({
      db: hanging,
      writability: createWritabilityProbe(hanging),
      targets: { ddb: aws.documents, s3: aws.s3, ...uniqueNames() },
      region: 'us-east-1',
      merchants: TEST_MERCHANTS,
      requestBudgetMs: 300,
      logSink: (line) => logs.push(line),
    }));
    const started = Date.now();
    const res = await handler(postPaymentEvent({ body: validPayment() }));
    expect(Date.now() - started).toBeLessThan(300 + SLACK_MS);
    expect(res.statusCode).toBe(503);
    expect(res.headers?.['Retry-After']).toBe('1');
    expect(parseBody(res)).toMatchObject({ error: { code: 'DEADLINE_EXCEEDED' } });
    expect(logs.some((l) => l.includes('request budget spent'))).toBe(true);
    aws.documents.destroy();
    aws.s3.destroy();
    aws.dynamodb.destroy();
  });
});
