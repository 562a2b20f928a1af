import { describe, expect, it } from 'vitest';
import {
  analyze,
  DEFAULT_POLICY,
  extractFacts,
  type PlanStacks,
  type Policy,
  renderMarkdown,
  renderSummary,
  type ScenarioResult,
} from '../../src/report';
import { AWS_TIMINGS } from '../../src/report/aws-timings';
import { testConfig } from '../support/synth';
import { completePlan } from './contract-pieces';

const regionLoss = (p: PlanStacks, policy?: Policy): ScenarioResult =>
  analyze(extractFacts(p), policy).scenarios.find((s) => s.id === 'region-loss') as ScenarioResult;
const check = (s: ScenarioResult, against: string) =>
  s.checks.find((c) => c.subject === 'RTO' && c.against === against);
const planStep = (p: PlanStacks, type: string): Record<string, unknown> => {
  const plan = Object.values(p.failover?.resource?.aws_arcregionswitch_plan ?? {})[0];
  const wf = (plan.workflow as Array<Record<string, unknown>>).find(
    (w) => w.workflow_target_region === 'us-east-2',
  );
  return (wf?.step as Array<Record<string, unknown>>).find((s) => s.execution_block_type === type) as Record<
    string,
    unknown
  >;
};

// Default plan with the detection slice as designed: N = 3, 3 s probe time limit.
const DETECTION = { worst: 3 * 60 + 60 + 3 + 60, best: 2 * 60 };
const STEPS = { worst: 60 + 30 + 300, best: 60 };
const TRAFFIC = { worst: DETECTION.worst + STEPS.worst + 60 + 60 + 60, best: DETECTION.best + STEPS.best };

describe('region loss: RTO along the plan, in series', () => {
  it('adds every term from detection to the alias TTL, as a best-worst range', () => {
    const s = regionLoss(completePlan());
    expect(s.missing).toEqual([]);
    const traffic = s.chains.find((c) => c.id === 'traffic');
    expect(traffic?.terms.map((t) => [t.bestSeconds, t.seconds])).toEqual([
      [120, 180], // N = 3 agreeing 60 s periods
      [0, 60], // EventBridge start of the run that first sees the failure
      [0, 3], // the probe's time limit
      [0, 60], // alarm evaluation (assumption)
      [0, 60], // ARC acts on the trigger (assumption)
      [0, 30], // fence function timeout
      [60, 300], // Aurora global failover, "in the order of minutes"
      [0, 60], // plan's Route 53 step (assumption)
      [0, 60], // health-check state propagation (assumption)
      [0, 60], // alias TTL
    ]);
    expect(traffic?.critical).toBe(true);
    expect(s.rtoSeconds).toBe(TRAFFIC.worst);
    expect(s.rtoBestSeconds).toBe(TRAFFIC.best);
    const writes = s.chains.find((c) => c.id === 'writes');
    expect(writes?.seconds).toBe(DETECTION.worst + STEPS.worst + 5);
    expect(writes?.terms.at(-1)?.source).toContain('TTL of 5 seconds');
  });

  it("cites AWS for the jitter and the failover range, and never uses a drill's switchover", () => {
    const terms = regionLoss(completePlan()).rtoTerms;
    expect(terms[1].source).toContain('run-lambda-schedule.html');
    expect(terms[6].source).toContain('"For an Aurora global database, RTO can be in the order of minutes"');
    expect(terms.some((t) => /switchover|drill/i.test(t.source))).toBe(false);
    expect(AWS_TIMINGS.auroraGlobalFailover).toMatchObject({ best: 60, seconds: 300 });
  });

  it('checks the worst case against the requirement and the plan objective, the target against the best case', () => {
    const s = regionLoss(completePlan());
    expect(check(s, 'requirement')).toMatchObject({ status: 'met', valueSeconds: TRAFFIC.worst });
    expect(check(s, 'target')).toMatchObject({
      status: 'met-typical',
      basis: 'best-case',
      valueSeconds: TRAFFIC.best,
      note: `best case only — the worst case is ${TRAFFIC.worst} s`,
    });
    // The plan's recovery_time_objective_minutes (failover.rtoObjectiveMinutes, 10) is below the worst case.
    expect(check(s, 'plan objective')).toMatchObject({
      status: 'breach',
      limitSeconds: 600,
      marginSeconds: 600 - TRAFFIC.worst,
    });
    expect(s.breaches).toEqual([`RTO ${TRAFFIC.worst} s > plan objective 600 s`]);
    const ok = regionLoss(completePlan(testConfig({ failover: { rtoObjectiveMinutes: 15 } })));
    expect(check(ok, 'plan objective')?.status).toBe('met');
    expect(ok.verdict).toBe('met-typical');
  });

  it('follows N = failover.detectionMinutes and the probe time limit of the plan', () => {
    const s = regionLoss(
      completePlan(testConfig({ failover: { detectionMinutes: 5 } }), { probeTimeoutMs: 8000 }),
    );
    expect(s.rtoTerms[0]).toMatchObject({ bestSeconds: 4 * 60, seconds: 5 * 60 });
    expect(s.rtoTerms[2]).toMatchObject({ seconds: 8 });
    expect(s.rtoSeconds).toBe(TRAFFIC.worst + 2 * 60 + 5);
  });

  it('reports a detector without a readable probe time limit as unknown, never defaulting it', () => {
    const p = completePlan();
    const fn = p.failover?.resource?.aws_lambda_function?.detector_1 as {
      environment: { variables: Record<string, string> };
    };
    delete fn.environment.variables.PROBE_TIMEOUT_MS;
    const s = regionLoss(p);
    expect(s.rtoSeconds).toBeNull();
    expect(s.unknown).toEqual([
      'detector payment-processing-detector-test-usw2 PROBE_TIMEOUT_MS not in the plan',
    ]);
    expect(s.breaches[0]).toMatch(/^RTO unknown: detector .* PROBE_TIMEOUT_MS not in the plan$/);
  });

  it('manual mode: no trigger; the operator response replaces it', () => {
    const s = regionLoss(completePlan(testConfig({ failover: { mode: 'manual' } })));
    const start = s.rtoTerms.find((t) => t.name.startsWith('an operator starts'));
    expect(start).toMatchObject({
      seconds: 900,
      bestSeconds: 900,
      source: 'policy.manualResponseSeconds (assumption)',
    });
    expect(s.rtoTerms.some((t) => t.name.includes('trigger'))).toBe(false);
    expect(s.rtoSeconds).toBe(TRAFFIC.worst - 60 + 900);
    expect(s.notes[0]).toMatch(/^manual mode: the plan has no trigger/);
  });

  it('an approval step counts with its timeout as the worst case', () => {
    const p = completePlan(testConfig({ failover: { approveUngraceful: true, approvalTimeoutMinutes: 30 } }));
    expect(planStep(p, 'ManualApproval')).toBeDefined();
    const s = regionLoss(p);
    expect(s.rtoTerms.find((t) => t.name.includes('approves'))).toMatchObject({
      bestSeconds: 0,
      seconds: 1800,
    });
    expect(s.rtoSeconds).toBe(TRAFFIC.worst + 1800);
    expect(s.breaches).toContain(`RTO ${TRAFFIC.worst + 1800} s > requirement 1800 s`);
  });

  it('states the plan bound: every step at its timeout_minutes', () => {
    const s = regionLoss(completePlan());
    // detection 303 + trigger 60 + (5 + 30 + 10) min + propagation 60 + TTL 60
    expect(s.planBoundSeconds).toBe(303 + 60 + 45 * 60 + 120);
    expect(renderMarkdown(analyze(extractFacts(completePlan())))).toContain(
      '- plan bound (every step at its timeout_minutes, after which ARC fails the execution): 53.0 min',
    );
  });

  it('uses measured failovers from the policy, and the assumptions from a policy file', () => {
    const policy: Policy = {
      ...DEFAULT_POLICY,
      auroraPromotionSeconds: 90,
      assumptions: { ...DEFAULT_POLICY.assumptions, triggerSeconds: 10 },
    };
    const s = regionLoss(completePlan(), policy);
    expect(s.rtoTerms[6]).toMatchObject({
      seconds: 90,
      bestSeconds: 90,
      source: 'policy.auroraPromotionSeconds (measured failovers)',
    });
    expect(s.rtoTerms[4]).toMatchObject({ seconds: 10 });
    expect(s.rtoSeconds).toBe(TRAFFIC.worst - 300 + 90 - 50);
  });

  it('renders the range and the worst-case margin in the table and the summary', () => {
    const r = analyze(extractFacts(completePlan()));
    expect(renderMarkdown(r)).toContain(
      '| Primary region lost | failover | yes | 3.0 min – 14.6 min | -9.6 min | traffic |',
    );
    expect(renderSummary(r).split('\n')[0]).toBe(
      '  region-loss               RTO 3.0 min – 14.6 min (target margin -9.6 min)  FAIL (RTO 873 s > plan objective 600 s)',
    );
    expect(r.unverified.some((u) => u.includes('policy.assumptions.triggerSeconds'))).toBe(true);
  });
});
