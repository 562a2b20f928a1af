import { AWS_TIMINGS } from './aws-timings';
import type { PlanFacts } from './facts';
import {
  type Chain,
  chain,
  type Invariant,
  type Outcome,
  type ScenarioResult,
  settle,
  type Term,
} from './model';
import type { Policy } from './policy';
import { azRpo, regionalRpo } from './rpo';
import { failoverPath } from './rto';

const T = AWS_TIMINGS;

export function blank(id: string, title: string, outcome: Outcome): ScenarioResult {
  return {
    id,
    title,
    outcome,
    recoverable: true,
    missing: [],
    unknown: [],
    chains: [],
    rtoTerms: [],
    rtoSeconds: null,
    rtoBestSeconds: null,
    invariants: [],
    rpo: [],
    checks: [],
    breaches: [],
    verdict: 'fail',
    notes: [],
  };
}

function withChains(s: ScenarioResult, chains: Chain[]): ScenarioResult {
  s.chains = chains;
  s.unknown = [...new Set(chains.flatMap((c) => c.unknown))];
  const { worst, best } = settle(chains, s.missing.length === 0);
  s.rtoSeconds = worst;
  s.rtoBestSeconds = best;
  s.rtoTerms = chains.find((c) => c.critical)?.terms ?? [];
  return s;
}

/** What a regional failover needs of the data layer (the plan's steps need the rest). */
function dataMissing(f: PlanFacts): string[] {
  const m: string[] = [];
  if (!f.aurora.globalCluster || !f.aurora.secondaryMember)
    m.push('Aurora secondary cluster in the global database');
  if (f.dynamodb.length === 0 || f.dynamodb.some((t) => !t.replicated))
    m.push('DynamoDB replica in the secondary region');
  if (!f.s3.replicated) m.push('S3 replication to the secondary region');
  return m;
}

/** The primary region lost: the plan's trigger (automatic) or an operator (manual) activates the secondary. */
export function regionLoss(f: PlanFacts, policy: Policy): ScenarioResult {
  const s = blank('region-loss', 'Primary region lost', 'failover');
  const start = f.engine.plan?.trigger ? 'trigger' : 'operator';
  const path = failoverPath(f, policy, start);
  s.missing = [...new Set([...path.missing, ...dataMissing(f)])];
  s.recoverable = s.missing.length === 0;
  s.planBoundSeconds = path.planBoundSeconds;
  const minDelay = f.engine.plan?.trigger?.minDelayMinutes;
  if (minDelay !== undefined)
    s.notes.push(
      `the trigger starts at most one execution per ${minDelay} min (minDelayMinutesBetweenExecutions): a flapping signal cannot fail over twice`,
    );
  if (start === 'operator' && f.engine.plan)
    s.notes.push(
      'manual mode: the plan has no trigger; the agreement alarm pages and an operator starts the execution',
    );
  s.rpo = regionalRpo(f);
  return withChains(s, path.chains);
}

/** The agreement rule as an invariant: one vantage point alone cannot raise the trigger alarm. */
export function agreementInvariant(f: PlanFacts, why: string): Invariant {
  const rule = f.detection.agreement;
  const plan = f.engine.plan;
  if (!rule)
    return {
      name: 'one vantage point alone cannot start a failover',
      holds: false,
      why: f.detection.agreementMissing.join('; ') || 'no agreement alarm',
    };
  const trigger = plan?.trigger
    ? `the trigger needs ${f.detection.primaryFailed?.name} red`
    : 'no trigger (manual mode): nothing starts by itself';
  return {
    name: 'one vantage point alone cannot start a failover',
    holds: true,
    why: `${why}; ${f.detection.primaryFailed?.name} needs ${rule.vantages.join(' and ')} both >= 1 for ${rule.periods} of ${rule.periods} periods, missing data notBreaching, so it stays OK; ${trigger}`,
  };
}

export function falsePositive(f: PlanFacts): ScenarioResult {
  const s = blank('false-positive', 'One vantage point cut off (primary healthy)', 'no-failover');
  s.invariants.push(
    agreementInvariant(
      f,
      'the cut-off detector\u2019s control target fails too, so it publishes nothing (inconclusive), and the other vantage point publishes 0',
    ),
  );
  s.rtoNote = 'n/a: no outage, no failover';
  return s;
}

export function oneSidedPartition(f: PlanFacts): ScenarioResult {
  const s = blank('one-sided-partition', 'Primary unreachable from one vantage point only', 'no-failover');
  s.invariants.push(
    agreementInvariant(
      f,
      'the cut-off detector reaches its control target and publishes 1, the other reaches the primary and publishes 0',
    ),
  );
  s.rtoNote = 'n/a: no automatic failover by design';
  s.notes.push(
    'clients on the cut-off side stay cut off: a partition seen from one side is not a regional failure; an operator may start an execution (drctl failover), then the region-loss chain applies with the operator start',
  );
  return s;
}

export function secondaryLoss(f: PlanFacts, policy: Policy): ScenarioResult {
  const s = blank('secondary-loss', 'Secondary region lost (effect on the primary)', 'no-failover');
  const u = f.detection.secondaryUnhealthy;
  s.invariants.push({
    name: 'no automatic failover onto an unknown secondary',
    holds: u?.treatMissingData === 'breaching' && f.detection.missing.every((m) => !m.includes(u.name)),
    why: u
      ? `${u.name} treats missing data as ${u.treatMissingData ?? 'missing'}; the trigger needs it green`
      : f.detection.missing.filter((m) => m.includes('secondary')).join('; ') || 'no secondary health alarm',
  });
  const bound = f.aurora.rpoBoundSeconds;
  const group = f.aurora.rpoParameter.primary.group ?? 'the primary cluster parameter group';
  if (bound === undefined) {
    s.rtoSeconds = 0;
    s.rtoBestSeconds = 0;
    s.rtoNote = `0: rds.global_db_rpo is not set in ${group}, so the primary commits whatever the secondary's lag`;
    return s;
  }
  const terms: Term[] = [
    {
      name: `an operator resets rds.global_db_rpo in ${group} (runbook), commits resume`,
      seconds: policy.manualResponseSeconds,
      bestSeconds: policy.manualResponseSeconds,
      source: `policy.manualResponseSeconds (assumption); from ${bound} s after the secondary stops acknowledging, Aurora "blocks transaction commits" on the primary (${T.auroraRpoMinimum.source})`,
    },
  ];
  s.notes.push(
    `rds.global_db_rpo=${bound} s on the primary: payments answer 503 until the reset applies (its apply time is not documented here)`,
  );
  return withChains(s, [chain('operator', 'primary commits resume', terms)]);
}

/**
 * Shortest outage that can fire the agreement alarm: runs of consecutive minutes may start up to a minute apart
 * less than 60 s (EventBridge start jitter), so N failed runs can fall within (N - 2) periods plus a moment.
 */
export function shortestFiringOutage(f: PlanFacts): number | null {
  const r = f.detection.agreement;
  return r ? Math.max(0, r.periods - 2) * r.periodSeconds : null;
}

function noRegionalFailover(f: PlanFacts, outage: Term): Invariant {
  const shortest = shortestFiringOutage(f);
  const name = 'does not reach the agreement threshold (no regional failover)';
  if (shortest === null)
    return { name, holds: false, why: f.detection.agreementMissing.join('; ') || 'no agreement alarm' };
  return {
    name,
    holds: outage.seconds < shortest,
    why: `${outage.name} ${outage.seconds} s vs the shortest outage that fires ${f.detection.primaryFailed?.name}: (${f.detection.agreement?.periods} - 2) x 60 s = ${shortest} s (EventBridge may start consecutive runs up to a minute closer than 60 s)`,
  };
}

function inRegion(f: PlanFacts, id: string, title: string): ScenarioResult {
  const s = blank(id, title, 'in-region');
  const term: Term =
    f.aurora.instancesPrimary >= 2
      ? { name: 'Aurora fails over to the replica in another AZ', ...pick(T.auroraInRegionFailover) }
      : { name: 'Aurora recreates the only instance', ...pick(T.auroraRecreateInstance) };
  const reconnect: Term = {
    name: 'functions reach the new writer (cluster endpoint TTL)',
    ...pick(T.auroraEndpointTtl),
  };
  s.invariants.push(noRegionalFailover(f, term));
  s.rpo = azRpo.map((r) => ({ ...r }));
  return withChains(s, [chain('in-region', 'in-region Aurora failover', [term, reconnect])]);
}

const pick = (t: { seconds: number; best: number; source: string }) => ({
  seconds: t.seconds,
  bestSeconds: t.best,
  source: t.source,
});

export const inRegionAuroraFailover = (f: PlanFacts) =>
  inRegion(f, 'in-region-aurora-failover', 'In-region Aurora failover (primary)');

export function azLoss(f: PlanFacts): ScenarioResult {
  const s = inRegion(f, 'az-loss', 'One availability zone lost (primary region)');
  if (f.lambdaSubnetsPrimary < 2) {
    s.missing.push('payment Lambda in at least two AZs');
    s.recoverable = false;
    return withChains(s, s.chains);
  }
  return s;
}
