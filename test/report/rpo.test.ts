import { describe, expect, it } from 'vitest';
import {
  analyze,
  extractFacts,
  type PlanStacks,
  renderMarkdown,
  type ScenarioResult,
} from '../../src/report';
import { testConfig } from '../support/synth';
import { synthesizedPlan } from './real-plan';

type Attrs = Record<string, unknown>;
const scenario = (p: PlanStacks, id = 'region-loss'): ScenarioResult =>
  analyze(extractFacts(p)).scenarios.find((s) => s.id === id) as ScenarioResult;
const check = (s: ScenarioResult, subject: string, against: 'requirement' | 'target') =>
  s.checks.find((x) => x.subject === subject && x.against === against);
/** The rds.global_db_rpo entry of a stack's (single) cluster parameter group. */
const rpoParam = (p: PlanStacks, stack: 'primary' | 'secondary') => {
  const group = Object.values(p[stack]?.resource?.aws_rds_cluster_parameter_group ?? {})[0];
  const params = group.parameter as Array<{ name: string; value: string }>;
  return { params, entry: params.find((x) => x.name === 'rds.global_db_rpo') };
};

describe('RPO per store (cost of any bound stated)', () => {
  it('reports the ledger RPO as typical only when rds.global_db_rpo is off (the default), not as a breach', () => {
    const p = synthesizedPlan();
    const s = scenario(p);
    expect(rpoParam(p, 'primary').entry).toBeUndefined();
    expect(s.rpo[0]).toMatchObject({ basis: 'typical-only', boundSeconds: null, expectedSeconds: 1 });
    expect(s.rpo[0].source).toMatch(/^no configured bound: rds.global_db_rpo is off on the primary cluster/);
    expect(check(s, 'ledger (Aurora) RPO', 'requirement')).toMatchObject({
      status: 'met-typical',
      note: 'no configured bound (rds.global_db_rpo off); typical used',
    });
    expect(check(s, 'ledger (Aurora) RPO', 'target')?.note).toBe(
      'typical only — not guaranteed; worst case not bounded (rds.global_db_rpo off on the primary cluster)',
    );
    expect(check(s, 'DynamoDB RPO', 'requirement')).toMatchObject({
      status: 'met-typical',
      note: 'no AWS bound; typical used',
    });
    expect(s.rpo.find((x) => x.store === 'receipts (S3)')).toMatchObject({ boundSeconds: 900 });
    const md = renderMarkdown(analyze(extractFacts(p)));
    expect(md).toContain('ledger (Aurora): typical 1 s, no configured bound; typical used');
    expect(md).toContain('DynamoDB: typical 1 s, no AWS bound; typical used');
    // Losing one AZ is synchronous: there the target does hold for the worst case.
    expect(check(scenario(p, 'az-loss'), 'ledger (Aurora) RPO', 'target')).toMatchObject({
      status: 'met',
      valueSeconds: 0,
    });
  });

  it('with database.rpoBoundSeconds: a worst case, its availability cost stated, past 15 min a breach', () => {
    const bounded = synthesizedPlan(testConfig({ database: { rpoBoundSeconds: 60 } }));
    const s = scenario(bounded);
    expect(s.rpo[0]).toMatchObject({ boundSeconds: 60, basis: 'configured' });
    expect(s.rpo[0].source).toContain(
      'availability cost: while us-east-2 lags more than 60 s, every ledger commit in us-east-1 waits (payments answer 503)',
    );
    expect(check(s, 'ledger (Aurora) RPO', 'requirement')).toMatchObject({
      status: 'met',
      valueSeconds: 60,
      marginSeconds: 840,
    });
    expect(rpoParam(bounded, 'secondary').entry).toBeUndefined();
    (rpoParam(bounded, 'primary').entry as { value: string }).value = '1200';
    expect(scenario(bounded).breaches).toContain('ledger (Aurora): RPO 1200 s > requirement 900 s');
  });

  it("takes the bound from the primary's parameter group and flags one on the secondary", () => {
    const p = synthesizedPlan(testConfig({ database: { rpoBoundSeconds: 60 } }));
    rpoParam(p, 'secondary').params.push({ name: 'rds.global_db_rpo', value: '600' });
    const r = analyze(extractFacts(p));
    expect(r.scenarios[0].rpo[0].boundSeconds).toBe(60);
    expect(r.notes).toContainEqual(
      expect.stringMatching(
        /^rds\.global_db_rpo=600 s on the secondary cluster: AWS recommends keeping the default .*could cause Aurora to pause transactions"$/,
      ),
    );
  });

  it('does not accept an rds.global_db_rpo below the AWS minimum of 20 s as a bound: that breaches', () => {
    const p = synthesizedPlan(testConfig({ database: { rpoBoundSeconds: 60 } }));
    (rpoParam(p, 'primary').entry as { value: string }).value = '5';
    const s = scenario(p);
    expect(s.rpo[0]).toMatchObject({ boundSeconds: null, basis: 'unbounded' });
    expect(s.rpo[0].source).toContain('below the AWS minimum of 20 s');
    expect(s.breaches).toContain('ledger (Aurora): RPO not bounded');
  });

  it('makes S3 RPO unbounded (a failure) when Replication Time Control is removed', () => {
    const p = synthesizedPlan();
    for (const c of Object.values(p.interconnect?.resource?.aws_s3_bucket_replication_configuration ?? {}))
      delete ((c.rule as Attrs[])[0].destination as Attrs).replication_time;
    const s = scenario(p);
    expect(s.rpo.find((x) => x.store === 'receipts (S3)')?.boundSeconds).toBeNull();
    expect(s.breaches).toContain('receipts (S3): RPO not bounded');
  });
});
