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
