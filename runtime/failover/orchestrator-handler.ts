import { randomUUID } from 'node:crypto';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { Env } from '../shared/env';
import { lazy } from '../shared/lazy';
import { BUDGETS, documentClient, rdsClient, snsClient } from '../shared/aws-clients';
import { type Clock, systemClock } from './clock';
import { type OrchestratorEnvConfig, orchestratorConfigFromEnv } from './config';
import { LeaseLock } from './lock';
import { createOpenLogger, type OpenLogger, type LogSink, stdoutSink } from '../shared/logger';
import { bestEffort, snsNotifier } from './notify';
import {
  ORCHESTRATOR_ACTIONS,
  type OrchestrationRequest,
  type OrchestrationResult,
  type OrchestratorAction,
  orchestrate,
  targetOf,
} from './orchestrator';
import { lastRunRecorder } from './state-store';

/**
 * Lambda entry of the orchestrator (secondary region). Event:
 * `{"action":"failover","allowDataLoss":true}`, `{"action":"switchover"}` or `{"action":"failback"}`, with
 * optional `requestedBy` and `reason` strings. Environment: see `orchestratorConfigFromEnv`.
 *
 * RDS calls go to the region being promoted (the secondary for failover and switchover, the primary for
 * failback); the lock table and the alert topic are those of the secondary region. The wait for the writer is
 * bounded by PROMOTION_TIMEOUT_MS and by the function's remaining time.
 */
export interface OrchestratorRuntime {
  config: OrchestratorEnvConfig;
  rdsFor(region: string): RDSClient;
  sns: SNSClient;
  ddb: DynamoDBDocumentClient;
  log: OpenLogger;
}

export function orchestratorRuntimeFromEnv(env: Env, sink: LogSink = stdoutSink): OrchestratorRuntime {
  const config = orchestratorConfigFromEnv(env);
  const endpoint = config.endpoint ? { endpoint: config.endpoint } : {};
  const rds = new Map<string, RDSClient>();
  return {
    config,
    rdsFor(region) {
      let client = rds.get(region);
      if (!client) {
        client = rdsClient(BUDGETS.failover, { region, ...endpoint });
        rds.set(region, client);
      }
      return client;
    },
    sns: snsClient(BUDGETS.failover, { region: config.region, ...endpoint }),
    ddb: documentClient(BUDGETS.failover, { region: config.region, ...endpoint }),
    log: createOpenLogger(
      { service: 'orchestrator', region: config.region, environment: config.settings.environment },
      { sink },
    ),
  };
}

export class InvalidEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidEventError';
  }
}

export function parseOrchestratorEvent(event: unknown, requestId: string): OrchestrationRequest {
  if (typeof event !== 'object' || event === null)
    throw new InvalidEventError('the event must be a JSON object');
  const e = event as Record<string, unknown>;
  if (typeof e.action !== 'string' || !ORCHESTRATOR_ACTIONS.includes(e.action as OrchestratorAction)) {
    throw new InvalidEventError(`action must be one of ${ORCHESTRATOR_ACTIONS.join(', ')}`);
  }
  const text = (v: unknown, name: string): string | undefined => {
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || v.length === 0 || v.length > 256) {
      throw new InvalidEventError(`${name} must be a string of 1 to 256 characters`);
    }
    return v;
  };
  if (e.allowDataLoss !== undefined && typeof e.allowDataLoss !== 'boolean') {
    throw new InvalidEventError('allowDataLoss must be a boolean');
  }
  const reason = text(e.reason, 'reason');
  return {
    action: e.action as OrchestratorAction,
    requestedBy: text(e.requestedBy, 'requestedBy') ?? `lambda:${requestId}`,
    ...(reason ? { reason } : {}),
    ...(e.allowDataLoss === true ? { allowDataLoss: true } : {}),
  };
}

const TIMEOUT_MARGIN_MS = 30_000;

export async function invokeOrchestrator(
  rt: OrchestratorRuntime,
  event: unknown,
  invocation: { requestId: string; remainingMs?: number },
  overrides: { clock?: Clock; random?: () => number } = {},
): Promise<OrchestrationResult> {
  const request = parseOrchestratorEvent(event, invocation.requestId);
  const clock = overrides.clock ?? systemClock;
  const settings = { ...rt.config.settings };
  if (invocation.remainingMs !== undefined) {
    settings.promotionTimeoutMs = Math.max(
      10_000,
      Math.min(settings.promotionTimeoutMs, invocation.remainingMs - TIMEOUT_MARGIN_MS),
    );
  }
  const log = rt.log.child({ requestId: invocation.requestId });
  return orchestrate(request, settings, {
    rds: rt.rdsFor(targetOf(request.action, settings).region),
    lock: new LeaseLock({
      ddb: rt.ddb,
      table: rt.config.stateTable,
      owner: `orchestrator:${invocation.requestId}:${randomUUID()}`,
      clock,
      leaseMs: rt.config.leaseMs,
    }),
    notifier: bestEffort(snsNotifier(rt.sns, rt.config.topicArn), log),
    clock,
    log,
    ...(overrides.random ? { random: overrides.random } : {}),
    recordRun: lastRunRecorder(rt.ddb, rt.config.stateTable),
  });
}

const runtime = lazy(() => orchestratorRuntimeFromEnv(process.env));

/**
 * Returns the result (also for refused, busy and failed runs, which are notified and logged); only an invalid
 * event throws. Failures are not thrown so that an asynchronous invocation is not retried blindly.
 */
export const handler = async (
  event: unknown,
  context?: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>,
): Promise<OrchestrationResult> => {
  const rt = await runtime();
  return invokeOrchestrator(rt, event, {
    requestId: context?.awsRequestId ?? randomUUID(),
    ...(context ? { remainingMs: context.getRemainingTimeInMillis() } : {}),
  });
};
