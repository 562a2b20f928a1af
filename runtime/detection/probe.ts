import type { RequestSigner } from '../shared/sigv4';
import type { Observation } from './classify';

/**
 * One bounded HTTP GET and what it produced (an `Observation`, interpreted by classify.ts). The timeout covers
 * the whole exchange, the body included, so a server that accepts and never answers, or stalls mid-body,
 * holds a run for `timeoutMs` at most. Redirects are not followed (API Gateway never redirects; a redirect is
 * an answer to classify, not a place to go).
 */
export interface ProbeTarget {
  url: string;
  /**
   * Sign the request with SigV4 (service `execute-api`) for this region: the region of the API that answers,
   * which the probe route's IAM authorization checks.
   */
  signingRegion?: string;
}

export type Prober = (target: ProbeTarget, timeoutMs: number) => Promise<Observation>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** HTTPS only, except plain HTTP to a loopback address (local runs and tests). */
export function validateProbeUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`probe URL ${raw} is not a valid URL`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return url;
  throw new Error(`probe URL ${raw} must use https`);
}

/** The health body is small; anything longer is not the health contract. */
const MAX_BODY_CHARS = 4096;

function networkCode(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return err instanceof Error ? err.name : 'error';
}

function parseBody(text: string): unknown {
  if (text.length > MAX_BODY_CHARS) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A prober over `fetch`; `sign` signs the targets that name a signing region. */
export function httpProber(sign?: RequestSigner): Prober {
  return async (target, timeoutMs) => {
    const signal = AbortSignal.timeout(timeoutMs);
    const request = {
      method: 'GET',
      url: target.url,
      headers: { accept: 'application/json', 'user-agent': 'payments-dr-detector' },
    };
    let headers: Record<string, string> = request.headers;
    if (target.signingRegion) {
      if (!sign) throw new Error(`probe of ${target.url} needs a signer`);
      // fetch sets Host itself, from the URL: the same value the signature covers.
      const { host: _host, ...signed } = (await sign(request, target.signingRegion)).headers;
      headers = signed;
    }
    try {
      const response = await fetch(target.url, { method: 'GET', redirect: 'manual', headers, signal });
      const text = await response.text();
      return { kind: 'response', status: response.status, body: parseBody(text) };
    } catch (err) {
      if (signal.aborted) return { kind: 'timeout' };
      return { kind: 'network', code: networkCode(err) };
    }
  };
}
