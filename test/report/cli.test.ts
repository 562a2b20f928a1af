import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PlanStacks, Report } from '../../src/report';
import { PLAN_STACK_IDS } from '../../src/report/plan';
import { testConfig } from '../support/synth';
import { completePlan, mainPlan } from './contract-pieces';

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

describe('npm run report: the gate', () => {
  it('exits 1 on a breach (main today), 0 when the policy is met, 2 on bad arguments, policy or plan', () => {
    const broken = writePlan(mainPlan());
    expect(runReport(['--plan', broken, '--out', join(broken, 'out')])).toBe(1);

    const dir = writePlan(completePlan(testConfig({ failover: { rtoObjectiveMinutes: 15 } })));
    const policyFile = join(dir, 'policy.json');
    // Nested fields merge: one assumption and one target given, the rest stay the defaults.
    writeFileSync(
      policyFile,
      JSON.stringify({ assumptions: { triggerSeconds: 30 }, targets: { rtoSeconds: 300 } }),
    );
    expect(runReport(['--plan', dir, '--out', join(dir, 'out'), '--policy', policyFile])).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'out', 'resilience.json'), 'utf8')) as Report;
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
