import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

/**
 * The HTTP client of drctl's API probes and canaries. Each request opens a new connection (no keep-alive
 * agent), so every request resolves the name again: a drill measuring DNS failover must not stay glued to the
 * old region through a pooled connection. Bounded in time (whole exchange) and in response size.
 */
export interface HttpRequest {
  method: 'GET' | 'POST';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Aborting it destroys the request at once (a command's budget, Ctrl-C). */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface HttpClient {
  /** Resolves with any HTTP status; rejects on network errors and timeouts (`error.name` says which). */
  request(req: HttpRequest): Promise<HttpResponse>;
}

const MAX_RESPONSE_BYTES = 256 * 1024;

export class HttpTransportError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = code === 'TIMEOUT' ? 'HttpTimeoutError' : 'HttpTransportError';
  }
}

export const nodeHttpClient: HttpClient = {
  request: (req) =>
    new Promise<HttpResponse>((resolve, reject) => {
      const url = new URL(req.url);
      const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
      const headers: Record<string, string> = { ...req.headers };
      if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
      const r = send(url, { method: req.method, headers, agent: false }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_RESPONSE_BYTES) {
            r.destroy(
              new HttpTransportError(`response larger than ${MAX_RESPONSE_BYTES} bytes`, 'TOO_LARGE'),
            );
            return;
          }
          chunks.push(chunk);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const out: Record<string, string> = {};
          for (const [k, v] of Object.entries(res.headers)) {
            if (v !== undefined) out[k] = Array.isArray(v) ? v.join(', ') : v;
          }
          resolve({
            status: res.statusCode ?? 0,
            headers: out,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      const timer = setTimeout(() => {
        r.destroy(new HttpTransportError(`no complete answer within ${req.timeoutMs} ms`, 'TIMEOUT'));
      }, req.timeoutMs);
      const onAbort = () => r.destroy(new HttpTransportError('request aborted', 'ABORTED'));
      if (req.signal?.aborted) onAbort();
      req.signal?.addEventListener('abort', onAbort, { once: true });
      r.on('close', () => req.signal?.removeEventListener('abort', onAbort));
      r.on('error', (err: Error & { code?: string }) => {
        clearTimeout(timer);
        reject(
          err instanceof HttpTransportError ? err : new HttpTransportError(err.message, err.code ?? err.name),
        );
      });
      if (req.body !== undefined) r.write(req.body);
      r.end();
    }),
};

/** The JSON body of a response, or undefined when it is not a JSON object. */
export function jsonBody(res: HttpResponse): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(res.body);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
