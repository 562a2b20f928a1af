import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { synthAll, testConfig } from '../support/synth';

type Attrs = Record<string, unknown>;
/** A deep copy of the synthesized plan, for mutating one value at a time. */
const plan = (config = testConfig()): PlanStacks =>
  JSON.parse(JSON.stringify(synthAll(config))) as PlanStacks;
const only = (p: PlanStacks, stack: keyof PlanStacks, type: string, match?: (a: Attrs) => boolean): Attrs => {
  const all = Object.values(p[stack]?.resource?.[type] ?? {}).filter((a) => !match || match(a));
  if (all.length !== 1) throw new Error(`expected one ${type}`);
  return all[0];
};
/** The watchdog's schedule (the secondary stack also schedules the payment function's reconcile runs). */
const watchdogRule = (p: PlanStacks): Attrs =>
  only(p, 'secondary', 'aws_cloudwatch_event_rule', (r) => String(r.name).includes('-watchdog-'));
const scenario = (p: PlanStacks, id: string, policy?: Policy) => {
  const s = analyze(extractFacts(p), policy).scenarios.find((x) => x.id === id);
  if (!s) throw new Error(id);
  return s;
};
const check = (s: ScenarioResult, subject: string, against: 'requirement' | 'target') => {
  const c = s.checks.find((x) => x.subject === subject && x.against === against);
  if (!c) throw new Error(`${s.id}: no ${subject} ${against} check`);
  return c;
};
/** The rds.global_db_rpo entry of a stack's (single) cluster parameter group. */
const rpoParam = (p: PlanStacks, stack: 'primary' | 'secondary') => {
  const params = only(p, stack, 'aws_rds_cluster_parameter_group').parameter as Array<{
    name: string;
    value: string;
  }>;
  return { params, entry: params.find((x) => x.name === 'rds.global_db_rpo') };
};
const watchdogEnv = (p: PlanStacks): Record<string, string> => {
  const fn = Object.values(p.secondary?.resource?.aws_lambda_function ?? {}).find((f) =>
    /-watchdog-/.test(String(f.function_name)),
  );
  return (fn?.environment as { variables: Record<string, string> }).variables;
};
const runReport = (args: string[]): number => {
  try {
    execFileSync(process.execPath, ['--import', 'tsx', 'bin/report.ts', ...args], { stdio: 'pipe' });
    return 0;
  } catch (e) {
    return (e as { status: number }).status;
  }
};
const writePlan = (p: PlanStacks): string => {
  const dir = mkdtempSync(join(tmpdir(), 'plan-'));
  for (const id of ['global', 'primary', 'secondary', 'interconnect'] as const) {
    mkdirSync(join(dir, 'stacks', id), { recursive: true });
    writeFileSync(join(dir, 'stacks', id, 'cdk.tf.json'), JSON.stringify(p[id]));
  }
  return dir;
};

// watchdog: 3 probes per 60 s run (one every 20 s) x 6 failures + 3 s probe; promotion estimate 120 s; TTL 5 s.
const DETECTION = 20 * 6 + 3;
const DB_CHAIN = DETECTION + AWS_TIMINGS.auroraGlobalPromotion.seconds + 5;

describe('resilience report', () => {
  it('meets the requirement and the 5-minute target with the conservative promotion estimate', () => {
    expect(AWS_TIMINGS.auroraGlobalPromotion.seconds).toBe(120);
    const r = analyze(extractFacts(plan()));
    expect(r.ok).toBe(true);
    const region = r.scenarios.find((s) => s.id === 'region-loss') as ScenarioResult;
    expect(region.rtoSeconds).toBe(248);
    expect(region.breaches).toEqual([]);
    expect(check(region, 'RTO', 'requirement')).toMatchObject({ status: 'met', marginSeconds: 1800 - 248 });
    expect(check(region, 'RTO', 'target')).toMatchObject({ status: 'met', marginSeconds: 52 });
    expect(region.rtoTerms.map((t) => t.seconds)).toEqual([DETECTION, 120, 5]);
    // rds.global_db_rpo is an opt-in: off by default, the ledger's RPO is the typical lag with no configured bound.
    expect(region.rpo.find((x) => x.store === 'ledger (Aurora)')).toMatchObject({
      expectedSeconds: 1,
      boundSeconds: null,
      basis: 'typical-only',
    });
    expect(region.rpo.find((x) => x.store === 'receipts (S3)')).toMatchObject({ boundSeconds: 900 });
    // Cross-region scenarios rest on typical replication lag for DynamoDB and the 1 s ledger target.
    expect(r.scenarios.map((s) => [s.id, s.verdict])).toEqual([
      ['region-loss', 'met-typical'],
      ['database-loss', 'met-typical'],
      ['az-loss', 'pass'],
      ['payment-function-failure', 'met-typical'],
    ]);
  });

  it('misses the 5-minute target with one watchdog probe per minute (detection 6 min)', () => {
    const p = plan();
    watchdogEnv(p).PROBES_PER_RUN = '1';
    const region = scenario(p, 'region-loss');
    expect(region.rtoTerms[0]).toMatchObject({ seconds: 60 * 6 + 3 });
    expect(region.rtoSeconds).toBe(488);
    expect(region.breaches).toEqual(['RTO 488 s > target 300 s']);
    delete watchdogEnv(p).PROBES_PER_RUN;
    expect(scenario(p, 'region-loss').rtoSeconds).toBe(488);
    watchdogEnv(p).PROBES_PER_RUN = '3';
    delete watchdogEnv(p).PROBE_SPACING_MS;
    expect(scenario(p, 'region-loss').unknown).toContain(
      'watchdog PROBE_SPACING_MS not in the plan (PROBES_PER_RUN > 1)',
    );
  });

  it('quotes AWS for the promotion estimate instead of claiming a one-minute promotion', () => {
    const src = AWS_TIMINGS.auroraGlobalPromotion.source;
    expect(src).toContain('"For Aurora Global Database, RTO can be in the order of minutes"');
    expect(src).toContain('aurora-global-database-disaster-recovery.html');
    expect(src).not.toMatch(/about a minute/);
  });

  it('emits both parallel chains and marks the longer one critical', () => {
    const s = scenario(plan(), 'region-loss');
    expect(s.chains.map((c) => [c.id, c.seconds, c.critical])).toEqual([
      ['traffic', 10 * 3 + 60, false],
      ['database', DB_CHAIN, true],
    ]);
    expect(s.rtoTerms).toBe(s.chains[1].terms);
    const md = renderMarkdown(analyze(extractFacts(plan())));
    expect(md).toContain('- traffic (traffic to us-east-2): 90 s');
    expect(md).toContain('- **database (writable database in us-east-2): 4.1 min — critical**');
  });

  it('leaves the orchestrator poll interval out of the chain and says why', () => {
    const p = plan();
    const s = scenario(p, 'region-loss');
    const terms = s.chains.flatMap((c) => c.terms.map((t) => `${t.name} ${t.source}`));
    expect(terms.some((t) => /POLL_INTERVAL/.test(t))).toBe(false);
    expect(s.notes.some((n) => /^not on the path: .*POLL_INTERVAL_MS, not set in the plan/.test(n))).toBe(
      true,
    );
    watchdogEnv(p).POLL_INTERVAL_MS = '30000';
    const again = scenario(p, 'region-loss');
    expect(again.rtoSeconds).toBe(DB_CHAIN);
    expect(again.notes.some((n) => n.includes('30000 ms in the plan'))).toBe(true);
  });

  it('uses a measured promotion time from the policy, and then passes with typical-only notes', () => {
    const policy: Policy = { ...DEFAULT_POLICY, auroraPromotionSeconds: 60 };
    const r = analyze(extractFacts(plan()), policy);
    expect(r.ok).toBe(true);
    const s = r.scenarios[0];
    expect(s.rtoSeconds).toBe(DETECTION + 60 + 5);
    expect(check(s, 'RTO', 'target').marginSeconds).toBe(300 - (DETECTION + 60 + 5));
    expect(s.verdict).toBe('met-typical');
    expect(r.scenarios.find((x) => x.id === 'az-loss')?.verdict).toBe('pass');
    expect(renderSummary(r)).toContain(
      'pass, typical only: ledger (Aurora) RPO requirement, DynamoDB RPO requirement, ledger (Aurora) RPO target',
    );
  });

  it('reports the ledger RPO as typical only when rds.global_db_rpo is off (the default), not as a breach', () => {
    const r = analyze(extractFacts(plan()));
    const s = r.scenarios[0];
    expect(rpoParam(plan(), 'primary').entry).toBeUndefined();
    expect(s.rpo[0]).toMatchObject({ basis: 'typical-only', boundSeconds: null, expectedSeconds: 1 });
    expect(s.rpo[0].source).toMatch(/^no configured bound: rds.global_db_rpo is off on the primary cluster/);
    // The requirement holds for the typical lag only, said as such (as for DynamoDB), never as a plain pass.
    expect(check(s, 'ledger (Aurora) RPO', 'requirement')).toMatchObject({
      status: 'met-typical',
      basis: 'typical',
      valueSeconds: 1,
      note: 'no configured bound (rds.global_db_rpo off); typical used',
    });
    expect(check(s, 'ledger (Aurora) RPO', 'target')).toMatchObject({
      status: 'met-typical',
      basis: 'typical',
      valueSeconds: 1,
      note: 'typical only — not guaranteed; worst case not bounded (rds.global_db_rpo off on the primary cluster)',
    });
    expect(check(s, 'DynamoDB RPO', 'requirement')).toMatchObject({
      status: 'met-typical',
      basis: 'typical',
      note: 'no AWS bound; typical used',
    });
    expect(r.ok).toBe(true);
    expect(s.breaches).toEqual([]);
    // Losing one AZ is synchronous: there the target does hold for the worst case.
    const az = r.scenarios.find((x) => x.id === 'az-loss') as ScenarioResult;
    expect(check(az, 'ledger (Aurora) RPO', 'target')).toMatchObject({ status: 'met', valueSeconds: 0 });
    const md = renderMarkdown(r);
    expect(md).toContain('ledger (Aurora): typical 1 s, no configured bound; typical used');
    expect(md).toContain('| 1 s / no configured bound |');
    expect(md).toContain('DynamoDB: typical 1 s, no AWS bound; typical used');
  });

  it('with database.rpoBoundSeconds: a worst case, its availability cost stated, past 15 min a breach', () => {
    const bounded = plan(testConfig({ database: { rpoBoundSeconds: 60 } }));
    const s = scenario(bounded, 'region-loss');
    expect(s.rpo[0]).toMatchObject({ boundSeconds: 60, basis: 'configured' });
    expect(s.rpo[0].source).toContain(
      'availability cost: while us-east-2 lags more than 60 s, every ledger commit in us-east-1 waits (payments answer 503)',
    );
    expect(check(s, 'ledger (Aurora) RPO', 'requirement')).toMatchObject({
      status: 'met',
      basis: 'worst-case',
      valueSeconds: 60,
      marginSeconds: 840,
    });
    expect(check(s, 'ledger (Aurora) RPO', 'target').note).toBe(
      'typical only — not guaranteed; worst case bounded by rds.global_db_rpo = 60 s',
    );
    // Only on the primary: AWS advises the default on the secondary of a two-Region global database.
    expect(rpoParam(bounded, 'secondary').entry).toBeUndefined();
    expect(analyze(extractFacts(bounded)).notes.some((n) => n.includes('secondary cluster'))).toBe(false);
    const entry = rpoParam(bounded, 'primary').entry as { value: string };
    entry.value = '1200';
    expect(scenario(bounded, 'region-loss').breaches).toContain(
      'ledger (Aurora): RPO 1200 s > requirement 900 s',
    );
  });

  it("takes the bound from the primary's parameter group and flags one on the secondary", () => {
    const p = plan(testConfig({ database: { rpoBoundSeconds: 60 } }));
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
    const p = plan(testConfig({ database: { rpoBoundSeconds: 60 } }));
    (rpoParam(p, 'primary').entry as { value: string }).value = '5';
    const s = scenario(p, 'region-loss');
    expect(s.rpo[0]).toMatchObject({ boundSeconds: null, basis: 'unbounded' });
    expect(s.rpo[0].source).toContain('below the AWS minimum of 20 s');
    expect(s.breaches).toContain('ledger (Aurora): RPO not bounded');
    expect(renderMarkdown(analyze(extractFacts(p)))).toContain(
      'ledger (Aurora): typical 1 s, bound: **unbounded**',
    );
  });

  it('follows the synthesized health-check values (traffic chain)', () => {
    const p = plan();
    const hc = only(p, 'primary', 'aws_route53_health_check');
    hc.request_interval = 30;
    hc.failure_threshold = 10;
    const s = scenario(p, 'region-loss');
    // traffic chain 30 x 10 + 60 = 360 s now exceeds the database chain
    expect(s.rtoSeconds).toBe(360);
    expect(s.chains.find((c) => c.critical)?.id).toBe('traffic');
    expect(s.breaches).toEqual(['RTO 360 s > target 300 s']);
  });

  it("applies Route 53's documented defaults, citing them, when the health check leaves them unset", () => {
    const p = plan();
    const hc = only(p, 'primary', 'aws_route53_health_check');
    delete hc.request_interval;
    delete hc.failure_threshold;
    const r = analyze(extractFacts(p));
    const traffic = r.scenarios[0].chains[0];
    expect(traffic.terms[0].seconds).toBe(30 * 3);
    expect(traffic.terms[0].source).toContain('the default value is 30 seconds');
    expect(traffic.terms[0].source).toContain('the default value is three health checks');
    expect(r.notes.some((n) => n.startsWith('health check request_interval not set'))).toBe(true);
  });

  it('follows the watchdog period and threshold, and manual mode adds the operator response', () => {
    const p = plan();
    watchdogRule(p).schedule_expression = 'rate(5 minutes)';
    // Three probes 20 s apart, then the wait for the next run: the longest gap is 300 - 2 x 20 = 260 s.
    expect(scenario(p, 'region-loss').rtoSeconds).toBe((5 * 60 - 2 * 20) * 6 + 3 + 125);
    const m = plan(testConfig({ failover: { mode: 'manual' } }));
    const s = scenario(m, 'region-loss');
    expect(s.rtoSeconds).toBe(DETECTION + DEFAULT_POLICY.manualResponseSeconds + 125);
    expect(s.breaches.some((b) => b.includes('target 300 s'))).toBe(true);
    expect(s.breaches.some((b) => b.includes('requirement'))).toBe(false);
  });

  it('uses the EventBridge rule that invokes the watchdog, not whichever rule comes first', () => {
    const p = plan();
    const rules = p.secondary?.resource?.aws_cloudwatch_event_rule as Record<string, Attrs>;
    // An unrelated hourly rule, placed first.
    p.secondary!.resource!.aws_cloudwatch_event_rule = {
      other_rule: { name: 'nightly-report', schedule_expression: 'rate(1 hour)' },
      ...rules,
    };
    expect(scenario(p, 'region-loss').rtoSeconds).toBe(DB_CHAIN);

    const retargeted = plan();
    only(retargeted, 'secondary', 'aws_cloudwatch_event_target', (t) =>
      String(t.rule).includes('failover'),
    ).arn = '${aws_lambda_function.other.arn}';
    const s = scenario(retargeted, 'region-loss');
    expect(s.recoverable).toBe(false);
    expect(s.missing).toContain(
      'database failover path (watchdog in the secondary region): no EventBridge rule targets payment-processing-watchdog-test',
    );
  });

  it('treats a disabled watchdog schedule as no failover path (state or is_enabled)', () => {
    for (const [attr, value] of [
      ['state', 'DISABLED'],
      ['is_enabled', false],
    ] as const) {
      const p = plan();
      watchdogRule(p)[attr] = value;
      const s = scenario(p, 'region-loss');
      expect(s.recoverable).toBe(false);
      expect(s.missing.find((m) => m.startsWith('database failover path'))).toMatch(
        new RegExp(`is disabled \\(payment-processing-watchdog-test ${attr}=${String(value)}\\)`),
      );
    }
    const enabled = plan();
    watchdogRule(enabled).state = 'ENABLED';
    expect(scenario(enabled, 'region-loss').rtoSeconds).toBe(DB_CHAIN);
  });

  it('reports missing watchdog settings as unknown instead of defaulting them', () => {
    for (const [name, message] of [
      ['FAILURE_THRESHOLD', 'watchdog FAILURE_THRESHOLD not in the plan'],
      ['PROBE_TIMEOUT_MS', 'watchdog PROBE_TIMEOUT_MS not in the plan'],
      ['FAILOVER_MODE', 'watchdog FAILOVER_MODE not in the plan'],
    ]) {
      const p = plan();
      delete watchdogEnv(p)[name];
      const r = analyze(extractFacts(p));
      const s = r.scenarios[0];
      expect(s.recoverable).toBe(true);
      expect(s.rtoSeconds).toBeNull();
      expect(s.unknown).toEqual([message]);
      expect(s.breaches[0]).toBe(`RTO unknown: ${message}`);
      expect(s.chains.find((c) => c.id === 'database')?.seconds).toBeNull();
      expect(s.chains.some((c) => c.critical)).toBe(false);
      expect(renderMarkdown(r)).toContain(`  - unknown: ${message}`);
    }
    const invalid = plan();
    watchdogEnv(invalid).FAILOVER_MODE = 'auto';
    expect(scenario(invalid, 'region-loss').missing.at(-1)).toMatch(/FAILOVER_MODE=auto is neither/);
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
    const rules = noWatchdog.secondary?.resource?.aws_cloudwatch_event_rule ?? {};
    for (const [key, rule] of Object.entries(rules))
      if (String(rule.name).includes('-watchdog-')) delete rules[key];
    expect(scenario(noWatchdog, 'region-loss').missing).toContain(
      'database failover path (watchdog in the secondary region): no EventBridge rule targets payment-processing-watchdog-test',
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

  it('renders the margin to the RTO target in the table and the summary', () => {
    const r = analyze(extractFacts(plan()));
    const md = renderMarkdown(r);
    expect(md).toContain(
      '| Primary region lost | yes | 4.1 min | +52 s | database | 1 s / no configured bound |',
    );
    expect(md).toContain(
      '| One availability zone lost (primary region) | yes | 30 s | +4.5 min | in-region |',
    );
    expect(renderSummary(r).split('\n')[0]).toBe(
      '  region-loss               RTO  4.1 min (target margin +52 s)  pass, typical only: ledger (Aurora) RPO requirement, DynamoDB RPO requirement, ledger (Aurora) RPO target',
    );
  });

  it('exits 1 on a breach, 0 when the policy is met, and 2 on bad arguments, policy or a missing plan', () => {
    const broken = plan();
    delete broken.primary?.resource?.aws_route53_health_check;
    const brokenDir = writePlan(broken);
    expect(runReport(['--plan', brokenDir, '--out', join(brokenDir, 'out')])).toBe(1);

    const dir = writePlan(plan());
    const policyFile = join(dir, 'policy.json');
    // Nested fields merge: only the promotion time is given, the limits stay the defaults.
    writeFileSync(policyFile, JSON.stringify({ auroraPromotionSeconds: 60, targets: { rtoSeconds: 300 } }));
    expect(runReport(['--plan', dir, '--out', join(dir, 'out'), '--policy', policyFile])).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'out', 'resilience.json'), 'utf8')) as {
      ok: boolean;
      policy: Policy;
      scenarios: ScenarioResult[];
    };
    expect(json.ok).toBe(true);
    expect(json.policy.targets.ledgerRpoSeconds).toBe(1);
    expect(json.scenarios[0].verdict).toBe('met-typical');
    expect(readFileSync(join(dir, 'out', 'resilience.md'), 'utf8')).toContain('**met-typical**');

    writeFileSync(policyFile, JSON.stringify({ targets: { rtoSeconds: 'soon' } }));
    expect(runReport(['--plan', dir, '--out', join(dir, 'out'), '--policy', policyFile])).toBe(2);
    expect(runReport(['--bogus'])).toBe(2);
    expect(runReport(['--plan', join(dir, 'nowhere')])).toBe(2);
  });
});
