import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { summarizeDrill } from '../../cli/commands/drill';
import { observedRpo, rtoDefinition, scoreTargets, verdict } from '../../cli/lib/drill/scoring';
import { type CanaryRecord, DEFAULT_TARGETS, type DrillReport } from '../../cli/lib/drill/types';
import { elapsedTag } from '../../cli/lib/format';
import { migrateEnv } from '../../runtime/migrate/env';
import { paymentApiEnv } from '../../runtime/payment-api/env';
import type { EnvContract, VarSpecs } from '../../runtime/shared/env';
import { configSchema, WAF_RATE_WINDOW_SECONDS } from '../../src/config';
import {
  analyze,
  extractFacts,
  formatRange,
  formatSeconds,
  type PlanStacks,
  renderSummary,
  type ScenarioResult,
} from '../../src/report';
import { synthAll, testConfig } from '../support/synth';

/**
 * Every number the README, the architecture document and the runbooks quote from the schema, the
 * environment contracts, the resilience report or drctl's output, checked against that source (the default
 * synth for the computed ones). A change of a default or of the report's model fails here until the docs say
 * the same.
 */
const ROOT = join(__dirname, '..', '..');
const doc = (path: string): string => readFileSync(join(ROOT, path), 'utf8').replace(/\s+/g, ' ');

/** The one capture of `pattern` in `text` (fails when the docs no longer say it at all). */
function quoted(text: string, pattern: RegExp): string[] {
  const m = pattern.exec(text);
  expect(m, `docs no longer match ${pattern}`).not.toBeNull();
  return (m as RegExpExecArray).slice(1);
}

const plan = (config = testConfig()) => synthAll(config) as unknown as PlanStacks;
/** The RTO numbers the docs quote: the report on the default synth. */
const regionLoss = (mode: 'automatic' | 'manual' = 'automatic'): ScenarioResult =>
  analyze(extractFacts(plan(testConfig({ failover: { mode } })))).scenarios.find(
    (s) => s.id === 'region-loss',
  ) as ScenarioResult;

/** A field of the config schema: its bounds and default, read from the schema itself. */
function schemaField(section: 'failover', field: string): { min?: number; max?: number; value: unknown } {
  const sectionSchema = (configSchema.shape[section] as unknown as z.ZodPrefault<z.ZodObject>).unwrap();
  const node = sectionSchema.shape[field] as z.ZodDefault<z.ZodNumber>;
  const inner = node.unwrap();
  return {
    ...(inner instanceof z.ZodNumber
      ? { min: inner.minValue ?? undefined, max: inner.maxValue ?? undefined }
      : {}),
    value: node.parse(undefined),
  };
}

describe('numbers in the docs', () => {
  it('README configuration table: ranges and defaults of the failover fields are the schema', () => {
    const readme = doc('README.md');
    for (const field of ['detectionMinutes', 'rtoObjectiveMinutes']) {
      const [min, max, value] = quoted(
        readme,
        new RegExp(`\`failover\\.${field}\` \\((\\d+)-(\\d+)\\) *\\| \`(\\d+)\``),
      ).map(Number);
      expect({ min, max, value }, field).toEqual(schemaField('failover', field));
    }
  });

  it('README and architecture: the RTOs are the report along the plan, and on manual mode', () => {
    const s = regionLoss();
    const range = formatRange(s.rtoBestSeconds, s.rtoSeconds);
    const readme = doc('README.md');
    expect(
      quoted(readme, /computes a region-loss RTO of ([\d.]+ min – [\d.]+ min) from the synthesized plan/)[0],
    ).toBe(range);
    expect(quoted(readme, /Along the default plan that is ([\d.]+ min – [\d.]+ min):/)[0]).toBe(range);
    const manual = regionLoss('manual');
    expect(quoted(readme, /operator response \(RTO ([\d.]+ min – [\d.]+ min)/)[0]).toBe(
      formatRange(manual.rtoBestSeconds, manual.rtoSeconds),
    );
    const n = testConfig().failover.detectionMinutes;
    expect(
      Number(quoted(readme, /agree for `failover\.detectionMinutes` \((\d+)\) one-minute periods/)[0]),
    ).toBe(n);
    expect(quoted(readme, /can fire is \((\d+) − 2\) × 60 s = (\d+) s/).map(Number)).toEqual([
      n,
      (n - 2) * 60,
    ]);
    const objective = s.checks.find((c) => c.against === 'plan objective');
    expect(
      Number(quoted(readme, /`failover\.rtoObjectiveMinutes`, (\d+) min\) holds for the worst case/)[0]),
    ).toBe((objective?.limitSeconds ?? 0) / 60);
    expect(objective?.status).toBe('met');

    const architecture = doc('docs/architecture.md');
    const terms = s.rtoTerms;
    const detection = terms.slice(0, 4);
    const sum = (ts: typeof terms, k: 'seconds' | 'bestSeconds') => ts.reduce((a, t) => a + t[k], 0);
    expect(
      quoted(
        architecture,
        /detection ([\d.]+ min – [\d.]+ min) \((\d+) × 60 s periods, up to (\d+) s EventBridge start jitter, the (\d+) s probe limit, (\d+) s alarm evaluation\)/,
      ),
    ).toEqual([
      formatRange(sum(detection, 'bestSeconds'), sum(detection, 'seconds')),
      String(n),
      String(terms[1].seconds),
      String(terms[2].seconds),
      String(terms[3].seconds),
    ]);
    expect(
      quoted(
        architecture,
        /ARC's trigger (\d+)-(\d+) s, the fence (\d+)-(\d+) s, Aurora's failover (\d+)-(\d+) s .*?alias TTL (\d+)-(\d+) s each: RTO ([\d.]+ min – [\d.]+ min), against the plan's objective of ([\d.]+ min) \(held by the worst case\) and a plan bound of ([\d.]+ min)/,
      ),
    ).toEqual([
      ...[terms[4], terms[5], terms[6], terms[9]].flatMap((t) => [String(t.bestSeconds), String(t.seconds)]),
      range,
      formatSeconds(objective?.limitSeconds ?? null),
      formatSeconds(s.planBoundSeconds ?? null),
    ]);
    expect(quoted(architecture, /the report: ([\d.]+ min – [\d.]+ min)\)/)[0]).toBe(range);
    const inRegion = analyze(extractFacts(plan())).scenarios.find(
      (x) => x.id === 'az-loss',
    ) as ScenarioResult;
    expect(quoted(architecture, /in-region Aurora failover: ([\d s–]+), below the (\d+) s shortest/)).toEqual(
      [formatRange(inRegion.rtoBestSeconds, inRegion.rtoSeconds), String((n - 2) * 60)],
    );
  });

  it('README and deploy guide: the synth summary is what npm run synth prints', () => {
    // README shows the default environment ("dev"), the deploy guide "prod": names in the summary carry the suffix.
    // The deploy guide's environment sets ALERT_EMAILS (one e-mail subscription per region).
    for (const [path, suffix, emails] of [
      ['README.md', 'dev', []],
      ['docs/deploy.md', 'prod', ['oncall@example.org']],
    ] as const) {
      const stacks = plan(testConfig({ environmentSuffix: suffix, alerts: { emails: [...emails] } }));
      const summary = renderSummary(analyze(extractFacts(stacks))).split('\n');
      const text = readFileSync(join(ROOT, path), 'utf8');
      const lines = text.split('\n').filter((l) => /^ {2}[a-z-]+ +RTO /.test(l));
      expect(lines.length, path).toBeGreaterThan(0);
      for (const line of lines) expect(summary, path).toContain(line);
      let total = 0;
      for (const id of ['global', 'primary', 'secondary', 'interconnect', 'failover'] as const) {
        const count = Object.values(stacks[id]?.resource ?? {}).reduce(
          (n, r) => n + Object.keys(r).length,
          0,
        );
        total += count;
        expect(text, path).toMatch(new RegExp(`^ {2}${id} +${count} resources`, 'm'));
      }
      expect(text, path).toMatch(new RegExp(`^ {2}total +${total} resources`, 'm'));
    }
  });

  it('deploy guide: the default per-IP WAF limit is the synthesized one, 300 x the stage rate', () => {
    const text = doc('docs/deploy.md');
    const [window, limit, rate] = quoted(
      text,
      /stage's own steady rate over the window, `(\d+) x api\.throttleRateLimit` \(([\d,]+) at the default (\d+) requests per second\)/,
    );
    const acl = Object.values(plan().primary?.resource?.aws_wafv2_web_acl ?? {})[0] as {
      rule: Array<{ name: string; statement: { rate_based_statement?: { limit: number } } }>;
    };
    const deployed = acl.rule.find((r) => r.name === 'rate-limit-per-ip')?.statement.rate_based_statement
      ?.limit;
    expect(Number(String(limit).replace(/,/g, ''))).toBe(deployed);
    expect(Number(window) * Number(rate)).toBe(deployed);
    expect(Number(window)).toBe(WAF_RATE_WINDOW_SECONDS);
    expect(Number(rate)).toBe(testConfig().api.throttleRateLimit);
  });

  it('runtime README: the defaults of the payment and migration variables are their contracts', () => {
    const text = doc('runtime/README.md');
    const section = quoted(text, /## Environment (.*?) Every function's variables/)[0] as string;
    const contracts: Array<EnvContract<VarSpecs>> = [paymentApiEnv, migrateEnv];
    let checked = 0;
    for (const m of section.matchAll(/`([A-Z_]+)` \((`?)([\w.]+)\2[;,)]/g)) {
      const spec = contracts.flatMap((c) => Object.values(c.vars)).find((v) => v.name === m[1]);
      if (!spec || spec.defaultValue === undefined) continue;
      expect(String(spec.defaultValue), m[1]).toBe(m[3]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('drill runbooks: the example result is what drctl prints for those observations', () => {
    // The example: switchover requested at 10.0 s, served from us-east-2 at 115.0 s; canary lags as quoted.
    const canary = (aurora: number, dynamodb: number, s3: number): CanaryRecord => ({
      index: 0,
      idempotencyKey: 'k',
      paymentId: 'pay_01J',
      sentAt: new Date(0).toISOString(),
      committedAt: null,
      createdAt: null,
      servedBy: 'us-east-1',
      attempts: 1,
      visibility: {
        aurora: { visibleAt: 'x', lagMs: aurora },
        dynamodb: { visibleAt: 'x', lagMs: dynamodb },
        s3: { visibleAt: 'x', lagMs: s3 },
      },
    });
    const canaries = [canary(750, 900, 8000), canary(1300, 1300, 5000)];
    const rpo = observedRpo(canaries);
    const rtoMs = 115_000 - 10_000;
    const targets = scoreTargets(rpo, rtoMs, DEFAULT_TARGETS);
    const r = {
      runId: '20300101T120000Z-3fa2',
      method: 'switchover',
      rpo,
      failover: { rtoMs, rtoDefinition: rtoDefinition('switchover') },
      targets,
      errors: [],
      ...verdict([], targets),
    } as unknown as DrillReport;
    const printed = summarizeDrill(r).split('\n');
    const drctl = readFileSync(join(ROOT, 'docs/runbooks/drctl.md'), 'utf8').split('\n');
    const start = drctl.findIndex((l) => l.startsWith('drill 20300101T120000Z-3fa2 (switchover)'));
    expect(drctl.slice(start, start + printed.length)).toEqual(printed);
    expect(drctl).toContain(`${elapsedTag(115_000)} public name serves from us-east-2: RTO ${rtoMs} ms`);
    const drill = readFileSync(join(ROOT, 'docs/runbooks/drill.md'), 'utf8').split('\n');
    const at = drill.findIndex((l) => l.startsWith('drill 20300101T120000Z-3fa2 (switchover)'));
    expect(drill.slice(at, at + 3)).toEqual(printed.slice(0, 3));
    expect(drill[at + 4]).toBe(printed.at(-1));
  });
});
