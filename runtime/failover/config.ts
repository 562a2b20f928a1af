import type { Env } from '../shared/env';
import type { DecisionParams } from './decision';
import { validateParams } from './decision';
import type { OrchestratorSettings } from './orchestrator';
import { parseOrchestratorEnv } from './orchestrator-env';
import { DEFAULT_RETRY_POLICY } from './retry';
import type { WatchdogConfig } from './watchdog';
import { parseWatchdogEnv } from './watchdog-env';

/**
 * Settings of the failover functions, from their environment contracts (watchdog-env.ts,
 * orchestrator-env.ts): the variables are declared and parsed there, and shaped here into what the watchdog
 * and the orchestrator take.
 */
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

export function watchdogConfigFromEnv(env: Env): WatchdogEnvConfig {
  const s = parseWatchdogEnv(env);
  const decision: DecisionParams = {
    failureThreshold: s.failureThreshold,
    historySize: s.historySize,
    flapThreshold: s.flapThreshold,
    recoveryThreshold: s.recoveryThreshold,
    mode: s.mode,
  };
  validateParams(decision);
  const environment = s.environment ?? s.globalClusterId;
  return {
    environment,
    region: s.region,
    primaryHealthUrl: s.primaryHealthUrl,
    probeTimeoutMs: s.probeTimeoutMs,
    probesPerRun: s.probesPerRun,
    probeSpacingMs: s.probeSpacingMs,
    decision,
    globalClusterId: s.globalClusterId,
    secondaryClusterId: s.secondaryClusterId,
    ...(s.orchestratorFunctionName ? { orchestratorFunctionName: s.orchestratorFunctionName } : {}),
    maxHandoverAttempts: s.maxHandoverAttempts,
    stateTable: s.stateTable,
    topicArn: s.topicArn,
    leaseMs: s.leaseMs,
    orchestrator: {
      environment,
      globalClusterId: s.globalClusterId,
      // The watchdog only ever fails over to the secondary; failback (the only use of the primary's
      // identity) is an operator action, so the primary is left unnamed here.
      primaryClusterId: '',
      primaryRegion: '',
      secondaryClusterId: s.secondaryClusterId,
      secondaryRegion: s.region,
      promotionTimeoutMs: s.promotionTimeoutMs,
      pollIntervalMs: s.pollIntervalMs,
      preconditionWaitMs: 0,
      retry: DEFAULT_RETRY_POLICY,
    },
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
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

export function orchestratorConfigFromEnv(env: Env): OrchestratorEnvConfig {
  const s = parseOrchestratorEnv(env);
  return {
    region: s.region,
    stateTable: s.stateTable,
    topicArn: s.topicArn,
    leaseMs: s.leaseMs,
    settings: {
      environment: s.environment ?? s.globalClusterId,
      globalClusterId: s.globalClusterId,
      primaryClusterId: s.primaryClusterId,
      secondaryClusterId: s.secondaryClusterId,
      primaryRegion: s.primaryRegion,
      secondaryRegion: s.region,
      promotionTimeoutMs: s.promotionTimeoutMs,
      pollIntervalMs: s.pollIntervalMs,
      preconditionWaitMs: s.preconditionWaitMs,
      retry: DEFAULT_RETRY_POLICY,
    },
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
  };
}
