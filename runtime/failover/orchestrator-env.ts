import { defineEnv, type Env, envVar, type RenderInput, type Settings } from '../shared/env';
import { DEFAULT_LEASE_MS } from './lock';
import { snsTopicRegion } from '../shared/sns';
import { DEFAULT_POLL_INTERVAL_MS, DEFAULT_PROMOTION_TIMEOUT_MS } from './orchestrator';

/**
 * The variables both failover functions read (the watchdog runs the same promotion in process), declared once:
 * where the state and lock live, whom to notify, which clusters, and how long a promotion may take.
 */
export const promotionVars = {
  /** The secondary region: the function's own, and the only one its clients call. */
  region: envVar.provided('AWS_REGION'),
  endpoint: envVar.optionalProvided('AWS_ENDPOINT_URL'),
  stateTable: envVar.text('STATE_TABLE'),
  /** A topic of AWS_REGION (the failover path never depends on another region). */
  topicArn: envVar.text('TOPIC_ARN'),
  globalClusterId: envVar.text('GLOBAL_CLUSTER_ID'),
  secondaryClusterId: envVar.text('SECONDARY_CLUSTER_ID'),
  /** Names the environment in notifications; the global cluster id when unset. */
  environment: envVar.optionalText('ENVIRONMENT_SUFFIX'),
  /**
   * How long a promotion waits for the new writer. Pinned: the function timeouts (900 s) are sized against
   * it, so the deployment states it.
   */
  promotionTimeoutMs: envVar.int(
    'PROMOTION_TIMEOUT_MS',
    DEFAULT_PROMOTION_TIMEOUT_MS,
    { min: 10_000, max: 3_600_000 },
    { pinned: true },
  ),
  pollIntervalMs: envVar.int('POLL_INTERVAL_MS', DEFAULT_POLL_INTERVAL_MS, { min: 1000, max: 60_000 }),
  leaseMs: envVar.int('LOCK_LEASE_MS', DEFAULT_LEASE_MS, { min: 10_000, max: 900_000 }),
};

/** TOPIC_ARN must be a topic of the function's own region. */
export function checkTopicRegion(s: { topicArn: string; region: string }, why = ''): void {
  const region = snsTopicRegion(s.topicArn);
  if (!region) throw new Error('environment variable TOPIC_ARN must be an SNS topic ARN');
  if (region !== s.region) throw new Error(`TOPIC_ARN must be a topic of ${s.region}${why}`);
}

/**
 * The environment contract of the orchestrator function. src/constructs/failover-automation.ts renders it,
 * runtime/failover/config.ts parses it into the orchestrator's settings.
 */
const vars = {
  ...promotionVars,
  primaryClusterId: envVar.text('PRIMARY_CLUSTER_ID'),
  primaryRegion: envVar.text('PRIMARY_REGION'),
  /** How long a switchover or failback waits for its preconditions (replication caught up) before refusing. */
  preconditionWaitMs: envVar.int('PRECONDITION_WAIT_MS', 0, { min: 0, max: 3_600_000 }),
};

export const orchestratorEnv = defineEnv(vars);
export type OrchestratorEnvSettings = Settings<typeof vars>;
export type OrchestratorEnvInput = RenderInput<typeof vars>;

export const renderOrchestratorEnv = (input: OrchestratorEnvInput): Record<string, string> =>
  orchestratorEnv.render(input);

export function parseOrchestratorEnv(env: Env): OrchestratorEnvSettings {
  const s = orchestratorEnv.parseVars(env);
  checkTopicRegion(s);
  if (s.primaryRegion === s.region)
    throw new Error('PRIMARY_REGION must differ from AWS_REGION (the secondary)');
  return s;
}
