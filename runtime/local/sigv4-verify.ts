import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Verification of AWS Signature Version 4 on incoming requests, as API Gateway does for routes with IAM
 * authorization (`execute-api`), for the local stand-in of API Gateway. Written from the published algorithm
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html), independently of
 * the SDK's signer that drctl and the tests sign with, so each checks the other.
 *
 * Canonical URI: the path as sent (already percent-encoded), normalized and encoded once more, segment by
 * segment, which is what every signer does for services other than S3. Canonical query: keys and values RFC 3986 encoded, sorted.
 * Payload hash: SHA-256 of the body actually received.
 */
export interface SignedRequest {
  method: string;
  /** The request target as sent: path and query, percent-encoded (`req.url` of node:http). */
  target: string;
  /** Header values by lower-cased name (repeated headers joined with `,`). */
  headers: Readonly<Record<string, string>>;
  body: Buffer;
}

export interface LocalCredential {
  accessKeyId: string;
  secretAccessKey: string;
  /** The IAM principal API Gateway would report as `requestContext.identity.userArn`. */
  principalArn: string;
}

export type VerifyResult =
  | { ok: true; credential: LocalCredential }
  | { ok: false; reason: 'missing' | 'malformed' | 'unknown-key' | 'scope' | 'expired' | 'signature' };

/** API Gateway refuses signatures more than 15 minutes away from its clock (SignatureDoesNotMatch/expired). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** RFC 3986 percent-encoding of everything but the unreserved characters. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Empty and `.` segments dropped, `..` resolved (as signers normalize), then each segment encoded again. */
function canonicalPath(path: string): string {
  const segments: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(encodeRfc3986(segment));
  }
  const trailing = segments.length > 0 && path.endsWith('/') ? '/' : '';
  return `/${segments.join('/')}${trailing}`;
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

function canonicalQuery(query: string): string {
  if (query === '') return '';
  const pairs = query
    .split('&')
    .filter((p) => p !== '')
    .map((p) => {
      const i = p.indexOf('=');
      const key = i === -1 ? p : p.slice(0, i);
      const value = i === -1 ? '' : p.slice(i + 1);
      return [encodeRfc3986(decodeQueryPart(key)), encodeRfc3986(decodeQueryPart(value))] as const;
    });
  pairs.sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0));
  return pairs.map(([k, v]) => `${k}=${v}`).join('&');
}

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** The hex signature of `request` for the given scope, as a signer holding `secret` computes it. */
export function computeSignature(
  request: SignedRequest,
  scope: { date: string; region: string; service: string; amzDate: string; signedHeaders: string[] },
  secret: string,
): string {
  const q = request.target.indexOf('?');
  const path = q === -1 ? request.target : request.target.slice(0, q);
  const query = q === -1 ? '' : request.target.slice(q + 1);
  const headers = scope.signedHeaders
    .map((name) => `${name}:${(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonical = [
    request.method.toUpperCase(),
    canonicalPath(path),
    canonicalQuery(query),
    headers,
    scope.signedHeaders.join(';'),
    sha256Hex(request.body),
  ].join('\n');
  const credentialScope = `${scope.date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', scope.amzDate, credentialScope, sha256Hex(canonical)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${secret}`, scope.date), scope.region), scope.service),
    'aws4_request',
  );
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

/**
 * Checks the request's `Authorization` header against `credentials`: a known key, a scope for this region and
 * `execute-api`, a date within the allowed skew, `host` among the signed headers, and a matching signature.
 */
export function verifySigV4(
  request: SignedRequest,
  credentials: readonly LocalCredential[],
  expected: { region: string; nowMs: number },
): VerifyResult {
  const header = request.headers.authorization;
  if (header === undefined || header === '') return { ok: false, reason: 'missing' };
  const m = AUTH.exec(header);
  if (!m) return { ok: false, reason: 'malformed' };
  const [, accessKeyId, date, region, service, signedHeaderList, signature] = m as unknown as string[];
  const credential = credentials.find((c) => c.accessKeyId === accessKeyId);
  if (!credential) return { ok: false, reason: 'unknown-key' };
  if (region !== expected.region || service !== 'execute-api') return { ok: false, reason: 'scope' };
  const signedHeaders = (signedHeaderList ?? '').split(';');
  const sorted = [...signedHeaders].sort();
  if (!signedHeaders.includes('host') || signedHeaders.some((h, i) => h !== sorted[i])) {
    return { ok: false, reason: 'malformed' };
  }
  const amzDate = request.headers['x-amz-date'] ?? '';
  const d = AMZ_DATE.exec(amzDate);
  if (!d || amzDate.slice(0, 8) !== date) return { ok: false, reason: 'malformed' };
  const signedAt = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!);
  if (Math.abs(expected.nowMs - signedAt) > MAX_CLOCK_SKEW_MS) return { ok: false, reason: 'expired' };
  const computed = computeSignature(
    request,
    { date: date as string, region: region as string, service: service as string, amzDate, signedHeaders },
    credential.secretAccessKey,
  );
  const a = Buffer.from(computed, 'hex');
  const b = Buffer.from(signature as string, 'hex');
  if (a.length !== b.length || !timingSafeEqual(a, b)) return { ok: false, reason: 'signature' };
  return { ok: true, credential };
}
