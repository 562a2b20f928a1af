import { type Database, retryOnConnectionLoss } from '../shared/db';
import type { FenceGuard } from '../shared/fence';
import { errorFields, type Logger } from '../shared/logger';
import type { WritabilityProbe } from '../shared/writability';
import { findIncompletePayments, markSideEffectsCompleted } from './payments-repo';
import { completeSideEffects, type SideEffectTargets } from './side-effects';

/**
 * Completes the side effects of payments that were committed but never completed: the client was told
 * PAYMENT_INCOMPLETE and did not retry, or the function stopped between the commit and the writes. Runs on a
 * schedule in the payment function of each region (EventBridge), so no committed payment stays without its
 * receipt and committed reservation. Each write is idempotent (side-effects.ts); a payment whose writes fail
 * again stays pending for the next run. The session record is not rewritten: it is short-lived and only the
 * request knew its session id. Nothing runs on a read-only secondary (the writer region reconciles), nor in a
 * region the write fence does not name or that cannot reach its quorum (runtime/shared/fence.ts): a fenced
 * region writes nothing, not even derived records.
 */
export interface ReconcileDeps {
  db: Database;
  writability: WritabilityProbe;
  fence: FenceGuard;
  targets: SideEffectTargets;
  region: string;
  now: () => Date;
  /** Epoch ms by which the run must have returned (the Lambda deadline); none: no time limit. */
  deadline?: number;
}

export interface ReconcileOptions {
  /** Leave payments younger than this to the request still completing them. */
  olderThanMs: number;
  /** At most this many payments per run (oldest first). */
  limit: number;
  /** Stop starting new payments when less than this is left before `deadline` (one payment's worst case). */
  reserveMs: number;
  /** Stop after this many payments in a row still fail: the store is down, the next run tries again. */
  maxConsecutiveFailures: number;
}

export const DEFAULT_RECONCILE: ReconcileOptions = {
  olderThanMs: 60_000,
  limit: 100,
  // Each write has 2 attempts of at most 2.5 s (shared/aws.ts): about 5 s for a payment whose store hangs.
  reserveMs: 6_000,
  maxConsecutiveFailures: 3,
};

export type ReconcileResult =
  | { status: 'skipped_read_only' }
  | { status: 'skipped_not_active'; verdict: 'not-active' | 'unreachable' }
  | { status: 'done'; found: number; completed: number; failed: number; stoppedEarly?: string };

export async function reconcileIncompletePayments(
  deps: ReconcileDeps,
  log: Logger,
  options: ReconcileOptions = DEFAULT_RECONCILE,
): Promise<ReconcileResult> {
  const fence = await deps.fence.check();
  if (fence.verdict !== 'active') return { status: 'skipped_not_active', verdict: fence.verdict };
  // A pooled connection may have died while the function was frozen between runs: retried once, as elsewhere.
  if (!(await retryOnConnectionLoss(() => deps.writability.isWritable())))
    return { status: 'skipped_read_only' };
  const pending = await retryOnConnectionLoss(() =>
    findIncompletePayments(deps.db, options.olderThanMs, options.limit),
  );
  let completed = 0;
  let failed = 0;
  let failingInARow = 0;
  const result = (stoppedEarly?: string): ReconcileResult => ({
    status: 'done',
    found: pending.length,
    completed,
    failed,
    ...(stoppedEarly ? { stoppedEarly } : {}),
  });
  for (const record of pending) {
    if (deps.deadline !== undefined && deps.deadline - deps.now().getTime() < options.reserveMs)
      return result('time budget used up');
    if (failingInARow >= options.maxConsecutiveFailures)
      return result(`${failingInARow} payments in a row still failing`);
    const failures = await completeSideEffects(deps.targets, record, {
      servingRegion: deps.region,
      now: deps.now(),
    });
    if (failures.length > 0) {
      failed++;
      failingInARow++;
      for (const f of failures) {
        log.error('reconcile: side effect still failing', {
          paymentId: record.id,
          component: f.component,
          ...errorFields(f.error),
        });
      }
      continue;
    }
    failingInARow = 0;
    try {
      await markSideEffectsCompleted(deps.db, record.id);
      completed++;
    } catch (err) {
      // The writes exist; the next run repeats them (idempotent) and records completion then.
      failed++;
      log.warn('reconcile: could not record completion', { paymentId: record.id, ...errorFields(err) });
    }
  }
  return result();
}

/** An EventBridge scheduled event (the only non-API event the payment function is given). */
export function isScheduledEvent(event: unknown): boolean {
  const e = event as { source?: unknown; 'detail-type'?: unknown } | null;
  return (
    e !== null && typeof e === 'object' && e.source === 'aws.events' && e['detail-type'] === 'Scheduled Event'
  );
}
