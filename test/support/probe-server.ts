import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type LocalCredential, verifySigV4 } from '../../runtime/local/sigv4-verify';
import { probeAnswer } from './probe-answers';

/**
 * A region's `GET /health/probe` on loopback, as API Gateway with IAM authorization serves it: the SigV4
 * signature is checked (runtime/local/sigv4-verify.ts, independent of the signer the detector uses) before the
 * configured health answer; an unsigned request gets 401, a bad signature 403. Also answers `GET /health`
 * unsigned (a control target). Closing destroys every open connection.
 */
export type ProbeMode = 'active' | 'passive' | 'unavailable' | 'schema-pending' | 'throttled' | 'waf-blocked';

export const PROBE_CREDENTIAL: LocalCredential = {
  accessKeyId: 'AKIADETECTORTEST0001',
  secretAccessKey: 'detector-test-secret',
  principalArn: 'arn:aws:iam::123456789012:role/detector',
};

export interface ProbeServer {
  url: string;
  mode: ProbeMode;
  readonly requests: Array<{ path: string; signature: string; at: number }>;
  close(): Promise<void>;
}

export async function startProbeServer(
  region: string,
  initial: ProbeMode = 'active',
  now: () => number = Date.now,
): Promise<ProbeServer> {
  const state = { mode: initial };
  const requests: ProbeServer['requests'] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      const path = (req.url ?? '').split('?')[0] ?? '';
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers))
        if (v !== undefined) headers[k] = [v].flat().join(',');
      const check = verifySigV4(
        { method: req.method ?? 'GET', target: req.url ?? '/', headers, body: Buffer.concat(chunks) },
        [PROBE_CREDENTIAL],
        { region, nowMs: now() },
      );
      requests.push({ path, signature: check.ok ? 'valid' : check.reason, at: now() });
      if (path === '/health') return json(200, { status: 'ok', region });
      if (path !== '/health/probe') return json(404, { message: 'Not Found' });
      if (state.mode === 'waf-blocked') return json(403, { message: 'Forbidden' });
      if (!check.ok && check.reason === 'missing') return json(401, { message: 'Unauthorized' });
      if (!check.ok) return json(403, { message: 'The request signature we calculated does not match' });
      const answer = probeAnswer(state.mode, region, state.mode === 'passive' ? 'passive' : 'active');
      return json(answer.status, answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: ProbeMode) {
      state.mode = m;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
