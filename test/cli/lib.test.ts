import { createHash, createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultAwsClients } from '../../cli/lib/aws';
import { duration, elapsedTag, table } from '../../cli/lib/format';
import { nodeHttpClient } from '../../cli/lib/http';
import { drNames } from '../../cli/lib/names';
import { sigV4Signer } from '../../cli/lib/sigv4';
import { parseConfig } from '../../src/config';

const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();

describe('SigV4 signing of API requests', () => {
  const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
  const at = Date.parse('2030-01-02T03:04:05Z');

  it('produces a signature an independent implementation of the algorithm verifies', async () => {
    const sign = sigV4Signer(
      async () => creds,
      () => at,
    );
    const body = '{"amount":100}';
    const signed = await sign(
      {
        method: 'POST',
        url: 'https://payments-use2.pay.example.org/payments?x=1',
        headers: { 'content-type': 'application/json', 'idempotency-key': 'drill-abc-0' },
        body,
        timeoutMs: 1000,
      },
      'us-east-2',
    );
    const h = signed.headers ?? {};
    const auth = h.authorization ?? '';
    const m =
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20300102\/us-east-2\/execute-api\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
        auth,
      );
    expect(m).not.toBeNull();
    const signedHeaders = (m?.[1] ?? '').split(';');
    expect(signedHeaders).toEqual(
      expect.arrayContaining(['host', 'x-amz-date', 'content-type', 'idempotency-key']),
    );
    expect(h['x-amz-date']).toBe('20300102T030405Z');

    // Independent computation (canonical request -> string to sign -> derived key -> HMAC).
    const canonical = [
      'POST',
      '/payments',
      'x=1',
      ...signedHeaders.map((name) => `${name}:${String(h[name] ?? '').trim()}`),
      '',
      signedHeaders.join(';'),
      sha256(body),
    ].join('\n');
    const scope = '20300102/us-east-2/execute-api/aws4_request';
    const toSign = ['AWS4-HMAC-SHA256', '20300102T030405Z', scope, sha256(canonical)].join('\n');
    let key = hmac(`AWS4${creds.secretAccessKey}`, '20300102');
    for (const part of ['us-east-2', 'execute-api', 'aws4_request']) key = hmac(key, part);
    expect(m?.[2]).toBe(createHmac('sha256', key).update(toSign).digest('hex'));
  });

  it('carries the session token of temporary credentials', async () => {
    const sign = sigV4Signer(
      async () => ({ ...creds, sessionToken: 'token-123' }),
      () => at,
    );
    const signed = await sign(
      { method: 'GET', url: 'https://a.example.org/payments/p1', timeoutMs: 1000 },
      'us-east-1',
    );
    expect(signed.headers?.['x-amz-security-token']).toBe('token-123');
    expect(signed.headers?.authorization).toMatch(/\/us-east-1\/execute-api\/aws4_request/);
  });
});

describe('default AWS clients', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('resolves credentials through the STS client of the region asked for, never a fixed one', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDFROMENV');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-from-env');
    vi.stubEnv('AWS_SESSION_TOKEN', 'token-from-env');
    const clients = defaultAwsClients({});
    const sts = vi.spyOn(clients, 'sts');
    expect(await clients.credentials('us-east-2')).toEqual({
      accessKeyId: 'AKIDFROMENV',
      secretAccessKey: 'secret-from-env',
      sessionToken: 'token-from-env',
    });
    expect(sts.mock.calls).toEqual([['us-east-2']]);
    const used = sts.mock.results[0]?.value as ReturnType<typeof clients.sts>;
    expect(await used.config.region()).toBe('us-east-2');
  });
});

describe('HTTP client', () => {
  let server: Server;
  let base: string;
  let seenConnections = 0;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url === '/hang') return;
      if (req.url === '/big') {
        res.writeHead(200);
        res.end('x'.repeat(300 * 1024));
        return;
      }
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-test': 'yes' });
        res.end(JSON.stringify({ method: req.method, body, key: req.headers['idempotency-key'] }));
      });
    });
    server.on('connection', () => {
      seenConnections++;
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('sends and reads a request, on a new connection each time', async () => {
    const before = seenConnections;
    for (let i = 0; i < 2; i++) {
      const res = await nodeHttpClient.request({
        method: 'POST',
        url: `${base}/payments`,
        headers: { 'idempotency-key': 'k-1' },
        body: '{"a":1}',
        timeoutMs: 2000,
      });
      expect(res.status).toBe(201);
      expect(res.headers['x-test']).toBe('yes');
      expect(JSON.parse(res.body)).toEqual({ method: 'POST', body: '{"a":1}', key: 'k-1' });
    }
    expect(seenConnections - before).toBe(2);
  });

  it('times out a server that never answers', async () => {
    const started = Date.now();
    await expect(
      nodeHttpClient.request({ method: 'GET', url: `${base}/hang`, timeoutMs: 200 }),
    ).rejects.toMatchObject({
      name: 'HttpTimeoutError',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses oversized responses', async () => {
    await expect(
      nodeHttpClient.request({ method: 'GET', url: `${base}/big`, timeoutMs: 2000 }),
    ).rejects.toMatchObject({
      code: 'TOO_LARGE',
    });
  });
});

describe('names', () => {
  it('derives every DR name from the configuration', () => {
    const n = drNames(
      parseConfig({ environmentSuffix: 'prod', dns: { zoneName: 'example.org', zoneId: 'Z0123456789' } }),
    );
    expect(n.alertTopic('us-east-2')).toBe('payment-processing-alerts-prod-use2');
    expect(n.alertTopicArn('us-east-1', '111122223333')).toBe(
      'arn:aws:sns:us-east-1:111122223333:payment-processing-alerts-prod-use1',
    );
    expect(n.regionSwitchPlan).toBe('payment-processing-prod');
    expect(n.fenceFunction('us-east-2')).toBe('payment-processing-fence-prod-use2');
    expect(n.primaryFailedAlarm).toBe('payment-processing-primary-failed-prod');
    expect(n.failoverRecordId('secondary', 'us-east-2')).toBe('secondary-us-east-2');
    expect(n.globalClusterId).toBe('payment-processing-ledger-global-prod');
    expect(n.clusterId('us-east-2')).toBe('payment-processing-ledger-prod-use2');
    expect(n.publicApiHost).toBe('payments.example.org');
    expect(n.regionalApiHost('us-east-1')).toBe('payments-use1.example.org');
    expect(n.receiptsBucket('us-east-2', '111122223333')).toBe(
      'payment-processing-receipts-prod-use2-111122223333',
    );
    expect(n.isEnvironmentAlarm('payment-processing-api-5xx-prod-use1')).toBe(true);
    expect(n.isEnvironmentAlarm('payment-processing-primary-failed-prod')).toBe(true);
    expect(n.isEnvironmentAlarm('payment-processing-api-5xx-prod2-use1')).toBe(false);
    expect(n.isEnvironmentAlarm('other-api-5xx-prod-use1')).toBe(false);
  });
});

describe('format', () => {
  it('renders durations, elapsed tags and tables', () => {
    expect(duration(null)).toBe('-');
    expect(duration(850)).toBe('850 ms');
    expect(duration(12_345)).toBe('12.3 s');
    expect(duration(245_000)).toBe('4 min 05 s');
    expect(elapsedTag(42_000)).toBe('[  42.0s]');
    expect(table(['A', 'BB'], [['xxx', 'y']])).toBe('A    BB\nxxx  y');
  });
});
