import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HealthDeps } from '../../runtime/health/checks';
import { createPaymentApiHandler } from '../../runtime/payment-api/app';
import { paymentApiDepsFromEnv } from '../../runtime/payment-api/deps';
import { createS3Client } from '../../runtime/shared/aws';
import { createPgDatabase, type Database, type Queryable } from '../../runtime/shared/db';
import { createWritabilityProbe } from '../../runtime/shared/writability';
import {
  createResources,
  destroyResources,
  type ResourceNames,
  type TestAws,
  testAws,
  uniqueNames,
  TEST_CREDENTIALS,
} from './support/aws';
import { createTestDatabase, type TestDatabase } from './support/database';
import { healthEvent, parseBody, proxyEvent } from './support/events';

/**
 * Deep health, through the payment function's handler (API Gateway routes GET /health to it): 200 only when
 * every dependency answers in time and the database is writable.
 */
let tdb: TestDatabase;
let aws: TestAws;
let names: ResourceNames;
let logs: string[];
let silentServer: Server;
let silentUrl: string;
const sockets = new Set<Socket>();
const cleanups: Array<() => Promise<void>> = [];

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

beforeAll(async () => {
  tdb = await createTestDatabase();
  aws = testAws(inject('motoUrl'));
  names = uniqueNames();
  await createResources(aws, names);
  // Accepts connections and never answers: a dependency that hangs.
  silentServer = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => silentServer.listen(0, '127.0.0.1', done));
  silentUrl = `http://127.0.0.1:${(silentServer.address() as { port: number }).port}`;
});

afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
  for (const socket of sockets) socket.destroy();
  await new Promise<void>((done) => silentServer.close(() => done()));
  await destroyResources(aws, names);
  await tdb.close();
});

type HealthOverrides = Partial<Omit<HealthDeps, 'dynamodb'>>;

/** The payment handler wired to the test resources, with the health-relevant dependencies overridable. */
function healthHandler(overrides: HealthOverrides = {}) {
  logs = [];
  const db = overrides.db ?? tdb.db;
  return createPaymentApiHandler(async () => ({
    db: db as Database,
    writability: createWritabilityProbe(db as Database),
    targets: {
      ddb: aws.documents,
      s3: overrides.s3 ?? aws.s3,
      controlTable: overrides.idempotencyTable ?? names.controlTable,
      sessionsTable: names.sessionsTable,
      receiptsBucket: overrides.receiptsBucket ?? names.receiptsBucket,
      receiptsKmsKeyArn: 'arn:aws:kms:us-east-1:123456789012:key/test',
    },
    region: 'us-east-1',
    healthTimeoutMs: overrides.timeoutMs ?? 2000,
    logSink: (line) => logs.push(line),
  }));
}

async function check(overrides: HealthOverrides = {}) {
  const handler = healthHandler(overrides);
  const started = Date.now();
  const res = await handler(healthEvent());
  return {
    res,
    elapsed: Date.now() - started,
    failures: logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.level === 'error' && l.message === 'health check failed'),
  };
}

function expectUnavailable(res: { statusCode: number; body: string; headers?: Record<string, unknown> }) {
  expect(res.statusCode).toBe(503);
  expect(res.body).toBe('{"status":"unavailable","region":"us-east-1"}');
  expect(res.headers?.['Cache-Control']).toBe('no-store');
}

describe('GET /health', () => {
  it('200 with only status and region when everything is healthy', async () => {
    const { res, failures } = await check();
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"status":"ok","region":"us-east-1"}');
    expect(res.headers?.['Cache-Control']).toBe('no-store');
    expect(failures).toEqual([]);
  });

  it('503 when the database is down', async () => {
    const down = createPgDatabase({
      host: '127.0.0.1',
      port: await closedPort(),
      user: 'x',
      connectionTimeoutMillis: 500,
    });
    cleanups.push(() => down.close());
    const { res, failures } = await check({ db: down });
    expectUnavailable(res);
    expect(failures).toEqual([expect.objectContaining({ component: 'database' })]);
    // The body says nothing about the failure; the log does.
    expect(res.body).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|database/);
  });

  it('503 when the database is read-only (this region must stay out of DNS)', async () => {
    const { res, failures } = await check({ db: tdb.open({ readOnly: true }) });
    expectUnavailable(res);
    expect(failures).toEqual([expect.objectContaining({ component: 'database', reason: 'read_only' })]);
  });

  it('503 when the idempotency table is missing', async () => {
    const { res, failures } = await check({ idempotencyTable: `${names.controlTable}-missing` });
    expectUnavailable(res);
    expect(failures).toEqual([
      expect.objectContaining({ component: 'dynamodb', reason: 'ResourceNotFoundException' }),
    ]);
  });

  it('503 when the receipts bucket is missing', async () => {
    const { res, failures } = await check({ receiptsBucket: `${names.receiptsBucket}-missing` });
    expectUnavailable(res);
    expect(failures).toEqual([expect.objectContaining({ component: 's3' })]);
  });

  it('503 within the deadline when the database hangs', async () => {
    const hanging: Queryable = {
      query: () => new Promise(() => undefined),
      exec: () => new Promise(() => undefined),
    };
    const { res, elapsed, failures } = await check({ db: hanging, timeoutMs: 300 });
    expectUnavailable(res);
    expect(elapsed).toBeLessThan(1500);
    // The short deadline may catch a slow neighbour too on a loaded machine; the hanging one must be named.
    expect(failures).toContainEqual(expect.objectContaining({ component: 'database', reason: 'timeout' }));
  });

  it('503 within the deadline when S3 accepts the connection and never answers', async () => {
    const s3 = createS3Client({
      region: 'us-east-1',
      endpoint: silentUrl,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    cleanups.push(async () => s3.destroy());
    const { res, elapsed, failures } = await check({ s3, timeoutMs: 300 });
    expectUnavailable(res);
    expect(elapsed).toBeLessThan(1500);
    expect(failures).toContainEqual(expect.objectContaining({ component: 's3', reason: 'timeout' }));
  });

  it('405 for other methods', async () => {
    const res = await healthHandler()(proxyEvent({ method: 'POST', path: '/health' }));
    expect(res.statusCode).toBe(405);
    expect(parseBody(res)).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
  });

  it('an error answer (not a crash) when its configuration is broken', async () => {
    const handler = createPaymentApiHandler(
      async () => {
        throw new Error('environment variable IDEMPOTENCY_TABLE is required');
      },
      () => undefined,
    );
    const res = await handler(healthEvent());
    expect(res.statusCode).toBeGreaterThanOrEqual(500);
    expect(res.body).not.toMatch(/IDEMPOTENCY_TABLE/);
  });
});

describe('health configuration from the environment', () => {
  it('defaults the deadline to 1000 ms (inside the 2 s Route 53 allows) and honours HEALTH_TIMEOUT_MS', async () => {
    const env = {
      AWS_REGION: 'us-east-2',
      CONTROL_TABLE: 't',
      SESSIONS_TABLE: 's',
      RECEIPTS_BUCKET: 'b',
      RECEIPTS_KMS_KEY_ARN: 'arn:aws:kms:us-east-2:123456789012:key/k',
      DATABASE_URL: 'postgres://u@127.0.0.1:1/db',
    };
    const d1 = paymentApiDepsFromEnv(env);
    expect(d1.healthTimeoutMs).toBe(1000);
    expect(d1.region).toBe('us-east-2');
    const d2 = paymentApiDepsFromEnv({ ...env, HEALTH_TIMEOUT_MS: '750' });
    expect(d2.healthTimeoutMs).toBe(750);
    expect(() => paymentApiDepsFromEnv({ ...env, HEALTH_TIMEOUT_MS: 'soon' })).toThrow(/HEALTH_TIMEOUT_MS/);
    for (const d of [d1, d2]) {
      await d.db.close();
      d.targets.ddb.destroy();
      d.targets.s3.destroy();
    }
  });
});
