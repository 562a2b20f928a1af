import { randomUUID } from 'node:crypto';
import type { RDSClient } from '@aws-sdk/client-rds';
import { type Clock, iso } from './clock';
import { type DecisionAction, type DecisionParams, decide } from './decision';
import { errorFields, type OpenLogger } from '../shared/logger';
import { WATCHDOG_DECIDED, WATCHDOG_FINISHED } from './log-events';
import type { Notification, Notifier } from './notify';
import type { OrchestrationResult } from './orchestrator';
import type { Prober, ProbeResult } from './probe';
import type { HandoverState, PendingAlert, StateStore, WatchdogRecord } from './state-store';
import { type GlobalTopology, readTopology } from './topology';

/**
 * One watchdog run (scheduled every minute in the secondary region):
 *
 * 1. Probe the primary region's /health and read the global database topology, in parallel, through the
 *    secondary region's endpoints only.
 * 2. Apply the decision rules (decision.ts) to the stored state and save it with optimistic concurrency; the run
 *    whose conditional write wins is the one that acts, so overlapping runs never act twice on one decision.
 *    The saved decision is logged at once ("watchdog decided"): the alarm metrics count that line, so they do
 *    not wait for the steps below, nor miss a run that times out during a hand-over.
 * 3. Publish every decided alert. An alert that cannot be published stays in the state and is retried by the
 *    next run (at-least-once alerting); after one failure the rest are left to the next run too, so a topic
 *    that does not answer costs one call deadline, not one per alert.
 * 4. In automatic mode, after a declaration, run the failover (in process, through the shared orchestrator
 *    with its lock) until the secondary writes. A run that finds the lock busy leaves it to the holder; failed
 *    attempts are retried by later runs up to `maxHandoverAttempts`, then operators are alerted.
 *
 * When the secondary region already writes, the run only records what it saw: streaks are not counted and
 * nothing new is decided.
 */
export interface WatchdogConfig {
  environment: string;
  region: string;
  primaryHealthUrl: string;
  probeTimeoutMs: number;
  decision: DecisionParams;
  globalClusterId: string;
  secondaryClusterId: string;
  orchestratorFunctionName?: string;
  maxHandoverAttempts: number;
}

export interface WatchdogDeps {
  /** RDS client bound to the secondary region. */
  rds: RDSClient;
  store: StateStore;
  notifier: Notifier;
  clock: Clock;
  log: OpenLogger;
  probe: Prober;
  /** Runs the unplanned failover to the secondary region (the orchestrator, in process). */
  failover: (reason: string) => Promise<OrchestrationResult>;
}

export interface WatchdogRunResult {
  probe: ProbeResult;
  writerRegion: string;
  secondaryIsWriter: boolean;
  action: DecisionAction;
  phase: string;
  published: string[];
  unpublished: number;
  handover?: { outcome: string; message: string };
}

const MAX_PENDING_ALERTS = 20;
/** A run that claimed an alert and did not report back within this time is presumed dead. */
export const ALERT_CLAIM_TIMEOUT_MS = 120_000;

export async function runWatchdog(config: WatchdogConfig, deps: WatchdogDeps): Promise<WatchdogRunResult> {
  const { clock, log } = deps;
  const runId = randomUUID();
  const [probe, topologyOrError] = await Promise.all([
    deps.probe(config.primaryHealthUrl, config.probeTimeoutMs),
    readTopology(deps.rds, config.globalClusterId).catch((err: unknown) => err),
  ]);
  let topology: GlobalTopology | undefined;
  if (topologyOrError instanceof Error) {
    log.warn('global cluster topology could not be read', errorFields(topologyOrError));
  } else {
    topology = topologyOrError as GlobalTopology;
  }
  const secondaryIsWriter = topology?.writer?.clusterId === config.secondaryClusterId;
  const writerRegion = topology ? (topology.writer?.region ?? 'none') : 'unknown';
  log.info('primary probed', {
    ok: probe.ok,
    latencyMs: probe.latencyMs,
    status: probe.status,
    reason: probe.reason,
    writerRegion,
  });

  // Decide and save; retried on a concurrent write so that exactly one run acts on each decision.
  let action: DecisionAction = { type: 'none' };
  let record: WatchdogRecord | undefined;
  for (let attempt = 1; attempt <= 5 && !record; attempt++) {
    const loaded = await deps.store.load();
    const decision = decide(loaded.record.decision, { ok: probe.ok, at: probe.at }, config.decision, {
      secondaryIsWriter,
    });
    const nowMs = clock.now();
    const now = iso(nowMs);
    const next: WatchdogRecord = {
      ...loaded.record,
      decision: decision.state,
      lastProbe: {
        ok: probe.ok,
        at: iso(probe.at),
        latencyMs: probe.latencyMs,
        ...(probe.status !== undefined ? { status: probe.status } : {}),
        ...(probe.reason ? { reason: probe.reason } : {}),
      },
      lastWriterRegion: writerRegion,
      updatedAt: now,
    };
    // Claim this run's new alert and any leftover whose publisher is gone (unclaimed or claim expired).
    const claim = (a: PendingAlert): PendingAlert =>
      a.claimedAt !== undefined && nowMs - a.claimedAt < ALERT_CLAIM_TIMEOUT_MS
        ? a
        : { ...a, claimedBy: runId, claimedAt: nowMs };
    next.pendingAlerts = [
      ...loaded.record.pendingAlerts.map(claim),
      ...(decision.action.type === 'none'
        ? []
        : [{ action: decision.action, createdAt: now, attempts: 0, claimedBy: runId, claimedAt: nowMs }]),
    ].slice(-MAX_PENDING_ALERTS);
    if (decision.action.type === 'declare-failed' && decision.action.promote) {
      next.handover = { status: 'pending', requestedAt: now, attempts: 0, updatedAt: now };
    }
    // Whoever completed it (a later attempt, an operator), the hand-over is over once the secondary writes.
    if (secondaryIsWriter && next.handover && next.handover.status !== 'done') {
      next.handover = {
        ...next.handover,
        status: 'done',
        lastMessage: 'the secondary region writes',
        updatedAt: now,
      };
    }
    if (await deps.store.save(next, loaded.version)) {
      record = next;
      action = decision.action;
    } else {
      log.warn('watchdog state changed concurrently; deciding again', { attempt });
    }
  }
  if (!record) throw new Error('watchdog state could not be saved: too many concurrent writes');
  logDecision(log, action, record);

  // Alerts: publish everything pending (this run's decision and leftovers of earlier runs).
  const published: PendingAlert[] = [];
  const failed: PendingAlert[] = [];
  let topicFailing = false;
  for (const alert of record.pendingAlerts.filter((a) => a.claimedBy === runId)) {
    if (topicFailing) {
      // The topic just failed: the rest wait for the next run instead of each spending a call deadline here.
      const { claimedBy: _by, claimedAt: _at, ...released } = alert;
      failed.push(released);
      continue;
    }
    try {
      await deps.notifier.publish(alertNotification(alert, config, record, clock.now()));
      published.push(alert);
    } catch (err) {
      const e = errorFields(err);
      log.error('alert could not be published; the next run retries it', { alert: alert.action.type, ...e });
      // Released (no claim), so that the next run takes it over at once.
      const released: PendingAlert = {
        ...alert,
        attempts: alert.attempts + 1,
        lastError: `${e.errorName}: ${e.errorMessage}`,
      };
      delete released.claimedBy;
      delete released.claimedAt;
      failed.push(released);
      topicFailing = true;
    }
  }

  // Automatic failover hand-over.
  let handover: HandoverState | undefined = record.handover;
  let handoverResult: WatchdogRunResult['handover'];
  const extraAlerts: PendingAlert[] = [];
  if (handover?.status === 'pending' && !secondaryIsWriter && record.decision.phase === 'declared') {
    const result = await deps.failover(
      `watchdog declared ${config.primaryHealthUrl} failed after ${record.decision.consecutiveFailures} consecutive failed probes`,
    );
    handoverResult = { outcome: result.outcome, message: result.message };
    const now = iso(clock.now());
    if (result.outcome === 'completed' || result.outcome === 'noop') {
      handover = {
        ...handover,
        status: 'done',
        lastOutcome: result.outcome,
        lastMessage: result.message,
        updatedAt: now,
      };
    } else if (result.outcome === 'busy') {
      handover = { ...handover, lastOutcome: result.outcome, lastMessage: result.message, updatedAt: now };
    } else {
      const attempts = handover.attempts + 1;
      const gaveUp = attempts >= config.maxHandoverAttempts;
      handover = {
        ...handover,
        status: gaveUp ? 'failed' : 'pending',
        attempts,
        lastOutcome: result.outcome,
        lastMessage: result.message,
        updatedAt: now,
      };
      if (gaveUp) {
        const alert: PendingAlert = {
          action: { type: 'handover-failed', attempts, outcome: result.outcome, message: result.message },
          createdAt: now,
          attempts: 0,
        };
        try {
          await deps.notifier.publish(alertNotification(alert, config, record, clock.now()));
        } catch (err) {
          log.error(
            'hand-over failure alert could not be published; the next run retries it',
            errorFields(err),
          );
          extraAlerts.push({ ...alert, attempts: 1 });
        }
      }
    }
  }

  const changed =
    published.length > 0 || failed.length > 0 || handover !== record.handover || extraAlerts.length > 0;
  if (changed) {
    const sent = new Set(published.map(alertId));
    const retry = new Map(failed.map((a) => [alertId(a), a]));
    await deps.store.update((current) => ({
      ...current,
      pendingAlerts: [
        ...current.pendingAlerts.filter((a) => !sent.has(alertId(a))).map((a) => retry.get(alertId(a)) ?? a),
        ...extraAlerts,
      ].slice(-MAX_PENDING_ALERTS),
      ...(handover ? { handover: mergeHandover(current.handover, handover) } : {}),
    }));
  }

  const result: WatchdogRunResult = {
    probe,
    writerRegion,
    secondaryIsWriter,
    action,
    phase: record.decision.phase,
    published: published.map((a) => a.action.type),
    unpublished: failed.length + extraAlerts.length,
    ...(handoverResult ? { handover: handoverResult } : {}),
  };
  log.info(WATCHDOG_FINISHED, {
    action: action.type,
    phase: result.phase,
    published: result.published,
    unpublished: result.unpublished,
    handoverOutcome: handoverResult?.outcome,
  });
  return result;
}

const alertId = (a: PendingAlert): string => `${a.createdAt}|${a.action.type}`;

/** The decision line the alarm metrics count (see log-events.ts): written before anything slow happens. */
function logDecision(log: OpenLogger, action: DecisionAction, record: WatchdogRecord): void {
  const d = record.decision;
  log.info(WATCHDOG_DECIDED, {
    action: action.type,
    phase: d.phase,
    consecutiveFailures: d.consecutiveFailures,
    consecutiveSuccesses: d.consecutiveSuccesses,
    flapping: d.flapping,
    ...(action.type === 'alert-suspect' ? { reason: action.reason, transitions: action.transitions } : {}),
    ...(action.type === 'declare-failed' ? { mode: action.mode, promote: action.promote } : {}),
    handoverPending: record.handover?.status === 'pending',
  });
}

/** Keeps the newer of two hand-over states (a concurrent run may have finished it in the meantime). */
function mergeHandover(current: HandoverState | undefined, mine: HandoverState): HandoverState {
  if (!current || current.requestedAt !== mine.requestedAt) return mine;
  if (current.status === 'done') return current;
  return current.updatedAt > mine.updatedAt ? current : mine;
}

function alertNotification(
  alert: PendingAlert,
  config: WatchdogConfig,
  record: WatchdogRecord,
  now: number,
): Notification {
  const a = alert.action;
  const n = config.decision.failureThreshold;
  const probe = record.lastProbe;
  const base = {
    environment: config.environment,
    at: iso(now),
    details: {
      decidedAt: alert.createdAt,
      primaryHealthUrl: config.primaryHealthUrl,
      lastProbe: probe,
      consecutiveFailures: record.decision.consecutiveFailures,
      recentProbes: record.decision.history.map((h) => (h.ok ? 'ok' : 'fail')).join(' '),
      failoverMode: config.decision.mode,
      watchdogRegion: config.region,
      ...(alert.attempts > 0 ? { publishAttempts: alert.attempts + 1 } : {}),
    },
  };
  const manualHint = config.orchestratorFunctionName
    ? `run "npm run drctl -- failover --allow-data-loss --env ${config.environment}" or invoke ${config.orchestratorFunctionName} with {"action":"failover","allowDataLoss":true}`
    : `run "npm run drctl -- failover --allow-data-loss --env ${config.environment}"`;
  switch (a.type) {
    case 'alert-suspect':
      return a.reason === 'flapping'
        ? {
            ...base,
            event: 'watchdog.flapping',
            summary: `primary /health flapping: ${a.transitions} changes in ${config.decision.historySize} probes; no automatic action`,
          }
        : {
            ...base,
            event: 'watchdog.suspect',
            summary: `primary /health probe failed (${probe?.reason ?? 'unknown'}); failover threshold is ${n} in a row`,
          };
    case 'declare-failed':
      return a.promote
        ? {
            ...base,
            event: 'watchdog.declare-failed',
            summary: `primary declared failed (${a.consecutiveFailures} failed probes); automatic failover to ${config.region}`,
          }
        : {
            ...base,
            event: 'watchdog.declare-failed',
            summary: `primary declared failed (${a.consecutiveFailures} failed probes); manual mode: nothing promoted`,
            details: { ...base.details, action: manualHint },
          };
    case 'handover-failed':
      return {
        ...base,
        event: 'watchdog.handover-failed',
        summary: `automatic failover to ${config.region} failed ${a.attempts} times; manual action needed`,
        details: { ...base.details, lastOutcome: a.outcome, lastMessage: a.message, action: manualHint },
      };
    case 'recovered':
      return {
        ...base,
        event: 'watchdog.recovered',
        summary: `primary healthy for ${a.consecutiveSuccesses} probes in a row; watchdog re-armed`,
        details: { ...base.details, declaredForMs: a.declaredForMs },
      };
  }
}
