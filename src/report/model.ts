import type { Policy } from './policy';

/** One delay of a recovery path, as a range: `bestSeconds` to `seconds` (the worst case). */
export interface Term {
  name: string;
  seconds: number;
  bestSeconds: number;
  source: string;
}

/** One sequence of delays in series; a scenario's chains run in parallel (the longest is the RTO). */
export interface Chain {
  id: 'traffic' | 'writes' | 'in-region' | 'operator';
  title: string;
  terms: Term[];
  /** Worst case: sum of the terms; null when a value it needs is unknown. */
  seconds: number | null;
  bestSeconds: number | null;
  /** Plan values this chain needs but the plan does not give. */
  unknown: string[];
  /** The chain that determines the RTO. */
  critical: boolean;
}

/**
 * What the worst-case figure of a store rests on:
 * - `configured`: a bound the plan configures (rds.global_db_rpo, S3 Replication Time Control);
 * - `synchronous`: no cross-Region replication involved (0);
 * - `no-aws-bound`: AWS offers no bound for this store (DynamoDB global tables): the typical value is used;
 * - `typical-only`: AWS offers a bound at a price in availability and the plan leaves it off (the ledger without
 *   rds.global_db_rpo): the typical value is used, and the report says that no configured bound exists;
 * - `unbounded`: nothing limits the loss (S3 without Replication Time Control, an invalid bound, no replica).
 */
export type RpoBasis = 'configured' | 'synchronous' | 'no-aws-bound' | 'typical-only' | 'unbounded';

export interface StoreRpo {
  store: 'ledger (Aurora)' | 'DynamoDB' | 'receipts (S3)';
  expectedSeconds: number | null;
  /** Worst case guaranteed by configuration or SLA; null when nothing bounds it. */
  boundSeconds: number | null;
  basis: RpoBasis;
  source: string;
}

/**
 * `met`: the limit holds for the worst case. `met-typical`: holds only for the typical (RPO) or best-case (RTO)
 * value, not guaranteed; the note says what the worst case is. `breach`: does not hold, or cannot be shown to.
 */
export type CheckStatus = 'met' | 'met-typical' | 'breach';

export interface Check {
  /** e.g. `RTO`, `ledger (Aurora) RPO`. */
  subject: string;
  against: 'requirement' | 'target' | 'plan objective';
  limitSeconds: number;
  /** The value compared; null when unknown or unbounded. */
  valueSeconds: number | null;
  basis: 'worst-case' | 'typical' | 'best-case';
  status: CheckStatus;
  /** limit - value (negative: missed by that much); null when there is no value. */
  marginSeconds: number | null;
  note?: string;
}

/** A property a scenario must keep (e.g. "no failover on one vantage point's view"), read from the plan. */
export interface Invariant {
  name: string;
  holds: boolean;
  /** Why it holds, or precisely what is missing for it to hold. */
  why: string;
}

/**
 * - `failover`: recovery is a plan execution activating the secondary (RTO computed along the plan);
 * - `no-failover`: nothing must fail over; the invariants say why not, the RTO is the effect on service if any;
 * - `in-region`: recovery inside the primary region.
 */
export type Outcome = 'failover' | 'no-failover' | 'in-region';

export interface ScenarioResult {
  id: string;
  title: string;
  outcome: Outcome;
  recoverable: boolean;
  /** Pieces the path needs that the plan lacks, each said precisely (empty when complete). */
  missing: string[];
  /** Values the plan does not give, so that the RTO cannot be computed (never defaulted). */
  unknown: string[];
  chains: Chain[];
  /** The critical chain's terms (empty when there is none). */
  rtoTerms: Term[];
  /** Worst case; null when unknown or not applicable (then `rtoNote` says which). */
  rtoSeconds: number | null;
  rtoBestSeconds: number | null;
  rtoNote?: string;
  /**
   * The longest a successful execution can take before ARC fails it: detection + start + every step's
   * timeout_minutes + DNS propagation and TTL. Null when the plan does not give every timeout.
   */
  planBoundSeconds?: number | null;
  invariants: Invariant[];
  rpo: StoreRpo[];
  checks: Check[];
  breaches: string[];
  verdict: 'pass' | 'met-typical' | 'fail';
  notes: string[];
}

export interface Report {
  policy: Policy;
  scenarios: ScenarioResult[];
  ok: boolean;
  /** Plan-level remarks (documented defaults applied, mismatched settings). */
  notes: string[];
  /** AWS figures and assumptions the numbers rest on that are not verified. */
  unverified: string[];
}

export const sum = (terms: Term[], pick: (t: Term) => number = (t) => t.seconds) =>
  terms.reduce((a, t) => a + pick(t), 0);

export function chain(id: Chain['id'], title: string, terms: Term[], unknown: string[] = []): Chain {
  const known = unknown.length === 0;
  return {
    id,
    title,
    terms,
    seconds: known ? sum(terms) : null,
    bestSeconds: known ? sum(terms, (t) => t.bestSeconds) : null,
    unknown,
    critical: false,
  };
}

/** Marks the longest chain critical and returns its worst and best; null when any chain is unknown. */
export function settle(chains: Chain[], complete: boolean): { worst: number | null; best: number | null } {
  if (!complete || chains.length === 0 || chains.some((c) => c.seconds === null))
    return { worst: null, best: null };
  let critical = chains[0];
  for (const c of chains) if ((c.seconds as number) > (critical.seconds as number)) critical = c;
  critical.critical = true;
  // The RTO's best case is the best of the slowest path: every chain must have finished.
  const best = Math.max(...chains.map((c) => c.bestSeconds as number));
  return { worst: critical.seconds, best };
}
