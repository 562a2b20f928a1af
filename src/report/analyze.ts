import { unverifiedTimings } from './aws-timings';
import type { PlanFacts } from './facts';
import type { Check, Report, ScenarioResult } from './model';
import { ASSUMPTION_TEXT, DEFAULT_POLICY, type Policy } from './policy';
import { ledgerTargetCheck, rpoRequirementCheck } from './rpo';
import {
  azLoss,
  falsePositive,
  inRegionAuroraFailover,
  oneSidedPartition,
  regionLoss,
  secondaryLoss,
} from './scenarios';
import { healthFlood, paymentFunctionFailure } from './scenarios-service';

export type * from './model';
export { DEFAULT_ASSUMPTIONS, DEFAULT_POLICY, type Assumptions, type Policy } from './policy';

const margin = (limit: number, value: number | null) => (value === null ? null : limit - value);

/**
 * RTO checks. The requirement and the plan's own objective are guarantees: the worst case must hold. The
 * project's stricter target is `met` when the worst case holds, `met-typical` when only the best case does
 * (said in the note), and a breach when not even the best case does.
 */
function rtoChecks(s: ScenarioResult, policy: Policy, objectiveMinutes: number | undefined): Check[] {
  const worst = s.rtoSeconds;
  const best = s.rtoBestSeconds;
  const unknown = worst === null ? { note: `unknown: ${s.unknown.join('; ') || 'see missing'}` } : {};
  const guarantee = (against: Check['against'], limit: number): Check => ({
    subject: 'RTO',
    against,
    limitSeconds: limit,
    valueSeconds: worst,
    basis: 'worst-case',
    status: worst !== null && worst <= limit ? 'met' : 'breach',
    marginSeconds: margin(limit, worst),
    ...unknown,
  });
  const limit = policy.targets.rtoSeconds;
  const target: Check =
    worst !== null && worst > limit && best !== null && best <= limit
      ? {
          subject: 'RTO',
          against: 'target',
          limitSeconds: limit,
          valueSeconds: best,
          basis: 'best-case',
          status: 'met-typical',
          marginSeconds: limit - best,
          note: `best case only — the worst case is ${worst} s`,
        }
      : { ...guarantee('target', limit) };
  const checks = [guarantee('requirement', policy.requirement.rtoSeconds), target];
  if (s.outcome === 'failover' && objectiveMinutes !== undefined)
    checks.push(guarantee('plan objective', objectiveMinutes * 60));
  return checks;
}

function breachText(c: Check): string {
  if (c.subject === 'RTO') return `RTO ${c.valueSeconds} s > ${c.against} ${c.limitSeconds} s`;
  const store = c.subject.replace(/ RPO$/, '');
  if (c.valueSeconds === null) return `${store}: RPO not bounded`;
  if (c.against === 'target' && store === 'ledger (Aurora)')
    return `ledger RPO ${c.valueSeconds} s > target ${c.limitSeconds} s`;
  return `${store}: RPO ${c.valueSeconds} s > ${c.against} ${c.limitSeconds} s`;
}

function evaluate(s: ScenarioResult, policy: Policy, f: PlanFacts): void {
  for (const i of s.invariants) if (!i.holds) s.breaches.push(`invariant "${i.name}" not shown: ${i.why}`);
  if (!s.recoverable) {
    s.breaches.push(`not recoverable: missing ${s.missing.join('; ')}`);
    s.verdict = 'fail';
    return;
  }
  const timed = s.chains.length > 0 || s.rtoSeconds !== null;
  if (timed) s.checks.push(...rtoChecks(s, policy, f.engine.plan?.rtoObjectiveMinutes));
  if (s.outcome === 'failover' && f.engine.plan && f.engine.plan.rtoObjectiveMinutes === undefined)
    s.notes.push('the plan sets no recovery_time_objective_minutes: nothing to compare the worst case with');
  for (const r of s.rpo) s.checks.push(rpoRequirementCheck(r, policy.requirement.rpoSeconds));
  const ledger = s.rpo.find((r) => r.store === 'ledger (Aurora)');
  if (ledger) s.checks.push(ledgerTargetCheck(ledger, policy.targets.ledgerRpoSeconds));

  if (timed && s.rtoSeconds === null) s.breaches.push(`RTO unknown: ${s.unknown.join('; ')}`);
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

/** Computes every failure scenario from the plan facts and compares it to the policy. */
export function analyze(f: PlanFacts, policy: Policy = DEFAULT_POLICY): Report {
  const scenarios = [
    regionLoss(f, policy),
    falsePositive(f),
    oneSidedPartition(f),
    healthFlood(f),
    secondaryLoss(f, policy),
    inRegionAuroraFailover(f),
    azLoss(f),
    paymentFunctionFailure(f),
  ];
  for (const s of scenarios) evaluate(s, policy, f);
  const used = new Set(scenarios.flatMap((s) => s.chains.flatMap((c) => c.terms.map((t) => t.source))));
  const assumptions = Object.values(ASSUMPTION_TEXT).filter((a) => used.has(a));
  return {
    policy,
    scenarios,
    ok: scenarios.every((s) => s.breaches.length === 0),
    notes: [...f.notes],
    unverified: [...assumptions, ...unverifiedTimings().map((t) => `AWS figure not found again: ${t}`)],
  };
}
