/**
 * What one probe of a region's `GET /health/probe` says about that region (pure: no I/O, no clock).
 *
 * The answer is one of three verdicts, and only two of them are ever published:
 * - `healthy`: HTTP 200 with the health body naming the expected region (and, for the primary, role `active`).
 * - `failed`: the region's own stack answered that it cannot serve (503, or any other 5xx from API Gateway or
 *   the function), or did not answer at all (timeout, reset, refused, DNS or TLS failure) *while this vantage
 *   point's control target answered*, so the vantage point's own network is not to blame.
 * - `inconclusive`: anything that does not prove the region broken: throttling (429), a WAF or authorization
 *   refusal (403) or a missing signature (401) (this detector's own configuration or someone else's flood, not
 *   the region's health), other 4xx and 3xx (misconfiguration), a body that is not the health contract, a
 *   primary that answers but is not the writer, a network error while the control target fails too (the
 *   vantage point is cut off), and a 503 whose only failed components are `schema_pending` (the first
 *   deployment, before the migration ran: it must never look like a regional failure).
 */
export type Verdict = 'healthy' | 'failed' | 'inconclusive';

/** What the HTTP exchange produced, before any interpretation. */
export type Observation =
  | { kind: 'response'; status: number; body: unknown }
  | { kind: 'timeout' }
  | { kind: 'network'; code: string };

export interface Classification {
  verdict: Verdict;
  /** Short and machine-readable: `ok`, `unavailable`, `http_502`, `timeout`, `throttled`, ... */
  reason: string;
}

export interface Expected {
  /** The region the body must name (the host answers for exactly one region). */
  region: string;
  /** The primary must be the writer to count as healthy; the secondary is healthy as `passive` too. */
  requireActive: boolean;
}

/** The reason a component carries while the heartbeat table does not exist yet (SQLSTATE 42P01). */
export const SCHEMA_PENDING = 'schema_pending';

interface Component {
  component?: unknown;
  ok?: unknown;
  reason?: unknown;
}

const record = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** True when the body lists failed components and every one of them failed only for `schema_pending`. */
function onlySchemaPending(body: Record<string, unknown> | undefined): boolean {
  const components = body?.components;
  if (!Array.isArray(components)) return false;
  const failed = (components as Component[]).filter((c) => record(c) && c.ok !== true);
  return failed.length > 0 && failed.every((c) => c.reason === SCHEMA_PENDING);
}

function classifyResponse(status: number, raw: unknown, expected: Expected): Classification {
  const body = record(raw);
  if (status === 200) {
    if (body?.status !== 'ok') return { verdict: 'inconclusive', reason: 'invalid_body' };
    if (body.region !== expected.region) return { verdict: 'inconclusive', reason: 'wrong_region' };
    if (body.role !== 'active' && body.role !== 'passive')
      return { verdict: 'inconclusive', reason: 'invalid_body' };
    // A primary that answers as a reader is not broken: it is not the writer (a switchover, a failover that
    // already happened). Whether to act is the plan's business, never a reason for an automatic failover.
    if (expected.requireActive && body.role !== 'active')
      return { verdict: 'inconclusive', reason: 'not_active' };
    return { verdict: 'healthy', reason: 'ok' };
  }
  if (status === 503 && onlySchemaPending(body)) return { verdict: 'inconclusive', reason: SCHEMA_PENDING };
  if (status === 503) return { verdict: 'failed', reason: 'unavailable' };
  if (status >= 500 && status <= 599) return { verdict: 'failed', reason: `http_${status}` };
  if (status === 429) return { verdict: 'inconclusive', reason: 'throttled' };
  if (status === 401) return { verdict: 'inconclusive', reason: 'unauthenticated' };
  if (status === 403) return { verdict: 'inconclusive', reason: 'forbidden' };
  return { verdict: 'inconclusive', reason: `http_${status}` };
}

/**
 * One probe, with what the control probe sent at the same moment saw: `controlAnswered` is true when the
 * control target gave any HTTP answer at all (its status does not matter, only that this vantage point can
 * reach the internet).
 */
export function classifyProbe(o: Observation, controlAnswered: boolean, expected: Expected): Classification {
  if (o.kind === 'response') return classifyResponse(o.status, o.body, expected);
  const reason = o.kind === 'timeout' ? 'timeout' : `network:${o.code}`;
  if (!controlAnswered) return { verdict: 'inconclusive', reason: `local_network(${reason})` };
  return { verdict: 'failed', reason };
}

/**
 * The primary's verdict for one run: healthy as soon as one probe saw it healthy; failed only when every probe
 * failed; inconclusive otherwise (a throttled or cut-off probe among failures proves nothing).
 */
export function primaryVerdict(probes: readonly Classification[]): Verdict {
  if (probes.some((p) => p.verdict === 'healthy')) return 'healthy';
  if (probes.length > 0 && probes.every((p) => p.verdict === 'failed')) return 'failed';
  return 'inconclusive';
}

/**
 * The secondary's verdict for one run, the other way round: a failover target must be healthy at every probe.
 * One failed probe makes it unhealthy; healthy needs at least one healthy probe and no failed one.
 */
export function secondaryVerdict(probes: readonly Classification[]): Verdict {
  if (probes.some((p) => p.verdict === 'failed')) return 'failed';
  if (probes.some((p) => p.verdict === 'healthy')) return 'healthy';
  return 'inconclusive';
}
