import { describe, expect, it } from 'vitest';
import { type LocalCredential, type SignedRequest, verifySigV4 } from '../../runtime/local/sigv4-verify';
import { sigV4Signer } from '../../runtime/shared/sigv4';

/**
 * The local API Gateway stand-in verifies SigV4 with its own implementation of the algorithm; the requests
 * here are signed by the SDK's signer (@smithy/signature-v4), so each implementation checks the other.
 */
const credential: LocalCredential = {
  accessKeyId: 'AKIATESTVERIFY000001',
  secretAccessKey: 'verify-secret',
  principalArn: 'arn:aws:iam::123456789012:role/caller',
};
const NOW = Date.UTC(2026, 11, 2, 10, 0, 0);

async function signed(
  method: string,
  url: string,
  headers: Record<string, string> = {},
  body = '',
  options: { region?: string; at?: number; secret?: string } = {},
): Promise<SignedRequest> {
  const sign = sigV4Signer(
    async () => ({
      accessKeyId: credential.accessKeyId,
      secretAccessKey: options.secret ?? credential.secretAccessKey,
    }),
    () => options.at ?? NOW,
  );
  const out = await sign({ method, url, headers, ...(body ? { body } : {}) }, options.region ?? 'us-east-1');
  const u = new URL(url);
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(out.headers)) lower[k.toLowerCase()] = v;
  return { method, target: `${u.pathname}${u.search}`, headers: lower, body: Buffer.from(body) };
}

const verify = (req: SignedRequest, nowMs = NOW) =>
  verifySigV4(req, [credential], { region: 'us-east-1', nowMs });

describe('SigV4 verification of the local API Gateway stand-in', () => {
  it('accepts what the SDK signer signs: paths, encoded segments, queries in any order, bodies', async () => {
    const cases = [
      await signed('GET', 'http://127.0.0.1:3000/health'),
      await signed('GET', 'http://127.0.0.1:3000/payments/pay_01M8RBK5ZTCQ5ZXWXDFNHYCNC3'),
      await signed('GET', 'http://127.0.0.1:3000/payments/a%20b%2Fc%C3%A9'),
      await signed('GET', 'http://127.0.0.1:3000/payments?b=2&a=1&a=0&empty=&sp=a%20b'),
      await signed(
        'POST',
        'http://127.0.0.1:3000/payments',
        { 'content-type': 'application/json', 'idempotency-key': 'key-00000001' },
        '{"amount":1}',
      ),
    ];
    for (const req of cases) expect(verify(req), req.target).toEqual({ ok: true, credential });
  });

  it('refuses a change to anything signed: body, path, query, a signed header, the method', async () => {
    const base = await signed(
      'POST',
      'http://127.0.0.1:3000/payments?x=1',
      { 'content-type': 'application/json', 'idempotency-key': 'key-00000001' },
      '{"amount":1}',
    );
    const variants: SignedRequest[] = [
      { ...base, body: Buffer.from('{"amount":2}') },
      { ...base, target: '/payments/x?x=1' },
      { ...base, target: '/payments?x=2' },
      { ...base, headers: { ...base.headers, 'idempotency-key': 'key-00000002' } },
      { ...base, method: 'PUT' },
    ];
    for (const v of variants) expect(verify(v)).toEqual({ ok: false, reason: 'signature' });
    expect(verify(base).ok).toBe(true);
  });

  it('refuses a wrong secret, an unknown key, another region, a stale or future date, no header', async () => {
    expect(verify(await signed('GET', 'http://h/health', {}, '', { secret: 'other' }))).toEqual({
      ok: false,
      reason: 'signature',
    });
    const signedByKnown = await signed('GET', 'http://h/health');
    const foreign = {
      ...signedByKnown,
      headers: {
        ...signedByKnown.headers,
        authorization: (signedByKnown.headers.authorization ?? '').replace(
          credential.accessKeyId,
          'AKIAUNKNOWN000000000',
        ),
      },
    };
    expect(verify(foreign)).toEqual({ ok: false, reason: 'unknown-key' });
    expect(verify(await signed('GET', 'http://h/health', {}, '', { region: 'us-east-2' }))).toEqual({
      ok: false,
      reason: 'scope',
    });
    const req = await signed('GET', 'http://h/health');
    expect(verify(req, NOW + 16 * 60_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verify(req, NOW - 16 * 60_000)).toEqual({ ok: false, reason: 'expired' });
    expect(verify(req, NOW + 14 * 60_000).ok).toBe(true);
    const { authorization, ...rest } = req.headers;
    expect(verify({ ...req, headers: rest })).toEqual({ ok: false, reason: 'missing' });
    expect(verify({ ...req, headers: { ...req.headers, authorization: 'Bearer x' } })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('requires host to be signed', async () => {
    const req = await signed('GET', 'http://h/health');
    const auth = (req.headers.authorization ?? '').replace(/SignedHeaders=[^,]+/, 'SignedHeaders=x-amz-date');
    expect(verify({ ...req, headers: { ...req.headers, authorization: auth } })).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });
});
