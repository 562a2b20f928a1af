import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FOLLOW_DEFAULT_TIMEOUT_S } from '../../cli/lib/follow';
import { DETECTOR_BLIND_ALARM } from '../../runtime/detection/agreement';
import { runTiming } from '../../runtime/detection/env';
import { probeSpacingMs, runTimeoutSeconds } from '../../runtime/detection/schedule';
import { FENCE_ACTION_DEADLINE_MS, FENCE_ACTION_TIMEOUT_SECONDS } from '../../runtime/fence-action/env';
import { configSchema } from '../../src/config';
import { PLAN_STEPS, STEP_TIMEOUT_MINUTES } from '../../src/constructs/region-switch-plan';
import { analyze, extractFacts, formatRange, type PlanStacks } from '../../src/report';
import { resources, synthAll, testConfig } from '../support/synth';
import { resourceNames } from '../../src/resource-names';

/**
 * The runbooks name real things: every `payment-processing-...` name they mention exists in the synthesized
 * stacks, every config key exists in the schema, every plan step is the plan's, nothing of the deleted watchdog
 * engine is left, and every number they quote from the code is the code's.
 */
const ROOT = join(__dirname, '..', '..');
const DIR = join(ROOT, 'docs', 'runbooks');
const runbooks = readdirSync(DIR)
  .filter((f) => f.endsWith('.md'))
  .map((f) => ({ file: f, text: readFileSync(join(DIR, f), 'utf8') }));
const flat = (file: string): string =>
  (runbooks.find((r) => r.file === file)?.text ?? '').replace(/\s+/g, ' ');

const config = testConfig({ environmentSuffix: 'prod' });
const stacks = synthAll(config);

/** Names the stacks define: the top-level string attributes of every resource. */
const defined = new Set<string>();
for (const stack of Object.values(stacks)) {
  for (const byName of Object.values(stack.resource ?? {})) {
    for (const attrs of Object.values(byName)) {
      for (const v of Object.values(attrs)) if (typeof v === 'string') defined.add(v);
    }
  }
}

/**
 * Names the stacks do not define: created at run time by drctl or by the operator following a runbook (the
 * lost-write recovery cluster and snapshots, restore targets, Aurora's dated snapshots), and the mistyped
 * environment of drctl's "not found" example.
 */
const NOT_SYNTHESIZED = [
  /^payment-processing-ledger-recovery-/,
  /^payment-processing-lost-writes-/,
  /^payment-processing-ledger-prod-use1-\d{4}-/,
  /-restore(?:-1)?$/,
  /^payment-processing-(?:ledger-global-)?prodd$/,
];
/** Runbook examples of other environments: the same names with another suffix. */
const OTHER_SUFFIXES = ['staging'];
/** Prefixes a defined name may carry where a runbook names the resource without it. */
const PREFIXES = '(?:alias/|/aws/lambda/)?';

/** A runbook name with its placeholders as a regular expression over concrete names of the `prod` synth. */
function namePattern(token: string): RegExp {
  const escaped = token
    .replace(/\\\|/g, '|')
    .replace(new RegExp(`-(?:${OTHER_SUFFIXES.join('|')})(?=-|$)`), '-prod')
    .split(/(<[^>]+>|\*|\.\.\.)/)
    .map((part) => {
      if (part === '<suffix>') return 'prod';
      if (part === '<code>') return '(?:use1|use2|usw2)';
      if (/^<[a-z0-9|]+>$/.test(part) && part.includes('|')) return `(?:${part.slice(1, -1)})`;
      if (part === '<function>') return '[a-z0-9-]+';
      if (part === '*' || part === '...' || part.startsWith('<')) return '.*';
      return part.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${PREFIXES}${escaped}$`);
}

/** Every `payment-processing-...` token of the runbooks, as written. */
function mentionedNames(): Array<{ file: string; token: string }> {
  const out: Array<{ file: string; token: string }> = [];
  for (const { file, text } of runbooks) {
    for (const m of text.matchAll(/payment-processing-(?:[A-Za-z0-9*-]|<[a-z0-9| \\]+>|\\\||\.\.\.)+/g)) {
      const token = m[0].replace(/[-.]+$/, '').replace(/\.\.$/, '');
      out.push({ file, token });
    }
  }
  return out;
}

const quoted = (text: string, pattern: RegExp): string[] => {
  const m = pattern.exec(text);
  expect(m, `runbooks no longer match ${pattern}`).not.toBeNull();
  return (m as RegExpExecArray).slice(1);
};

/** Fields of drctl's report.json that look like config keys. */
const REPORT_FIELDS = ['`failover.promotion`'];

describe('runbook names', () => {
  it('no runbook describes the deleted watchdog engine', () => {
    for (const { file, text } of runbooks) {
      expect(text, file).not.toMatch(/watchdog|orchestrator|state table|orchestration lock/i);
    }
  });

  it('every payment-processing name a runbook mentions exists in the synthesized stacks', () => {
    const names = mentionedNames();
    expect(names.length).toBeGreaterThan(50);
    const missing: string[] = [];
    for (const { file, token } of names) {
      const re = namePattern(token);
      const inDefined = [...defined].some((n) => re.test(n));
      if (!inDefined && !NOT_SYNTHESIZED.some((r) => r.test(token))) missing.push(`${file}: ${token}`);
    }
    expect(missing).toEqual([]);
  });

  it('alarms, functions and queues: the runbooks name each failover one, and each one they name exists', () => {
    const failover = stacks.failover;
    const alarms = resources(failover, 'aws_cloudwatch_metric_alarm').map(([, a]) => String(a.alarm_name));
    const functions = resources(failover, 'aws_lambda_function').map(([, f]) => String(f.function_name));
    const queues = resources(failover, 'aws_sqs_queue').map(([, q]) => String(q.name));
    expect(alarms.length).toBe(4);
    const readme = runbooks.find((r) => r.file === 'README.md')?.text ?? '';
    const readmeNames = mentionedNames().filter((n) => n.file === 'README.md');
    for (const name of alarms) {
      expect(
        readmeNames.some((n) => namePattern(n.token).test(name)),
        `README alarm table names ${name}`,
      ).toBe(true);
    }
    const drctl = mentionedNames().filter((n) => n.file === 'drctl.md');
    const fences = [config.regions.primary, config.regions.secondary].map(
      (r) => `payment-processing-fence-prod-${r === 'us-east-1' ? 'use1' : 'use2'}`,
    );
    for (const name of [...functions, ...queues, ...fences]) {
      expect(
        drctl.some((n) => namePattern(n.token).test(name)),
        `drctl.md names ${name}`,
      ).toBe(true);
    }
    const allFunctions = Object.values(stacks).flatMap((s) =>
      resources(s, 'aws_lambda_function').map(([, f]) => String(f.function_name)),
    );
    for (const name of fences) expect(allFunctions).toContain(name);
    expect(readme).toContain('payment-processing-alerts-<suffix>-<use1|use2>');
  });

  it('config keys the runbooks mention are schema fields', () => {
    const shape = configSchema.shape as Record<string, unknown>;
    const sections = Object.keys(shape);
    for (const { file, text } of runbooks) {
      for (const m of text.matchAll(/`(failover|database|thresholds|alerts|api|dns)\.([A-Za-z]+)`/g)) {
        if (REPORT_FIELDS.includes(m[0])) continue;
        expect(sections, file).toContain(m[1]);
        const section = (shape[m[1] as string] as { unwrap?: () => { shape: object } }).unwrap?.();
        expect(Object.keys(section?.shape ?? {}), `${file}: ${m[0]}`).toContain(m[2]);
      }
    }
  });

  it('plan steps the runbooks name are the plan’s', () => {
    const steps = new Set<string>(Object.values(PLAN_STEPS));
    for (const { file, text } of runbooks) {
      for (const m of text.matchAll(/step ([a-z0-9-]+) \((?:[A-Za-z0-9]+)\)/g))
        expect(steps, `${file}: ${m[0]}`).toContain(m[1]);
      for (const m of text.matchAll(/^ {2}([a-z0-9-]+): completed/gm))
        expect(steps, `${file}: ${m[0]}`).toContain(m[1]);
    }
  });
});

describe('numbers the runbooks quote', () => {
  const f = config.failover;
  const failover = stacks.failover;
  const alarm = (name: string) =>
    resources(failover, 'aws_cloudwatch_metric_alarm').find(([, a]) => a.alarm_name === name)?.[1] ?? {};

  it('detection and trigger: periods, once per 60 min, blind alarm periods', () => {
    expect(alarm('payment-processing-primary-failed-prod').evaluation_periods).toBe(f.detectionMinutes);
    const plan = resources(failover, 'aws_arcregionswitch_plan')[0]?.[1] as {
      triggers: Array<{ min_delay_minutes_between_executions: number }>;
    };
    expect(plan.triggers[0]?.min_delay_minutes_between_executions).toBe(f.minMinutesBetweenExecutions);
    expect(alarm('payment-processing-detector-blind-prod-use2').evaluation_periods).toBe(
      DETECTOR_BLIND_ALARM.evaluationPeriods,
    );
    for (const file of ['README.md', 'unplanned-failover.md']) {
      expect(
        Number(
          quoted(flat(file), /`failover\.detectionMinutes` \((\d+)\) consecutive one-minute periods/)[0],
        ),
      ).toBe(f.detectionMinutes);
    }
    const unplanned = flat('unplanned-failover.md');
    for (const m of unplanned.matchAll(/`failover\.minMinutesBetweenExecutions` \((\d+) min\)/g))
      expect(Number(m[1])).toBe(f.minMinutesBetweenExecutions);
    expect(Number(quoted(unplanned, /`failover\.minMinutesBetweenExecutions`, (\d+) min\)/)[0])).toBe(
      f.minMinutesBetweenExecutions,
    );
    expect(Number(quoted(flat('README.md'), /has a verdict in fewer than (\d+) of the latest/)[0])).toBe(
      DETECTOR_BLIND_ALARM.evaluationPeriods,
    );
  });

  it('RTO of a lost region: the report on the synth', () => {
    const s = analyze(extractFacts(stacks as unknown as PlanStacks)).scenarios.find(
      (x) => x.id === 'region-loss',
    );
    const writes = s?.chains.find((c) => c.id === 'writes');
    const [w, t] = quoted(
      flat('unplanned-failover.md'),
      /writes accepted in us-east-2 after ([\d.]+ min – [\d.]+ min) and traffic answered by us-east-2 after ([\d.]+ min – [\d.]+ min)/,
    );
    expect(w).toBe(formatRange(writes?.bestSeconds ?? null, writes?.seconds ?? null));
    expect(t).toBe(formatRange(s?.rtoBestSeconds ?? null, s?.rtoSeconds ?? null));
  });

  it('step timeouts and drctl watch: the code', () => {
    const unplanned = flat('unplanned-failover.md');
    expect(Number(quoted(unplanned, /runs until the step's timeout \((\d+) min\)/)[0])).toBe(
      STEP_TIMEOUT_MINUTES.database,
    );
    expect(Number(quoted(unplanned, /`--timeout`, default (\d+) s\)/)[0])).toBe(FOLLOW_DEFAULT_TIMEOUT_S);
    const drctl = flat('drctl.md');
    expect(
      Number(quoted(drctl, /the step's timeout is (\d+) minutes and ARC retries it every minute/)[0]),
    ).toBe(STEP_TIMEOUT_MINUTES.fence);
  });

  it('functions section: timeouts, probes, memory, retries and event age are the synthesized ones', () => {
    const drctl = flat('drctl.md');
    const detectors = resources(failover, 'aws_lambda_function').map(([, x]) => x);
    const timing = runTiming({ probesPerRun: f.probesPerRun, probeTimeoutMs: f.probeTimeoutMs });
    const [timeout] = quoted(drctl, /Timeout (\d+) s \(`runTimeoutSeconds`/);
    expect(Number(timeout)).toBe(runTimeoutSeconds(timing));
    for (const d of detectors) {
      expect(d.timeout).toBe(runTimeoutSeconds(timing));
      expect(d.memory_size).toBe(Number(quoted(drctl, /outside any VPC, with (\d+) MB/)[0]));
    }
    const fence = resources(stacks.secondary, 'aws_lambda_function')
      .map(([, x]) => x)
      .find((x) => x.function_name === 'payment-processing-fence-prod-use2');
    expect(fence?.memory_size).toBe(Number(quoted(drctl, /outside any VPC, with (\d+) MB/)[0]));
    expect(fence?.timeout).toBe(FENCE_ACTION_TIMEOUT_SECONDS);
    const [deadlineS, deadlineMs, fenceTimeout] = quoted(
      drctl,
      /ends within (\d+) s \(`FENCE_ACTION_DEADLINE_MS`, (\d+)\), inside its (\d+) s Lambda timeout/,
    ).map(Number);
    expect([deadlineS, deadlineMs, fenceTimeout]).toEqual([
      FENCE_ACTION_DEADLINE_MS / 1000,
      FENCE_ACTION_DEADLINE_MS,
      FENCE_ACTION_TIMEOUT_SECONDS,
    ]);
    const [spacingS, probes, probesAgain, timeoutMs] = quoted(
      drctl,
      /inside one minute \((\d+) s apart with (\d+)\).*?`PROBES_PER_RUN` \(`failover\.probesPerRun`, (\d+), 1-6\) and `PROBE_TIMEOUT_MS` \(`failover\.probeTimeoutMs`, (\d+),/,
    ).map(Number);
    expect(spacingS).toBe(probeSpacingMs(f.probesPerRun) / 1000);
    expect([probes, probesAgain, timeoutMs]).toEqual([f.probesPerRun, f.probesPerRun, f.probeTimeoutMs]);
    const invoke = resources(failover, 'aws_lambda_function_event_invoke_config').map(([, x]) => x);
    const [retries, age] = quoted(drctl, /maximum retry attempts (\d+), maximum event age (\d+) s/).map(
      Number,
    );
    for (const i of invoke) {
      expect(i.maximum_retry_attempts).toBe(retries);
      expect(i.maximum_event_age_in_seconds).toBe(age);
    }
    for (const env of detectors.map(
      (d) => (d.environment as { variables: Record<string, string> }).variables,
    )) {
      expect(env.PROBES_PER_RUN).toBe(String(f.probesPerRun));
      expect(env.PROBE_TIMEOUT_MS).toBe(String(f.probeTimeoutMs));
      for (const key of Object.keys(env)) expect(drctl, key).toContain(`\`${key}\``);
    }
  });
});

describe('the DynamoDB restore runbook', () => {
  it('restores into the table names the data key allows (resource-names restoredTable)', () => {
    const names = resourceNames(config);
    const targets = [...flat('restore.md').matchAll(/--target-table-name (\S+)/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(0);
    const allowed = [names.paymentControlTable, names.sessionsTable].map((t) => names.restoredTable(t));
    for (const t of targets) expect(allowed).toContain(t);
  });
});
