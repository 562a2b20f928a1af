import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAMBDA_FUNCTIONS } from '../../src/bundling/functions';
import { only, parsePolicy, synthAll, testConfig, type TfJson } from '../support/synth';

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

/** IAM prefixes of the SDK modules. */
const SERVICE_OF_MODULE: Record<string, string> = {
  '@aws-sdk/client-cloudwatch': 'cloudwatch',
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-rds': 'rds',
  '@aws-sdk/client-route-53': 'route53',
  '@aws-sdk/client-s3': 's3',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-sns': 'sns',
  '@aws-sdk/client-sts': 'sts',
};

/** Commands whose IAM action is not named after them (lib-dynamodb's document commands, S3 HEAD). */
const ACTION_OF_COMMAND: Record<string, string> = {
  'dynamodb:Get': 'dynamodb:GetItem',
  'dynamodb:Put': 'dynamodb:PutItem',
  'dynamodb:Update': 'dynamodb:UpdateItem',
  'dynamodb:Delete': 'dynamodb:DeleteItem',
  'dynamodb:BatchGet': 'dynamodb:BatchGetItem',
  'dynamodb:BatchWrite': 'dynamodb:BatchWriteItem',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
};

/** Actions AWS authorizes without any permission. */
const NEEDS_NO_PERMISSION = new Set(['sts:GetCallerIdentity']);

interface UsedCommand {
  action: string;
  file: string;
}

/** The relative imports of a source file that stay inside the scanned code (runtime/, cli/). */
function localImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/from\s+'(\.[^']+)'/g)) {
    const base = resolve(dirname(file), m[1] as string);
    const found = [`${base}.ts`, join(base, 'index.ts')].find((f) => existsSync(f));
    const rel = found ? relative(ROOT, found) : undefined;
    if (rel && (rel.startsWith('runtime/') || rel.startsWith('cli/'))) out.push(found as string);
  }
  return out;
}

/** Local name -> module of every value imported from an @aws-sdk module. */
function sdkImports(text: string): Map<string, string> {
  const names = new Map<string, string>();
  for (const m of text.matchAll(/import\s+(type\s+)?\{([^}]*)\}\s+from\s+'(@aws-sdk\/[^']+)'/g)) {
    if (m[1]) continue;
    for (const part of (m[2] as string).split(',').map((x) => x.trim())) {
      if (!part || part.startsWith('type ')) continue;
      const [imported, local] = part.split(/\s+as\s+/);
      names.set((local ?? imported) as string, m[3] as string);
    }
  }
  return names;
}

function commandsIn(file: string, text: string): UsedCommand[] {
  const imports = sdkImports(text);
  const used: UsedCommand[] = [];
  for (const m of text.matchAll(/\bnew\s+([A-Z]\w*Command)\s*\(/g)) {
    const name = m[1] as string;
    const module = imports.get(name);
    if (!module) continue; // not an SDK command (e.g. commander's Command)
    const service = SERVICE_OF_MODULE[module];
    if (!service) throw new Error(`${relative(ROOT, file)}: no IAM prefix known for ${module}`);
    const natural = `${service}:${name.replace(/Command$/, '')}`;
    used.push({ action: ACTION_OF_COMMAND[natural] ?? natural, file: relative(ROOT, file) });
  }
  return used;
}

/** Every source file reachable from `entry` through local imports. */
function reachable(entry: string): string[] {
  const seen = new Set<string>();
  const queue = [resolve(ROOT, entry)];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    queue.push(...localImports(file, readFileSync(file, 'utf8')));
  }
  return [...seen];
}

function commandsReachableFrom(entry: string): UsedCommand[] {
  return reachable(entry).flatMap((f) => commandsIn(f, readFileSync(f, 'utf8')));
}

function sourceFiles(dir: string): string[] {
  return readdirSync(resolve(ROOT, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => resolve(ROOT, dir, f));
}

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

function allows(sts: Array<Record<string, unknown>>, action: string): boolean {
  return sts.some(
    (x) =>
      x.Effect === 'Allow' &&
      [x.Resource].flat().length > 0 &&
      [x.Action].flat().some((a) => glob(String(a)).test(action)),
  );
}

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
