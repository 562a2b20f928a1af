import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHealthHandler } from '../../runtime/health/app';
import type { HealthDeps } from '../../runtime/health/checks';
import { healthDepsFromEnv } from '../../runtime/health/deps';
import { parseHealthEnv } from '../../runtime/health/env';
import { createS3Client } from '../../runtime/shared/aws';
import type { Database } from '../../runtime/shared/db';
import {
  createResources,
  destroyResources,
  type ResourceNames,
  TEST_CREDENTIALS,
  type TestAws,
  testAws,
  uniqueNames,
} from './support/aws';
import { createMigratedTestDatabase, type TestDatabase } from './support/database';
import { proxyEvent } from './support/events';
import { callHealth, componentsOf } from './support/health';

/**
 * The two health routes as their functions answer them: statuses, the bodies (the public one says status,
 * region and role only; the SigV4 probe adds each component with its reason), the deadline against
 * dependencies that fail or hang, methods, and the configuration from the environment contract.
 */
let tdb: TestDatabase;
let aws: TestAws;
let names: ResourceNames;
let silentServer: Server;
let silentUrl: string;
const sockets = new Set<Socket>();
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  tdb = await createMigratedTestDatabase();
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

function deps(overrides: Partial<HealthDeps> = {}): HealthDeps {
  return {
    db: tdb.db,
    dynamodb: aws.documents,
    s3: aws.s3,
    controlTable: names.controlTable,
    receiptsBucket: names.receiptsBucket,
    region: 'us-east-1',
    timeoutMs: 2000,
    ...overrides,
  };
}

const failures = (logs: Array<Record<string, unknown>>) =>
  logs.filter((l) => l.level === 'error' && l.message === 'health check failed');

describe('GET /health (public)', () => {
  it('200 with only status, region and role, never cached, with the serving region', async () => {
    const { res, logs } = await callHealth('/health', deps());
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe('{"status":"ok","region":"us-east-1","role":"active"}');
    expect(res.headers).toMatchObject({ 'Cache-Control': 'no-store', 'X-Served-By-Region': 'us-east-1' });
    expect(res.headers?.['X-Correlation-Id']).toEqual(expect.any(String));
    expect(failures(logs)).toEqual([]);
  });

  it('503 that says nothing about the failure (the log names it)', async () => {
    const { res, logs } = await callHealth(
      '/health',
      deps({ controlTable: `${names.controlTable}-missing` }),
    );
    expect(res.statusCode).toBe(503);
    // The fence could not be read, so the region cannot show it is the active one: passive, nothing written.
    expect(res.body).toBe('{"status":"unavailable","region":"us-east-1","role":"passive"}');
    expect(failures(logs)).toEqual([
      expect.objectContaining({ component: 'dynamodb', reason: 'ResourceNotFoundException' }),
    ]);
  });

  it('HEAD: the same status without a body; other methods 405 with Allow', async () => {
    const head = await callHealth('/health', deps(), 'HEAD');
    expect(head.res.statusCode).toBe(200);
    expect(head.res.body).toBe('');
    const post = await callHealth('/health', deps(), 'POST');
    expect(post.res.statusCode).toBe(405);
    expect(post.res.headers).toMatchObject({ Allow: 'GET, HEAD' });
    expect(post.body).toMatchObject({ error: { code: 'METHOD_NOT_ALLOWED' } });
  });

  it('503 (not 500, no detail) when the function cannot even build its dependencies', async () => {
    const handler = createHealthHandler(
      '/health',
      async () => {
        throw new Error('environment variable CONTROL_TABLE is required');
      },
      { logSink: () => undefined, region: 'us-east-2' },
    );
    const res = await handler(proxyEvent({ method: 'GET', path: '/health', resource: '/health' }));
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe('{"status":"unavailable","region":"us-east-2","role":"passive"}');
  });
});

describe('GET /health/probe (SigV4)', () => {
  it('names the failing component and why: a missing bucket', async () => {
    const answer = await callHealth(
      '/health/probe',
      deps({ receiptsBucket: `${names.receiptsBucket}-missing` }),
    );
    expect(answer.res.statusCode).toBe(503);
    expect(answer.body).toMatchObject({ status: 'unavailable', region: 'us-east-1', role: 'active' });
    expect(componentsOf(answer)).toEqual({
      database: { ok: true },
      heartbeat: { ok: true },
      dynamodb: { ok: true },
      s3: { ok: false, reason: expect.any(String) },
    });
  });

  it('503 within the deadline when the database hangs (role unknown: not proven active)', async () => {
    const hanging: Database = {
      query: () => new Promise(() => undefined),
      exec: () => new Promise(() => undefined),
      transaction: () => new Promise(() => undefined),
      close: async () => undefined,
    };
    const answer = await callHealth('/health/probe', deps({ db: hanging, timeoutMs: 300 }));
    expect(answer.res.statusCode).toBe(503);
    expect(answer.elapsed).toBeLessThan(1500);
    expect(answer.body).toMatchObject({ role: 'passive' });
    expect(componentsOf(answer).database).toEqual({ ok: false, reason: 'timeout' });
  });

  it('503 within the deadline when S3 accepts the connection and never answers', async () => {
    const s3 = createS3Client({
      region: 'us-east-1',
      endpoint: silentUrl,
      credentials: TEST_CREDENTIALS,
      maxAttempts: 1,
    });
    cleanups.push(async () => s3.destroy());
    const answer = await callHealth('/health/probe', deps({ s3, timeoutMs: 300 }));
    expect(answer.res.statusCode).toBe(503);
    expect(answer.elapsed).toBeLessThan(1500);
    expect(componentsOf(answer).s3).toEqual({ ok: false, reason: 'timeout' });
  });
});

describe('health configuration from the environment (runtime/health/env.ts)', () => {
  const base = {
    AWS_REGION: 'us-east-2',
    CONTROL_TABLE: 't',
    RECEIPTS_BUCKET: 'b',
    DB_HOST: 'writer.example',
    DB_READER_HOST: 'reader.example',
  };

  it('defaults the deadline to 1000 ms (inside the 2 s Route 53 allows) and honours HEALTH_TIMEOUT_MS', () => {
    expect(parseHealthEnv(base).healthTimeoutMs).toBe(1000);
    expect(parseHealthEnv({ ...base, HEALTH_TIMEOUT_MS: '750' }).healthTimeoutMs).toBe(750);
    expect(() => parseHealthEnv({ ...base, HEALTH_TIMEOUT_MS: 'soon' })).toThrow(/HEALTH_TIMEOUT_MS/);
  });

  it('needs the reader endpoint unless DATABASE_URL is set', () => {
    const { DB_READER_HOST: _reader, ...noReader } = base;
    expect(() => parseHealthEnv(noReader)).toThrow(/DB_READER_HOST/);
    expect(parseHealthEnv({ ...noReader, DATABASE_URL: 'postgres://u@127.0.0.1:1/db' }).region).toBe(
      'us-east-2',
    );
  });

  it('wires one pool per endpoint and the check of its region', async () => {
    const d = healthDepsFromEnv({ ...base, DATABASE_URL: 'postgres://u@127.0.0.1:1/db' }, 'probe');
    expect(d).toMatchObject({ region: 'us-east-2', controlTable: 't', receiptsBucket: 'b', timeoutMs: 1000 });
    await d.db.close();
    d.dynamodb.destroy();
    d.s3.destroy();
  });
});
