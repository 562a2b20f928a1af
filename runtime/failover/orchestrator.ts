import {
  DescribeDBClustersCommand,
  FailoverGlobalClusterCommand,
  type RDSClient,
  SwitchoverGlobalClusterCommand,
} from '@aws-sdk/client-rds';
import { AbortError, type Clock, iso } from './clock';
import type { DistributedLock, LockHolder } from './lock';
import { errorFields, type OpenLogger } from '../shared/logger';
import type { Notifier } from './notify';
import { type RetryPolicy, withRetry } from './retry';
import {
  describeTopology,
  type GlobalTopology,
  memberById,
  readTopology,
  type TopologyMember,
} from './topology';

/**
 * Promotion of one member of the Aurora global database to writer, shared by the orchestrator function, the
 * watchdog (automatic mode) and the operator CLI.
 *
 * - `failover`: unplanned, to the secondary region: FailoverGlobalCluster with AllowDataLoss (the primary may
 *   be gone; writes not yet replicated are lost, bounded by the global database RPO setting).
 * - `switchover`: planned, to the secondary region: SwitchoverGlobalCluster (waits for full sync, no loss).
 * - `failback`: planned switchover back to the primary region, only once the primary cluster is a synchronized
 *   member again and healthy.
 *
 * Every RDS call goes through `deps.rds`, which must be bound to the region being promoted: the run checks
 * that before anything else, so a failover to the secondary never depends on the failed region's endpoints.
 *
 * Safety: a lease lock (one run at a time, renewed right before the promotion call, which is only made while
 * this run still owns the lease), the topology is read first (no promotion call when the target already
 * writes or a promotion towards it is under way) and again after a failed promotion call (which may have
 * started it anyway), bounded retries with backoff on throttling and transient errors only, and a bounded wait
 * for the writer. Steps are notified and logged as they happen.
 */
export type OrchestratorAction = 'failover' | 'switchover' | 'failback';
export const ORCHESTRATOR_ACTIONS: readonly OrchestratorAction[] = ['failover', 'switchover', 'failback'];

export type OrchestrationOutcome = 'completed' | 'noop' | 'refused' | 'busy' | 'failed' | 'timeout';

export interface OrchestratorSettings {
  /** Environment suffix, for notifications. */
  environment: string;
  globalClusterId: string;
  primaryClusterId: string;
  secondaryClusterId: string;
  primaryRegion: string;
  secondaryRegion: string;
  /** Longest wait for the target to become writer after the promotion request. */
  promotionTimeoutMs: number;
  pollIntervalMs: number;
  /** Switchover and failback: how long to wait for unmet preconditions before refusing (0: check once). */
  preconditionWaitMs: number;
  retry: RetryPolicy;
}

export const DEFAULT_PROMOTION_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_POLL_INTERVAL_MS = 10_000;

export interface OrchestrationRequest {
  action: OrchestratorAction;
  /** Who asked: `watchdog`, an operator ARN, a Lambda request id. */
  requestedBy: string;
  reason?: string;
  /** Must be true for `failover`: the caller acknowledges that unreplicated writes are lost. */
  allowDataLoss?: boolean;
}

export interface ProgressEvent {
  phase: 'preconditions' | 'promotion' | 'waiting';
  elapsedMs: number;
  message: string;
  topology?: GlobalTopology;
}

export interface OrchestrationStep {
  step: string;
  at: string;
  elapsedMs: number;
  detail?: string;
}

export interface OrchestrationResult {
  action: OrchestratorAction;
  outcome: OrchestrationOutcome;
  message: string;
  target: { clusterId: string; region: string };
  requestedBy: string;
  startedAt: string;
  finishedAt: string;
  elapsedMs: number;
  /** Number of FailoverGlobalCluster / SwitchoverGlobalCluster calls made (retries included). */
  promotionCalls: number;
  /** From the promotion request to the confirmation that the target writes. */
  promotionMs?: number;
  topology?: GlobalTopology;
  steps: OrchestrationStep[];
  /** When `busy`: who holds the lock. */
  holder?: LockHolder;
}

export interface OrchestratorDeps {
  /** RDS client bound to the target region of the action. */
  rds: RDSClient;
  lock: DistributedLock;
  notifier: Notifier;
  clock: Clock;
  log: OpenLogger;
  random?: () => number;
  onProgress?: (event: ProgressEvent) => void;
  /** Extra failback readiness checks (e.g. the primary region's API answers); resolves to why it is not ready. */
  failbackReadiness?: (topology: GlobalTopology) => Promise<string | undefined>;
  /** Keeps a record of each finished run (best effort). */
  recordRun?: (result: OrchestrationResult) => Promise<void>;
  signal?: AbortSignal;
}

class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refusal';
  }
}

/** The lease expired and another orchestration took the lock over: this run must not promote anything. */
class LeaseLost extends Error {
  constructor(readonly holder: LockHolder | undefined) {
    super('the orchestration lease expired and was taken over before the promotion call');
    this.name = 'LeaseLost';
  }
}

export function targetOf(
  action: OrchestratorAction,
  s: Pick<
    OrchestratorSettings,
    'primaryClusterId' | 'secondaryClusterId' | 'primaryRegion' | 'secondaryRegion'
  >,
): { clusterId: string; region: string } {
  return action === 'failback'
    ? { clusterId: s.primaryClusterId, region: s.primaryRegion }
    : { clusterId: s.secondaryClusterId, region: s.secondaryRegion };
}

/** Why a planned switchover to `target` cannot start now, or undefined when it can. */
export function switchoverBlocker(t: GlobalTopology, target: TopologyMember): string | undefined {
  if (t.failover) return `a ${t.failover.status} operation is already under way on ${t.globalClusterId}`;
  if (t.status !== undefined && t.status !== 'available') {
    return `global cluster ${t.globalClusterId} is ${t.status}, not available`;
  }
  if (!t.writer) return `global cluster ${t.globalClusterId} reports no writer`;
  if (target.synchronizationStatus !== undefined && target.synchronizationStatus !== 'connected') {
    return `${target.clusterId} is ${target.synchronizationStatus}, not connected to the writer`;
  }
  return undefined;
}

export async function orchestrate(
  request: OrchestrationRequest,
  settings: OrchestratorSettings,
  deps: OrchestratorDeps,
): Promise<OrchestrationResult> {
  const { clock } = deps;
  const started = clock.now();
  const target = targetOf(request.action, settings);
  const log = deps.log.child({
    action: request.action,
    targetCluster: target.clusterId,
    requestedBy: request.requestedBy,
  });
  const steps: OrchestrationStep[] = [];
  let promotionCalls = 0;
  let promotionRequestedAt: number | undefined;
  let promotionMs: number | undefined;
  let topology: GlobalTopology | undefined;
  let lockHeld = false;

  const elapsed = (): number => clock.now() - started;
  const step = async (name: string, summary: string, detail?: string, notify = true): Promise<void> => {
    const at = clock.now();
    steps.push({ step: name, at: iso(at), elapsedMs: at - started, ...(detail ? { detail } : {}) });
    log.info(summary, { step: name, elapsedMs: at - started, detail });
    if (notify) {
      await deps.notifier.publish({
        event: `${request.action}.${name}`,
        summary,
        environment: settings.environment,
        at: iso(at),
        elapsedMs: at - started,
        details: {
          globalCluster: settings.globalClusterId,
          target: target.clusterId,
          targetRegion: target.region,
          requestedBy: request.requestedBy,
          ...(request.reason ? { reason: request.reason } : {}),
          startedAt: iso(started),
          ...(promotionCalls > 0 ? { promotionCalls } : {}),
          ...(detail ? { detail } : {}),
          ...(topology ? { topology: describeTopology(topology) } : {}),
        },
      });
    }
  };
  const progress = (phase: ProgressEvent['phase'], message: string): void => {
    deps.onProgress?.({ phase, elapsedMs: elapsed(), message, ...(topology ? { topology } : {}) });
  };
  const retryOptions = {
    policy: settings.retry,
    clock,
    random: deps.random,
    signal: deps.signal,
    onRetry: (e: { attempt: number; delayMs: number; errorClass: string; error: unknown }) =>
      log.warn('retrying after a retryable error', {
        attempt: e.attempt,
        delayMs: e.delayMs,
        errorClass: e.errorClass,
        ...errorFields(e.error),
      }),
  };
  const read = (): Promise<GlobalTopology> =>
    withRetry(() => readTopology(deps.rds, settings.globalClusterId, deps.signal), retryOptions);

  const finish = async (outcome: OrchestrationOutcome, message: string, holder?: LockHolder) => {
    const finished = clock.now();
    const result: OrchestrationResult = {
      action: request.action,
      outcome,
      message,
      target,
      requestedBy: request.requestedBy,
      startedAt: iso(started),
      finishedAt: iso(finished),
      elapsedMs: finished - started,
      promotionCalls,
      ...(promotionMs !== undefined ? { promotionMs } : {}),
      ...(topology ? { topology } : {}),
      steps,
      ...(holder ? { holder } : {}),
    };
    const level = outcome === 'completed' || outcome === 'noop' ? 'info' : 'error';
    log[level]('orchestration finished', {
      outcome,
      elapsedMs: result.elapsedMs,
      promotionCalls,
      detail: message,
    });
    // Only runs that held the lock are recorded: a rejected request must not overwrite a real operation's record.
    if (deps.recordRun && lockHeld) {
      await deps
        .recordRun(result)
        .catch((err: unknown) => log.warn('could not record the orchestration run', errorFields(err)));
    }
    return result;
  };

  if (request.action === 'failover' && request.allowDataLoss !== true) {
    return finish(
      'refused',
      'an unplanned failover can lose writes that were not replicated yet; it needs allowDataLoss=true',
    );
  }

  try {
    const clientRegion = await deps.rds.config.region();
    if (clientRegion !== target.region) {
      return finish(
        'failed',
        `the RDS client is bound to ${clientRegion}, but ${request.action} must use the endpoints of ${target.region}`,
      );
    }

    const acquired = await deps.lock.acquire(request.action);
    if (!acquired.acquired) {
      const h = acquired.holder;
      const by = h
        ? `${h.operation} by ${h.owner}, lease until ${iso(h.leaseExpiresAtMs)}`
        : 'unknown holder';
      return finish('busy', `another orchestration is in progress (${by})`, h);
    }
    lockHeld = true;

    await step('started', `${request.action} to ${target.region} started`, `target ${target.clusterId}`);
    topology = await read();
    const member = memberById(topology, target.clusterId);
    if (!member) {
      throw new Refusal(
        `${target.clusterId} is not a member of global cluster ${settings.globalClusterId} (${describeTopology(topology)})`,
      );
    }
    if (member.region !== target.region) {
      throw new Refusal(`${target.clusterId} is in ${member.region}, expected ${target.region}`);
    }
    if (member.isWriter) {
      await step('noop', `${request.action}: ${target.region} already writes, nothing to do`);
      return await finish('noop', `${target.clusterId} in ${target.region} is already the writer`);
    }

    const inProgressToTarget = topology.failover?.toClusterArn === member.arn;
    if (topology.failover && !inProgressToTarget) {
      throw new Refusal(
        `a ${topology.failover.status} operation towards ${topology.failover.toClusterArn ?? 'another cluster'} is under way`,
      );
    }

    if (!inProgressToTarget && request.action !== 'failover') {
      if ((await waitForPreconditions(member)) === 'already-writer') {
        await step('noop', `${request.action}: ${target.region} already writes, nothing to do`);
        return await finish('noop', `${target.clusterId} in ${target.region} is already the writer`);
      }
    }

    if (inProgressToTarget) {
      promotionRequestedAt = clock.now();
      await step(
        'promotion-requested',
        `${request.action}: a promotion to ${target.region} is already under way; waiting for it`,
        `no new request for ${target.clusterId}`,
      );
    } else {
      promotionRequestedAt = clock.now();
      await step(
        'promotion-requested',
        `${request.action}: ${request.action === 'failover' ? 'FailoverGlobalCluster (AllowDataLoss)' : 'SwitchoverGlobalCluster'} requested`,
        `target ${member.arn}`,
      );
      progress('promotion', `requesting promotion of ${target.clusterId}`);
      // Notifications and topology reads (each with retries) since the lock was taken can outlast the lease:
      // promote only while this run still owns it, with a fresh lease for the call.
      await renewBeforePromotion();
      await requestPromotion(member);
    }

    const confirmed = await waitForWriter(promotionRequestedAt);
    if (!confirmed) {
      const message = `${target.clusterId} did not become writer within ${settings.promotionTimeoutMs} ms`;
      await step('failed', message, topology ? describeTopology(topology) : undefined);
      return await finish('timeout', message);
    }
    promotionMs = clock.now() - promotionRequestedAt;
    await step(
      'writer-confirmed',
      `${request.action}: ${target.region} is the writer, ${promotionMs} ms after the request`,
      `${target.clusterId} writes`,
    );
    return await finish('completed', `${target.clusterId} in ${target.region} is the writer`);
  } catch (err) {
    if (err instanceof Refusal) {
      if (lockHeld) await step('refused', `${request.action} refused: ${err.message}`);
      return finish('refused', err.message);
    }
    if (err instanceof LeaseLost) {
      await step('lease-lost', `${request.action} stopped: ${err.message}; nothing was requested`);
      // The lock is someone else's now: neither release it nor overwrite the record of their run.
      lockHeld = false;
      const by = err.holder ? ` (${err.holder.operation} by ${err.holder.owner})` : '';
      return finish('busy', `${err.message}${by}`, err.holder);
    }
    const e = errorFields(err);
    const cause = err instanceof AbortError ? 'interrupted' : `${e.errorName}: ${e.errorMessage}`;
    if (lockHeld) await step('failed', `${request.action} failed: ${cause}`);
    return finish('failed', cause);
  } finally {
    if (lockHeld) {
      await deps.lock
        .release()
        .catch((err: unknown) => log.warn('could not release the lock', errorFields(err)));
    }
  }

  /** Resolves once the preconditions hold; throws a Refusal when they still do not at the deadline. */
  async function waitForPreconditions(initial: TopologyMember): Promise<'ready' | 'already-writer'> {
    const deadline = clock.now() + settings.preconditionWaitMs;
    let member = initial;
    for (;;) {
      const blocker = await preconditionBlocker(member);
      if (blocker === undefined) return 'ready';
      if (clock.now() >= deadline) throw new Refusal(blocker);
      progress('preconditions', `waiting: ${blocker}`);
      await clock.sleep(Math.min(settings.pollIntervalMs, Math.max(0, deadline - clock.now())), deps.signal);
      await deps.lock.renew();
      topology = await read();
      const again = memberById(topology, target.clusterId);
      if (!again)
        throw new Refusal(`${target.clusterId} is no longer a member of ${settings.globalClusterId}`);
      // Someone else promoted it while we waited.
      if (again.isWriter) return 'already-writer';
      member = again;
    }
  }

  async function preconditionBlocker(member: TopologyMember): Promise<string | undefined> {
    const current = topology as GlobalTopology;
    const blocker = switchoverBlocker(current, member);
    if (blocker || request.action !== 'failback') return blocker;
    const out = await withRetry(
      () =>
        deps.rds.send(new DescribeDBClustersCommand({ DBClusterIdentifier: settings.primaryClusterId }), {
          abortSignal: deps.signal,
        }),
      retryOptions,
    );
    const status = out.DBClusters?.[0]?.Status;
    if (status !== 'available')
      return `primary cluster ${settings.primaryClusterId} is ${status ?? 'unknown'}, not available`;
    return deps.failbackReadiness ? deps.failbackReadiness(current) : undefined;
  }

  /** Throws LeaseLost when the lease is no longer ours; transient lock-table errors are retried. */
  async function renewBeforePromotion(): Promise<void> {
    if (await withRetry(() => deps.lock.renew(), retryOptions)) return;
    const holder = await deps.lock.holder().catch(() => undefined);
    throw new LeaseLost(holder);
  }

  async function requestPromotion(member: TopologyMember): Promise<void> {
    const command =
      request.action === 'failover'
        ? new FailoverGlobalClusterCommand({
            GlobalClusterIdentifier: settings.globalClusterId,
            TargetDbClusterIdentifier: member.arn,
            AllowDataLoss: true,
          })
        : new SwitchoverGlobalClusterCommand({
            GlobalClusterIdentifier: settings.globalClusterId,
            TargetDbClusterIdentifier: member.arn,
          });
    try {
      await withRetry(() => {
        promotionCalls++;
        // Both commands share the RDS client; the union is narrowed by the runtime class.
        return command instanceof FailoverGlobalClusterCommand
          ? deps.rds.send(command, { abortSignal: deps.signal })
          : deps.rds.send(command, { abortSignal: deps.signal });
      }, retryOptions);
    } catch (err) {
      if (err instanceof AbortError) throw err;
      // Whatever the error, the promotion may be under way or done: an earlier attempt may have reached RDS
      // before its response was lost, or someone else (another tool, the console) promoted the target since
      // the topology was read, so the call meets InvalidGlobalClusterStateFault. The topology tells: wait for
      // the promotion instead of failing.
      if (await promotionUnderWay()) {
        log.warn('promotion call failed but the promotion is under way; waiting for it', errorFields(err));
        return;
      }
      throw err;
    }
  }

  /** Re-reads the topology after a failed promotion call: true when the target writes or is being promoted. */
  async function promotionUnderWay(): Promise<boolean> {
    const after = await read().catch(() => undefined);
    const m = after ? memberById(after, target.clusterId) : undefined;
    if (!after || !m || !(m.isWriter || after.failover?.toClusterArn === m.arn)) return false;
    topology = after;
    return true;
  }

  async function waitForWriter(since: number): Promise<boolean> {
    const deadline = since + settings.promotionTimeoutMs;
    for (;;) {
      try {
        topology = await readTopology(deps.rds, settings.globalClusterId, deps.signal);
      } catch (err) {
        if (err instanceof AbortError) throw err;
        log.warn('topology read failed while waiting for the writer', errorFields(err));
      }
      const m = topology ? memberById(topology, target.clusterId) : undefined;
      if (m?.isWriter) return true;
      const now = clock.now();
      progress(
        'waiting',
        topology
          ? `waiting for ${target.clusterId} to become writer (writer now ${
              topology.writer ? `${topology.writer.clusterId} in ${topology.writer.region}` : 'none'
            }, global cluster ${topology.status ?? 'unknown'}${topology.failover ? `, ${topology.failover.status}` : ''})`
          : `waiting for ${target.clusterId} to become writer (topology not readable)`,
      );
      if (now >= deadline) return false;
      await clock.sleep(Math.min(settings.pollIntervalMs, deadline - now), deps.signal);
      if (!(await deps.lock.renew().catch(() => false))) {
        log.warn('the orchestration lease could not be renewed; continuing to observe only');
      }
    }
  }
}
