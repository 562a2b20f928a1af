import type { Config } from '../../src/config';
import { type Attrs, everywhere, type PlanStacks } from '../../src/report/plan';
import { resourceNames } from '../../src/resource-names';
import { synthAll, testConfig } from '../support/synth';

/**
 * The synthesized plan as the report reads it, and its resources found by what they are (the names
 * src/resource-names.ts gives them), never by the logical keys synthesis happens to choose. Tests mutate a
 * copy to show what the report says when one piece is missing or different.
 */

/** A deep copy of the plan synthesized for `config` (each test may change its own copy). */
export const synthesizedPlan = (config: Config = testConfig()): PlanStacks =>
  JSON.parse(JSON.stringify(synthAll(config))) as PlanStacks;

/** The names of `config`'s resources (src/resource-names.ts). */
export const namesOf = (config: Config = testConfig()) => resourceNames(config);

/** The one resource of `type` (any stack) whose `field` is `value`; throws unless there is exactly one. */
function one(p: PlanStacks, type: string, field: string, value: string): Attrs {
  const found = everywhere(p, type).filter((r) => r.attrs[field] === value);
  if (found.length !== 1)
    throw new Error(`expected one ${type} with ${field}=${value} in the plan, found ${found.length}`);
  return found[0].attrs;
}

/** Removes the one resource of `type` whose `field` is `value` from the plan. */
function remove(p: PlanStacks, type: string, field: string, value: string): void {
  const found = everywhere(p, type).filter((r) => r.attrs[field] === value);
  if (found.length !== 1)
    throw new Error(`expected one ${type} with ${field}=${value} in the plan, found ${found.length}`);
  delete p[found[0].stack]?.resource?.[type]?.[found[0].key];
}

export const lambdaNamed = (p: PlanStacks, name: string): Attrs =>
  one(p, 'aws_lambda_function', 'function_name', name);
export const removeLambda = (p: PlanStacks, name: string): void =>
  remove(p, 'aws_lambda_function', 'function_name', name);
export const alarmNamed = (p: PlanStacks, name: string): Attrs =>
  one(p, 'aws_cloudwatch_metric_alarm', 'alarm_name', name);
export const removeAlarm = (p: PlanStacks, name: string): void =>
  remove(p, 'aws_cloudwatch_metric_alarm', 'alarm_name', name);
/** An EventBridge rule; a detector's schedule carries the detector's function name. */
export const ruleNamed = (p: PlanStacks, name: string): Attrs =>
  one(p, 'aws_cloudwatch_event_rule', 'name', name);

/** An OpenAPI document as the REST API's `body` holds it (the parts the tests change). */
export interface ApiDoc {
  paths: Record<string, Record<string, Attrs>>;
}

/** Changes the OpenAPI document of `region`'s REST API in place. */
export function editApi(
  p: PlanStacks,
  region: Config['regions']['primary'],
  edit: (doc: ApiDoc) => void,
  config: Config = testConfig(),
): void {
  const api = one(p, 'aws_api_gateway_rest_api', 'name', namesOf(config).apiName(region));
  const doc = JSON.parse(String(api.body)) as ApiDoc;
  edit(doc);
  api.body = JSON.stringify(doc);
}

/** The ARC Region switch plan of `config`. */
export const regionSwitchPlan = (p: PlanStacks, config: Config = testConfig()): Attrs =>
  one(p, 'aws_arcregionswitch_plan', 'name', namesOf(config).regionSwitchPlan);

/** The steps of the plan's workflow that activates the secondary region (the failover). */
export function activationSteps(p: PlanStacks, config: Config = testConfig()): Attrs[] {
  const workflows = regionSwitchPlan(p, config).workflow as Attrs[];
  const activate = workflows.filter(
    (w) => w.workflow_target_action === 'activate' && w.workflow_target_region === config.regions.secondary,
  );
  if (activate.length !== 1) throw new Error(`expected one workflow activating ${config.regions.secondary}`);
  return activate[0].step as Attrs[];
}

/** The step of `type` (execution_block_type) of the activating workflow. */
export function activationStep(p: PlanStacks, type: string, config: Config = testConfig()): Attrs {
  const step = activationSteps(p, config).find((s) => s.execution_block_type === type);
  if (!step) throw new Error(`no ${type} step activating ${config.regions.secondary}`);
  return step;
}

/** The vantage points of detection: the secondary region and the witness region. */
export const vantagesOf = (config: Config = testConfig()) =>
  [config.regions.secondary, config.regions.witness] as const;
