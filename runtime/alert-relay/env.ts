import { defineEnv, type Env, envVar, type RenderInput, type Settings } from '../shared/env';
import { snsTopicRegion } from '../shared/sns';

/**
 * The environment contract of the alert relay: src/constructs/alert-relay.ts renders it,
 * runtime/alert-relay/handler.ts parses it.
 */
const vars = {
  region: envVar.provided('AWS_REGION'),
  endpoint: envVar.optionalProvided('AWS_ENDPOINT_URL'),
  /** The secondary region's alert topic, which receives the relayed alerts. */
  targetTopicArn: envVar.text('TARGET_TOPIC_ARN'),
};

export const alertRelayEnv = defineEnv(vars);
export type AlertRelaySettings = Settings<typeof vars>;
export type AlertRelayEnvInput = RenderInput<typeof vars>;

export const renderAlertRelayEnv = (input: AlertRelayEnvInput): Record<string, string> =>
  alertRelayEnv.render(input);

export function parseAlertRelayEnv(env: Env): AlertRelaySettings {
  const s = alertRelayEnv.parseVars(env);
  if (!snsTopicRegion(s.targetTopicArn))
    throw new Error('environment variable TARGET_TOPIC_ARN must be an SNS topic ARN');
  return s;
}
