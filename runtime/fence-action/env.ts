import { defineEnv, type Env, envVar, type RenderInput, type Settings } from '../shared/env';

/**
 * The environment contract of the fence action (the Region switch plan's custom-action step):
 * src/constructs/fence-action.ts renders it, runtime/fence-action/handler.ts parses it.
 */
const vars = {
  /** The region the function runs in is the region it activates (the plan runs it in the activating region). */
  region: envVar.provided('AWS_REGION'),
  endpoint: envVar.optionalProvided('AWS_ENDPOINT_URL'),
  /** The payment control table (DynamoDB MRSC) that holds the fence item. */
  controlTable: envVar.text('CONTROL_TABLE'),
};

/**
 * The whole run ends by this deadline, whatever its DynamoDB calls do: at most ACTIVATE_ATTEMPTS rounds of a
 * read and a write (5 s call deadlines each) plus a re-read could otherwise outlast the Lambda timeout, and a
 * timed-out step tells ARC less than a failed one (the execution cannot tell whether the fence moved).
 */
export const FENCE_ACTION_DEADLINE_MS = 20_000;
/** The Lambda timeout: the deadline, then room to log the outcome and return it (src/constructs/fence-action.ts). */
export const FENCE_ACTION_TIMEOUT_SECONDS = FENCE_ACTION_DEADLINE_MS / 1000 + 10;

export const fenceActionEnv = defineEnv(vars);
export type FenceActionSettings = Settings<typeof vars>;
export type FenceActionEnvInput = RenderInput<typeof vars>;

export const renderFenceActionEnv = (input: FenceActionEnvInput): Record<string, string> =>
  fenceActionEnv.render(input);

export function parseFenceActionEnv(env: Env): FenceActionSettings {
  return fenceActionEnv.parseVars(env);
}
