import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WATCHDOG_DECIDED } from '../../runtime/failover/log-events';
import { LAMBDA_FUNCTIONS } from '../../src/bundling/functions';
import { only, parsePolicy, regionOf, resources, synthAll, testConfig } from '../support/synth';

type Attrs = Record<string, unknown>;
const manual = synthAll(testConfig({ failover: { mode: 'manual' } }));
const automatic = synthAll(
  testConfig({ failover: { mode: 'automatic', watchdogConsecutiveFailures: 4, watchdogIntervalMinutes: 2 } }),
);
const fnByName = (st: typeof manual.secondary, name: string) =>
  only(st, 'aws_lambda_function', (f) => f.function_name === name);
const STATE_TABLE = 'payment-processing-dr-state-test';
const stateTable = (st: typeof manual.secondary) =>
  only(st, 'aws_dynamodb_table', (t) => t.name === STATE_TABLE);
const schedule = (st: typeof manual.secondary) =>
  only(st, 'aws_cloudwatch_event_rule', (r) => r.name === 'payment-processing-watchdog-test');
const statements = (st: typeof manual.secondary, roleFragment: string) =>
  parsePolicy(only(st, 'aws_iam_role_policy', (p) => String(p.role).includes(roleFragment)).policy).Statement;

describe('failover automation (secondary region only)', () => {
  it('deploys the watchdog, orchestrator, state table and schedule in us-east-2 and nothing of it in us-east-1', () => {
    const st = manual.secondary;
    for (const name of ['payment-processing-watchdog-test', 'payment-processing-orchestrator-test']) {
      const f = fnByName(st, name);
      expect(regionOf(st, f)).toBe('us-east-2');
      expect(f.vpc_config).toBeUndefined(); // probes the public endpoint and the regional RDS API
    }
    expect(resources(manual.primary, 'aws_lambda_function').map(([, f]) => f.function_name)).not.toContain(
      'payment-processing-watchdog-test',
    );
    const table = stateTable(st);
    expect(table).toMatchObject({
      name: 'payment-processing-dr-state-test',
      hash_key: 'pk',
      point_in_time_recovery: { enabled: true },
      server_side_encryption: { enabled: true, kms_key_arn: '${data.aws_kms_key.data-key.arn}' },
      ttl: { attribute_name: 'expiresAt', enabled: true },
    });
    expect(table.replica).toBeUndefined();
  });

  it('probes the primary on its own regional name and talks only to us-east-2 resources', () => {
    const env = (
      fnByName(manual.secondary, 'payment-processing-watchdog-test').environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env).toMatchObject({
      PRIMARY_HEALTH_URL: 'https://payments-use1.example.com/health',
      GLOBAL_CLUSTER_ID: 'payment-processing-ledger-global-test',
      SECONDARY_CLUSTER_ID: 'payment-processing-ledger-test-use2',
      STATE_TABLE: 'payment-processing-dr-state-test',
      FAILURE_THRESHOLD: '6',
      // Three probes per one-minute run, evenly spaced: a sample every 20 s.
      PROBES_PER_RUN: '3',
      PROBE_SPACING_MS: '20000',
      FAILOVER_MODE: 'manual',
      TOPIC_ARN: expect.stringMatching(/^\$\{aws_sns_topic\.alerts_topic_\w+\.arn\}$/),
    });
    // The watchdog reads and alerts only in us-east-2 (the primary cluster ARN appears only as a failover
    // target in automatic mode, and naming an ARN is not calling that region).
    const all = JSON.stringify(statements(manual.secondary, 'failover_watchdog_role'));
    expect(all).not.toMatch(/us-east-1/);
  });

  it('runs on the configured schedule, with failed runs going to an encrypted dead-letter queue', () => {
    expect(schedule(manual.secondary).schedule_expression).toBe('rate(1 minute)');
    expect(schedule(automatic.secondary).schedule_expression).toBe('rate(2 minutes)');
    expect(
      only(manual.secondary, 'aws_cloudwatch_event_target', (t) =>
        String(t.rule).includes('failover_schedule'),
      ).arn,
    ).toMatch(/failover_watchdog_function/);
    const perm = only(
      manual.secondary,
      'aws_lambda_permission',
      (p) => p.principal === 'events.amazonaws.com' && String(p.function_name).includes('failover_watchdog'),
    );
    expect(perm.source_arn).toMatch(/aws_cloudwatch_event_rule\..+\.arn/);
    const invoke = only(manual.secondary, 'aws_lambda_function_event_invoke_config', (c) =>
      String(c.function_name).includes('failover_watchdog_function'),
    );
    expect(invoke).toMatchObject({ maximum_retry_attempts: 0 });
    expect(((invoke.destination_config as Attrs).on_failure as Attrs).destination).toMatch(
      /aws_sqs_queue\..+\.arn/,
    );
    expect(
      only(manual.secondary, 'aws_sqs_queue', (q) => q.name === 'payment-processing-watchdog-dlq-test')
        .kms_master_key_id,
    ).toBe('${data.aws_kms_key.ops-key.arn}');
  });

  it('in manual mode the watchdog cannot promote; in automatic mode it can fail over to this region', () => {
    const manualActions = statements(manual.secondary, 'failover_watchdog_role').flatMap((x) =>
      [x.Action].flat(),
    );
    expect(manualActions).not.toContain('rds:FailoverGlobalCluster');
    const auto = statements(automatic.secondary, 'failover_watchdog_role');
    const promote = auto.find((x) => x.Sid === 'PromoteSecondary') as Attrs;
    // Only the unplanned failover: the watchdog never switches over (that is an operator's planned move).
    expect(promote.Action).toEqual(['rds:FailoverGlobalCluster']);
    expect(auto.flatMap((x) => [x.Action].flat())).not.toContain('rds:SwitchoverGlobalCluster');
    expect(promote.Resource).toEqual([
      'arn:aws:rds::${data.aws_caller_identity.caller-identity.account_id}:global-cluster:payment-processing-ledger-global-test',
      'arn:aws:rds:us-east-2:${data.aws_caller_identity.caller-identity.account_id}:cluster:payment-processing-ledger-test-use2',
      'arn:aws:rds:us-east-1:${data.aws_caller_identity.caller-identity.account_id}:cluster:payment-processing-ledger-test-use1',
    ]);
    const env = (
      fnByName(automatic.secondary, 'payment-processing-watchdog-test').environment as {
        variables: Record<string, string>;
      }
    ).variables;
    expect(env).toMatchObject({ FAILOVER_MODE: 'automatic', FAILURE_THRESHOLD: '4' });
  });

  it('lets the orchestrator switch over and fail back between exactly the two clusters', () => {
    const st = statements(manual.secondary, 'failover_orchestrator_role');
    const promote = st.find((x) => x.Sid === 'PromoteSecondary') as Attrs;
    expect(promote.Action).toEqual(['rds:FailoverGlobalCluster', 'rds:SwitchoverGlobalCluster']);
    expect(promote.Resource).toHaveLength(3);
    expect(JSON.stringify(promote.Resource)).toContain('cluster:payment-processing-ledger-test-use1');
    const lock = st.find((x) => x.Sid === 'StateAndLock') as Attrs;
    expect(lock.Resource).toMatch(/aws_dynamodb_table\.failover_state_\w+\.arn/);
    expect(JSON.stringify(st.filter((x) => x.Sid !== 'XRayTraces'))).not.toContain('"*"');
  });
});

const DATA_KEY_USE = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'];
const viaDynamoDb = (region: string) => ({
  StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` },
});

describe('use of the data key that encrypts the DynamoDB tables', () => {
  it.each([
    ['watchdog (manual)', manual, 'failover_watchdog_role'],
    ['watchdog (automatic)', automatic, 'failover_watchdog_role'],
    ['orchestrator', manual, 'failover_orchestrator_role'],
  ])(
    'the %s may use the key of the state table, through DynamoDB in us-east-2 only',
    (_name, synth, role) => {
      const tableKey = (stateTable(synth.secondary).server_side_encryption as Attrs).kms_key_arn;
      expect(statements(synth.secondary, role).find((x) => x.Sid === 'StateTableKey')).toEqual({
        Sid: 'StateTableKey',
        Effect: 'Allow',
        Action: DATA_KEY_USE,
        Resource: tableKey,
        Condition: viaDynamoDb('us-east-2'),
      });
    },
  );

  it('the operator role may use the key of each region whose tables it reads, through DynamoDB only', () => {
    const st = rolePolicy(manual.global);
    const bySid = Object.fromEntries(st.map((x) => [x.Sid, x]));
    const table = only(
      manual.global,
      'aws_dynamodb_table',
      (t) => t.name === 'payment-processing-payment-control-test',
    );
    const keyOf: Record<string, unknown> = {
      'us-east-1': (table.server_side_encryption as Attrs).kms_key_arn,
      'us-east-2': (table.replica as Attrs[])[0]?.kms_key_arn,
    };
    const tableArns = st
      .filter((x) => [x.Action].flat().some((a) => String(a).startsWith('dynamodb:')))
      .flatMap((x) => [x.Resource].flat().map(String));
    for (const region of ['us-east-1', 'us-east-2']) {
      expect(tableArns.some((arn) => arn.startsWith(`arn:aws:dynamodb:${region}:`))).toBe(true);
      expect(bySid[`TablesKey${region.replace(/-/g, '')}`]).toEqual({
        Sid: `TablesKey${region.replace(/-/g, '')}`,
        Effect: 'Allow',
        Action: DATA_KEY_USE,
        Resource: keyOf[region],
        Condition: viaDynamoDb(region),
      });
    }
  });
});

const operatorRole = (st: typeof manual.global) =>
  only(st, 'aws_iam_role', (r) => r.name === 'payment-processing-dr-operator-test');
function rolePolicy(st: typeof manual.global) {
  return parsePolicy(only(st, 'aws_iam_role_policy', (p) => p.name === 'drctl').policy).Statement;
}

describe('DR operator role (drctl)', () => {
  const role = operatorRole;

  it('is assumable by the configured principals, or by the account with MFA when none are configured', () => {
    const trust = parsePolicy(role(manual.global).assume_role_policy).Statement[0];
    expect(trust.Principal).toEqual({
      AWS: 'arn:aws:iam::${data.aws_caller_identity.caller-identity.account_id}:root',
    });
    expect(trust.Condition).toEqual({ Bool: { 'aws:MultiFactorAuthPresent': true } });
    const ops = synthAll(
      testConfig({ failover: { operatorPrincipalArns: ['arn:aws:iam::123456789012:role/oncall'] } }),
    );
    const t2 = parsePolicy(role(ops.global).assume_role_policy).Statement[0];
    expect(t2.Principal).toEqual({ AWS: ['arn:aws:iam::123456789012:role/oncall'] });
    expect(t2.Condition).toBeUndefined();
    // A drill with its default timeouts runs longer than one hour.
    expect(role(manual.global).max_session_duration).toBe(14_400);
  });

  it('names the environment resources drctl touches; only list/metric calls without resource scoping use "*"', () => {
    const st = rolePolicy(manual.global);
    const bySid = Object.fromEntries(st.map((x) => [x.Sid, x]));
    expect(bySid.SwitchoverFailoverFailback.Resource).toEqual([
      'arn:aws:rds::${data.aws_caller_identity.caller-identity.account_id}:global-cluster:payment-processing-ledger-global-test',
      'arn:aws:rds:us-east-1:${data.aws_caller_identity.caller-identity.account_id}:cluster:payment-processing-ledger-test-use1',
      'arn:aws:rds:us-east-2:${data.aws_caller_identity.caller-identity.account_id}:cluster:payment-processing-ledger-test-use2',
    ]);
    expect(bySid.WatchdogStateAndLock.Resource).toBe(
      'arn:aws:dynamodb:us-east-2:${data.aws_caller_identity.caller-identity.account_id}:table/payment-processing-dr-state-test',
    );
    const wildcard = st.filter((x) => [x.Resource].flat().includes('*')).map((x) => x.Sid);
    expect(wildcard.sort()).toEqual(['FindHealthCheck', 'ReadMetrics']);
    // DescribeAlarms is scoped to this environment's alarms (drctl asks for metric alarms only).
    expect(bySid.AlarmsOfThisEnvironment).toMatchObject({
      Action: 'cloudwatch:DescribeAlarms',
      Resource: ['us-east-1', 'us-east-2'].map(
        (r) =>
          `arn:aws:cloudwatch:${r}:\${data.aws_caller_identity.caller-identity.account_id}:alarm:payment-processing-*-test*`,
      ),
    });
    expect(bySid.ReadMetrics.Action).toBe('cloudwatch:GetMetricData');
    expect(bySid.FindHealthCheck.Action).toBe('route53:ListHealthChecks');
  });
});

describe('watchdog decision metrics', () => {
  it('count the line the watchdog logs as soon as it has decided, not the end of its run', () => {
    const filters = resources(automatic.secondary, 'aws_cloudwatch_log_metric_filter').map(([, f]) => f);
    const patterns = Object.fromEntries(
      filters.map((f) => [(f.metric_transformation as Attrs).name as string, f.pattern]),
    );
    const decided = `$.message = "${WATCHDOG_DECIDED}"`;
    expect(patterns).toEqual({
      WatchdogRuns: `{ ${decided} }`,
      WatchdogSuspect: `{ ${decided} && $.action = "alert-suspect" }`,
      WatchdogDeclaredFailed: `{ ${decided} && $.action = "declare-failed" }`,
    });
  });
});

/*
 * Every AWS SDK command the failover functions and drctl can send, mapped to the IAM action it needs, must be
 * allowed by the policy of the role that runs it, as synthesized. Commands are found by scanning the source
 * reachable from each role's entry point for `new XxxCommand(` and the @aws-sdk module Xxx is imported from.
 */
const ROOT = resolve(__dirname, '../..');
const SCANNED_DIRS = ['runtime/failover', 'cli'];

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
  watchdog: LAMBDA_FUNCTIONS.watchdog.entry,
  orchestrator: LAMBDA_FUNCTIONS.orchestrator.entry,
  operator: 'cli/drctl.ts',
};

/**
 * Roles and the commands of their code they never send, with why. The watchdog's code contains the shared
 * orchestrator, but its handler only ever asks it for an unplanned failover (asserted below), so neither the
 * switchover call nor the failback precondition read is sent by it.
 */
const ROLES: Array<{
  role: keyof typeof ENTRY;
  policy: () => Array<Record<string, unknown>>;
  neverSent: Record<string, string>;
}> = [
  {
    role: 'watchdog',
    // Automatic mode: the mode in which the watchdog promotes (manual mode never reaches a promotion call).
    policy: () => statements(automatic.secondary, 'failover_watchdog_role'),
    neverSent: {
      'rds:SwitchoverGlobalCluster': 'switchover and failback are not watchdog actions',
    },
  },
  {
    role: 'orchestrator',
    policy: () => statements(manual.secondary, 'failover_orchestrator_role'),
    neverSent: {},
  },
  { role: 'operator', policy: () => rolePolicy(manual.global), neverSent: {} },
];

describe('IAM coverage of every AWS call of the failover code and drctl', () => {
  it('finds the SDK commands of every role, and every command-sending file is reached from an entry point', () => {
    const reached = new Set(Object.values(ENTRY).flatMap(reachable));
    const sending = SCANNED_DIRS.flatMap(sourceFiles).filter(
      (f) => commandsIn(f, readFileSync(f, 'utf8')).length > 0,
    );
    expect(sending.length).toBeGreaterThan(5);
    expect(sending.filter((f) => !reached.has(f)).map((f) => relative(ROOT, f))).toEqual([]);
    for (const entry of Object.values(ENTRY)) {
      expect(commandsReachableFrom(entry).map((c) => c.action)).toContain('rds:DescribeGlobalClusters');
    }
  });

  it('the watchdog only ever requests an unplanned failover from the shared orchestrator', () => {
    const handler = readFileSync(resolve(ROOT, ENTRY.watchdog), 'utf8');
    const actions = [...handler.matchAll(/action:\s*'(\w+)'/g)].map((m) => m[1]);
    expect(actions).toEqual(['failover']);
  });

  it.each(ROLES)('the $role role is allowed every action its code sends', ({ role, policy, neverSent }) => {
    const sts = policy();
    const missing = commandsReachableFrom(ENTRY[role])
      .filter((c) => !NEEDS_NO_PERMISSION.has(c.action) && !(c.action in neverSent))
      .filter((c) => !allows(sts, c.action))
      .map((c) => `${c.action} (${c.file})`);
    expect([...new Set(missing)]).toEqual([]);
  });

  it.each(ROLES)('the $role role can use the key of every encrypted store it touches', ({ role, policy }) => {
    const sts = policy();
    const services = new Set(commandsReachableFrom(ENTRY[role]).map((c) => c.action.split(':')[0]));
    // DynamoDB tables, topics and buckets all use customer-managed keys whose policies delegate to IAM.
    for (const service of ['dynamodb', 'sns', 's3'].filter((x) => services.has(x))) {
      const via = sts.filter((x) => {
        const condition = (x.Condition as Record<string, Record<string, unknown>> | undefined)?.StringEquals;
        return (
          allows([x], 'kms:Decrypt') && String(condition?.['kms:ViaService'] ?? '').startsWith(`${service}.`)
        );
      });
      expect(via.length, `${role}: kms:Decrypt through ${service}`).toBeGreaterThan(0);
    }
  });
});
