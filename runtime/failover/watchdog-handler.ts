import { randomUUID } from 'node:crypto';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import type { Env } from '../shared/env';
import { lazy } from '../shared/lazy';
import {
  budgetFor,
  BUDGETS,
  type BudgetProfile,
  documentClient,
  rdsClient,
  snsClient,
} from '../shared/aws-clients';
import { type Clock, systemClock } from './clock';
import { type WatchdogEnvConfig, watchdogConfigFromEnv } from './config';
import { LeaseLock } from './lock';
import { createOpenLogger, type OpenLogger, type LogSink, stdoutSink } from '../shared/logger';
import { bestEffort, snsNotifier } from './notify';
import { orchestrate } from './orchestrator';
import { probeHealth, type Prober } from './probe';
import { lastRunRecorder, StateStore } from './state-store';
import { runWatchdog, type WatchdogRunResult } from './watchdog';

/**
 * Lambda entry of the watchdog (EventBridge schedule, every minute, secondary region; several probes per
 * invocation, see invokeWatchdog). Environment: see
 * `watchdogConfigFromEnv`. Every SDK client is built with AWS_REGION, the secondary region, explicitly.
 *
 * In automatic mode the failover runs in this invocation (the orchestrator in process, guarded by the shared
 * lock), bounded so it ends before the function's own timeout: the function timeout must exceed
 * PROMOTION_TIMEOUT_MS by the probe time plus a margin (900 s with the 600 s default is enough).
 */
export interface WatchdogRuntime {
  config: WatchdogEnvConfig;
  rds: RDSClient;
  sns: SNSClient;
  ddb: DynamoDBDocumentClient;
  store: StateStore;
  log: OpenLogger;
}

export function watchdogRuntimeFromEnv(env: Env, sink: LogSink = stdoutSink): WatchdogRuntime {
  const config = watchdogConfigFromEnv(env);
  const options = { region: config.region, ...(config.endpoint ? { endpoint: config.endpoint } : {}) };
  const ddb = documentClient(BUDGETS.failover, options);
  return {
    config,
    rds: rdsClient(BUDGETS.failover, options),
    sns: snsClient(BUDGETS.failover, options),
    ddb,
    store: new StateStore(ddb, config.stateTable),
    log: createOpenLogger(
      { service: 'watchdog', region: config.region, environment: config.environment },
      { sink },
    ),
  };
}

/**
 * The longest one probe cycle (one run without a hand-over) can take when every dependency is slow but still
 * answers just inside its call deadline: the probe and the topology read in parallel, then the state load and
 * save, one alert publish (after a failed one the rest wait for the next run) and the final state update (load
 * and save). Each save or update that loses a race with a concurrent run (optimistic concurrency) adds a load
 * and a save, at most 4 times each. A dependency that does not answer ends the run at its first call
 * (test/failover/watchdog-budget.test.ts measures both). docs/budgets.md quotes the numbers.
 */
export function watchdogCycleBudgetMs(
  probeTimeoutMs: number,
  profile: BudgetProfile = BUDGETS.failover,
  conflicts = 0,
): number {
  const call = (service: 'rds' | 'dynamodb' | 'sns') => budgetFor(profile, service).callDeadlineMs;
  return Math.max(probeTimeoutMs, call('rds')) + (4 + 2 * conflicts) * call('dynamodb') + call('sns');
}

/** Margin kept between the end of an in-process failover and the function timeout. */
const TIMEOUT_MARGIN_MS = 30_000;

type Overrides = { clock?: Clock; probe?: Prober; random?: () => number };

/**
 * One invocation: up to PROBES_PER_RUN watchdog runs, PROBE_SPACING_MS apart. EventBridge schedules at most once
 * a minute; sampling the primary several times per invocation is what brings detection near the Route 53
 * health check's. Stops early once a run hands over (the failover ran) or the secondary already writes.
 */
export async function invokeWatchdog(
  rt: WatchdogRuntime,
  invocation: { requestId: string; remainingMs?: number },
  overrides: Overrides = {},
): Promise<WatchdogRunResult> {
  const clock = overrides.clock ?? systemClock;
  const startedAt = clock.now();
  const deadline = invocation.remainingMs === undefined ? undefined : startedAt + invocation.remainingMs;
  const { probesPerRun, probeSpacingMs } = rt.config;
  for (let slot = 0; ;) {
    const remainingMs = deadline === undefined ? undefined : deadline - clock.now();
    const result = await runOnce(rt, { requestId: invocation.requestId, remainingMs }, clock, overrides);
    if (result.handover || result.secondaryIsWriter || probesPerRun <= 1) return result;
    // Probes keep fixed offsets from the start of the invocation (0, spacing, 2 x spacing, ...), so a slow run
    // delays nothing after it and the invocation ends before the next scheduled one: a slot whose time has
    // already passed is skipped, not run late.
    slot = Math.max(slot + 1, Math.ceil((clock.now() - startedAt) / probeSpacingMs));
    if (slot >= probesPerRun) return result;
    const at = startedAt + slot * probeSpacingMs;
    // The next probe must leave room for itself and a hand-over before the function times out.
    if (deadline !== undefined && deadline - at < 2 * TIMEOUT_MARGIN_MS) return result;
    await clock.sleep(at - clock.now());
  }
}

async function runOnce(
  rt: WatchdogRuntime,
  invocation: { requestId: string; remainingMs?: number },
  clock: Clock,
  overrides: Overrides,
): Promise<WatchdogRunResult> {
  const log = rt.log.child({ requestId: invocation.requestId });
  const notifier = snsNotifier(rt.sns, rt.config.topicArn);
  const settings = { ...rt.config.orchestrator };
  if (invocation.remainingMs !== undefined) {
    // Whatever remains after the probe, minus a margin, bounds the wait for the new writer.
    const budget = invocation.remainingMs - rt.config.probeTimeoutMs - TIMEOUT_MARGIN_MS;
    settings.promotionTimeoutMs = Math.max(10_000, Math.min(settings.promotionTimeoutMs, budget));
  }
  return runWatchdog(rt.config, {
    rds: rt.rds,
    store: rt.store,
    notifier,
    clock,
    log,
    probe: overrides.probe ?? probeHealth,
    failover: (reason) =>
      orchestrate(
        { action: 'failover', requestedBy: `watchdog:${invocation.requestId}`, reason, allowDataLoss: true },
        settings,
        {
          rds: rt.rds,
          lock: new LeaseLock({
            ddb: rt.ddb,
            table: rt.config.stateTable,
            owner: `watchdog:${invocation.requestId}:${randomUUID()}`,
            clock,
            leaseMs: rt.config.leaseMs,
          }),
          notifier: bestEffort(notifier, log),
          clock,
          log: log.child({ component: 'orchestrator' }),
          ...(overrides.random ? { random: overrides.random } : {}),
          recordRun: lastRunRecorder(rt.ddb, rt.config.stateTable),
        },
      ),
  });
}

const runtime = lazy(() => watchdogRuntimeFromEnv(process.env));

export const handler = async (
  _event: unknown,
  context?: Pick<Context, 'awsRequestId' | 'getRemainingTimeInMillis'>,
) => {
  const rt = await runtime();
  const result = await invokeWatchdog(rt, {
    requestId: context?.awsRequestId ?? randomUUID(),
    ...(context ? { remainingMs: context.getRemainingTimeInMillis() } : {}),
  });
  return {
    action: result.action.type,
    phase: result.phase,
    probeOk: result.probe.ok,
    writerRegion: result.writerRegion,
    published: result.published,
    handover: result.handover ?? null,
  };
};
