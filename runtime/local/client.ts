import { sigV4Signer, type SigningCredentials } from '../shared/sigv4';
import { DEFAULT_LOCAL_CREDENTIAL } from './gateway';

/**
 * A client of the local server that signs its requests (SigV4, `execute-api`) as an AWS SDK caller would sign
 * them for API Gateway, with a local credential: what tests, the benchmark and `curl`-like tools use.
 */
export interface LocalRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Unsigned, as an anonymous client sends it (API Gateway answers 403 on IAM routes). */
  unsigned?: boolean;
  timeoutMs?: number;
}

export interface LocalClientOptions {
  /** Region the server answers for (the signing region). */
  region: string;
  credential?: SigningCredentials;
}

export function localClient(baseUrl: string, options: LocalClientOptions) {
  const credential = options.credential ?? DEFAULT_LOCAL_CREDENTIAL;
  const sign = sigV4Signer(async () => credential);
  return async (req: LocalRequest): Promise<Response> => {
    const url = `${baseUrl}${req.path}`;
    const base = {
      method: req.method,
      url,
      headers: req.headers ?? {},
      ...(req.body !== undefined ? { body: req.body } : {}),
    };
    const signed = req.unsigned ? base : await sign(base, options.region);
    // fetch sets Host itself, from the URL: the same value the signature covers.
    const { host, ...headers } = signed.headers as Record<string, string>;
    return fetch(url, {
      method: req.method,
      headers,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal: AbortSignal.timeout(req.timeoutMs ?? 10_000),
    });
  };
}

export type LocalClient = ReturnType<typeof localClient>;

/** What one POST /payments got: the status and the body's id or error code, or no answer at all. */
export interface PostOutcome {
  key: string;
  body: string;
  /** Undefined when no answer came (connection refused or reset, the client's timeout). */
  status?: number;
  code?: string;
  id?: string;
  retryAfter?: string;
  ms: number;
}

/** POST /payments with `key` and a JSON `body` through `client`; never rejects (no answer is an outcome). */
export async function postPayment(
  client: LocalClient,
  key: string,
  body: string,
  timeoutMs = 30_000,
): Promise<PostOutcome> {
  const started = performance.now();
  try {
    const res = await client({
      method: 'POST',
      path: '/payments',
      headers: { 'content-type': 'application/json', 'idempotency-key': key },
      body,
      timeoutMs,
    });
    const json = (await res.json().catch(() => ({}))) as { id?: string; error?: { code?: string } };
    const retryAfter = res.headers.get('retry-after');
    return {
      key,
      body,
      status: res.status,
      ...(json.error?.code ? { code: json.error.code } : {}),
      ...(json.id ? { id: json.id } : {}),
      ...(retryAfter !== null ? { retryAfter } : {}),
      ms: performance.now() - started,
    };
  } catch {
    return { key, body, ms: performance.now() - started };
  }
}
