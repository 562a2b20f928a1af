import { describe, expect, it } from 'vitest';
import { analyze, extractFacts, type PlanStacks, type ScenarioResult } from '../../src/report';
import { everywhere } from '../../src/report/plan';
import { shortestFiringOutage } from '../../src/report/scenarios';
import { testConfig } from '../support/synth';
import { alarmNamed, editApi, lambdaNamed, namesOf, synthesizedPlan } from './real-plan';

const scenario = (p: PlanStacks, id: string): ScenarioResult =>
  analyze(extractFacts(p)).scenarios.find((s) => s.id === id) as ScenarioResult;
const invariant = (s: ScenarioResult, name: string) => s.invariants.find((i) => i.name.startsWith(name));
type Alarm = Record<string, unknown> & { metric_query: Array<Record<string, unknown>> };
const names = namesOf();
const agreementAlarm = (p: PlanStacks): Alarm => alarmNamed(p, names.primaryFailedAlarm) as Alarm;
const primary = testConfig().regions.primary;
/** The metric-math query whose result the alarm evaluates. */
const returned = (a: Alarm) => a.metric_query.find((q) => q.return_data === true) as Record<string, unknown>;
/** The ids of the vantage points' PrimaryFailed queries, as the plan names them. */
/** The primary API's web ACL, by the name it shares with the API. */
const wafOf = (p: PlanStacks) =>
  everywhere(p, 'aws_wafv2_web_acl').find((a) => a.attrs.name === names.apiName(primary))?.attrs as Record<
    string,
    unknown
  >;
const vantageIds = (a: Alarm) =>
  a.metric_query.filter((q) => q.metric !== undefined).map((q) => String(q.id));

describe('scenarios beside region loss', () => {
  it('lists every scenario of issue 11', () => {
    expect(analyze(extractFacts(synthesizedPlan())).scenarios.map((s) => [s.id, s.outcome])).toEqual([
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
    const s = scenario(synthesizedPlan(), 'false-positive');
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
        (a) => {
          const [v1, v2] = vantageIds(a);
          returned(a).expression = `(${v1} >= 1) OR (${v2} >= 1)`;
        },
        /the expression \(v1 >= 1\) AND \(v2 >= 1\) over every vantage's metric/,
      ],
      ['M of N', (a) => (a.datapoints_to_alarm = 1), /N of N periods \(found 1 of 3\)/],
      [
        'missing breaching',
        (a) => (a.treat_missing_data = 'breaching'),
        /missing data notBreaching \(found breaching\)/,
      ],
      [
        'one vantage',
        (a) => (a.metric_query = a.metric_query.filter((q) => q.id !== vantageIds(a)[1])),
        /PrimaryFailed of two vantage points \(found 1\)/,
      ],
    ];
    for (const [label, mutate, message] of cases) {
      const p = synthesizedPlan();
      mutate(agreementAlarm(p));
      const s = scenario(p, 'false-positive');
      expect(s.verdict, label).toBe('fail');
      expect(invariant(s, 'one vantage point alone')?.why, label).toMatch(message);
      expect(scenario(p, 'region-loss').recoverable, label).toBe(false);
    }
  });

  it('refuses MIN over the vantages: how it counts a missing series is not documented', () => {
    const p = synthesizedPlan();
    const alarm = agreementAlarm(p);
    const min = `MIN([${vantageIds(alarm).join(', ')}])`;
    returned(alarm).expression = min;
    const s = scenario(p, 'false-positive');
    expect(invariant(s, 'one vantage point alone')?.holds).toBe(false);
    expect(invariant(s, 'one vantage point alone')?.why).toContain(`(found ${min})`);
  });

  it('one-sided partition: no automatic failover, RTO n/a, said why', () => {
    const s = scenario(synthesizedPlan(), 'one-sided-partition');
    expect(s.verdict).toBe('pass');
    expect(s.rtoNote).toBe('n/a: no automatic failover by design');
    expect(invariant(s, 'one vantage point alone')?.why).toMatch(
      /^the cut-off detector reaches its control target and publishes 1/,
    );
    expect(s.notes[0]).toMatch(/clients on the cut-off side stay cut off/);
  });

  it('/health flood: own functions with reserved concurrency, signed probe route, WAF rules', () => {
    const s = scenario(synthesizedPlan(), 'health-flood');
    expect(s.verdict).toBe('pass');
    expect(s.invariants.map((i) => [i.name, i.holds])).toEqual([
      ['GET /health has its own function and reserved concurrency', true],
      ['GET /health/probe has its own function and reserved concurrency', true],
      ['the probe route takes signed requests only', true],
      ['a per-IP rate rule covers /health', true],
      ['one vantage point alone cannot start a failover', true],
    ]);
    const p = synthesizedPlan();
    const own = (path: string, fn: string) =>
      `${path}: ${fn}, reserved concurrency ${String(lambdaNamed(p, fn).reserved_concurrent_executions)} (its own share and its ceiling)`;
    expect(s.invariants[0].why).toBe(own('/health', names.healthFunction(primary)));
    expect(s.invariants[1].why).toBe(own('/health/probe', names.probeFunction(primary)));
  });

  it('/health flood: a shared function or no reserved concurrency breaks it', () => {
    const probe = names.probeFunction(primary);
    const p = synthesizedPlan();
    delete lambdaNamed(p, probe).reserved_concurrent_executions;
    const s = scenario(p, 'health-flood');
    expect(s.verdict).toBe('fail');
    expect(s.breaches).toEqual([
      `invariant "GET /health/probe has its own function and reserved concurrency" not shown: ${probe} has no reserved concurrency (a flood scales it into the account pool)`,
    ]);

    // The probe route on the /health function: a /health flood would throttle the detectors' input.
    const shared = synthesizedPlan();
    editApi(shared, primary, (doc) => {
      doc.paths['/health/probe'] = {
        get: { ...doc.paths['/health'].get, security: [{ sigv4: [] }] },
      };
    });
    expect(scenario(shared, 'health-flood').breaches).toEqual([
      `invariant "GET /health/probe has its own function and reserved concurrency" not shown: /health/probe is served by ${names.healthFunction(primary)}, which also serves /health: a /health flood throttles the detectors' input`,
    ]);
  });

  it('/health flood: a WAF rule that only counts (or allows) keeps nothing off', () => {
    for (const action of [{ count: {} }, { allow: {} }]) {
      const p = synthesizedPlan();
      const acl = wafOf(p);
      for (const r of acl.rule as Array<Record<string, unknown>>)
        if (JSON.stringify(r.statement).includes('/health')) r.action = action;
      const s = scenario(p, 'health-flood');
      const label = Object.keys(action)[0];
      expect(invariant(s, 'the probe route takes signed requests only')?.why, label).toBe(
        'SigV4, but no WAF rule on /health/probe (unsigned floods reach the authorizer)',
      );
      expect(invariant(s, 'a per-IP rate rule covers /health')?.holds, label).toBe(false);
      expect(s.verdict, label).toBe('fail');
    }
  });

  it('secondary lost: no effect on the primary without a bound; with rds.global_db_rpo commits pause', () => {
    const free = scenario(synthesizedPlan(), 'secondary-loss');
    expect(free).toMatchObject({ rtoSeconds: 0, verdict: 'pass' });
    expect(free.rtoNote).toMatch(
      /^0: rds.global_db_rpo is not set in payment-processing-ledger-test-use1-pg14/,
    );
    expect(invariant(free, 'no automatic failover onto an unknown secondary')?.holds).toBe(true);

    const bounded = scenario(
      synthesizedPlan(testConfig({ database: { rpoBoundSeconds: 60 } })),
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
    const p = synthesizedPlan();
    const alarm = alarmNamed(p, names.secondaryUnhealthyAlarm);
    expect(alarm.treat_missing_data).toBe('breaching');
    alarm.treat_missing_data = 'notBreaching';
    const s = scenario(p, 'secondary-loss');
    expect(s.verdict).toBe('fail');
    expect(invariant(s, 'no automatic failover onto an unknown secondary')?.holds).toBe(false);
  });

  it('in-region Aurora failover stays below the shortest outage that fires the agreement alarm', () => {
    const s = scenario(synthesizedPlan(), 'in-region-aurora-failover');
    expect(shortestFiringOutage(extractFacts(synthesizedPlan()))).toBe(60);
    expect(invariant(s, 'does not reach the agreement threshold')).toMatchObject({ holds: true });
    expect(invariant(s, 'does not reach the agreement threshold')?.why).toMatch(
      /^Aurora fails over to the replica in another AZ 30 s vs the shortest outage that fires .*: \(3 - 2\) x 60 s = 60 s/,
    );
    expect(s).toMatchObject({ rtoSeconds: 35, rtoBestSeconds: 30, verdict: 'pass' });
    // N = 2 (the schema's minimum): two runs may fall a moment apart, so any blip could fire it.
    const n2 = scenario(
      synthesizedPlan(testConfig({ failover: { detectionMinutes: 2 } })),
      'in-region-aurora-failover',
    );
    expect(invariant(n2, 'does not reach the agreement threshold')?.holds).toBe(false);
    expect(n2.verdict).toBe('fail');
  });

  it('AZ loss: in-region failover, slower with a single instance, and needs the function in two AZs', () => {
    const p = synthesizedPlan();
    expect(scenario(p, 'az-loss')).toMatchObject({ rtoSeconds: 35, verdict: 'pass' });
    const instances = p.primary?.resource?.aws_rds_cluster_instance ?? {};
    delete instances[Object.keys(instances)[1]];
    const single = scenario(p, 'az-loss');
    expect(single.rtoSeconds).toBe(605);
    expect(invariant(single, 'does not reach the agreement threshold')?.holds).toBe(false);
  });

  it('payment function failure: the detectors probe another function, so no data-loss failover', () => {
    const s = scenario(synthesizedPlan(), 'payment-function-failure');
    expect(s.verdict).toBe('pass');
    expect(s.rtoNote).toMatch(/^n\/a from the plan: recovery is a rollback/);
    expect(s.invariants[0].why).toContain(`the detectors probe ${names.probeFunction(primary)}`);
  });
});
