import { createServer, type Server, type Socket } from 'node:net';

/**
 * Gray failures on loopback, for the tests and the fault benchmark: TCP servers that behave like a dependency
 * that is up but broken. Each listens on 127.0.0.1 on a free port and is stopped (with every connection it
 * accepted) by `close()`.
 *
 * - `silent`: accepts connections, reads what is sent and never answers (a frozen process, a black-holed
 *   path behind a load balancer that still completes the handshake).
 * - `reset`: accepts, and resets the connection as soon as the request arrives (a crashing backend, a
 *   middlebox killing flows).
 * - `stall-body`: answers HTTP 200 headers with a Content-Length and then stops sending the body.
 */
export type FaultKind = 'silent' | 'reset' | 'stall-body';

export interface FaultServer {
  kind: FaultKind;
  url: string;
  port: number;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startFaultServer(kind: FaultKind): Promise<FaultServer> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (kind === 'reset') socket.once('data', () => socket.resetAndDestroy());
    if (kind === 'stall-body') {
      socket.once('data', () =>
        socket.write(
          'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 4096\r\n\r\n{"partial":',
        ),
      );
    }
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const port = (server.address() as { port: number }).port;
  return {
    kind,
    url: `http://127.0.0.1:${port}`,
    port,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (at the moment it is returned): connections are refused. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

/** Resolves with how long `work` took and what it settled to (never rejects). */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value?: T; error?: unknown }> {
  const started = performance.now();
  try {
    const value = await work();
    return { ms: performance.now() - started, value };
  } catch (error) {
    return { ms: performance.now() - started, error };
  }
}
