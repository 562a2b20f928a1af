import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Reading the synthesized Terraform JSON (cdktf.out/stacks/<id>/cdk.tf.json): the stacks, their resources and
 * the few Terraform conventions the report must know (references, provider aliases, rule states). Every fact
 * module reads the plan through these helpers only.
 */
export type Attrs = Record<string, unknown>;

interface ProviderBlock {
  region?: string;
  alias?: string;
}

export interface StackJson {
  resource?: Record<string, Record<string, Attrs>>;
  data?: Record<string, Record<string, Attrs>>;
  provider?: { aws?: ProviderBlock[] };
}

/** The stacks the report reads, by id (src/app.ts STACK_ORDER). */
export const PLAN_STACK_IDS = ['global', 'primary', 'secondary', 'interconnect', 'failover'] as const;
export type PlanStackId = (typeof PLAN_STACK_IDS)[number];
export type PlanStacks = Partial<Record<PlanStackId, StackJson>>;

export function readPlan(dir = 'cdktf.out'): PlanStacks {
  const stacks: PlanStacks = {};
  for (const id of PLAN_STACK_IDS) {
    const file = join(dir, 'stacks', id, 'cdk.tf.json');
    if (existsSync(file)) stacks[id] = JSON.parse(readFileSync(file, 'utf8')) as StackJson;
  }
  return stacks;
}

export const entries = (s: StackJson | undefined, type: string): Array<[string, Attrs]> =>
  Object.entries(s?.resource?.[type] ?? {});
export const list = (s: StackJson | undefined, type: string): Attrs[] => entries(s, type).map(([, a]) => a);

/** One resource of any stack, with the stack it is in. */
export interface Located {
  stack: PlanStackId;
  key: string;
  attrs: Attrs;
}

/** Every resource of `type` across the stacks (in stack order). */
export function everywhere(p: PlanStacks, type: string): Located[] {
  return PLAN_STACK_IDS.flatMap((stack) =>
    entries(p[stack], type).map(([key, attrs]) => ({ stack, key, attrs })),
  );
}

/** The region of the provider a resource uses (its `provider` alias, or the stack's default provider). */
export function regionOf(p: PlanStacks, r: Located): string | undefined {
  const providers = p[r.stack]?.provider?.aws ?? [];
  const ref = typeof r.attrs.provider === 'string' ? r.attrs.provider : undefined;
  const alias = ref?.startsWith('aws.') ? ref.slice(4) : undefined;
  return providers.find((x) => (alias ? x.alias === alias : x.alias === undefined))?.region;
}

/** A function's environment variables as the plan sets them (non-string values left out). */
export function environmentOf(fn: Attrs): Record<string, string> {
  const vars = (fn.environment as { variables?: Record<string, unknown> } | undefined)?.variables ?? {};
  return Object.fromEntries(
    Object.entries(vars).filter((e): e is [string, string] => typeof e[1] === 'string'),
  );
}

/** A whole number from a plan value; undefined for anything else (unset, a Terraform expression, garbage). */
export function wholeNumber(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) ? v : undefined;
  if (typeof v === 'string' && /^\d+$/.test(v.trim())) return Number(v);
  return undefined;
}

/** True when `value` is a Terraform reference `${type.key.<one of attrs>}`. */
export function refersTo(value: unknown, type: string, key: string, attrs: string[]): boolean {
  return typeof value === 'string' && attrs.some((a) => value === `\${${type}.${key}.${a}}`);
}

/** Resolves a reference (or literal name) to one resource of `type` in the stack, as [key, attributes]. */
export function resolve(s: StackJson | undefined, type: string, value: unknown): [string, Attrs] | undefined {
  if (typeof value !== 'string') return undefined;
  const ref = new RegExp(`^\\$\\{${type}\\.([^.}]+)\\.(name|id|arn|invoke_arn)\\}$`).exec(value);
  const all = entries(s, type);
  if (ref) return all.find(([k]) => k === ref[1]);
  return all.find(([, a]) => a.name === value);
}

/** The period of a `rate(...)` schedule expression in seconds; undefined for anything else. */
export function scheduleSeconds(expr: unknown): number | undefined {
  const m = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(String(expr));
  if (!m) return undefined;
  const unit = m[2].startsWith('day') ? 86_400 : m[2].startsWith('hour') ? 3600 : 60;
  return Number(m[1]) * unit;
}

/** Whether an EventBridge rule fires; unset state is Terraform's documented default, ENABLED. */
export function ruleEnabled(rule: Attrs): { enabled: boolean; why: string } {
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

/**
 * The function a Lambda ARN or reference names, looked up in every stack: a `${aws_lambda_function.X...}`
 * reference in `stack`, or an ARN/name ending in `:function:<name>` (cross-stack, by deterministic name).
 */
export function lambdaByRef(p: PlanStacks, stack: PlanStackId, value: unknown): Located | undefined {
  if (typeof value !== 'string') return undefined;
  const ref = /^\$\{aws_lambda_function\.([^.}]+)\.[a-z_]+\}$/.exec(value);
  if (ref) {
    const attrs = p[stack]?.resource?.aws_lambda_function?.[ref[1]];
    return attrs ? { stack, key: ref[1], attrs } : undefined;
  }
  const name = /:function:([^:/]+)$/.exec(value)?.[1] ?? value;
  return everywhere(p, 'aws_lambda_function').find((f) => f.attrs.function_name === name);
}
