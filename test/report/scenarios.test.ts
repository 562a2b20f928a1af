import { describe, expect, it } from 'vitest';
import { analyze, extractFacts, type PlanStacks, type ScenarioResult } from '../../src/report';
import { shortestFiringOutage } from '../../src/report/scenarios';
import { testConfig } from '../support/synth';
import { completePlan } from './contract-pieces';

const scenario = (p: PlanStacks, id: string): ScenarioResult =>
  analyze(extractFacts(p)).scenarios.find((s) => s.id === id) as ScenarioResult;
const invariant = (s: ScenarioResult, name: string) => s.invariants.find((i) => i.name.startsWith(name));
type Alarm = Record<string, unknown> & { metric_query: Array<Record<string, unknown>> };
const agreementAlarm = (p: PlanStacks): Alarm =>
  p.failover?.resource?.aws_cloudwatch_metric_alarm?.primary_failed as Alarm;

describe('scenarios beside region loss', () => {
  it('lists every scenario of issue 11', () => {
    expect(analyze(extractFacts(completePlan())).scenarios.map((s) => [s.id, s.outcome])).toEqual([
      ['region-loss', 'failover'],
      ['false-positive', 'no-failover'],
      ['one-sided-partition', 'no-failover'],
      ['health-flood', 'no-failover'],
      ['secondary-loss', 'no-failover'],
      ['in-region-aurora-failover', 'in-region'],
      ['az-loss', 'in-region'],
      ['payment-function-failure', 'no-failover'],
    ]);
  });

  it('false positive: one vantage point cut off cannot fail over (both >= 1, N of N, missing not breaching)', () => {
    const s = scenario(completePlan(), 'false-positive');
    expect(s.verdict).toBe('pass');
    expect(s.rtoSeconds).toBeNull();
    expect(s.rtoNote).toBe('n/a: no outage, no failover');
    expect(invariant(s, 'one vantage point alone')).toMatchObject({ holds: true });
    expect(invariant(s, 'one vantage point alone')?.why).toContain(
      'needs us-east-2 and us-west-2 both >= 1 for 3 of 3 periods, missing data notBreaching',
    );
    expect(s.rpo).toEqual([]);
  });

  it('false positive: an alarm one vantage point can fire alone breaks the invariant', () => {
    const cases: Array<[string, (a: Alarm) => void, RegExp]> = [
      [
        'MAX',
        (a) => (a.metric_query.at(-1)!.expression = '(v_us_east_2 >= 1) OR (v_us_west_2 >= 1)'),
        /the expression \(v1 >= 1\) AND \(v2 >= 1\) over every vantage's metric/,
      ],
      ['M of N', (a) => (a.datapoints_to_alarm = 1), /N of N periods \(found 1 of 3\)/],
      [
        'missing breaching',
        (a) => (a.treat_missing_data = 'breaching'),
        /missing data notBreaching \(found breaching\)/,
      ],
      ['one vantage', (a) => a.metric_query.splice(1, 1), /PrimaryFailed of two vantage points \(found 1\)/],
    ];
    for (const [label, mutate, message] of cases) {
      const p = completePlan();
      mutate(agreementAlarm(p));
      const s = scenario(p, 'false-positive');
      expect(s.verdict, label).toBe('fail');
      expect(invariant(s, 'one vantage point alone')?.why, label).toMatch(message);
      expect(scenario(p, 'region-loss').recoverable, label).toBe(false);
    }
  });

  it('refuses MIN over the vantages: how it counts a missing series is not documented', () => {
    const p = completePlan();
    agreementAlarm(p).metric_query.at(-1)!.expression = 'MIN([v_us_east_2, v_us_west_2])';
    const s = scenario(p, 'false-positive');
    expect(invariant(s, 'one vantage point alone')?.holds).toBe(false);
    expect(invariant(s, 'one vantage point alone')?.why).toContain('(found MIN([v_us_east_2, v_us_west_2]))');
  });

  it('one-sided partition: no automatic failover, RTO n/a, said why', () => {
    const s = scenario(completePlan(), 'one-sided-partition');
    expect(s.verdict).toBe('pass');
    expect(s.rtoNote).toBe('n/a: no automatic failover by design');
    expect(invariant(s, 'one vantage point alone')?.why).toMatch(
      /^the cut-off detector reaches its control target and publishes 1/,
    );
    expect(s.notes[0]).toMatch(/clients on the cut-off side stay cut off/);
  });

  it('/health flood: own functions with reserved concurrency, signed probe route, WAF rules', () => {
    const s = scenario(completePlan(), 'health-flood');
    expect(s.verdict).toBe('pass');
    expect(s.invariants.map((i) => [i.name, i.holds])).toEqual([
      ['GET /health has its own function and reserved concurrency', true],
      ['GET /health/probe has its own function and reserved concurrency', true],
      ['the probe route takes signed requests only', true],
      ['a per-IP rate rule covers /health', true],
      ['one vantage point alone cannot start a failover', true],
    ]);
    expect(s.invariants[0].why).toBe(
      '/health: payment-processing-health-test-use1, reserved concurrency 5 (its own share and its ceiling)',
    );
    expect(s.invariants[1].why).toBe(
      '/health/probe: payment-processing-health-probe-test-use1, reserved concurrency 3 (its own share and its ceiling)',
    );
  });

  it('/health flood: a shared function or no reserved concurrency breaks it', () => {
    const p = completePlan();
    const fns = p.primary?.resource?.aws_lambda_function as Record<string, Record<string, unknown>>;
    delete fns.probe_fn.reserved_concurrent_executions;
    const s = scenario(p, 'health-flood');
    expect(s.verdict).toBe('fail');
    expect(s.breaches).toContain(
      'invariant "GET /health/probe has its own function and reserved concurrency" not shown: payment-processing-health-probe-test-use1 has no reserved concurrency (a flood scales it into the account pool)',
    );
  });

  it('secondary lost: no effect on the primary without a bound; with rds.global_db_rpo commits pause', () => {
    const free = scenario(completePlan(), 'secondary-loss');
    expect(free).toMatchObject({ rtoSeconds: 0, verdict: 'pass' });
    expect(free.rtoNote).toMatch(
      /^0: rds.global_db_rpo is not set in payment-processing-ledger-test-use1-pg14/,
    );
    expect(invariant(free, 'no automatic failover onto an unknown secondary')?.holds).toBe(true);

    const bounded = scenario(
      completePlan(testConfig({ database: { rpoBoundSeconds: 60 } })),
      'secondary-loss',
    );
    expect(bounded.rtoSeconds).toBe(900);
    expect(bounded.rtoTerms[0].name).toMatch(
      /^an operator resets rds.global_db_rpo in payment-processing-ledger-test-use1-pg14/,
    );
    expect(bounded.notes[0]).toMatch(/^rds.global_db_rpo=60 s on the primary: payments answer 503/);
    expect(bounded.breaches).toEqual(['RTO 900 s > target 300 s']);
  });

  it('secondary lost: an alarm that treats missing data as OK could fail over onto a dead region', () => {
    const p = completePlan();
    (
      p.failover?.resource?.aws_cloudwatch_metric_alarm?.secondary_unhealthy as Record<string, unknown>
    ).treat_missing_data = 'notBreaching';
    const s = scenario(p, 'secondary-loss');
    expect(s.verdict).toBe('fail');
    expect(invariant(s, 'no automatic failover onto an unknown secondary')?.holds).toBe(false);
  });

  it('in-region Aurora failover stays below the shortest outage that fires the agreement alarm', () => {
    const s = scenario(completePlan(), 'in-region-aurora-failover');
    expect(shortestFiringOutage(extractFacts(completePlan()))).toBe(60);
    expect(invariant(s, 'does not reach the agreement threshold')).toMatchObject({ holds: true });
    expect(invariant(s, 'does not reach the agreement threshold')?.why).toMatch(
      /^Aurora fails over to the replica in another AZ 30 s vs the shortest outage that fires .*: \(3 - 2\) x 60 s = 60 s/,
    );
    expect(s).toMatchObject({ rtoSeconds: 35, rtoBestSeconds: 30, verdict: 'pass' });
    // N = 2 (the schema's minimum): two runs may fall a moment apart, so any blip could fire it.
    const n2 = scenario(
      completePlan(testConfig({ failover: { detectionMinutes: 2 } })),
      'in-region-aurora-failover',
    );
    expect(invariant(n2, 'does not reach the agreement threshold')?.holds).toBe(false);
    expect(n2.verdict).toBe('fail');
  });

  it('AZ loss: in-region failover, slower with a single instance, and needs the function in two AZs', () => {
    const p = completePlan();
    expect(scenario(p, 'az-loss')).toMatchObject({ rtoSeconds: 35, verdict: 'pass' });
    const instances = p.primary?.resource?.aws_rds_cluster_instance ?? {};
    delete instances[Object.keys(instances)[1]];
    const single = scenario(p, 'az-loss');
    expect(single.rtoSeconds).toBe(605);
    expect(invariant(single, 'does not reach the agreement threshold')?.holds).toBe(false);
  });

  it('payment function failure: the detectors probe another function, so no data-loss failover', () => {
    const s = scenario(completePlan(), 'payment-function-failure');
    expect(s.verdict).toBe('pass');
    expect(s.rtoNote).toMatch(/^n\/a from the plan: recovery is a rollback/);
    expect(s.invariants[0].why).toContain('the detectors probe payment-processing-health-probe-test-use1');
  });
});
