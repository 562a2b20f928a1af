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

export const fenceActionEnv = defineEnv(vars);
export type FenceActionSettings = Settings<typeof vars>;
export type FenceActionEnvInput = RenderInput<typeof vars>;

export const renderFenceActionEnv = (input: FenceActionEnvInput): Record<string, string> =>
  fenceActionEnv.render(input);

export function parseFenceActionEnv(env: Env): FenceActionSettings {
  return fenceActionEnv.parseVars(env);
}
