import { describe, expect, it } from 'vitest';
import type { Config } from '../../src/config';
import {
  analyze,
  DEFAULT_POLICY,
  DETECTION_CONTRACT,
  extractFacts,
  type PlanStacks,
  type Policy,
  renderMarkdown,
  renderSummary,
  type ScenarioResult,
} from '../../src/report';
import { detectorEnv } from '../../runtime/detection/env';
import { AWS_TIMINGS as T } from '../../src/report/aws-timings';
import { testConfig } from '../support/synth';
import { activationStep, lambdaNamed, namesOf, synthesizedPlan, vantagesOf } from './real-plan';

const regionLoss = (p: PlanStacks, policy?: Policy): ScenarioResult =>
  analyze(extractFacts(p), policy).scenarios.find((s) => s.id === 'region-loss') as ScenarioResult;
const check = (s: ScenarioResult, against: string) =>
  s.checks.find((c) => c.subject === 'RTO' && c.against === against);
const minutes = (seconds: number) => `${(seconds / 60).toFixed(1)} min`;

const CONFIG = testConfig();
const A = DEFAULT_POLICY.assumptions;
const N = CONFIG.failover.detectionMinutes;
const PROBE_LIMIT = CONFIG.failover.probeTimeoutMs / 1000;
/** The secondary's fence function timeout, as the plan sets it (one invocation of the fence step). */
const fenceTimeout = (p: PlanStacks, c: Config = CONFIG) =>
  Number(lambdaNamed(p, namesOf(c).fenceFunction(c.regions.secondary)).timeout);
const FENCE = fenceTimeout(synthesizedPlan());

// The default plan: N agreeing periods, EventBridge start, probe time limit, alarm evaluation; then the trigger,
// the fence and Aurora's global failover; then the DNS step, the health-check propagation and the alias TTL.
const DETECTION = {
  worst: N * 60 + T.eventBridgeStart.seconds + PROBE_LIMIT + A.alarmEvaluationSeconds,
  best: (N - 1) * 60 + T.eventBridgeStart.best,
};
const STEPS = {
  worst: A.triggerSeconds + FENCE + T.auroraGlobalFailover.seconds,
  best: T.auroraGlobalFailover.best,
};
const DNS = {
  worst: A.dnsStepSeconds + A.healthCheckPropagationSeconds + T.aliasTtl.seconds,
  best: T.aliasTtl.best,
};
const TRAFFIC = {
  worst: DETECTION.worst + STEPS.worst + DNS.worst,
  best: DETECTION.best + STEPS.best + DNS.best,
};
/** The largest whole-minute objective below the default plan's worst case: the plan breaks it. */
const BELOW_WORST_MINUTES = Math.ceil(TRAFFIC.worst / 60) - 1;

describe('region loss: RTO along the plan, in series', () => {
  it('adds every term from detection to the alias TTL, as a best-worst range', () => {
    const s = regionLoss(synthesizedPlan());
    expect(s.missing).toEqual([]);
    expect(s.unknown).toEqual([]);
    const traffic = s.chains.find((c) => c.id === 'traffic');
    expect(traffic?.terms.map((t) => [t.bestSeconds, t.seconds])).toEqual([
      [(N - 1) * 60, N * 60], // N agreeing 60 s periods
      [T.eventBridgeStart.best, T.eventBridgeStart.seconds], // start of the run that first sees the failure
      [0, PROBE_LIMIT], // the probe's time limit (failover.probeTimeoutMs)
      [0, A.alarmEvaluationSeconds], // alarm evaluation (assumption)
      [0, A.triggerSeconds], // ARC acts on the trigger (assumption)
      [0, FENCE], // fence function timeout
      [T.auroraGlobalFailover.best, T.auroraGlobalFailover.seconds], // "in the order of minutes"
      [0, A.dnsStepSeconds], // plan's Route 53 step (assumption)
      [0, A.healthCheckPropagationSeconds], // health-check state propagation (assumption)
      [T.aliasTtl.best, T.aliasTtl.seconds], // alias TTL
    ]);
    expect(traffic?.critical).toBe(true);
    expect(s.rtoSeconds).toBe(TRAFFIC.worst);
    expect(s.rtoBestSeconds).toBe(TRAFFIC.best);
    const writes = s.chains.find((c) => c.id === 'writes');
    expect(writes?.seconds).toBe(DETECTION.worst + STEPS.worst + T.auroraEndpointTtl.seconds);
    expect(writes?.terms.at(-1)?.source).toContain(`TTL of ${T.auroraEndpointTtl.seconds} seconds`);
  });

  it("cites AWS for the jitter and the failover range, and never uses a drill's switchover", () => {
    const terms = regionLoss(synthesizedPlan()).rtoTerms;
    expect(terms[1].source).toContain('run-lambda-schedule.html');
    expect(terms[6].source).toContain('"For an Aurora global database, RTO can be in the order of minutes"');
    expect(terms.some((t) => /switchover|drill/i.test(t.source))).toBe(false);
    expect(T.auroraGlobalFailover).toMatchObject({ best: 60, seconds: 300 });
  });

  it('checks the worst case against the requirement and the plan objective, the target against the best case', () => {
    const s = regionLoss(synthesizedPlan());
    expect(check(s, 'requirement')).toMatchObject({ status: 'met', valueSeconds: TRAFFIC.worst });
    expect(check(s, 'target')).toMatchObject({
      status: 'met-typical',
      basis: 'best-case',
      valueSeconds: TRAFFIC.best,
      note: `best case only — the worst case is ${TRAFFIC.worst} s`,
    });
    // The plan's recovery_time_objective_minutes is failover.rtoObjectiveMinutes; the default holds.
    const objective = CONFIG.failover.rtoObjectiveMinutes * 60;
    expect(check(s, 'plan objective')).toMatchObject({
      status: 'met',
      limitSeconds: objective,
      marginSeconds: objective - TRAFFIC.worst,
    });
    expect(s.breaches).toEqual([]);
    expect(s.verdict).toBe('met-typical');
    // An objective of the largest whole minute below the worst case: the plan breaks its own objective.
    const tight = regionLoss(
      synthesizedPlan(testConfig({ failover: { rtoObjectiveMinutes: BELOW_WORST_MINUTES } })),
    );
    expect(check(tight, 'plan objective')).toMatchObject({
      status: 'breach',
      limitSeconds: BELOW_WORST_MINUTES * 60,
      marginSeconds: BELOW_WORST_MINUTES * 60 - TRAFFIC.worst,
    });
    expect(tight.breaches).toEqual([`RTO ${TRAFFIC.worst} s > plan objective ${BELOW_WORST_MINUTES * 60} s`]);
    expect(tight.verdict).toBe('fail');
  });

  it('follows N = failover.detectionMinutes and the probe time limit of the plan', () => {
    const c = testConfig({ failover: { detectionMinutes: N + 2, probeTimeoutMs: 8000 } });
    const s = regionLoss(synthesizedPlan(c));
    expect(s.rtoTerms[0]).toMatchObject({ bestSeconds: (N + 1) * 60, seconds: (N + 2) * 60 });
    expect(s.rtoTerms[2]).toMatchObject({ seconds: 8 });
    expect(s.rtoSeconds).toBe(TRAFFIC.worst + 2 * 60 + (8 - PROBE_LIMIT));
  });

  it('reports a detector without a readable probe time limit as unknown, never defaulting it', () => {
    // The variable the report reads is the one the detector's own environment contract declares.
    expect(DETECTION_CONTRACT.probeTimeoutVar).toBe(detectorEnv.vars.probeTimeoutMs.name);
    const p = synthesizedPlan();
    const detector = namesOf().detectorFunction(vantagesOf()[1]);
    expect(detector).toContain(DETECTION_CONTRACT.functionNamePart);
    const env = lambdaNamed(p, detector).environment as { variables: Record<string, string> };
    expect(env.variables.PROBE_TIMEOUT_MS).toBe(String(CONFIG.failover.probeTimeoutMs));
    delete env.variables.PROBE_TIMEOUT_MS;
    const s = regionLoss(p);
    expect(s.rtoSeconds).toBeNull();
    expect(s.unknown).toEqual([`detector ${detector} PROBE_TIMEOUT_MS not in the plan`]);
    expect(s.breaches[0]).toMatch(/^RTO unknown: detector .* PROBE_TIMEOUT_MS not in the plan$/);
  });

  it('manual mode: no trigger; the operator response replaces it', () => {
    const s = regionLoss(synthesizedPlan(testConfig({ failover: { mode: 'manual' } })));
    const start = s.rtoTerms.find((t) => t.name.startsWith('an operator starts'));
    expect(start).toMatchObject({
      seconds: DEFAULT_POLICY.manualResponseSeconds,
      bestSeconds: DEFAULT_POLICY.manualResponseSeconds,
      source: 'policy.manualResponseSeconds (assumption)',
    });
    expect(s.rtoTerms.some((t) => t.name.includes('trigger'))).toBe(false);
    expect(s.rtoSeconds).toBe(TRAFFIC.worst - A.triggerSeconds + DEFAULT_POLICY.manualResponseSeconds);
    expect(s.notes[0]).toMatch(/^manual mode: the plan has no trigger/);
  });

  it('an approval step counts with its timeout as the worst case', () => {
    const c = testConfig({ failover: { approveUngraceful: true, approvalTimeoutMinutes: 30 } });
    const p = synthesizedPlan(c);
    expect(activationStep(p, 'ManualApproval', c)).toBeDefined();
    const s = regionLoss(p);
    expect(s.rtoTerms.find((t) => t.name.includes('approves'))).toMatchObject({
      bestSeconds: 0,
      seconds: 30 * 60,
    });
    expect(s.rtoSeconds).toBe(TRAFFIC.worst + 30 * 60);
    expect(s.breaches).toContain(
      `RTO ${TRAFFIC.worst + 30 * 60} s > requirement ${DEFAULT_POLICY.requirement.rtoSeconds} s`,
    );
  });

  it('states the plan bound: every step at its timeout_minutes', () => {
    const p = synthesizedPlan();
    const timeout = (type: string, config: string) =>
      Number((activationStep(p, type)[config] as Array<Record<string, unknown>>)[0].timeout_minutes);
    const stepMinutes =
      timeout('CustomActionLambda', 'custom_action_lambda_config') +
      timeout('AuroraGlobalDatabase', 'global_aurora_config') +
      timeout('Route53HealthCheck', 'route53_health_check_config');
    // Detection, the trigger, every step at its timeout, then propagation and the alias TTL.
    const bound =
      DETECTION.worst +
      A.triggerSeconds +
      stepMinutes * 60 +
      A.healthCheckPropagationSeconds +
      T.aliasTtl.seconds;
    expect(regionLoss(p).planBoundSeconds).toBe(bound);
    expect(renderMarkdown(analyze(extractFacts(p)))).toContain(
      `- plan bound (every step at its timeout_minutes, after which ARC fails the execution): ${minutes(bound)}`,
    );
  });

  it('uses measured failovers from the policy, and the assumptions from a policy file', () => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      auroraPromotionSeconds: 90,
      assumptions: { ...DEFAULT_POLICY.assumptions, triggerSeconds: 10 },
    };
    const s = regionLoss(synthesizedPlan(), policy);
    expect(s.rtoTerms[6]).toMatchObject({
      seconds: 90,
      bestSeconds: 90,
      source: 'policy.auroraPromotionSeconds (measured failovers)',
    });
    expect(s.rtoTerms[4]).toMatchObject({ seconds: 10 });
    expect(s.rtoSeconds).toBe(TRAFFIC.worst - T.auroraGlobalFailover.seconds + 90 - (A.triggerSeconds - 10));
  });

  it('renders the range and the worst-case margin in the table and the summary', () => {
    const r = analyze(extractFacts(synthesizedPlan()));
    const range = `${minutes(TRAFFIC.best)} – ${minutes(TRAFFIC.worst)}`;
    const margin = `-${minutes(TRAFFIC.worst - DEFAULT_POLICY.targets.rtoSeconds)}`;
    expect(renderMarkdown(r)).toContain(
      `| Primary region lost | failover | yes | ${range} | ${margin} | traffic |`,
    );
    const line = `  region-loss               RTO ${range} (target margin ${margin})  `;
    expect(renderSummary(r).split('\n')[0]).toBe(
      `${line}pass, typical only: RTO target, ledger (Aurora) RPO requirement, DynamoDB RPO requirement, ledger (Aurora) RPO target`,
    );
    expect(r.unverified.some((u) => u.includes('policy.assumptions.triggerSeconds'))).toBe(true);
    // A breach leads the line with the first reason.
    const tight = analyze(
      extractFacts(synthesizedPlan(testConfig({ failover: { rtoObjectiveMinutes: BELOW_WORST_MINUTES } }))),
    );
    expect(renderSummary(tight).split('\n')[0]).toBe(
      `${line}FAIL (RTO ${TRAFFIC.worst} s > plan objective ${BELOW_WORST_MINUTES * 60} s)`,
    );
  });
});
