import { AWS_TIMINGS } from './aws-timings';
import type { PlanFacts } from './facts';

export interface Policy {
  /** The requirement (original specification). */
  requirement: { rpoSeconds: number; rtoSeconds: number };
  /** The project's own stricter targets. */
  targets: { rtoSeconds: number; ledgerRpoSeconds: number };
  /** Assumed time for an operator to act on a page in `manual` mode (an assumption, not a measurement). */
  manualResponseSeconds: number;
  /**
   * Replaces the Aurora promotion estimate (AWS_TIMINGS.auroraGlobalPromotion), e.g. with the `promotionMs`
   * measured by `drctl drill`. Unset: the estimate is used.
   */
  auroraPromotionSeconds?: number;
}

export const DEFAULT_POLICY: Policy = {
  requirement: { rpoSeconds: 15 * 60, rtoSeconds: 30 * 60 },
  targets: { rtoSeconds: 5 * 60, ledgerRpoSeconds: 1 },
  manualResponseSeconds: 15 * 60,
};

export interface Term {
  name: string;
  seconds: number;
  source: string;
}

/** One sequence of delays; the RTO is the longest of the scenario's chains (they run in parallel). */
export interface Chain {
  id: 'traffic' | 'database' | 'in-region';
  title: string;
  terms: Term[];
  /** Sum of the terms; null when a value it needs is unknown. */
  seconds: number | null;
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
  /** Typical data loss. */
  expectedSeconds: number | null;
  /** Worst case guaranteed by configuration or SLA; null when nothing bounds it. */
  boundSeconds: number | null;
  basis: RpoBasis;
  source: string;
}

/**
 * `met`: the limit holds for the worst case (or the conservative estimate, for RTO).
 * `met-typical`: holds only for the typical value; not guaranteed (the note says what bounds the worst case).
 * `breach`: does not hold, or cannot be shown to.
 */
export type CheckStatus = 'met' | 'met-typical' | 'breach';

export interface Check {
  /** e.g. `RTO`, `ledger (Aurora) RPO`. */
  subject: string;
  against: 'requirement' | 'target';
  limitSeconds: number;
  /** The value compared; null when unknown or unbounded. */
  valueSeconds: number | null;
  /** What the value is: a worst case, a typical value, or an estimate. */
  basis: 'worst-case' | 'typical' | 'estimate';
  status: CheckStatus;
  /** limit - value (negative: missed by that much); null when there is no value. */
  marginSeconds: number | null;
  note?: string;
}

export interface ScenarioResult {
  id: string;
  title: string;
  recoverable: boolean;
  /** Why it is not recoverable (missing components), empty when it is. */
  missing: string[];
  /** Values the plan does not give, so that the RTO cannot be computed (never defaulted). */
  unknown: string[];
  /** Every parallel chain, the critical one marked. */
  chains: Chain[];
  /** The critical chain's terms (empty when there is none). */
  rtoTerms: Term[];
  rtoSeconds: number | null;
  rpo: StoreRpo[];
  checks: Check[];
  breaches: string[];
  /** `met-typical`: no breach, but some limit holds only for typical values. */
  verdict: 'pass' | 'met-typical' | 'fail';
  /** Delays considered and left out of the chains, and other remarks. */
  notes: string[];
}

export interface Report {
  policy: Policy;
  scenarios: ScenarioResult[];
  ok: boolean;
  /** Plan-level remarks (documented defaults applied, mismatched settings). */
  notes: string[];
}

const T = AWS_TIMINGS;
const AURORA_DR_URL =
  'https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html';
const sum = (terms: Term[]) => terms.reduce((a, t) => a + t.seconds, 0);

function trafficChain(f: PlanFacts): Chain | undefined {
  const hc = f.healthCheck;
  if (!hc) return undefined;
  const terms: Term[] = [
    {
      name: 'Route 53 detects the failing primary /health (interval x failure threshold)',
      seconds: hc.intervalSeconds * hc.failureThreshold,
      source: `aws_route53_health_check: ${hc.sources.interval}, ${hc.sources.threshold}`,
    },
    {
      name: 'resolvers drop the cached PRIMARY answer (alias TTL)',
      seconds: T.aliasTtl.seconds,
      source: T.aliasTtl.source,
    },
  ];
  return {
    id: 'traffic',
    title: 'traffic to us-east-2',
    terms,
    seconds: sum(terms),
    unknown: [],
    critical: false,
  };
}

function databaseChain(f: PlanFacts, policy: Policy): Chain | undefined {
  const w = f.watchdog;
  if (!w) return undefined;
  const terms: Term[] = [];
  if (
    w.intervalSeconds !== undefined &&
    w.probeGapSeconds !== undefined &&
    w.consecutiveFailures !== undefined &&
    w.probeTimeoutSeconds !== undefined
  ) {
    terms.push({
      name: 'watchdog declares the primary failed (consecutive failed probes x longest probe gap + probe timeout)',
      seconds: w.probeGapSeconds * w.consecutiveFailures + w.probeTimeoutSeconds,
      source: `${w.rule} every ${w.intervalSeconds} s with PROBES_PER_RUN=${w.probesPerRun ?? 1} (a probe at least every ${w.probeGapSeconds} s), FAILURE_THRESHOLD=${w.consecutiveFailures}, PROBE_TIMEOUT_MS=${w.probeTimeoutSeconds * 1000}`,
    });
  }
  if (w.mode === 'manual') {
    terms.push({
      name: 'operator runs drctl failover (manual mode)',
      seconds: policy.manualResponseSeconds,
      source: 'policy.manualResponseSeconds (assumption)',
    });
  }
  const promotion =
    policy.auroraPromotionSeconds !== undefined
      ? {
          seconds: policy.auroraPromotionSeconds,
          source: 'policy.auroraPromotionSeconds (measured or assumed)',
        }
      : T.auroraGlobalPromotion;
  terms.push(
    { name: 'Aurora promotes the us-east-2 cluster (managed failover)', ...promotion },
    {
      name: 'Lambdas reconnect (cluster endpoint TTL)',
      seconds: T.auroraEndpointTtl.seconds,
      source: T.auroraEndpointTtl.source,
    },
  );
  return {
    id: 'database',
    title: 'writable database in us-east-2',
    terms,
    seconds: w.unknown.length === 0 ? sum(terms) : null,
    unknown: [...w.unknown],
    critical: false,
  };
}

function ledgerRpo(f: PlanFacts): StoreRpo {
  const param = f.aurora.rpoParameter.primary;
  const typical = f.aurora.secondaryMember ? T.auroraTypicalLag.seconds : null;
  if (!f.aurora.secondaryMember) {
    return {
      store: 'ledger (Aurora)',
      expectedSeconds: null,
      boundSeconds: null,
      basis: 'unbounded',
      source: 'no Aurora secondary cluster: nothing is replicated',
    };
  }
  const group = param.group ? ` (${param.group})` : '';
  if (f.aurora.rpoBoundSeconds !== undefined) {
    const b = f.aurora.rpoBoundSeconds;
    return {
      store: 'ledger (Aurora)',
      expectedSeconds: typical,
      boundSeconds: b,
      basis: 'configured',
      source: `rds.global_db_rpo=${b} on the primary (writer) cluster's parameter group${group}: Aurora blocks commits once every secondary lags beyond it (${AURORA_DR_URL}); availability cost: while us-east-2 lags more than ${b} s, every ledger commit in us-east-1 waits (payments answer 503) until it catches up; typical: ${T.auroraTypicalLag.source}`,
    };
  }
  if (
    param.problem === 'rds.global_db_rpo not set' ||
    param.problem?.startsWith('the cluster uses the default')
  ) {
    // Off (the default): the ledger keeps taking writes whatever the lag, so only the typical loss can be stated.
    return {
      store: 'ledger (Aurora)',
      expectedSeconds: typical,
      boundSeconds: null,
      basis: 'typical-only',
      source: `no configured bound: rds.global_db_rpo is off on the primary cluster${group} (database.rpoBoundSeconds unset), so a replication stall is lost in full by an AllowDataLoss failover; typical: ${T.auroraTypicalLag.source}`,
    };
  }
  return {
    store: 'ledger (Aurora)',
    expectedSeconds: typical,
    boundSeconds: null,
    basis: 'unbounded',
    source: `unbounded: ${param.problem ?? 'rds.global_db_rpo not set'} on the primary cluster${group}; typical: ${T.auroraTypicalLag.source}`,
  };
}

/**
 * DynamoDB as its worst table: tables with multi-Region strong consistency lose nothing acknowledged ("Item
 * changes in an MRSC global table replica are synchronously replicated to at least one other Region before the
 * write operation returns a successful response", V2globaltables_HowItWorks.html); the others replicate
 * asynchronously with no AWS bound.
 */
function dynamodbRpo(f: PlanFacts): StoreRpo {
  const tablesReplicated = f.dynamodb.length > 0 && f.dynamodb.every((t) => t.replicated);
  const allStrong = tablesReplicated && f.dynamodb.every((t) => t.strong);
  const mode = (t: PlanFacts['dynamodb'][number]) =>
    !t.replicated ? 'NO' : t.strong ? 'MRSC (synchronous, RPO 0)' : 'yes';
  const replicas = `global table replicas: ${f.dynamodb.map((t) => `${t.name}=${mode(t)}`).join(', ')}`;
  if (allStrong)
    return {
      store: 'DynamoDB',
      expectedSeconds: 0,
      boundSeconds: 0,
      basis: 'synchronous',
      source: `${replicas}; MRSC writes reach a second Region before they return`,
    };
  return {
    store: 'DynamoDB',
    expectedSeconds: tablesReplicated ? T.dynamodbTypicalLag.seconds : null,
    boundSeconds: null,
    basis: tablesReplicated ? 'no-aws-bound' : 'unbounded',
    source: `${replicas}; ${T.dynamodbTypicalLag.source}`,
  };
}

function regionalRpo(f: PlanFacts): StoreRpo[] {
  return [
    ledgerRpo(f),
    dynamodbRpo(f),
    {
      store: 'receipts (S3)',
      expectedSeconds: f.s3.replicated ? (f.s3.rtcMinutes ? f.s3.rtcMinutes * 60 : null) : null,
      boundSeconds: f.s3.replicated && f.s3.rtcMinutes ? f.s3.rtcMinutes * 60 : null,
      basis: f.s3.replicated && f.s3.rtcMinutes ? 'configured' : 'unbounded',
      source: f.s3.rtcMinutes
        ? T.s3Rtc.source
        : 'no Replication Time Control: no bound (S3 gives no time guarantee without RTC)',
    },
  ];
}

const azRpo: StoreRpo[] = [
  {
    store: 'ledger (Aurora)',
    expectedSeconds: 0,
    boundSeconds: 0,
    basis: 'synchronous',
    source: 'Aurora storage is replicated synchronously across 3 AZs',
  },
  {
    store: 'DynamoDB',
    expectedSeconds: 0,
    boundSeconds: 0,
    basis: 'synchronous',
    source: 'DynamoDB is multi-AZ within a region',
  },
  {
    store: 'receipts (S3)',
    expectedSeconds: 0,
    boundSeconds: 0,
    basis: 'synchronous',
    source: 'S3 Standard stores across at least 3 AZs',
  },
];

const margin = (limit: number, value: number | null) => (value === null ? null : limit - value);

function rtoChecks(rto: number | null, policy: Policy, unknown: string[]): Check[] {
  const check = (against: Check['against'], limit: number): Check => ({
    subject: 'RTO',
    against,
    limitSeconds: limit,
    valueSeconds: rto,
    basis: 'estimate',
    status: rto !== null && rto <= limit ? 'met' : 'breach',
    marginSeconds: margin(limit, rto),
    ...(rto === null ? { note: `unknown: ${unknown.join('; ')}` } : {}),
  });
  return [check('requirement', policy.requirement.rtoSeconds), check('target', policy.targets.rtoSeconds)];
}

/**
 * The requirement (RPO <= 15 min) is a guarantee, so it is checked against the worst case:
 * - a configured bound (rds.global_db_rpo, S3 RTC) or a synchronous 0 is the worst case;
 * - `unbounded` breaches: nothing limits the loss (S3 without RTC, where the bound costs nothing but money; an
 *   invalid rds.global_db_rpo; no replica), so a replication stall is lost in full on an AllowDataLoss failover;
 * - `no-aws-bound` (DynamoDB global tables, which have no replication SLA, and whose only zero-loss mode, MRSC,
 *   needs three Regions) cannot be configured any better here: the typical value is used and the check is
 *   reported `met-typical` with "no AWS bound; typical used", never as a plain pass;
 * - `typical-only` (the ledger with rds.global_db_rpo off, the default) is reported the same way, `met-typical`
 *   with "no configured bound": the bound AWS offers would pause every ledger commit in the primary region while
 *   the secondary lags, and AWS advises against it on the secondary of a two-Region global database, so it is an
 *   explicit opt-in (database.rpoBoundSeconds), not a condition of the requirement.
 */
function rpoRequirementCheck(r: StoreRpo, limit: number): Check {
  const base = { subject: `${r.store} RPO`, against: 'requirement' as const, limitSeconds: limit };
  if (r.basis === 'no-aws-bound' || r.basis === 'typical-only') {
    const v = r.expectedSeconds;
    return {
      ...base,
      valueSeconds: v,
      basis: 'typical',
      status: v !== null && v <= limit ? 'met-typical' : 'breach',
      marginSeconds: margin(limit, v),
      note:
        r.basis === 'no-aws-bound'
          ? 'no AWS bound; typical used'
          : 'no configured bound (rds.global_db_rpo off); typical used',
    };
  }
  const v = r.boundSeconds;
  return {
    ...base,
    valueSeconds: v,
    basis: 'worst-case',
    status: v !== null && v <= limit ? 'met' : 'breach',
    marginSeconds: margin(limit, v),
    ...(v === null ? { note: `unbounded: ${r.source}` } : {}),
  };
}

/**
 * The 1 s ledger target is stricter than anything Aurora can guarantee across Regions (rds.global_db_rpo
 * starts at 20 s), so it is evaluated against the typical lag and reported `met-typical`, naming the real
 * worst case. Only a worst case within the target (AZ loss: synchronous, 0) is a plain `met`.
 */
function ledgerTargetCheck(r: StoreRpo, limit: number): Check {
  const base = { subject: `${r.store} RPO`, against: 'target' as const, limitSeconds: limit };
  if (r.boundSeconds !== null && r.boundSeconds <= limit) {
    return {
      ...base,
      valueSeconds: r.boundSeconds,
      basis: 'worst-case',
      status: 'met',
      marginSeconds: limit - r.boundSeconds,
    };
  }
  const worst =
    r.boundSeconds !== null
      ? `worst case bounded by rds.global_db_rpo = ${r.boundSeconds} s`
      : r.basis === 'typical-only'
        ? 'worst case not bounded (rds.global_db_rpo off on the primary cluster)'
        : 'worst case unbounded (no valid rds.global_db_rpo on the primary cluster)';
  const v = r.expectedSeconds;
  return {
    ...base,
    valueSeconds: v,
    basis: 'typical',
    status: v !== null && v <= limit ? 'met-typical' : 'breach',
    marginSeconds: margin(limit, v),
    note: `typical only — not guaranteed; ${worst}`,
  };
}

function breachText(c: Check): string {
  if (c.subject === 'RTO') return `RTO ${c.valueSeconds} s > ${c.against} ${c.limitSeconds} s`;
  const store = c.subject.replace(/ RPO$/, '');
  if (c.valueSeconds === null) return `${store}: RPO not bounded`;
  if (c.against === 'target' && store === 'ledger (Aurora)')
    return `ledger RPO ${c.valueSeconds} s > target ${c.limitSeconds} s`;
  return `${store}: RPO ${c.valueSeconds} s > ${c.against} ${c.limitSeconds} s`;
}

function evaluate(s: ScenarioResult, policy: Policy): void {
  if (!s.recoverable) {
    s.breaches.push(`not recoverable: missing ${s.missing.join('; ')}`);
    s.verdict = 'fail';
    return;
  }
  s.checks.push(...rtoChecks(s.rtoSeconds, policy, s.unknown));
  for (const r of s.rpo) s.checks.push(rpoRequirementCheck(r, policy.requirement.rpoSeconds));
  const ledger = s.rpo.find((r) => r.store === 'ledger (Aurora)');
  if (ledger) s.checks.push(ledgerTargetCheck(ledger, policy.targets.ledgerRpoSeconds));

  if (s.rtoSeconds === null) s.breaches.push(`RTO unknown: ${s.unknown.join('; ')}`);
  for (const c of s.checks) {
    if (c.status !== 'breach' || (c.subject === 'RTO' && c.valueSeconds === null)) continue;
    s.breaches.push(breachText(c));
  }
  s.verdict =
    s.breaches.length > 0
      ? 'fail'
      : s.checks.some((c) => c.status === 'met-typical')
        ? 'met-typical'
        : 'pass';
}

/** Marks the longest chain critical and returns the RTO; null when a chain is missing or unknown. */
function settle(chains: Chain[], complete: boolean): number | null {
  if (!complete || chains.some((c) => c.seconds === null)) return null;
  // On a tie the database chain (listed last) is marked, as before.
  let critical = chains[0];
  for (const c of chains) if ((c.seconds as number) >= (critical.seconds as number)) critical = c;
  critical.critical = true;
  return critical.seconds;
}

/** Computes every failure scenario from the plan facts and compares it to the policy. */
export function analyze(f: PlanFacts, policy: Policy = DEFAULT_POLICY): Report {
  const scenarios: ScenarioResult[] = [];
  const regionMissing: string[] = [];
  if (!f.healthCheck || !f.primaryRecord?.healthChecked)
    regionMissing.push('Route 53 health check on the PRIMARY failover record');
  if (!f.secondaryRecord) regionMissing.push('SECONDARY failover record');
  if (!f.aurora.globalCluster || !f.aurora.secondaryMember)
    regionMissing.push('Aurora secondary cluster in the global database');
  if (!f.watchdog)
    regionMissing.push(
      `database failover path (watchdog in the secondary region)${f.watchdogProblem ? `: ${f.watchdogProblem}` : ''}`,
    );
  if (f.dynamodb.length === 0 || f.dynamodb.some((t) => !t.replicated))
    regionMissing.push('DynamoDB replica in the secondary region');
  if (!f.s3.replicated) regionMissing.push('S3 replication to the secondary region');

  const pollNote = f.watchdog
    ? `not on the path: the orchestrator's topology poll (POLL_INTERVAL_MS, ${
        f.watchdog.pollIntervalMs !== undefined
          ? `${f.watchdog.pollIntervalMs} ms in the plan`
          : 'not set in the plan; runtime default 10000 ms'
      }) only delays its writer-confirmed step and notification; the us-east-2 API checks transaction_read_only itself and takes writes once Aurora has promoted`
    : undefined;

  const cross = (id: string, title: string, extraMissing: string[] = []): ScenarioResult => {
    const missing = [...regionMissing, ...extraMissing];
    // Writes need both: traffic in us-east-2 and a writable us-east-2 cluster; the two chains run in parallel.
    const chains = [trafficChain(f), databaseChain(f, policy)].filter((c): c is Chain => c !== undefined);
    const unknown = chains.flatMap((c) => c.unknown);
    const recoverable = missing.length === 0;
    const rtoSeconds = settle(chains, recoverable && chains.length === 2);
    return {
      id,
      title,
      recoverable,
      missing,
      unknown,
      chains,
      rtoTerms: chains.find((c) => c.critical)?.terms ?? [],
      rtoSeconds,
      rpo: regionalRpo(f),
      checks: [],
      breaches: [],
      verdict: 'fail',
      notes: pollNote ? [pollNote] : [],
    };
  };

  scenarios.push(cross('region-loss', 'Primary region lost'));
  scenarios.push(
    cross(
      'database-loss',
      'Primary database lost (region otherwise up)',
      f.healthCheck?.path === '/health'
        ? []
        : ['a deep /health (database check) behind the Route 53 health check'],
    ),
  );
  const azMissing: string[] = [];
  if (f.lambdaSubnetsPrimary < 2) azMissing.push('payment Lambda in at least two AZs');
  const azTerm: Term =
    f.aurora.instancesPrimary >= 2
      ? { name: 'Aurora fails over to the replica in another AZ', ...T.auroraInRegionFailover }
      : { name: 'Aurora recreates the only instance', ...T.auroraRecreateInstance };
  const azChain: Chain = {
    id: 'in-region',
    title: 'in-region Aurora failover',
    terms: [azTerm],
    seconds: azTerm.seconds,
    unknown: [],
    critical: false,
  };
  const azRto = settle([azChain], azMissing.length === 0);
  scenarios.push({
    id: 'az-loss',
    title: 'One availability zone lost (primary region)',
    recoverable: azMissing.length === 0,
    missing: azMissing,
    unknown: [],
    chains: [azChain],
    rtoTerms: azChain.critical ? azChain.terms : [],
    rtoSeconds: azRto,
    rpo: azRpo.map((r) => ({ ...r })),
    checks: [],
    breaches: [],
    verdict: 'fail',
    notes: [],
  });
  scenarios.push(
    cross(
      'payment-function-failure',
      'Payment Lambda failing in the primary',
      f.healthServedByPaymentFunction
        ? []
        : ['/health served by the payment function (otherwise the health check stays green)'],
    ),
  );

  for (const s of scenarios) evaluate(s, policy);
  return {
    policy,
    scenarios,
    ok: scenarios.every((s) => s.breaches.length === 0),
    notes: [...f.notes],
  };
}
