import { describe, expect, it } from 'vitest';
import {
  analyze,
  extractFacts,
  type PlanStacks,
  renderMarkdown,
  type ScenarioResult,
} from '../../src/report';
import { completePlan, mainPlan } from './contract-pieces';

const report = (p: PlanStacks) => analyze(extractFacts(p));
const scenario = (p: PlanStacks, id: string): ScenarioResult =>
  report(p).scenarios.find((s) => s.id === id) as ScenarioResult;
type Attrs = Record<string, unknown>;
const plan = (p: PlanStacks): Attrs => Object.values(p.failover?.resource?.aws_arcregionswitch_plan ?? {})[0];
const steps = (p: PlanStacks): Attrs[] =>
  ((plan(p).workflow as Attrs[]).find((w) => w.workflow_target_region === 'us-east-2')?.step as Attrs[]) ??
  [];

describe('what the report says when a piece is missing from the plan', () => {
  it('main today: the engine is there, detection and the health functions are not, and it says exactly that', () => {
    const r = report(mainPlan());
    expect(r.ok).toBe(false);
    const region = r.scenarios[0];
    expect(region.recoverable).toBe(false);
    expect(region.rtoSeconds).toBeNull();
    expect(region.missing).toEqual([
      'agreement alarm payment-processing-primary-failed-test (detection not in the plan)',
      'secondary health alarm payment-processing-secondary-unhealthy-test (detection not in the plan)',
      'a trigger condition "agreement alarm is red" (alarm not in the plan)',
      'a trigger condition "secondary health alarm is green" (alarm not in the plan)',
    ]);
    const flood = r.scenarios.find((s) => s.id === 'health-flood') as ScenarioResult;
    expect(flood.invariants.filter((i) => !i.holds).map((i) => i.why)).toEqual([
      '/health is served by the payment function payment-processing-payment-api-test-use1: a flood throttles payments',
      '/health/probe route not in the primary API',
      '/health/probe is not SigV4-only in the primary API',
      'no WAF rate-based rule scoped to /health',
      'agreement alarm payment-processing-primary-failed-test (detection not in the plan)',
    ]);
    const md = renderMarkdown(r);
    expect(md).toContain('Not recoverable: missing agreement alarm payment-processing-primary-failed-test');
    expect(md).toContain('Overall: FAIL');
  });

  it('with only the health slice: detection is the one piece missing', () => {
    const s = scenario(completePlan(undefined, { detection: false }), 'region-loss');
    expect(s.missing.every((m) => m.includes('alarm'))).toBe(true);
    expect(
      scenario(completePlan(undefined, { detection: false }), 'health-flood').invariants.filter(
        (i) => !i.holds,
      ).length,
    ).toBe(1);
  });

  it('names a detector missing in one vantage region, or not on a one-minute schedule', () => {
    const p = completePlan();
    const rules = p.failover?.resource?.aws_cloudwatch_event_rule as Record<string, Attrs>;
    rules.detector_1_schedule.state = 'DISABLED';
    expect(scenario(p, 'region-loss').missing).toEqual([
      'a detector function in us-west-2 on an enabled EventBridge schedule (vantage of payment-processing-primary-failed-test)',
    ]);
    rules.detector_1_schedule.state = 'ENABLED';
    rules.detector_1_schedule.schedule_expression = 'rate(5 minutes)';
    expect(scenario(p, 'region-loss').missing).toEqual([
      'the us-west-2 detector on rate(1 minute) (found 300 s)',
    ]);
  });

  it('names a missing plan, plan step, ungraceful failover or trigger condition', () => {
    const noPlan = mainPlan();
    delete noPlan.failover?.resource?.aws_arcregionswitch_plan;
    expect(scenario(noPlan, 'region-loss').missing).toContain(
      'ARC Region switch plan (no aws_arcregionswitch_plan in the plan)',
    );

    const p = completePlan();
    const wf = steps(p);
    wf.splice(
      wf.findIndex((x) => x.execution_block_type === 'CustomActionLambda'),
      1,
    );
    const db = wf.find((x) => x.execution_block_type === 'AuroraGlobalDatabase') as Attrs;
    (db.global_aurora_config as Attrs[])[0].ungraceful = [];
    (plan(p).triggers as Attrs[])[0].conditions = [
      { associated_alarm_name: 'primary-failed', condition: 'red' },
    ];
    expect(scenario(p, 'region-loss').missing).toEqual([
      'a write-fence step (CustomActionLambda) activating us-east-2',
      'an ungraceful Aurora step that fails over (global_aurora_config.ungraceful = failover)',
      'a trigger condition "secondary health alarm is green" (payment-processing-secondary-unhealthy-test)',
      'exactly those two trigger conditions (found 1)',
    ]);
  });

  it('names failover records without the plan health checks, or outside the plan DNS step', () => {
    const p = completePlan();
    const records = Object.values(p.failover?.resource?.aws_route53_record ?? {});
    delete records[0].health_check_id;
    records[1].set_identifier = 'secondary-somewhere';
    expect(scenario(p, 'region-loss').missing).toEqual([
      "the plan's health check on the PRIMARY failover record",
      "failover record secondary-somewhere in the plan's Route 53 step",
    ]);
  });

  it('names a data store the failover needs but the plan does not replicate', () => {
    const p = completePlan();
    for (const t of Object.values(p.global?.resource?.aws_dynamodb_table ?? {})) delete t.replica;
    delete p.secondary?.resource?.aws_rds_cluster;
    expect(scenario(p, 'region-loss').missing).toEqual([
      'Aurora secondary cluster in the global database',
      'DynamoDB replica in the secondary region',
    ]);
  });
});
