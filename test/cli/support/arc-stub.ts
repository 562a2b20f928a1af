import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { computeSignature, MAX_CLOCK_SKEW_MS } from '../../../runtime/local/sigv4-verify';
import { type ArcDouble, ArcServiceError, type Json } from '../../support/arc-double';

/**
 * The ARC Region switch data plane on loopback: one HTTP server per Region (so a test sees which Region's
 * endpoint each call used), each checking what AWS checks before it looks at a request (the JSON 1.0
 * protocol and SigV4, with the independent verifier of runtime/local/sigv4-verify.ts) and then answering
 * from the stateful double (test/support/arc-double.ts), as the service would: a JSON body, or an error with
 * `__type` and the `x-amzn-errortype` header. Faults can be queued per operation: throttling, a 500, or a
 * connection that never answers.
 */
export interface StubRequest {
  region: string;
  op: string;
  body: Json;
  /** The signature verdict: `ok`, or why it was refused. */
  signature: string;
  signedHeaders: string[];
  contentType: string | undefined;
  securityToken: string | undefined;
}
export type Fault = 'throttle' | 'internal' | 'silent';

export interface ArcStub {
  endpoint(region: string): string;
  readonly requests: StubRequest[];
  /** The next `times` requests of `op` (any operation when omitted) meet `fault`. */
  inject(fault: Fault, op?: string, times?: number): void;
  close(): Promise<void>;
}

export interface StubCredential {
  accessKeyId: string;
  secretAccessKey: string;
}

const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const REQUIRED_SIGNED = ['content-type', 'host', 'x-amz-date', 'x-amz-target'];

function verify(
  req: IncomingMessage,
  body: Buffer,
  region: string,
  credentials: readonly StubCredential[],
  now: number,
): { verdict: string; signedHeaders: string[] } {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = String(v);
  const m = AUTH.exec(headers.authorization ?? '');
  if (!m) return { verdict: 'missing or malformed authorization', signedHeaders: [] };
  const [, keyId, date, scopeRegion, service, list, signature] = m as unknown as string[];
  const signedHeaders = (list as string).split(';');
  const secret = credentials.find((c) => c.accessKeyId === keyId)?.secretAccessKey;
  if (!secret) return { verdict: 'unknown access key', signedHeaders };
  if (scopeRegion !== region || service !== 'arc-region-switch')
    return { verdict: `scope ${scopeRegion}/${service}`, signedHeaders };
  const missing = REQUIRED_SIGNED.filter((h) => !signedHeaders.includes(h));
  if (headers['x-amz-security-token'] !== undefined) {
    if (!signedHeaders.includes('x-amz-security-token')) missing.push('x-amz-security-token');
  }
  if (missing.length > 0) return { verdict: `unsigned ${missing.join(',')}`, signedHeaders };
  const amzDate = headers['x-amz-date'] ?? '';
  const d = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!d || amzDate.slice(0, 8) !== date) return { verdict: 'bad x-amz-date', signedHeaders };
  const at = Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!);
  if (Math.abs(now - at) > MAX_CLOCK_SKEW_MS) return { verdict: 'signature expired', signedHeaders };
  const computed = computeSignature(
    { method: req.method ?? '', target: req.url ?? '', headers, body },
    { date: date as string, region, service: 'arc-region-switch', amzDate, signedHeaders },
    secret,
  );
  return { verdict: computed === signature ? 'ok' : 'signature mismatch', signedHeaders };
}

export async function startArcStub(options: {
  double: ArcDouble;
  regions: readonly string[];
  credentials: readonly StubCredential[];
  now: () => number;
}): Promise<ArcStub> {
  const requests: StubRequest[] = [];
  const faults: Array<{ fault: Fault; op?: string; left: number }> = [];
  const sockets = new Set<Socket>();
  const servers = new Map<string, { server: Server; url: string }>();

  const answer = (res: ServerResponse, status: number, body: Json, errorType?: string) => {
    res.writeHead(status, {
      'content-type': 'application/x-amz-json-1.0',
      ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
    });
    res.end(JSON.stringify(body));
  };
  const error = (res: ServerResponse, status: number, code: string, message: string) =>
    answer(res, status, { __type: `com.amazonaws.arcregionswitch#${code}`, message }, code);

  const handler = (region: string) => (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const op = target.startsWith('ArcRegionSwitch.') ? target.slice('ArcRegionSwitch.'.length) : '';
      let body: Json = {};
      try {
        body = JSON.parse(raw.toString('utf8')) as Json;
      } catch {
        body = { unparsable: raw.toString('utf8') };
      }
      const { verdict, signedHeaders } = verify(req, raw, region, options.credentials, options.now());
      const contentType = req.headers['content-type'];
      const securityToken = req.headers['x-amz-security-token'] as string | undefined;
      requests.push({ region, op, body, signature: verdict, signedHeaders, contentType, securityToken });
      if (req.method !== 'POST' || req.url !== '/')
        return error(res, 404, 'UnknownOperationException', 'POST / only');
      if (contentType !== 'application/x-amz-json-1.0')
        return error(res, 400, 'SerializationException', `content-type ${String(contentType)}`);
      if (!op) return error(res, 400, 'UnknownOperationException', `x-amz-target ${target}`);
      if (verdict !== 'ok') return error(res, 403, 'InvalidSignatureException', verdict);
      const fault = faults.find((f) => f.left > 0 && (f.op === undefined || f.op === op));
      if (fault) {
        fault.left--;
        if (fault.fault === 'silent') return; // never answers; the client must give up by itself
        if (fault.fault === 'throttle') return error(res, 400, 'ThrottlingException', 'Rate exceeded');
        return error(res, 500, 'InternalServerException', 'injected');
      }
      try {
        answer(res, 200, options.double.handle(region, op, body));
      } catch (err) {
        if (err instanceof ArcServiceError) return error(res, err.status, err.code, err.message);
        error(res, 500, 'InternalServerException', String(err));
      }
    });
  };

  for (const region of options.regions) {
    const server = createServer(handler(region));
    server.on('connection', (s: Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    servers.set(region, { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` });
  }
  return {
    endpoint: (region) => {
      const s = servers.get(region);
      if (!s) throw new Error(`no stub for ${region}`);
      return s.url;
    },
    requests,
    inject: (fault, op, times = 1) => faults.push({ fault, ...(op ? { op } : {}), left: times }),
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all([...servers.values()].map(({ server }) => new Promise((done) => server.close(done))));
    },
  };
}
