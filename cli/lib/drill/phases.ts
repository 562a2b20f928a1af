import { AbortError, iso } from '../../../runtime/shared/clock';
import { writeAfterFailover } from './canaries';
import { publicHealth, waitForPublic, writeAndObserve } from './observe';
import type { DrillRun } from './run';
import { DrillAbort, message } from './types';

/**
 * The phases of a drill, in order (cli/lib/drill/index.ts runs them; each throws DrillAbort to stop the
 * drill, and the restore runs after any of them):
 * 1. preflight: the primary cluster writes and the public name serves 200 from the primary region;
 * 2. canaries: written and observed in the secondary region (observe.ts);
 * 3. failover by switchover (a graceful execution of the Region switch plan: fence, Aurora, the DNS health
 *    checks the plan owns), while the public name's /health is polled: RTO = from its start until the public
 *    name serves 200 from the secondary region; then one more payment must be accepted there;
 * 4. restore, always: failback; then wait until the public name serves from the primary again.
 */
export async function preflight(run: DrillRun): Promise<void> {
  const { s, deps } = run;
  const topology = await deps.readTopology();
  if (topology.writer?.clusterId !== s.primaryClusterId) {
    throw new DrillAbort(
      `the drill expects ${s.primaryClusterId} (${s.primaryRegion}) to write; the writer is ${topology.writer?.clusterId ?? 'none'}`,
    );
  }
  const before = await publicHealth(run).catch((err: unknown) => {
    throw new DrillAbort(`the public name does not answer: ${message(err)}`);
  });
  if (before.status !== 200 || before.region !== s.primaryRegion) {
    throw new DrillAbort(
      `the public name must serve 200 from ${s.primaryRegion} before a drill; it answered ${before.status} from ${before.region ?? 'unknown'}`,
    );
  }
  run.event('preflight passed: primary writes and serves the public name');
}

export async function canaries(run: DrillRun): Promise<void> {
  await writeAndObserve(run);
  const failedWrites = run.canaries.filter((c) => c.paymentId === null);
  if (failedWrites.length > 0) {
    throw new DrillAbort(
      `${failedWrites.length} canary payment(s) could not be written (${failedWrites[0]?.error ?? '?'}); no failover was attempted`,
    );
  }
}

export async function failover(run: DrillRun): Promise<void> {
  const { s, deps, failover: f } = run;
  const failoverStart = deps.clock.now();
  f.startedAt = iso(failoverStart);
  const rtoStop = new AbortController();
  const stopOn = deps.signal;
  const onOuterAbort = () => rtoStop.abort();
  stopOn?.addEventListener('abort', onOuterAbort, { once: true });
  const rtoWait = waitForPublic(run, s.secondaryRegion, s.rtoTimeoutMs, rtoStop.signal, (at) => {
    f.routedAt = iso(at);
    f.routedMs = at - failoverStart;
    run.event(`public name answers from ${s.secondaryRegion}`);
  }).catch((err: unknown) => {
    if (err instanceof AbortError) return null;
    throw err;
  });
  try {
    run.event('failover: switchover requested');
    run.switchoverRequested = true;
    const result = await deps.switchRegion('switchover', {
      waitReadyMs: 120_000,
      ...(deps.signal ? { signal: deps.signal } : {}),
    });
    f.promotion = { ...result };
    // Refused: no execution was started, so there is nothing to restore.
    if (result.outcome === 'refused') run.switchoverRequested = false;
    if (result.outcome !== 'completed') {
      rtoStop.abort();
      throw new DrillAbort(`switchover ${result.outcome}: ${result.message}`);
    }
    run.event(`switchover completed: ${result.message}`);
    const doneAt = await rtoWait;
    if (deps.signal?.aborted) throw new AbortError();
    if (doneAt === null) {
      throw new DrillAbort(`the public name did not fail over within ${s.rtoTimeoutMs} ms`);
    }
    f.servingAt = iso(doneAt);
    f.servingMs = doneAt - failoverStart;
    f.rtoMs = f.servingMs;
    run.event(`public name serves from ${s.secondaryRegion}: RTO ${f.rtoMs} ms`);
  } finally {
    stopOn?.removeEventListener('abort', onOuterAbort);
    rtoStop.abort();
  }

  // Writes are accepted in the secondary region after a switchover.
  run.postFailoverWrite = await writeAfterFailover(run);
}

/** Undoes what the failover phase changed; records its own failure instead of throwing. */
export async function restore(run: DrillRun): Promise<void> {
  const { s, deps, restore: r } = run;
  if (!run.switchoverRequested) return;
  const started = deps.clock.now();
  r.startedAt = iso(started);
  try {
    r.action = 'failback';
    run.event('restore: failback requested');
    const result = await deps.switchRegion('failback', { waitReadyMs: s.restoreTimeoutMs });
    r.outcome = result.outcome;
    r.message = result.message;
    if (result.outcome !== 'completed') {
      throw new DrillAbort(`failback ${result.outcome}: ${result.message}`);
    }
    const back = await waitForPublic(run, s.primaryRegion, s.restoreTimeoutMs, undefined);
    if (back === null)
      throw new DrillAbort(
        `the public name did not return to ${s.primaryRegion} within ${s.restoreTimeoutMs} ms`,
      );
    r.restoredAt = iso(back);
    r.durationMs = back - started;
    run.event(`restored: public name serves from ${s.primaryRegion} again`);
  } catch (err) {
    const text = `restore failed: ${message(err).replace(/^DrillAbort: /, '')}`;
    run.errors.push(text);
    run.event(`error: ${text}`);
  }
}
