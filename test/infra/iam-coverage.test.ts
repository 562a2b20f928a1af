import { readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTIONS } from '../../src/bundling/functions';
import { only, parsePolicy, synthAll, testConfig, type TfJson } from '../support/synth';
import {
  allows,
  commandsIn,
  commandsReachableFrom,
  NEEDS_NO_PERMISSION,
  reachable,
  sourceFiles,
} from '../support/iam-scan';

const manual = synthAll(testConfig({ failover: { mode: 'manual' } }));
const statements = (st: TfJson, roleFragment: string) =>
  parsePolicy(only(st, 'aws_iam_role_policy', (p) => String(p.role).includes(roleFragment)).policy).Statement;
const operatorPolicy = (st: TfJson) =>
  parsePolicy(only(st, 'aws_iam_role_policy', (p) => p.name === 'drctl').policy).Statement;

/**
 * Every AWS SDK command the failover functions and drctl can send, mapped to the IAM action it needs, must be
 * allowed by the policy of the role that runs it, as synthesized. Commands are found by scanning the source
 * reachable from each role's entry point for `new XxxCommand(` and the @aws-sdk module Xxx is imported from.
 */
const ROOT = resolve(__dirname, '../..');
const SCANNED_DIRS = ['runtime/fence-action', 'cli'];
const ENTRY = {
  'fence-action': LAMBDA_FUNCTIONS['fence-action'].entry,
  operator: 'cli/drctl.ts',
};

/** Roles and the commands of their code they never send, with why. */
const ROLES: Array<{
  role: keyof typeof ENTRY;
  stack: string;
  policy: () => Array<Record<string, unknown>>;
  neverSent: Record<string, string>;
}> = [
  // The fence step exists in both regions with the same grants (one construct): each region's role is checked.
  {
    role: 'fence-action',
    stack: 'primary',
    policy: () => statements(manual.primary, 'fence-action_fence_role'),
    neverSent: {},
  },
  {
    role: 'fence-action',
    stack: 'secondary',
    policy: () => statements(manual.secondary, 'fence-action_fence_role'),
    neverSent: {},
  },
  {
    role: 'operator',
    stack: 'global',
    policy: () => operatorPolicy(manual.global),
    // Both PutItems are in files recover-lost-writes imports, on paths it never takes: activateRegion
    // (runtime/shared/fence.ts; only the plan's fence step moves the fence, drctl reads it through the guard)
    // and putSessionRecord (side-effects.ts; only with a session id, which recovery never passes). drctl writes
    // the control table with UpdateItem only; the operator role has no PutItem on purpose.
    neverSent: { 'dynamodb:PutItem': 'activateRegion and putSessionRecord are not called by drctl' },
  },
];

describe('IAM coverage of every AWS call of the failover code and drctl', () => {
  it('finds the SDK commands of every role, and every command-sending file is reached from an entry point', () => {
    const reached = new Set(Object.values(ENTRY).flatMap(reachable));
    const sending = SCANNED_DIRS.flatMap(sourceFiles).filter(
      (f) => commandsIn(f, readFileSync(f, 'utf8')).length > 0,
    );
    expect(sending.length).toBeGreaterThan(5);
    expect(sending.filter((f) => !reached.has(f)).map((f) => relative(ROOT, f))).toEqual([]);
    expect([...new Set(commandsReachableFrom(ENTRY['fence-action']).map((c) => c.action))].sort()).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ]);
  });

  it("keeps the operator's never-sent PutItems unsent: no code drctl reaches calls activateRegion or putSessionRecord", () => {
    const defining = ['runtime/shared/fence.ts', 'runtime/payment-api/side-effects.ts'];
    const callers = reachable(ENTRY.operator)
      .filter((f) => !defining.includes(relative(ROOT, f)))
      .filter((f) => /\b(activateRegion|putSessionRecord)\(/.test(readFileSync(f, 'utf8')));
    expect(callers.map((f) => relative(ROOT, f))).toEqual([]);
    // completeSideEffects writes the session record only when given a session id; recovery never gives one.
    expect(readFileSync(join(ROOT, 'runtime/recovery/lost-writes.ts'), 'utf8')).not.toMatch(/sessionId/);
  });

  it.each(ROLES)(
    'the $role role ($stack) is allowed every action its code sends',
    ({ role, policy, neverSent }) => {
      const sts = policy();
      const missing = commandsReachableFrom(ENTRY[role])
        .filter((c) => !NEEDS_NO_PERMISSION.has(c.action) && !(c.action in neverSent))
        .filter((c) => !allows(sts, c.action))
        .map((c) => `${c.action} (${c.file})`);
      expect([...new Set(missing)]).toEqual([]);
    },
  );

  it('the operator role is allowed every ARC Region switch operation drctl sends, on the plan unless it has no resource type', () => {
    // drctl's ARC client is not the SDK: its operations are the names it passes to call() and pages().
    const client = readFileSync(join(ROOT, 'cli/lib/arc-client.ts'), 'utf8');
    const ops = [...client.matchAll(/\b(?:call|pages)\(\s*'(\w+)'/g)].map((m) => m[1] as string);
    expect(ops).toContain('ListRoute53HealthChecksInRegion');
    const sts = operatorPolicy(manual.global);
    // ListPlansInRegion has no resource type (Service Authorization Reference, ARC Region switch).
    const unscoped = new Set(['ListPlansInRegion']);
    for (const op of new Set(ops)) {
      const action = `arc-region-switch:${op}`;
      const granting = sts.filter((x) => allows([x], action));
      expect(granting.length, action).toBeGreaterThan(0);
      if (unscoped.has(op)) continue;
      for (const x of granting) {
        for (const r of [x.Resource].flat())
          expect(String(r), action).toMatch(
            /^arn:aws:arc-region-switch::[^:]+:plan\/payment-processing-[^*]+$/,
          );
      }
    }
    // The plan owns the DNS health checks and runs the Aurora switch: drctl may change neither.
    for (const action of [
      'route53:UpdateHealthCheck',
      'route53:ListHealthChecks',
      'rds:SwitchoverGlobalCluster',
      'rds:FailoverGlobalCluster',
    ])
      expect(allows(sts, action), action).toBe(false);
  });

  it.each(ROLES)(
    'the $role role ($stack) can use the key of every encrypted store it touches',
    ({ role, policy }) => {
      const sts = policy();
      const services = new Set(commandsReachableFrom(ENTRY[role]).map((c) => c.action.split(':')[0]));
      // DynamoDB tables, topics and buckets all use customer-managed keys whose policies delegate to IAM.
      for (const service of ['dynamodb', 'sns', 's3'].filter((x) => services.has(x))) {
        const via = sts.filter((x) => {
          const condition = (x.Condition as Record<string, Record<string, unknown>> | undefined)
            ?.StringEquals;
          return (
            allows([x], 'kms:Decrypt') &&
            String(condition?.['kms:ViaService'] ?? '').startsWith(`${service}.`)
          );
        });
        expect(via.length, `${role}: kms:Decrypt through ${service}`).toBeGreaterThan(0);
      }
    },
  );
});
