import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, DEFAULT_POLICY, extractFacts, type PlanStacks, renderMarkdown } from '../../src/report';
import { synthAll, testConfig } from '../support/synth';

type Attrs = Record<string, unknown>;
/** A deep copy of the synthesized plan, for mutating one value at a time. */
const plan = (config = testConfig()): PlanStacks =>
  JSON.parse(JSON.stringify(synthAll(config))) as PlanStacks;
const only = (p: PlanStacks, stack: keyof PlanStacks, type: string): Attrs => {
  const all = Object.values(p[stack]?.resource?.[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${type}`);
  return all[0];
};
const scenario = (p: PlanStacks, id: string) => {
  const s = analyze(extractFacts(p)).scenarios.find((x) => x.id === id);
  if (!s) throw new Error(id);
  return s;
};

describe('resilience report', () => {
  it('meets the requirement and the stricter targets with the default configuration', () => {
    const r = analyze(extractFacts(plan()));
    expect(r.ok).toBe(true);
    const region = r.scenarios.find((s) => s.id === 'region-loss');
    // watchdog 60 s x 3 + 3 s probe, promotion 60 s, endpoint TTL 5 s; traffic 10 s x 3 + 60 s runs in parallel.
    expect(region?.rtoSeconds).toBe(248);
    expect(region?.rtoTerms.map((t) => t.seconds)).toEqual([183, 60, 5]);
    expect(region?.rpo.find((x) => x.store === 'ledger (Aurora)')).toMatchObject({
      expectedSeconds: 1,
      boundSeconds: 20,
    });
    expect(region?.rpo.find((x) => x.store === 'receipts (S3)')).toMatchObject({ boundSeconds: 900 });
    expect(r.scenarios.map((s) => s.id)).toEqual([
      'region-loss',
      'database-loss',
      'az-loss',
      'payment-function-failure',
    ]);
  });

  it('follows the synthesized health-check values (traffic chain)', () => {
    const p = plan();
    const hc = only(p, 'primary', 'aws_route53_health_check');
    hc.request_interval = 30;
    hc.failure_threshold = 10;
    const s = scenario(p, 'region-loss');
    // traffic chain 30 x 10 + 60 = 360 s now exceeds the database chain and the 5-minute target
    expect(s.rtoSeconds).toBe(360);
    expect(s.breaches).toEqual(['RTO 360 s > target 300 s']);
  });

  it('follows the watchdog period and threshold, and manual mode adds the operator response', () => {
    const p = plan();
    only(p, 'secondary', 'aws_cloudwatch_event_rule').schedule_expression = 'rate(5 minutes)';
    expect(scenario(p, 'region-loss').rtoSeconds).toBe(5 * 60 * 3 + 3 + 65);
    const m = plan(testConfig({ failover: { mode: 'manual' } }));
    const s = scenario(m, 'region-loss');
    expect(s.rtoSeconds).toBe(183 + DEFAULT_POLICY.manualResponseSeconds + 65);
    expect(s.breaches.some((b) => b.includes('target 300 s'))).toBe(true);
    expect(s.breaches.some((b) => b.includes('requirement'))).toBe(false);
  });

  it('makes S3 RPO unbounded (a failure) when Replication Time Control is removed', () => {
    const p = plan();
    for (const c of Object.values(p.interconnect?.resource?.aws_s3_bucket_replication_configuration ?? {})) {
      const dest = (c.rule as Attrs[])[0].destination as Attrs;
      delete dest.replication_time;
    }
    const s = scenario(p, 'region-loss');
    expect(s.rpo.find((x) => x.store === 'receipts (S3)')?.boundSeconds).toBeNull();
    expect(s.breaches).toContain('receipts (S3): RPO not bounded');
  });

  it('reports a missing component as not recoverable, never ignoring it', () => {
    const noHc = plan();
    delete noHc.primary?.resource?.aws_route53_health_check;
    const s1 = scenario(noHc, 'region-loss');
    expect(s1.recoverable).toBe(false);
    expect(s1.rtoSeconds).toBeNull();
    expect(s1.breaches[0]).toMatch(/^not recoverable: missing Route 53 health check/);

    const noReplica = plan();
    for (const t of Object.values(noReplica.global?.resource?.aws_dynamodb_table ?? {})) delete t.replica;
    expect(scenario(noReplica, 'region-loss').missing).toContain('DynamoDB replica in the secondary region');

    const noSecondaryDb = plan();
    delete noSecondaryDb.secondary?.resource?.aws_rds_cluster;
    expect(scenario(noSecondaryDb, 'database-loss').missing).toContain(
      'Aurora secondary cluster in the global database',
    );

    const noWatchdog = plan();
    delete noWatchdog.secondary?.resource?.aws_cloudwatch_event_rule;
    expect(scenario(noWatchdog, 'region-loss').missing).toContain(
      'database failover path (watchdog in the secondary region)',
    );
  });

  it('flags a /health that a broken payment function would not fail', () => {
    const p = plan();
    const api = only(p, 'primary', 'aws_api_gateway_rest_api');
    const doc = JSON.parse(String(api.body)) as {
      paths: Record<string, Record<string, Record<string, Attrs>>>;
    };
    doc.paths['/health'].get['x-amazon-apigateway-integration'].uri =
      '${aws_lambda_function.other.invoke_arn}';
    api.body = JSON.stringify(doc);
    const s = scenario(p, 'payment-function-failure');
    expect(s.recoverable).toBe(false);
    expect(s.missing.at(-1)).toMatch(/served by the payment function/);
  });

  it('slows the AZ scenario when the primary cluster has a single instance', () => {
    const p = plan();
    const instances = p.primary?.resource?.aws_rds_cluster_instance ?? {};
    delete instances[Object.keys(instances)[1]];
    expect(scenario(p, 'az-loss').rtoSeconds).toBe(600);
  });

  it('renders a markdown table and the command exits non-zero on a breach', () => {
    const md = renderMarkdown(analyze(extractFacts(plan())));
    expect(md).toContain('| Primary region lost | yes | 4.1 min |');
    const dir = mkdtempSync(join(tmpdir(), 'plan-'));
    const p = plan();
    delete p.primary?.resource?.aws_route53_health_check;
    for (const id of ['global', 'primary', 'secondary', 'interconnect'] as const) {
      mkdirSync(join(dir, 'stacks', id), { recursive: true });
      writeFileSync(join(dir, 'stacks', id, 'cdk.tf.json'), JSON.stringify(p[id]));
    }
    let status = 0;
    try {
      execFileSync(
        process.execPath,
        ['--import', 'tsx', 'bin/report.ts', '--plan', dir, '--out', join(dir, 'out')],
        { stdio: 'pipe' },
      );
    } catch (e) {
      status = (e as { status: number }).status;
    }
    expect(status).toBe(1);
    let badArg = 0;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'bin/report.ts', '--bogus'], { stdio: 'pipe' });
    } catch (e) {
      badArg = (e as { status: number }).status;
    }
    expect(badArg).toBe(2);
  });
});
