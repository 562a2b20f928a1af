import { describe, expect, it } from 'vitest';
import { buildDiagram, toDot, toMermaid } from '../../src/docs/diagram';
import type { PlanStacks } from '../../src/report';
import { synthAll, testConfig } from '../support/synth';
import { namesOf, removeLambda, synthesizedPlan, vantagesOf } from './real-plan';

const plan = (): PlanStacks => synthesizedPlan();

describe('architecture diagram (generated from the synthesized plan)', () => {
  const d = buildDiagram(plan());

  it('shows both regions and the global pieces', () => {
    expect(d.regions).toEqual({ primary: 'us-east-1', secondary: 'us-east-2' });
    expect(new Set(d.nodes.map((n) => n.group))).toEqual(new Set(['global', 'us-east-1', 'us-east-2']));
    expect(d.nodes.find((n) => n.id === 'p_db')?.label).toContain('payment-processing-ledger-test-use1');
  });

  it('draws the alert relay path (us-east-1 topic -> relay -> us-east-2 topic) only when it is deployed', () => {
    const edge = (from: string, to: string) => d.edges.find((e) => e.from === from && e.to === to);
    expect(d.nodes.find((n) => n.id === 'relay')).toMatchObject({ group: 'us-east-2' });
    expect(edge('p_sns', 'relay')?.kind).toBe('control');
    expect(edge('relay', 's_sns')?.label).toBe('republishes');
    const without = plan();
    delete without.interconnect?.resource?.aws_sns_topic_subscription;
    const d2 = buildDiagram(without);
    expect(d2.edges.some((e) => e.to === 'relay' || e.from === 'relay')).toBe(false);
  });

  it('draws the replication paths and the plan-owned failover records from what is deployed', () => {
    const edge = (from: string, to: string) => d.edges.find((e) => e.from === from && e.to === to);
    expect(edge('p_db', 's_db')).toMatchObject({
      kind: 'replication',
      label: 'global database',
    });
    // The opt-in RPO bound shows on the replication edge.
    const bounded = buildDiagram(synthAll(testConfig({ database: { rpoBoundSeconds: 60 } })) as PlanStacks);
    expect(bounded.edges.find((e) => e.from === 'p_db' && e.to === 's_db')?.label).toBe(
      'global database, rds.global_db_rpo=60s',
    );
    expect(edge('p_s3', 's_s3')?.label).toBe('CRR, RTC 15 min');
    expect(edge('dns', 'p_api')?.label).toBe('PRIMARY (plan health check)');
    expect(edge('dns', 's_api')?.label).toBe('SECONDARY (plan health check)');
  });

  it('draws the engine: plan steps to the fence, the database and DNS; detectors to the alarm to the plan', () => {
    const edge = (g: typeof d, from: string, to: string) =>
      g.edges.find((e) => e.from === from && e.to === to);
    // The objective is the plan's recovery_time_objective_minutes, i.e. failover.rtoObjectiveMinutes.
    const objective = testConfig().failover.rtoObjectiveMinutes;
    expect(d.nodes.find((n) => n.id === 'plan')?.label).toBe(
      `ARC Region switch plan ${namesOf().regionSwitchPlan}\\nautomatic (trigger), RTO objective ${objective} min\\nsteps: write-fence, aurora-global-database, route53-health-checks`,
    );
    const other = buildDiagram(
      synthesizedPlan(testConfig({ failover: { rtoObjectiveMinutes: objective + 5 } })),
    );
    expect(other.nodes.find((n) => n.id === 'plan')?.label).toContain(`RTO objective ${objective + 5} min`);
    expect(edge(d, 'plan', 's_fence')?.label).toBe('step: write fence');
    expect(edge(d, 'plan', 's_db')?.label).toBe('step: Aurora failover (ungraceful) / switchover');
    expect(edge(d, 'plan', 'dns')?.label).toBe('step: sets the health checks');
    expect(d.nodes.find((n) => n.id === 'det_us_west_2')?.group).toBe('global');
    expect(edge(d, 'det_us_east_2', 'p_api')?.label).toBe('probes us-east-1 /health/probe (SigV4)');
    expect(edge(d, 'det_us_west_2', 'agree')?.label).toBe('PrimaryFailed (Vantage=us-west-2)');
    expect(edge(d, 'agree', 'plan')?.label).toBe('trigger: red (and secondary healthy)');
    expect(d.nodes.find((n) => n.id === 'p_fn')?.label).toContain('(VPC, /payments)');
    // The detector nodes come from the plan: none once its detector functions are gone.
    const undetected = plan();
    for (const v of vantagesOf()) removeLambda(undetected, namesOf().detectorFunction(v));
    expect(buildDiagram(undetected).nodes.some((n) => n.id.startsWith('det_'))).toBe(false);
    const manual = buildDiagram(synthesizedPlan(testConfig({ failover: { mode: 'manual' } })));
    expect(edge(manual, 'agree', 'plan')).toBeUndefined();
  });

  it('drops an edge when the plan loses the resource behind it', () => {
    const p = plan();
    delete p.interconnect?.resource?.aws_s3_bucket_replication_configuration;
    expect(buildDiagram(p).edges.some((e) => e.from === 'p_s3' && e.to === 's_s3')).toBe(false);
  });

  it('renders Mermaid and Graphviz sources with every node and edge', () => {
    const mmd = toMermaid(d);
    expect(mmd).toMatch(/^%% Generated/);
    expect(mmd).toContain('subgraph us_east_1["us-east-1 (primary)"]');
    expect(mmd.match(/-->|==>|-\.->/g)?.length).toBe(d.edges.length);
    const dot = toDot(d);
    expect(dot).toContain('subgraph "cluster_us-east-2"');
    expect(dot.match(/ -> /g)?.length).toBe(d.edges.length);
  });
});
