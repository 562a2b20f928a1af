import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for a region's GET /health on loopback, switchable between behaviours. `hang` accepts the request
 * and never answers (until the server closes), to exercise client timeouts. Closing destroys every open
 * connection, so no test leaves a socket behind.
 */
export type HealthMode = 'healthy' | 'unavailable' | 'hang' | 'garbage' | 'not-ok';

export interface HealthServer {
  url: string;
  mode: HealthMode;
  region: string;
  readonly requests: number;
  close(): Promise<void>;
}

export async function startHealthServer(
  initial: HealthMode = 'healthy',
  region = 'us-east-1',
): Promise<HealthServer> {
  const state = { mode: initial, region, requests: 0 };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    state.requests++;
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url !== '/health') return json(404, { error: 'not found' });
    switch (state.mode) {
      case 'healthy':
        return json(200, { status: 'ok', region: state.region });
      case 'unavailable':
        return json(503, { status: 'unavailable', region: state.region });
      case 'not-ok':
        return json(200, { status: 'degraded', region: state.region });
      case 'garbage':
        res.writeHead(200, { 'content-type': 'text/html' });
        return res.end('<html>maintenance</html>');
      case 'hang':
        return undefined;
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/health`,
    get mode() {
      return state.mode;
    },
    set mode(m: HealthMode) {
      state.mode = m;
    },
    get region() {
      return state.region;
    },
    set region(r: string) {
      state.region = r;
    },
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
