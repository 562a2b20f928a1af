import { type Env, intEnv, optionalEnv, requireEnv } from '../shared/env';
import {
  type DecisionParams,
  defaultFlapThreshold,
  defaultRecoveryThreshold,
  type FailoverMode,
  validateParams,
} from './decision';
import { DEFAULT_LEASE_MS } from './lock';
import {
  DEFAULT_POLL_INTERVAL_MS,
  DEFAULT_PROMOTION_TIMEOUT_MS,
  type OrchestratorSettings,
} from './orchestrator';
import { snsTopicRegion } from './notify';
import { validateHealthUrl } from './probe';
import { DEFAULT_RETRY_POLICY } from './retry';
import type { WatchdogConfig } from './watchdog';

/** Settings of the failover functions, read from the environment the infrastructure sets. */

function topicRegion(arn: string, name: string): string {
  const region = snsTopicRegion(arn);
  if (!region) throw new Error(`environment variable ${name} must be an SNS topic ARN`);
  return region;
}

function mode(env: Env): FailoverMode {
  const raw = optionalEnv(env, 'FAILOVER_MODE') ?? 'manual';
  if (raw !== 'automatic' && raw !== 'manual') {
    throw new Error('environment variable FAILOVER_MODE must be automatic or manual');
  }
  return raw;
}

export interface WatchdogEnvConfig extends WatchdogConfig {
  /** Probes (each a full watchdog run: decide, save, alert) in one invocation, `probeSpacingMs` apart. */
  probesPerRun: number;
  probeSpacingMs: number;
  stateTable: string;
  topicArn: string;
  /** Promotion settings for the in-process failover (target: the secondary cluster in this region). */
  orchestrator: OrchestratorSettings;
  leaseMs: number;
  endpoint?: string;
}

/**
 * Watchdog environment: PRIMARY_HEALTH_URL, PROBE_TIMEOUT_MS (3000), PROBES_PER_RUN (1), PROBE_SPACING_MS
 * (20000, between the probes of one run), FAILURE_THRESHOLD (3, in probes), HISTORY_SIZE (10),
 * FLAP_THRESHOLD (max(3, HISTORY_SIZE/2)), RECOVERY_THRESHOLD (max(5, FAILURE_THRESHOLD)), FAILOVER_MODE
 * (manual), STATE_TABLE, TOPIC_ARN, GLOBAL_CLUSTER_ID, SECONDARY_CLUSTER_ID, AWS_REGION (the secondary region),
 * and optionally ENVIRONMENT_SUFFIX, ORCHESTRATOR_FUNCTION_NAME (named in manual-mode alerts),
 * PROMOTION_TIMEOUT_MS (600000), POLL_INTERVAL_MS (10000), LOCK_LEASE_MS (120000), MAX_HANDOVER_ATTEMPTS (5),
 * AWS_ENDPOINT_URL (emulators only).
 */
export function watchdogConfigFromEnv(env: Env): WatchdogEnvConfig {
  const region = requireEnv(env, 'AWS_REGION');
  const topicArn = requireEnv(env, 'TOPIC_ARN');
  if (topicRegion(topicArn, 'TOPIC_ARN') !== region) {
    throw new Error(`TOPIC_ARN must be a topic of ${region} (the watchdog never depends on another region)`);
  }
  const failureThreshold = intEnv(env, 'FAILURE_THRESHOLD', 3, { min: 1, max: 100 });
  const historySize = intEnv(env, 'HISTORY_SIZE', Math.max(10, failureThreshold), {
    min: Math.max(3, failureThreshold),
    max: 1000,
  });
  const decision: DecisionParams = {
    failureThreshold,
    historySize,
    flapThreshold: intEnv(env, 'FLAP_THRESHOLD', defaultFlapThreshold(historySize), { min: 2, max: 1000 }),
    recoveryThreshold: intEnv(env, 'RECOVERY_THRESHOLD', defaultRecoveryThreshold(failureThreshold), {
      min: 1,
      max: 1000,
    }),
    mode: mode(env),
  };
  validateParams(decision);
  const globalClusterId = requireEnv(env, 'GLOBAL_CLUSTER_ID');
  const secondaryClusterId = requireEnv(env, 'SECONDARY_CLUSTER_ID');
  const environment = optionalEnv(env, 'ENVIRONMENT_SUFFIX') ?? globalClusterId;
  const primaryHealthUrl = requireEnv(env, 'PRIMARY_HEALTH_URL');
  validateHealthUrl(primaryHealthUrl);
  const orchestratorFunctionName = optionalEnv(env, 'ORCHESTRATOR_FUNCTION_NAME');
  const endpoint = optionalEnv(env, 'AWS_ENDPOINT_URL');
  const probeTimeoutMs = intEnv(env, 'PROBE_TIMEOUT_MS', 3000, { min: 100, max: 30_000 });
  const probesPerRun = intEnv(env, 'PROBES_PER_RUN', 1, { min: 1, max: 6 });
  // Only several probes per run are spaced; one probe per run ignores the value. At most 15 minutes (the
  // longest schedule the infrastructure allows, divided by one).
  const probeSpacingMs =
    probesPerRun > 1 ? intEnv(env, 'PROBE_SPACING_MS', 20_000, { min: 5000, max: 900_000 }) : 0;
  if (probesPerRun > 1 && probeSpacingMs <= probeTimeoutMs) {
    throw new Error('PROBE_SPACING_MS must exceed PROBE_TIMEOUT_MS (one probe at a time)');
  }
  return {
    environment,
    region,
    primaryHealthUrl,
    probeTimeoutMs,
    probesPerRun,
    probeSpacingMs,
    decision,
    globalClusterId,
    secondaryClusterId,
    ...(orchestratorFunctionName ? { orchestratorFunctionName } : {}),
    maxHandoverAttempts: intEnv(env, 'MAX_HANDOVER_ATTEMPTS', 5, { min: 1, max: 100 }),
    stateTable: requireEnv(env, 'STATE_TABLE'),
    topicArn,
    leaseMs: intEnv(env, 'LOCK_LEASE_MS', DEFAULT_LEASE_MS, { min: 10_000, max: 900_000 }),
    orchestrator: {
      environment,
      globalClusterId,
      // The watchdog only ever fails over to the secondary; failback (the only use of the primary's
      // identity) is an operator action, so the primary is left unnamed here.
      primaryClusterId: '',
      primaryRegion: '',
      secondaryClusterId,
      secondaryRegion: region,
      promotionTimeoutMs: intEnv(env, 'PROMOTION_TIMEOUT_MS', DEFAULT_PROMOTION_TIMEOUT_MS, {
        min: 10_000,
        max: 3_600_000,
      }),
      pollIntervalMs: intEnv(env, 'POLL_INTERVAL_MS', DEFAULT_POLL_INTERVAL_MS, { min: 1000, max: 60_000 }),
      preconditionWaitMs: 0,
      retry: DEFAULT_RETRY_POLICY,
    },
    ...(endpoint ? { endpoint } : {}),
  };
}

export interface OrchestratorEnvConfig {
  region: string;
  stateTable: string;
  topicArn: string;
  settings: OrchestratorSettings;
  leaseMs: number;
  endpoint?: string;
}

/**
 * Orchestrator environment: AWS_REGION (the secondary region, where the function runs), STATE_TABLE, TOPIC_ARN
 * (a topic of AWS_REGION), GLOBAL_CLUSTER_ID, PRIMARY_CLUSTER_ID, SECONDARY_CLUSTER_ID, PRIMARY_REGION, and
 * optionally ENVIRONMENT_SUFFIX, PROMOTION_TIMEOUT_MS (600000), POLL_INTERVAL_MS (10000),
 * PRECONDITION_WAIT_MS (0), LOCK_LEASE_MS (120000), AWS_ENDPOINT_URL (emulators only).
 */
export function orchestratorConfigFromEnv(env: Env): OrchestratorEnvConfig {
  const region = requireEnv(env, 'AWS_REGION');
  const topicArn = requireEnv(env, 'TOPIC_ARN');
  if (topicRegion(topicArn, 'TOPIC_ARN') !== region) {
    throw new Error(`TOPIC_ARN must be a topic of ${region}`);
  }
  const primaryRegion = requireEnv(env, 'PRIMARY_REGION');
  if (primaryRegion === region) throw new Error('PRIMARY_REGION must differ from AWS_REGION (the secondary)');
  const globalClusterId = requireEnv(env, 'GLOBAL_CLUSTER_ID');
  const endpoint = optionalEnv(env, 'AWS_ENDPOINT_URL');
  return {
    region,
    stateTable: requireEnv(env, 'STATE_TABLE'),
    topicArn,
    leaseMs: intEnv(env, 'LOCK_LEASE_MS', DEFAULT_LEASE_MS, { min: 10_000, max: 900_000 }),
    settings: {
      environment: optionalEnv(env, 'ENVIRONMENT_SUFFIX') ?? globalClusterId,
      globalClusterId,
      primaryClusterId: requireEnv(env, 'PRIMARY_CLUSTER_ID'),
      secondaryClusterId: requireEnv(env, 'SECONDARY_CLUSTER_ID'),
      primaryRegion,
      secondaryRegion: region,
      promotionTimeoutMs: intEnv(env, 'PROMOTION_TIMEOUT_MS', DEFAULT_PROMOTION_TIMEOUT_MS, {
        min: 10_000,
        max: 3_600_000,
      }),
      pollIntervalMs: intEnv(env, 'POLL_INTERVAL_MS', DEFAULT_POLL_INTERVAL_MS, { min: 1000, max: 60_000 }),
      preconditionWaitMs: intEnv(env, 'PRECONDITION_WAIT_MS', 0, { min: 0, max: 3_600_000 }),
      retry: DEFAULT_RETRY_POLICY,
    },
    ...(endpoint ? { endpoint } : {}),
  };
}
