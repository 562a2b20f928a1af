import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { summarizeDrill } from '../../cli/commands/drill';
import { observedRpo, rtoDefinition, scoreTargets, verdict } from '../../cli/lib/drill/scoring';
import { type CanaryRecord, DEFAULT_TARGETS, type DrillReport } from '../../cli/lib/drill/types';
import { elapsedTag } from '../../cli/lib/format';
import { defaultRecoveryThreshold } from '../../runtime/failover/decision';
import { watchdogEnv } from '../../runtime/failover/watchdog-env';
import { migrateEnv } from '../../runtime/migrate/env';
import { paymentApiEnv } from '../../runtime/payment-api/env';
import type { EnvContract, VarSpecs } from '../../runtime/shared/env';
import { configSchema, WAF_RATE_WINDOW_SECONDS } from '../../src/config';
import {
  analyze,
  environmentOf,
  extractFacts,
  formatSeconds,
  type PlanStacks,
  renderSummary,
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

const plan = (mode: 'automatic' | 'manual' = 'automatic') =>
  synthAll(testConfig({ failover: { mode } })) as unknown as PlanStacks;
const report = (mode: 'automatic' | 'manual' = 'automatic') => analyze(extractFacts(plan(mode)));
const regionLoss = (mode: 'automatic' | 'manual' = 'automatic') =>
  report(mode).scenarios.find((s) => s.id === 'region-loss') as ReturnType<
    typeof report
  >['scenarios'][number];

/** The synthesized watchdog environment of the default configuration. */
function watchdogVariables(): Record<string, string> {
  const fn = Object.values(plan().secondary?.resource?.aws_lambda_function ?? {}).find((f) =>
    String(f.function_name).includes('-watchdog-'),
  );
  return environmentOf(fn ?? {});
}

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
  it('README configuration table: ranges and defaults of the watchdog fields are the schema', () => {
    const readme = doc('README.md');
    for (const field of ['watchdogProbesPerRun', 'watchdogConsecutiveFailures']) {
      const [min, max, value] = quoted(
        readme,
        new RegExp(`\`failover\\.${field}\` \\((\\d+)-(\\d+)\\) *\\| \`(\\d+)\``),
      ).map(Number);
      expect({ min, max, value }, field).toEqual(schemaField('failover', field));
    }
  });

  it('README, architecture and runbooks: the watchdog detection numbers are the synthesized ones', () => {
    const facts = extractFacts(plan()).watchdog;
    const threshold = facts?.consecutiveFailures as number;
    const gap = facts?.probeGapSeconds as number;
    const timeout = facts?.probeTimeoutSeconds as number;
    const detection = threshold * gap + timeout;
    const detectionTerm = regionLoss().chains.find((c) => c.id === 'database')?.terms[0];
    expect(detectionTerm?.seconds).toBe(detection);

    const readme = doc('README.md');
    expect(quoted(readme, /\((\d+) → every (\d+) s\)/).map(Number)).toEqual([facts?.probesPerRun, gap]);
    expect(Number(quoted(readme, /`failover\.watchdogConsecutiveFailures` \((\d+)\) failed probes/)[0])).toBe(
      threshold,
    );
    expect(quoted(readme, /(\d+) × (\d+) s \+ (\d+) s = (\d+) s/).map(Number)).toEqual([
      threshold,
      gap,
      timeout,
      detection,
    ]);
    expect(
      quoted(
        readme,
        /needs (\d+) s to declare the primary failed \((\d+) failed probes, (\d+) s apart, plus the (\d+) s/,
      ).map(Number),
    ).toEqual([detection, threshold, gap, timeout]);

    const architecture = doc('docs/architecture.md');
    expect(
      quoted(architecture, /after (\d+) consecutive failures \((\d+) s\), promotes/).map(Number),
    ).toEqual([threshold, detection]);
    expect(
      quoted(architecture, /After (\d+) consecutive failures \((\d+) × (\d+) s \+ (\d+) s = (\d+) s/).map(
        Number,
      ),
    ).toEqual([threshold, threshold, gap, timeout, detection]);

    const alarms = doc('docs/runbooks/README.md');
    expect(quoted(alarms, /\| (\d+) consecutive failed probes \((\d+) min\)/).map(Number)).toEqual([
      threshold,
      Math.round((threshold * gap) / 60),
    ]);
    const unplanned = doc('docs/runbooks/unplanned-failover.md');
    expect(
      quoted(
        unplanned,
        /promotes by itself about (\d+) min after the failure started \((\d+) failed probes (\d+) s apart\)/,
      ).map(Number),
    ).toEqual([Math.round(detection / 60), threshold, gap]);
  });

  it('runbooks: the watchdog re-arms after the recovery threshold it applies', () => {
    const env = watchdogVariables();
    // Not rendered: the function's default applies, derived from the deployed FAILURE_THRESHOLD.
    expect(watchdogEnv.read(env, 'recoveryThreshold')).toEqual({ set: false });
    const threshold = watchdogEnv.read(env, 'failureThreshold');
    const recovery = defaultRecoveryThreshold('value' in threshold ? threshold.value : NaN);
    for (const path of ['docs/runbooks/failback.md', 'docs/runbooks/unplanned-failover.md']) {
      expect(Number(quoted(doc(path), /re-arms after (\d+) consecutive healthy probes/)[0]), path).toBe(
        recovery,
      );
    }
  });

  it('README and architecture: the RTOs are the report on the default synth, and on manual mode', () => {
    const s = regionLoss();
    const margin = s.checks.find((c) => c.subject === 'RTO' && c.against === 'target')?.marginSeconds ?? null;
    const readme = doc('README.md');
    expect(quoted(readme, /the design computes an RTO of ([\d.]+ min)/)[0]).toBe(formatSeconds(s.rtoSeconds));
    expect(quoted(readme, /The ([\d.]+ min) is the database chain/)[0]).toBe(formatSeconds(s.rtoSeconds));
    expect(quoted(readme, /operator response \(RTO ([\d.]+ min)/)[0]).toBe(
      formatSeconds(regionLoss('manual').rtoSeconds),
    );
    const traffic = s.chains.find((c) => c.id === 'traffic');
    expect(
      quoted(readme, /in parallel in (\d+) s \(Route 53 health check (\d+) s \+ alias TTL (\d+) s\)/).map(
        Number,
      ),
    ).toEqual([traffic?.seconds, ...(traffic?.terms.map((t) => t.seconds) ?? [])]);

    const architecture = doc('docs/architecture.md');
    const db = s.chains.find((c) => c.id === 'database');
    expect(
      quoted(
        architecture,
        /traffic (\d+) s; database ([\d.]+ min) \((\d+) s detection \+ (\d+) s promotion estimate \+ (\d+) s endpoint TTL\), so the RTO is ([\d.]+ min), \+(\d+) s inside/,
      ),
    ).toEqual([
      String(traffic?.seconds),
      formatSeconds(db?.seconds ?? null),
      ...(db?.terms.map((t) => String(t.seconds)) ?? []),
      formatSeconds(s.rtoSeconds),
      String(margin),
    ]);
    expect(quoted(architecture, /writes resume after about ([\d.]+) minutes in automatic mode/)[0]).toBe(
      formatSeconds(s.rtoSeconds).replace(' min', ''),
    );
  });

  it('README and deploy guide: the synth summary is what npm run synth prints', () => {
    const summary = renderSummary(report()).split('\n');
    const stacks = plan();
    for (const path of ['README.md', 'docs/deploy.md']) {
      const text = readFileSync(join(ROOT, path), 'utf8');
      const lines = text.split('\n').filter((l) => /^ {2}[a-z-]+ +RTO /.test(l));
      expect(lines.length, path).toBeGreaterThan(0);
      for (const line of lines) expect(summary, path).toContain(line);
    }
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    let total = 0;
    for (const id of ['global', 'primary', 'secondary', 'interconnect'] as const) {
      const count = Object.values(stacks[id]?.resource ?? {}).reduce((n, r) => n + Object.keys(r).length, 0);
      total += count;
      expect(readme).toMatch(new RegExp(`^ {2}${id} +${count} resources`, 'm'));
    }
    expect(readme).toMatch(new RegExp(`^ {2}total +${total} resources`, 'm'));
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

  it('drctl runbook: the deployed watchdog variables and the defaults it lists are the contract', () => {
    const text = doc('docs/runbooks/drctl.md');
    const deployed = quoted(text, /Environment as deployed: (.*?)\. Read with these defaults/)[0] as string;
    const env = watchdogVariables();
    let checked = 0;
    for (const m of deployed.matchAll(/`([A-Z_]+)` \((?:`[^`]+`, |[^)]*?: )?(\d+)\)/g)) {
      expect(env[m[1] as string], m[1]).toBe(m[2]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    const defaults = quoted(
      text,
      /Read with these defaults when unset \([^)]*\): (.*?)\. Each invocation/,
    )[0] as string;
    checked = 0;
    for (const m of defaults.matchAll(/`([A-Z_]+)` ([\w]+)/g)) {
      // Derived defaults (`max(...)`) are checked against their functions below.
      if (m[2] === 'max') continue;
      const spec = Object.values(watchdogEnv.vars).find((v) => v.name === m[1]);
      expect(spec, m[1]).toBeDefined();
      expect(String(spec?.defaultValue), m[1]).toBe(m[2]);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(5);
    expect(defaults).toContain('`RECOVERY_THRESHOLD` max(5, `FAILURE_THRESHOLD`)');
    for (const t of [1, 5, 6, 30]) expect(defaultRecoveryThreshold(t)).toBe(Math.max(5, t));
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
