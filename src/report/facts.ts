import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { watchdogEnv } from '../../runtime/failover/watchdog-env';
import { AWS_TIMINGS, DOCUMENTED_DEFAULTS } from './aws-timings';

type Attrs = Record<string, unknown>;
export interface StackJson {
  resource?: Record<string, Record<string, Attrs>>;
}
export type PlanStacks = Partial<Record<'global' | 'primary' | 'secondary' | 'interconnect', StackJson>>;

/** rds.global_db_rpo as one cluster's parameter group sets it. */
export interface RpoParameter {
  /** The cluster parameter group (its name, or the Terraform reference when the name is computed). */
  group?: string;
  /** The valid value in seconds; undefined when unset or invalid. */
  seconds?: number;
  /** Why there is no valid value: not set, not a number, below the AWS minimum. */
  problem?: string;
}

/** What the synthesized plan says about each recovery mechanism (absent parts are undefined / empty). */
export interface PlanFacts {
  healthCheck?: {
    intervalSeconds: number;
    failureThreshold: number;
    /** resource_path; undefined when the plan sets none. */
    path?: string;
    /** Where interval and threshold come from: the plan, or Route 53's documented default. */
    sources: { interval: string; threshold: string };
  };
  primaryRecord?: { healthChecked: boolean };
  secondaryRecord: boolean;
  /** True when GET /health is served by the payment function itself (a broken function fails the check). */
  healthServedByPaymentFunction: boolean;
  /**
   * The watchdog as scheduled: present when its function exists and an enabled EventBridge rule targets it.
   * Values the plan does not give are left undefined and named in `unknown` (never defaulted).
   */
  watchdog?: {
    functionName: string;
    /** The enabled EventBridge rule that invokes it. */
    rule: string;
    intervalSeconds?: number;
    consecutiveFailures?: number;
    probeTimeoutSeconds?: number;
    /**
     * Longest gap between two consecutive probes: PROBES_PER_RUN probes per scheduled run, PROBE_SPACING_MS
     * apart, then the wait until the next run. Equals the schedule period with one probe per run.
     */
    probeGapSeconds?: number;
    /** PROBES_PER_RUN (1 when the plan does not set it: the runtime default, and the slowest case). */
    probesPerRun?: number;
    mode?: 'automatic' | 'manual';
    /** POLL_INTERVAL_MS when the plan sets it (the runtime default applies otherwise). */
    pollIntervalMs?: number;
    unknown: string[];
  };
  /** Why there is no usable watchdog (no function, no enabled schedule targeting it, invalid settings). */
  watchdogProblem?: string;
  aurora: {
    globalCluster: boolean;
    primaryMember: boolean;
    secondaryMember: boolean;
    instancesPrimary: number;
    /**
     * rds.global_db_rpo of the primary (writer) cluster's parameter group: Aurora enforces it on the writer, so it
     * bounds the data lost when the primary is lost. Undefined when not validly set (then nothing bounds it).
     */
    rpoBoundSeconds?: number;
    /** The parameter on both clusters (the secondary's applies only once it is the writer). */
    rpoParameter: { primary: RpoParameter; secondary: RpoParameter };
  };
  /**
   * `strong`: multi-Region strong consistency (every replica `consistency_mode = STRONG`, plus a witness or a
   * third replica): writes reach a second Region before they return, so nothing acknowledged is lost.
   */
  dynamodb: Array<{ name: string; replicated: boolean; pitr: boolean; strong: boolean }>;
  s3: { replicated: boolean; rtcMinutes?: number };
  lambdaSubnetsPrimary: number;
  /** Plan-level remarks: documented defaults that were applied, mismatches worth knowing. */
  notes: string[];
}

const entries = (s: StackJson | undefined, type: string): Array<[string, Attrs]> =>
  Object.entries(s?.resource?.[type] ?? {});
const list = (s: StackJson | undefined, type: string): Attrs[] => entries(s, type).map(([, a]) => a);

/** A function's environment variables as the plan sets them (non-string values left out). */
export function environmentOf(fn: Attrs): Record<string, string> {
  const vars = (fn.environment as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
  return Object.fromEntries(
    Object.entries(vars).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

export function readPlan(dir = 'cdktf.out'): PlanStacks {
  const stacks: PlanStacks = {};
  for (const id of ['global', 'primary', 'secondary', 'interconnect'] as const) {
    const file = join(dir, 'stacks', id, 'cdk.tf.json');
    if (existsSync(file)) stacks[id] = JSON.parse(readFileSync(file, 'utf8')) as StackJson;
  }
  return stacks;
}

function scheduleSeconds(expr: unknown): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(String(expr));
  if (!m) return undefined;
  const unit = m[2].startsWith('day') ? 86_400 : m[2].startsWith('hour') ? 3600 : 60;
  return Number(m[1]) * unit;
}

/** A whole number from a plan value; undefined for anything else (unset, a Terraform expression, garbage). */
function wholeNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/** True when `value` is a Terraform reference `${type.key.<one of attrs>}`. */
function refersTo(value: unknown, type: string, key: string, attrs: string[]): boolean {
  return typeof value === 'string' && attrs.some((a) => value === `\${${type}.${key}.${a}}`);
}

/** Resolves a reference (or literal name) to one resource of `type` in the stack, as [key, attributes]. */
function resolve(s: StackJson | undefined, type: string, value: unknown): [string, Attrs] | undefined {
  if (typeof value !== 'string') return undefined;
  const ref = new RegExp(`^\\$\\{${type}\\.([^.}]+)\\.(name|id|arn)\\}$`).exec(value);
  const all = entries(s, type);
  if (ref) return all.find(([k]) => k === ref[1]);
  return all.find(([, a]) => a.name === value);
}

/** Whether an EventBridge rule fires; unset state is Terraform's documented default, ENABLED. */
function ruleEnabled(rule: Attrs): { enabled: boolean; why: string } {
  if (rule.state !== undefined) {
    const enabled =
      rule.state === 'ENABLED' || rule.state === 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
    return { enabled, why: `state=${String(rule.state)}` };
  }
  if (rule.is_enabled !== undefined) {
    const enabled = rule.is_enabled === true || rule.is_enabled === 'true';
    return { enabled, why: `is_enabled=${String(rule.is_enabled)}` };
  }
  // Neither set: Terraform applies state = ENABLED (DOCUMENTED_DEFAULTS.eventRuleState cites it).
  return { enabled: true, why: 'state not set (Terraform default ENABLED)' };
}

function readRpoParameter(s: StackJson | undefined, cluster: Attrs | undefined): RpoParameter {
  if (!cluster) return { problem: 'no cluster in the global database' };
  const ref = cluster.db_cluster_parameter_group_name;
  if (ref === undefined) {
    // Aurora then uses the engine's default cluster parameter group, which does not set rds.global_db_rpo.
    return { problem: 'the cluster uses the default cluster parameter group (rds.global_db_rpo not set)' };
  }
  const found = resolve(s, 'aws_rds_cluster_parameter_group', ref);
  const group = found ? String(found[1].name ?? found[0]) : String(ref);
  if (!found) return { group, problem: `parameter group ${group} is not in the plan` };
  const param = ((found[1].parameter as Array<{ name: string; value: unknown }> | undefined) ?? []).find(
    (x) => x.name === 'rds.global_db_rpo',
  );
  if (!param) return { group, problem: 'rds.global_db_rpo not set' };
  const seconds = wholeNumber(param.value);
  if (seconds === undefined)
    return { group, problem: `rds.global_db_rpo=${String(param.value)} is not a number` };
  if (seconds < AWS_TIMINGS.auroraRpoMinimum.seconds) {
    return {
      group,
      problem: `rds.global_db_rpo=${seconds} is below the AWS minimum of ${AWS_TIMINGS.auroraRpoMinimum.seconds} s (not applicable)`,
    };
  }
  return { group, seconds };
}

interface WatchdogRead {
  watchdog?: PlanFacts['watchdog'];
  problem?: string;
  notes: string[];
}

function readWatchdog(p: PlanStacks): WatchdogRead {
  const notes: string[] = [];
  const fn = entries(p.secondary, 'aws_lambda_function').find(([, f]) =>
    /-watchdog-/.test(String(f.function_name)),
  );
  if (!fn) return { problem: 'no watchdog function in the secondary stack', notes };
  const [fnKey, fnAttrs] = fn;
  const functionName = String(fnAttrs.function_name);

  // Only a rule with a target invoking this very function schedules the watchdog.
  const targets = list(p.secondary, 'aws_cloudwatch_event_target').filter(
    (t) =>
      refersTo(t.arn, 'aws_lambda_function', fnKey, ['arn', 'qualified_arn']) ||
      (typeof t.arn === 'string' && t.arn.endsWith(`:function:${functionName}`)),
  );
  const rules = targets
    .map((t) => resolve(p.secondary, 'aws_cloudwatch_event_rule', t.rule))
    .filter((r): r is [string, Attrs] => r !== undefined);
  if (rules.length === 0) {
    return { problem: `no EventBridge rule targets ${functionName}`, notes };
  }
  const states = rules.map(([key, r]) => ({ key, r, ...ruleEnabled(r) }));
  const enabled = states.filter((x) => x.enabled);
  if (enabled.length === 0) {
    const why = states.map((x) => `${String(x.r.name ?? x.key)} ${x.why}`).join(', ');
    return { problem: `the EventBridge rule invoking ${functionName} is disabled (${why})`, notes };
  }
  // Several enabled schedules: the watchdog runs at the shortest period.
  const withInterval = enabled.map((x) => ({ ...x, interval: scheduleSeconds(x.r.schedule_expression) }));
  withInterval.sort((a, b) => (a.interval ?? Infinity) - (b.interval ?? Infinity));
  const chosen = withInterval[0];
  const rule = String(chosen.r.name ?? chosen.key);
  if (chosen.why.startsWith('state not set'))
    notes.push(`EventBridge rule ${rule}: ${DOCUMENTED_DEFAULTS.eventRuleState.source}`);

  // The function's own contract (runtime/failover/watchdog-env.ts) reads each variable: the same names,
  // bounds and defaults the watchdog applies. A value it would refuse is reported with its message.
  const env = environmentOf(fnAttrs);
  const unknown: string[] = [];
  const setting = (
    key: 'failureThreshold' | 'probeTimeoutMs' | 'probesPerRun',
    defaulted = false,
  ): number | undefined => {
    const r = watchdogEnv.read(env, key);
    const name = watchdogEnv.vars[key].name;
    if (!r.set) {
      if (defaulted) return watchdogEnv.vars[key].defaultValue;
      unknown.push(`watchdog ${name} not in the plan`);
      return undefined;
    }
    if ('error' in r) {
      unknown.push(`watchdog ${name}=${env[name] ?? ''} is refused: ${r.error}`);
      return undefined;
    }
    return r.value;
  };
  const interval = chosen.interval;
  if (interval === undefined)
    unknown.push(
      `watchdog schedule period (${rule}: schedule_expression=${String(chosen.r.schedule_expression)} is not a rate())`,
    );
  const threshold = setting('failureThreshold');
  const probeMs = setting('probeTimeoutMs');
  const modeReading = watchdogEnv.read(env, 'mode');
  if (!modeReading.set) unknown.push('watchdog FAILOVER_MODE not in the plan');
  else if ('error' in modeReading) {
    // The watchdog refuses to start with any other value: no failover path at all.
    return {
      problem: `watchdog FAILOVER_MODE=${env.FAILOVER_MODE ?? ''} is neither automatic nor manual (the function refuses to start)`,
      notes,
    };
  }
  const rawMode = modeReading.set && 'value' in modeReading ? modeReading.value : undefined;
  const poll = watchdogEnv.read(env, 'pollIntervalMs');
  const pollIntervalMs = poll.set && 'value' in poll ? poll.value : undefined;
  // Several probes per run (runtime/failover/watchdog-handler.ts). Unset, the runtime probes once per run
  // (the contract's default): the slowest detection, so applying that default never flatters the report.
  const probesPerRun = setting('probesPerRun', true);
  const spacing = watchdogEnv.read(env, 'probeSpacingMs');
  const spacingMs = spacing.set && 'value' in spacing ? spacing.value : undefined;
  let probeGapSeconds: number | undefined;
  if (probesPerRun === undefined) {
    // Refused: setting() said why.
  } else if (probesPerRun > 1 && spacingMs === undefined)
    unknown.push('watchdog PROBE_SPACING_MS not in the plan (PROBES_PER_RUN > 1)');
  else if (interval !== undefined) {
    const gap = probesPerRun > 1 ? (spacingMs as number) / 1000 : interval;
    probeGapSeconds = Math.max(gap, interval - (probesPerRun - 1) * gap);
  }
  return {
    watchdog: {
      functionName,
      rule,
      ...(interval !== undefined ? { intervalSeconds: interval } : {}),
      ...(threshold !== undefined ? { consecutiveFailures: threshold } : {}),
      ...(probeMs !== undefined ? { probeTimeoutSeconds: probeMs / 1000 } : {}),
      ...(probeGapSeconds !== undefined ? { probeGapSeconds } : {}),
      ...(probesPerRun !== undefined ? { probesPerRun } : {}),
      ...(rawMode === 'automatic' || rawMode === 'manual' ? { mode: rawMode } : {}),
      ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
      unknown,
    },
    notes,
  };
}

export function extractFacts(p: PlanStacks): PlanFacts {
  const notes: string[] = [];
  const hc = list(p.primary, 'aws_route53_health_check')[0];
  const records = [...list(p.primary, 'aws_route53_record'), ...list(p.secondary, 'aws_route53_record')];
  const failover = (type: string) =>
    records.find((r) => (r.failover_routing_policy as Attrs | undefined)?.type === type);
  const primaryRecord = failover('PRIMARY');

  let healthCheck: PlanFacts['healthCheck'];
  if (hc) {
    // Route 53 documents defaults for both values; applying them is what AWS does with an unset field.
    const interval = wholeNumber(hc.request_interval);
    const threshold = wholeNumber(hc.failure_threshold);
    const d = DOCUMENTED_DEFAULTS;
    healthCheck = {
      intervalSeconds: interval ?? d.healthCheckInterval.value,
      failureThreshold: threshold ?? d.healthCheckFailureThreshold.value,
      ...(typeof hc.resource_path === 'string' ? { path: hc.resource_path } : {}),
      sources: {
        interval:
          interval !== undefined
            ? `request_interval=${interval}`
            : `request_interval not set: ${d.healthCheckInterval.source}`,
        threshold:
          threshold !== undefined
            ? `failure_threshold=${threshold}`
            : `failure_threshold not set: ${d.healthCheckFailureThreshold.source}`,
      },
    };
    if (interval === undefined) notes.push(`health check ${healthCheck.sources.interval}`);
    if (threshold === undefined) notes.push(`health check ${healthCheck.sources.threshold}`);
  }

  const api = list(p.primary, 'aws_api_gateway_rest_api')[0];
  let healthServedByPaymentFunction = false;
  if (api) {
    const doc = JSON.parse(String(api.body)) as { paths?: Record<string, Record<string, Attrs>> };
    const uri = (path: string, method: string) =>
      (doc.paths?.[path]?.[method]?.['x-amazon-apigateway-integration'] as Attrs | undefined)?.uri;
    healthServedByPaymentFunction =
      uri('/health', 'get') !== undefined && uri('/health', 'get') === uri('/payments', 'post');
  }

  const wd = readWatchdog(p);
  notes.push(...wd.notes);

  const globalCluster = list(p.global, 'aws_rds_global_cluster')[0];
  const member = (s: StackJson | undefined) =>
    globalCluster === undefined
      ? undefined
      : list(s, 'aws_rds_cluster').find(
          (c) =>
            c.global_cluster_identifier !== undefined &&
            c.global_cluster_identifier === globalCluster.global_cluster_identifier,
        );
  const primaryCluster = member(p.primary);
  const secondaryCluster = member(p.secondary);
  const rpoParameter = {
    primary: readRpoParameter(p.primary, primaryCluster),
    secondary: readRpoParameter(p.secondary, secondaryCluster),
  };
  if (secondaryCluster && rpoParameter.secondary.seconds !== undefined) {
    notes.push(
      `rds.global_db_rpo=${rpoParameter.secondary.seconds} s on the secondary cluster: AWS recommends keeping the default in the secondary Region's parameter group of a two-Region global database, "Otherwise, performing a failover due to a loss of the primary AWS Region could cause Aurora to pause transactions"`,
    );
  }

  // The primary -> secondary direction is the one on the interconnect stack's default (primary-region) provider.
  const forward = list(p.interconnect, 'aws_s3_bucket_replication_configuration').find(
    (c) => c.provider === undefined || c.provider === 'aws',
  );
  const forwardRule = (forward?.rule as Attrs[] | undefined)?.[0];
  const destination = forwardRule?.destination as Attrs | undefined;
  const rtc = destination?.replication_time as { status?: string; time?: { minutes?: number } } | undefined;

  const paymentFn = list(p.primary, 'aws_lambda_function').find((f) =>
    /-payment-api-/.test(String(f.function_name)),
  );

  return {
    ...(healthCheck ? { healthCheck } : {}),
    ...(primaryRecord
      ? { primaryRecord: { healthChecked: primaryRecord.health_check_id !== undefined } }
      : {}),
    secondaryRecord: failover('SECONDARY') !== undefined,
    healthServedByPaymentFunction,
    ...(wd.watchdog ? { watchdog: wd.watchdog } : {}),
    ...(wd.problem ? { watchdogProblem: wd.problem } : {}),
    aurora: {
      globalCluster: globalCluster !== undefined,
      primaryMember: primaryCluster !== undefined,
      secondaryMember: secondaryCluster !== undefined,
      instancesPrimary: list(p.primary, 'aws_rds_cluster_instance').length,
      ...(rpoParameter.primary.seconds !== undefined
        ? { rpoBoundSeconds: rpoParameter.primary.seconds }
        : {}),
      rpoParameter,
    },
    dynamodb: list(p.global, 'aws_dynamodb_table').map((t) => {
      const replicas = (t.replica as Attrs[] | undefined) ?? [];
      const witness = (t.global_table_witness as Attrs | undefined)?.region_name !== undefined;
      return {
        name: String(t.name),
        replicated: replicas.length > 0,
        pitr: (t.point_in_time_recovery as Attrs | undefined)?.enabled === true,
        strong:
          replicas.length > 0 &&
          replicas.every((r) => r.consistency_mode === 'STRONG') &&
          (witness || replicas.length >= 2),
      };
    }),
    s3: {
      replicated: forwardRule !== undefined && forwardRule.status === 'Enabled',
      ...(rtc?.status === 'Enabled' && rtc.time?.minutes ? { rtcMinutes: rtc.time.minutes } : {}),
    },
    lambdaSubnetsPrimary:
      ((paymentFn?.vpc_config as Attrs | undefined)?.subnet_ids as unknown[] | undefined)?.length ?? 0,
    notes,
  };
}
