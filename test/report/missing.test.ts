import { describe, expect, it } from 'vitest';
import {
  analyze,
  extractFacts,
  type PlanStacks,
  renderMarkdown,
  type ScenarioResult,
} from '../../src/report';
import { everywhere } from '../../src/report/plan';
import { testConfig } from '../support/synth';
import {
  activationSteps,
  editApi,
  lambdaNamed,
  namesOf,
  regionSwitchPlan,
  removeAlarm,
  removeLambda,
  ruleNamed,
  synthesizedPlan,
  vantagesOf,
} from './real-plan';

const report = (p: PlanStacks) => analyze(extractFacts(p));
const scenario = (p: PlanStacks, id: string): ScenarioResult =>
  report(p).scenarios.find((s) => s.id === id) as ScenarioResult;
type Attrs = Record<string, unknown>;
const CONFIG = testConfig();
const names = namesOf(CONFIG);
const { primary } = CONFIG.regions;
const failing = (s: ScenarioResult) => s.invariants.filter((i) => !i.holds).map((i) => i.why);

/** Takes the health slice out of the primary: /health back on the payment function, no probe route or rules. */
function withoutHealthSlice(p: PlanStacks): void {
  editApi(p, primary, (doc) => {
    doc.paths['/health'] = { get: { ...doc.paths['/payments'].post, security: [] } };
    delete doc.paths['/health/probe'];
  });
  for (const acl of everywhere(p, 'aws_wafv2_web_acl').filter((a) => a.stack === 'primary'))
    acl.attrs.rule = (acl.attrs.rule as Attrs[]).filter((r) => !JSON.stringify(r).includes('/health'));
  removeLambda(p, names.healthFunction(primary));
  removeLambda(p, names.probeFunction(primary));
}

describe('what the report says when a piece is missing from the plan', () => {
  it('the default plan has every piece: nothing missing, every invariant shown, overall PASS', () => {
    const r = report(synthesizedPlan());
    expect(r.ok).toBe(true);
    const region = r.scenarios[0];
    expect(region).toMatchObject({ id: 'region-loss', recoverable: true, missing: [], unknown: [] });
    expect(region.rtoSeconds).not.toBeNull();
    expect(r.scenarios.flatMap(failing)).toEqual([]);
    expect(renderMarkdown(r)).toContain('Overall: PASS');
  });

  it('without the detection alarms: names each one and the trigger conditions left without an alarm', () => {
    const p = synthesizedPlan();
    removeAlarm(p, names.primaryFailedAlarm);
    removeAlarm(p, names.secondaryUnhealthyAlarm);
    const r = report(p);
    expect(r.ok).toBe(false);
    const region = r.scenarios[0];
    expect(region.recoverable).toBe(false);
    expect(region.rtoSeconds).toBeNull();
    expect(region.missing).toEqual([
      `agreement alarm ${names.primaryFailedAlarm} (detection not in the plan)`,
      `secondary health alarm ${names.secondaryUnhealthyAlarm} (detection not in the plan)`,
      'a trigger condition "agreement alarm is red" (alarm not in the plan)',
      'a trigger condition "secondary health alarm is green" (alarm not in the plan)',
    ]);
    // The health slice is still there: the flood only loses the agreement invariant.
    const flood = r.scenarios.find((s) => s.id === 'health-flood') as ScenarioResult;
    expect(failing(flood)).toEqual([
      `agreement alarm ${names.primaryFailedAlarm} (detection not in the plan)`,
    ]);
    const md = renderMarkdown(r);
    expect(md).toContain(`Not recoverable: missing agreement alarm ${names.primaryFailedAlarm}`);
    expect(md).toContain('Overall: FAIL');
  });

  it('without the health slice: /health on the payment function, no probe route, no WAF rules', () => {
    const p = synthesizedPlan();
    withoutHealthSlice(p);
    const flood = scenario(p, 'health-flood');
    expect(flood.verdict).toBe('fail');
    expect(failing(flood)).toEqual([
      `/health is served by the payment function ${names.paymentFunction(primary)}: a flood throttles payments`,
      '/health/probe route not in the primary API',
      '/health/probe is not SigV4-only in the primary API',
      'no WAF rate-based rule scoped to /health',
    ]);
    expect(failing(scenario(p, 'payment-function-failure'))).toEqual([
      'no /health/probe route in the primary API',
    ]);
    // Detection does not depend on the health functions' resources: the failover itself is still complete.
    expect(scenario(p, 'region-loss').missing).toEqual([]);
  });

  it('names a detector missing in one vantage region, or not on a one-minute schedule', () => {
    const witness = vantagesOf(CONFIG)[1];
    const detector = names.detectorFunction(witness);
    const absent = `a detector function in ${witness} on an enabled EventBridge schedule (vantage of ${names.primaryFailedAlarm})`;
    const p = synthesizedPlan();
    const rule = ruleNamed(p, detector);
    rule.state = 'DISABLED';
    expect(scenario(p, 'region-loss').missing).toEqual([absent]);
    rule.state = 'ENABLED';
    rule.schedule_expression = 'rate(5 minutes)';
    expect(scenario(p, 'region-loss').missing).toEqual([
      `the ${witness} detector on rate(1 minute) (found 300 s)`,
    ]);
    const gone = synthesizedPlan();
    expect(lambdaNamed(gone, detector)).toBeDefined();
    removeLambda(gone, detector);
    expect(scenario(gone, 'region-loss').missing).toEqual([absent]);
  });

  it('names a missing plan, plan step, ungraceful failover or trigger condition', () => {
    const noPlan = synthesizedPlan();
    delete noPlan.failover?.resource?.aws_arcregionswitch_plan;
    expect(scenario(noPlan, 'region-loss').missing).toContain(
      'ARC Region switch plan (no aws_arcregionswitch_plan in the plan)',
    );

    const p = synthesizedPlan();
    const wf = activationSteps(p);
    wf.splice(
      wf.findIndex((x) => x.execution_block_type === 'CustomActionLambda'),
      1,
    );
    const db = wf.find((x) => x.execution_block_type === 'AuroraGlobalDatabase') as Attrs;
    (db.global_aurora_config as Attrs[])[0].ungraceful = [];
    (regionSwitchPlan(p).triggers as Attrs[])[0].conditions = [
      { associated_alarm_name: 'primary-failed', condition: 'red' },
    ];
    expect(scenario(p, 'region-loss').missing).toEqual([
      `a write-fence step (CustomActionLambda) activating ${CONFIG.regions.secondary}`,
      'an ungraceful Aurora step that fails over (global_aurora_config.ungraceful = failover)',
      `a trigger condition "secondary health alarm is green" (${names.secondaryUnhealthyAlarm})`,
      'exactly those two trigger conditions (found 1)',
    ]);
  });

  it('names failover records without the plan health checks, or outside the plan DNS step', () => {
    const p = synthesizedPlan();
    const record = (type: string) =>
      everywhere(p, 'aws_route53_record').find(
        (r) => (r.attrs.failover_routing_policy as Attrs | undefined)?.type === type,
      )?.attrs as Attrs;
    delete record('PRIMARY').health_check_id;
    record('SECONDARY').set_identifier = 'secondary-somewhere';
    expect(scenario(p, 'region-loss').missing).toEqual([
      "the plan's health check on the PRIMARY failover record",
      "failover record secondary-somewhere in the plan's Route 53 step",
    ]);
  });

  it('names a data store the failover needs but the plan does not replicate', () => {
    const p = synthesizedPlan();
    for (const t of Object.values(p.global?.resource?.aws_dynamodb_table ?? {})) delete t.replica;
    delete p.secondary?.resource?.aws_rds_cluster;
    expect(scenario(p, 'region-loss').missing).toEqual([
      'Aurora secondary cluster in the global database',
      'DynamoDB replica in the secondary region',
    ]);
  });
});
