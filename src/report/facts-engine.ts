import { type Attrs, everywhere, lambdaByRef, type Located, type PlanStacks, wholeNumber } from './plan';

/** One step of the workflow that activates the secondary, as the plan defines it. */
export interface PlanStep {
  name: string;
  type: string;
  timeoutMinutes?: number;
}

/**
 * The failover engine as synthesized: the ARC Region switch plan (aws_arcregionswitch_plan), the steps of its
 * workflow that activates the secondary, and the failover records that carry the plan's health checks. What is
 * absent or unusable is named in `missing` with the exact reason (never defaulted).
 */
export interface EngineFacts {
  plan?: {
    name: string;
    primaryRegion: string;
    secondaryRegion: string;
    /** recovery_time_objective_minutes; undefined when the plan sets none. */
    rtoObjectiveMinutes?: number;
    /** The trigger that activates the secondary (automatic mode); undefined: manual mode (no trigger). */
    trigger?: {
      conditions: Array<{ alarmKey: string; condition: string }>;
      minDelayMinutes?: number;
    };
    /** Associated alarms by their key in the plan, with the alarm name from the ARN. */
    alarms: Array<{ key: string; alarmName: string; region: string; type: string }>;
    /** The steps of the workflow activating the secondary, in order. */
    steps: PlanStep[];
  };
  /** The manual approval step (failover.approveUngraceful). */
  approval?: { timeoutMinutes?: number };
  /** The write-fence custom action run in the activating region. */
  fence?: {
    timeoutMinutes?: number;
    retryIntervalMinutes?: number;
    functionName?: string;
    /** The secondary's fence function timeout (one invocation ends within it). */
    lambdaTimeoutSeconds?: number;
  };
  database?: { ungraceful?: string; timeoutMinutes?: number };
  dns?: { timeoutMinutes?: number; recordSetIds: string[] };
  /** The failover records of the public name and whether each carries one of the plan's health checks. */
  records: { primary?: RecordFact; secondary?: RecordFact };
  missing: string[];
}

export interface RecordFact {
  setIdentifier: string;
  planHealthCheck: boolean;
}

const first = (v: unknown): Attrs | undefined => (Array.isArray(v) ? (v[0] as Attrs | undefined) : undefined);
const minutes = (v: unknown) => wholeNumber(v);

/** arn:aws:cloudwatch:<region>:<account>:alarm:<name> → region and name. */
function alarmOfArn(value: unknown): { region: string; alarmName: string } | undefined {
  const m = /^arn:aws[a-z-]*:cloudwatch:([a-z0-9-]+):[^:]+:alarm:(.+)$/.exec(String(value));
  return m ? { region: m[1], alarmName: m[2] } : undefined;
}

function readRecords(p: PlanStacks): EngineFacts['records'] {
  const records = everywhere(p, 'aws_route53_record');
  const failover = (type: string): RecordFact | undefined => {
    const r = records.find(
      (x) => (x.attrs.failover_routing_policy as Attrs | undefined)?.type === type,
    )?.attrs;
    if (!r) return undefined;
    const hc = r.health_check_id;
    return {
      setIdentifier: String(r.set_identifier ?? ''),
      planHealthCheck:
        typeof hc === 'string' && hc.includes('data.aws_arcregionswitch_route53_health_checks.'),
    };
  };
  const primary = failover('PRIMARY');
  const secondary = failover('SECONDARY');
  return { ...(primary ? { primary } : {}), ...(secondary ? { secondary } : {}) };
}

function readPlanResource(p: PlanStacks, plan: Located, facts: EngineFacts): void {
  const a = plan.attrs;
  const regions = (a.regions as string[] | undefined) ?? [];
  const primaryRegion = String(a.primary_region ?? '');
  const secondaryRegion = regions.find((r) => r !== primaryRegion);
  if (!primaryRegion || !secondaryRegion || regions.length !== 2) {
    facts.missing.push(
      `Region switch plan ${String(a.name)}: primary_region and two regions (found primary_region=${primaryRegion || 'unset'}, regions=${regions.join(',') || 'none'})`,
    );
    return;
  }
  const workflows = (a.workflow as Attrs[] | undefined) ?? [];
  const activate = workflows.find(
    (w) => w.workflow_target_action === 'activate' && w.workflow_target_region === secondaryRegion,
  );
  if (!activate) facts.missing.push(`a workflow of the plan that activates ${secondaryRegion}`);
  const rawSteps = ((activate?.step as Attrs[] | undefined) ?? []).map((s) => s);
  const steps: PlanStep[] = rawSteps.map((s) => {
    const type = String(s.execution_block_type);
    const config = first(
      s.execution_approval_config ??
        s.custom_action_lambda_config ??
        s.global_aurora_config ??
        s.route53_health_check_config,
    );
    const timeout = minutes(config?.timeout_minutes);
    return { name: String(s.name), type, ...(timeout !== undefined ? { timeoutMinutes: timeout } : {}) };
  });
  const step = (type: string) => rawSteps.find((s) => s.execution_block_type === type);

  const approval = step('ManualApproval');
  if (approval) {
    const t = minutes(first(approval.execution_approval_config)?.timeout_minutes);
    facts.approval = t !== undefined ? { timeoutMinutes: t } : {};
  }
  const fence = step('CustomActionLambda');
  if (fence) {
    const c = first(fence.custom_action_lambda_config);
    const fns = ((c?.lambda as Attrs[] | undefined) ?? []).map((l) => lambdaByRef(p, plan.stack, l.arn));
    // The step runs in the activating region: the secondary's function is the one a failover invokes.
    const local = fns.find((f) => f?.stack === 'secondary');
    const t = minutes(c?.timeout_minutes);
    const retry = minutes(c?.retry_interval_minutes);
    const lambdaTimeout = wholeNumber(local?.attrs.timeout);
    facts.fence = {
      ...(t !== undefined ? { timeoutMinutes: t } : {}),
      ...(retry !== undefined ? { retryIntervalMinutes: retry } : {}),
      ...(local ? { functionName: String(local.attrs.function_name) } : {}),
      ...(lambdaTimeout !== undefined ? { lambdaTimeoutSeconds: lambdaTimeout } : {}),
    };
    if (!local) facts.missing.push(`the fence step's function in ${secondaryRegion} (not in the plan)`);
  } else facts.missing.push(`a write-fence step (CustomActionLambda) activating ${secondaryRegion}`);
  const db = step('AuroraGlobalDatabase');
  if (db) {
    const c = first(db.global_aurora_config);
    const ungraceful = first(c?.ungraceful)?.ungraceful;
    const t = minutes(c?.timeout_minutes);
    facts.database = {
      ...(typeof ungraceful === 'string' ? { ungraceful } : {}),
      ...(t !== undefined ? { timeoutMinutes: t } : {}),
    };
    if (ungraceful !== 'failover')
      facts.missing.push(
        'an ungraceful Aurora step that fails over (global_aurora_config.ungraceful = failover)',
      );
  } else facts.missing.push(`an Aurora Global Database step activating ${secondaryRegion}`);
  const dns = step('Route53HealthCheck');
  if (dns) {
    const c = first(dns.route53_health_check_config);
    const t = minutes(c?.timeout_minutes);
    facts.dns = {
      ...(t !== undefined ? { timeoutMinutes: t } : {}),
      recordSetIds: ((c?.record_set as Attrs[] | undefined) ?? []).map((r) =>
        String(r.record_set_identifier),
      ),
    };
  } else facts.missing.push(`a Route 53 health-check step activating ${secondaryRegion}`);

  const alarms = ((a.associated_alarms as Attrs[] | undefined) ?? []).flatMap((x) => {
    const parsed = alarmOfArn(x.resource_identifier);
    return parsed ? [{ key: String(x.map_block_key), type: String(x.alarm_type), ...parsed }] : [];
  });
  const trigger = ((a.triggers as Attrs[] | undefined) ?? []).find(
    (t) => t.action === 'activate' && t.target_region === secondaryRegion,
  );
  const rto = wholeNumber(a.recovery_time_objective_minutes);
  const minDelay = wholeNumber(trigger?.min_delay_minutes_between_executions);
  facts.plan = {
    name: String(a.name),
    primaryRegion,
    secondaryRegion,
    ...(rto !== undefined ? { rtoObjectiveMinutes: rto } : {}),
    ...(trigger
      ? {
          trigger: {
            conditions: ((trigger.conditions as Attrs[] | undefined) ?? []).map((c) => ({
              alarmKey: String(c.associated_alarm_name),
              condition: String(c.condition),
            })),
            ...(minDelay !== undefined ? { minDelayMinutes: minDelay } : {}),
          },
        }
      : {}),
    alarms,
    steps,
  };
}

export function extractEngineFacts(p: PlanStacks): EngineFacts {
  const facts: EngineFacts = { records: readRecords(p), missing: [] };
  const plans = everywhere(p, 'aws_arcregionswitch_plan');
  if (plans.length !== 1) {
    facts.missing.push(
      plans.length === 0
        ? 'ARC Region switch plan (no aws_arcregionswitch_plan in the plan)'
        : `exactly one ARC Region switch plan (found ${plans.length})`,
    );
  } else readPlanResource(p, plans[0], facts);

  const { primary, secondary } = facts.records;
  if (!primary) facts.missing.push('PRIMARY failover record of the public name');
  else if (!primary.planHealthCheck)
    facts.missing.push("the plan's health check on the PRIMARY failover record");
  if (!secondary) facts.missing.push('SECONDARY failover record of the public name');
  else if (!secondary.planHealthCheck)
    facts.missing.push("the plan's health check on the SECONDARY failover record");
  if (facts.dns) {
    for (const r of [primary, secondary])
      if (r && !facts.dns.recordSetIds.includes(r.setIdentifier))
        facts.missing.push(`failover record ${r.setIdentifier} in the plan's Route 53 step`);
  }
  return facts;
}
