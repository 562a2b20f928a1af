import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalClient, localClient } from '../../runtime/local/client';
import { resourceFor } from '../../runtime/local/event';
import { DEFAULT_LOCAL_CREDENTIAL } from '../../runtime/local/gateway';
import { type LocalServer, startLocalServer } from '../../runtime/local/server';
import { destroyResources, listKeys, scanAll, TEST_CREDENTIALS, testAws, uniqueNames } from './support/aws';

const reservationsIn = async (aws: ReturnType<typeof testAws>, table: string) =>
  (await scanAll(aws, table)).filter((item) => String(item.pk).startsWith('rsv#'));
import { createTestDatabase, type TestDatabase } from './support/database';
import { newKey, validPayment } from './support/events';
import { LOCAL_CALLER_MERCHANTS } from './support/merchants';

/**
 * The local server over real HTTP on loopback: it migrates the database, creates the tables and bucket in the
 * emulator, and serves the Lambda handlers unchanged.
 */
let tdb: TestDatabase;
let server: LocalServer;
let client: LocalClient;
const names = uniqueNames();
const aws = testAws(inject('motoUrl'));
const logs: string[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  server = await startLocalServer({
    port: 0,
    merchants: LOCAL_CALLER_MERCHANTS,
    ...(tdb.kind === 'postgres' ? { databaseUrl: tdb.url } : { database: tdb.db }),
    awsEndpoint: inject('motoUrl'),
    credentials: TEST_CREDENTIALS,
    region: 'us-east-1',
    ...names,
    logSink: (line) => logs.push(line),
    env: {},
  });
  client = localClient(server.url, { region: 'us-east-1' });
});

afterAll(async () => {
  await server?.close();
  await destroyResources(aws, names);
  await tdb?.close();
});

/** A request signed with the local credential, as an IAM caller signs it for API Gateway. */
async function call(
  method: string,
  path: string,
  body?: string | Uint8Array,
  headers: Record<string, string> = {},
  options: { unsigned?: boolean } = {},
) {
  const res = await client({ method, path, headers, ...(body !== undefined ? { body } : {}), ...options });
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('local server', () => {
  it('listens on loopback', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('serves POST /payments, replays, and GET /payments/{id}', async () => {
    const key = newKey('http');
    const headers = {
      'Content-Type': 'application/json',
      'Idempotency-Key': key,
      'X-Correlation-Id': 'corr-http-1',
    };
    const created = await call('POST', '/payments', JSON.stringify(validPayment()), headers);
    expect(created.status).toBe(201);
    expect(created.headers.get('x-correlation-id')).toBe('corr-http-1');
    const payment = JSON.parse(created.text) as { id: string; region: string };
    expect(payment.region).toBe('us-east-1');
    expect(created.headers.get('location')).toBe(`/payments/${payment.id}`);

    const replay = await call('POST', '/payments', JSON.stringify(validPayment()), headers);
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(created.text);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');

    const fetched = await call('GET', `/payments/${payment.id}`);
    expect(fetched.status).toBe(200);
    expect(fetched.text).toBe(created.text);

    expect(await reservationsIn(aws, names.controlTable)).toHaveLength(1);
    expect(await listKeys(aws, names.receiptsBucket)).toEqual([
      expect.stringMatching(new RegExp(`${payment.id}\\.json$`)),
    ]);
  });

  it('serves GET /health (open) and GET /health/probe (signed only), each by its own handler', async () => {
    const res = await call('GET', '/health', undefined, {}, { unsigned: true });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ status: 'ok', region: 'us-east-1', role: 'active' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const probe = await call('GET', '/health/probe');
    expect(probe.status).toBe(200);
    expect(JSON.parse(probe.text)).toMatchObject({
      status: 'ok',
      role: 'active',
      components: expect.arrayContaining([{ component: 'heartbeat', ok: true }]),
    });
    const unsigned = await call('GET', '/health/probe', undefined, {}, { unsigned: true });
    expect(unsigned.status).toBe(401);
    expect(JSON.parse(unsigned.text)).toMatchObject({ error: { code: 'MISSING_AUTHENTICATION' } });
  });

  it('answers errors as JSON', async () => {
    const malformed = await call('POST', '/payments', '{"amount":', {
      'Content-Type': 'application/json',
      'Idempotency-Key': newKey(),
    });
    expect(malformed.status).toBe(400);
    expect(JSON.parse(malformed.text)).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
    const large = await call('POST', '/payments', 'x'.repeat(20_000), {
      'Content-Type': 'application/json',
      'Idempotency-Key': newKey(),
    });
    expect(large.status).toBe(413);
    // A REST API answers an unknown route like an unsigned request: 401, from the gateway.
    const unknown = await call('GET', '/nowhere');
    expect(unknown.status).toBe(401);
    expect(JSON.parse(unknown.text)).toEqual({
      error: { code: 'MISSING_AUTHENTICATION', message: 'request is not signed (SigV4) or no such route' },
    });
    const method = await call('DELETE', '/payments');
    expect(method.status).toBe(405);
    const badId = await call('GET', '/payments/not-an-id');
    expect(badId.status).toBe(400);
  });

  it('passes binary bodies base64-encoded, as API Gateway does', async () => {
    const res = await call('POST', '/payments', Buffer.from([0x7b, 0xff, 0x7d]), {
      'Content-Type': 'application/json',
      'Idempotency-Key': newKey(),
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'MALFORMED_JSON' } });
  });

  it('answers as API Gateway does before the function: unsigned, badly signed, missing header', async () => {
    const headers = { 'Content-Type': 'application/json', 'Idempotency-Key': newKey('auth') };
    const body = JSON.stringify(validPayment());
    const unsigned = await call('POST', '/payments', body, headers, { unsigned: true });
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get('www-authenticate')).toBe('AWS4-HMAC-SHA256');
    expect(JSON.parse(unsigned.text)).toMatchObject({ error: { code: 'MISSING_AUTHENTICATION' } });
    expect(unsigned.headers.get('x-served-by-region')).toBeNull();
    expect(
      (await call('GET', '/payments/pay_01M8RBK5ZTCQ5ZXWXDFNHYCNC3', undefined, {}, { unsigned: true }))
        .status,
    ).toBe(401);

    const stranger = localClient(server.url, {
      region: 'us-east-1',
      credential: { accessKeyId: 'AKIANOTLOCAL00000000', secretAccessKey: 'whatever' },
    });
    const foreign = await stranger({ method: 'POST', path: '/payments', headers, body });
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ error: { code: 'INVALID_SIGNATURE' } });

    const wrongSecret = localClient(server.url, {
      region: 'us-east-1',
      credential: { accessKeyId: DEFAULT_LOCAL_CREDENTIAL.accessKeyId, secretAccessKey: 'not-the-secret' },
    });
    expect((await wrongSecret({ method: 'POST', path: '/payments', headers, body })).status).toBe(403);
    const otherRegion = localClient(server.url, { region: 'us-east-2' });
    expect((await otherRegion({ method: 'POST', path: '/payments', headers, body })).status).toBe(403);

    const noKey = await call('POST', '/payments', body, { 'Content-Type': 'application/json' });
    expect(noKey.status).toBe(400);
    expect(JSON.parse(noKey.text)).toMatchObject({ error: { code: 'INVALID_PARAMETERS' } });

    // /health is open; other methods of a route reach the function, which answers 405.
    expect((await call('GET', '/health', undefined, {}, { unsigned: true })).status).toBe(200);
    const post = await call('POST', '/health', undefined, {}, { unsigned: true });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await reservationsIn(aws, names.controlTable)).toHaveLength(1);
  });

  it('maps /payments/{id} to the resource template with a path parameter', () => {
    expect(resourceFor('/payments/pay_1')).toEqual({
      resource: '/payments/{id}',
      pathParameters: { id: 'pay_1' },
    });
    expect(resourceFor('/payments')).toEqual({ resource: '/payments', pathParameters: null });
  });

  it('stops listening when closed', async () => {
    const extra = await startLocalServer({
      port: 0,
      merchants: LOCAL_CALLER_MERCHANTS,
      ...(tdb.kind === 'postgres' ? { databaseUrl: tdb.url } : { database: tdb.db }),
      awsEndpoint: inject('motoUrl'),
      credentials: TEST_CREDENTIALS,
      ...names,
      logSink: () => undefined,
      env: {},
    });
    expect((await fetch(`${extra.url}/health`)).status).toBe(200);
    await extra.close();
    await expect(fetch(`${extra.url}/health`, { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  });

  it('refuses to provision without an endpoint override', async () => {
    await expect(
      startLocalServer({ provision: true, env: {}, database: tdb.db, migrate: false }),
    ).rejects.toThrow(/endpoint override/);
  });
});
