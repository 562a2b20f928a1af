/**
 * One probe of a region's deep health endpoint. Healthy only on HTTP 200 with a JSON body whose `status` is
 * `"ok"`; anything else (other status, redirect, unparsable body, network error, no complete answer within
 * the timeout) is a failure with a short machine-readable reason. The timeout covers the whole exchange,
 * body included, so a server that stalls mid-response cannot hold the watchdog.
 */
export interface ProbeResult {
  ok: boolean;
  /** Epoch milliseconds when the probe started. */
  at: number;
  latencyMs: number;
  status?: number;
  /** Why it failed: `timeout`, `http_503`, `invalid_body`, `status_not_ok`, `network:<code>`. */
  reason?: string;
  /** Region named by the body, when there was one. */
  region?: string;
}

export type Prober = (url: string, timeoutMs: number) => Promise<ProbeResult>;

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** HTTPS only, except plain HTTP to a loopback address (local runs and tests). */
export function validateHealthUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`health URL ${raw} is not a valid URL`);
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && LOOPBACK.has(url.hostname)) return url;
  throw new Error(`health URL ${raw} must use https`);
}

const MAX_BODY_CHARS = 4096;

function networkReason(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown } } | null)?.cause;
  const code = typeof cause?.code === 'string' ? cause.code : err instanceof Error ? err.name : 'error';
  return `network:${code}`;
}

export const probeHealth: Prober = async (url, timeoutMs) => {
  const at = Date.now();
  const signal = AbortSignal.timeout(timeoutMs);
  const done = (r: Omit<ProbeResult, 'at' | 'latencyMs'>): ProbeResult => ({
    at,
    latencyMs: Date.now() - at,
    ...r,
  });
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'GET',
      redirect: 'manual',
      headers: {
        accept: 'application/json',
        'cache-control': 'no-cache',
        'user-agent': 'payments-dr-watchdog',
      },
      signal,
    });
  } catch (err) {
    return done({ ok: false, reason: signal.aborted ? 'timeout' : networkReason(err) });
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    return done({
      ok: false,
      status: response.status,
      reason: signal.aborted ? 'timeout' : 'body_read_error',
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text.slice(0, MAX_BODY_CHARS));
  } catch {
    body = undefined;
  }
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  const region = typeof fields?.region === 'string' ? fields.region : undefined;
  const base = { status: response.status, ...(region ? { region } : {}) };
  if (response.status !== 200) return done({ ok: false, ...base, reason: `http_${response.status}` });
  if (!fields) return done({ ok: false, ...base, reason: 'invalid_body' });
  if (fields.status !== 'ok') return done({ ok: false, ...base, reason: 'status_not_ok' });
  return done({ ok: true, ...base });
};
