import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, DEFAULT_POLICY, extractFacts, type PlanStacks, type Report } from '../../src/report';
import { PLAN_STACK_IDS } from '../../src/report/plan';
import { testConfig } from '../support/synth';
import { synthesizedPlan } from './real-plan';

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
  for (const id of PLAN_STACK_IDS) {
    mkdirSync(join(dir, 'stacks', id), { recursive: true });
    writeFileSync(join(dir, 'stacks', id, 'cdk.tf.json'), JSON.stringify(p[id]));
  }
  return dir;
};
const output = (dir: string): Report =>
  JSON.parse(readFileSync(join(dir, 'out', 'resilience.json'), 'utf8')) as Report;

describe('npm run report: the gate', () => {
  it('exits 1 on a breach, 0 when the policy is met, 2 on bad arguments, policy or plan', () => {
    // The default plan meets the default policy.
    const dir = writePlan(synthesizedPlan());
    expect(runReport(['--plan', dir, '--out', join(dir, 'out')])).toBe(0);
    expect(output(dir).ok).toBe(true);
    const worst = analyze(extractFacts(synthesizedPlan())).scenarios[0].rtoSeconds as number;
    expect(output(dir).scenarios[0]).toMatchObject({ id: 'region-loss', rtoSeconds: worst });

    // A plan whose own RTO objective is below its worst case (the largest whole minute under it) breaches.
    const objective = Math.ceil(worst / 60) - 1;
    const tight = writePlan(synthesizedPlan(testConfig({ failover: { rtoObjectiveMinutes: objective } })));
    expect(runReport(['--plan', tight, '--out', join(tight, 'out')])).toBe(1);
    expect(output(tight).ok).toBe(false);
    expect(output(tight).scenarios[0].breaches).toEqual([
      `RTO ${worst} s > plan objective ${objective * 60} s`,
    ]);

    const policyFile = join(dir, 'policy.json');
    // A stricter policy breaches the same default plan.
    writeFileSync(policyFile, JSON.stringify({ requirement: { rtoSeconds: worst - 1 } }));
    expect(runReport(['--plan', dir, '--out', join(dir, 'out'), '--policy', policyFile])).toBe(1);
    expect(output(dir).scenarios[0].breaches).toEqual([`RTO ${worst} s > requirement ${worst - 1} s`]);
    expect(output(dir).policy.requirement.rpoSeconds).toBe(DEFAULT_POLICY.requirement.rpoSeconds);

    // Nested fields merge: one assumption and one target given, the rest stay the defaults.
    writeFileSync(
      policyFile,
      JSON.stringify({ assumptions: { triggerSeconds: 30 }, targets: { rtoSeconds: 300 } }),
    );
    expect(runReport(['--plan', dir, '--out', join(dir, 'out'), '--policy', policyFile])).toBe(0);
    const json = output(dir);
    expect(json.ok).toBe(true);
    expect(json.policy.targets.ledgerRpoSeconds).toBe(1);
    expect(json.policy.assumptions).toMatchObject({ triggerSeconds: 30, alarmEvaluationSeconds: 60 });
    expect(json.scenarios[0].verdict).toBe('met-typical');
    expect(readFileSync(join(dir, 'out', 'resilience.md'), 'utf8')).toContain('**met-typical**');

    writeFileSync(policyFile, JSON.stringify({ assumptions: { dnsStepSeconds: 'soon' } }));
    expect(runReport(['--plan', dir, '--out', join(dir, 'out'), '--policy', policyFile])).toBe(2);
    expect(runReport(['--bogus'])).toBe(2);
    expect(runReport(['--plan', join(dir, 'nowhere')])).toBe(2);
  });
});
