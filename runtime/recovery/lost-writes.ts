import {
  type FullPayment,
  findPaymentByKey,
  findPaymentsByIds,
  insertPaymentOnce,
  listPaymentsAfter,
  markSideEffectsCompleted,
  type PaymentRecord,
} from '../payment-api/payments-repo';
import { readReservation, type ReservationStore, scanReservations } from '../payment-api/reservations';
import { completeSideEffects, type SideEffectTargets } from '../payment-api/side-effects';
import type { Database, Queryable } from '../shared/db';
import type { FenceGuard } from '../shared/fence';

/**
 * The diff-and-re-record core of lost-write recovery (drctl recover-lost-writes; docs/runbooks/lost-write-recovery.md).
 *
 * After an unplanned failover the promoted ledger lacks the payments the old primary committed in its last
 * moments (Aurora replicates asynchronously). Aurora "attempts to take a snapshot of the old storage volume at
 * the point of failure" (`rds:unplanned-global-failover-...`, Aurora User Guide, aurora-global-database-disaster-
 * recovery.html); drctl restores it to a temporary cluster, and this core compares that ledger (`source`) with
 * the promoted one (`target`) and the key reservations, and records every missing payment again under its
 * original id, time and region, with its ledger entries and the same side effects (receipt, committed
 * reservation) as the payment path. It is idempotent: a second run finds everything present and writes nothing.
 *
 * A source payment is re-recorded only when nothing contradicts it: the target holds no other payment for its
 * key, and the key's reservation (RPO 0) is absent or names this very payment. Anything else is a conflict,
 * reported and left alone (never a second payment for a key). Committed reservations whose payment is in
 * neither ledger were answered 201 and cannot be recovered from here: they are reported as unrecoverable.
 */
export interface RecoveryDeps {
  /** The restored copy of the old primary's ledger: only read. */
  source: Queryable;
  /** The promoted ledger. */
  target: Database;
  /** The promoted region's control table and receipts bucket. */
  targets: SideEffectTargets;
  /** Must say `active` for `region` before anything is written (skipped in a dry run). */
  fence: FenceGuard;
  /** The promoted region. */
  region: string;
  now: () => Date;
  /** Progress lines (one per page and per payment acted on). */
  progress?: (line: string) => void;
}

export interface RecoveryOptions {
  /** Compare and report only; write nothing. */
  dryRun?: boolean;
  /** Source payments per page (keyset pages in id order). */
  batchSize?: number;
  /** Only source payments created at or after this time (default: all). */
  since?: Date;
  /** Also scan the reservations for committed payments in neither ledger (default true). */
  scanReservations?: boolean;
}

export interface PaymentSummary {
  id: string;
  merchantId: string;
  idempotencyKey: string;
  amount: number;
  currency: string;
  createdAt: string;
  region: string;
}

export interface RecoveryReport {
  dryRun: boolean;
  /** Source payments compared. */
  scanned: number;
  /** Already in the promoted ledger under the same id (replicated in time, or recorded again by a retry). */
  present: number;
  /** Recorded again now (in a dry run: would be). */
  rerecorded: PaymentSummary[];
  /** Re-recorded, but a side effect still failed: the scheduled reconcile (or a rerun) completes it. */
  incomplete: Array<{ id: string; components: string[] }>;
  /** Left alone: recording them would contradict the promoted ledger or the reservations. */
  conflicts: Array<PaymentSummary & { reason: string }>;
  /** Committed reservations (answered 201) whose payment is in neither ledger. */
  unrecoverable: Array<{ reservation: string; paymentId: string; amount?: number; currency?: string }>;
  /** Reservations scanned (0 when the scan was skipped). */
  reservationsScanned: number;
}

export class RecoveryRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RecoveryRefusedError';
  }
}

export const DEFAULT_BATCH_SIZE = 500;

const summary = (p: PaymentRecord): PaymentSummary => ({
  id: p.id,
  merchantId: p.merchantId,
  idempotencyKey: p.idempotencyKey,
  amount: p.amount,
  currency: p.currency,
  createdAt: p.createdAt.toISOString(),
  region: p.region,
});

/** Why `row` must not be recorded in the promoted ledger, or undefined when it may. */
async function contradiction(
  deps: RecoveryDeps,
  store: ReservationStore,
  row: FullPayment,
): Promise<string | undefined> {
  const byKey = await findPaymentByKey(deps.target, row.merchantId, row.idempotencyKey);
  if (byKey) return `the promoted ledger holds ${byKey.id} for this key`;
  const reservation = await readReservation(store, row.merchantId, row.idempotencyKey);
  if (reservation && reservation.paymentId !== row.id)
    return `the key is reserved for ${reservation.paymentId}`;
  if (reservation && reservation.requestHash !== row.requestHash)
    return 'the reservation holds another request hash';
  return undefined;
}

async function rerecord(deps: RecoveryDeps, row: FullPayment, report: RecoveryReport): Promise<void> {
  const { record, created } = await insertPaymentOnce(deps.target, {
    id: row.id,
    createdAt: row.createdAt,
    idempotencyKey: row.idempotencyKey,
    requestHash: row.requestHash,
    amount: row.amount,
    currency: row.currency,
    merchantId: row.merchantId,
    ...(row.reference !== null ? { reference: row.reference } : {}),
    ...(row.description !== null ? { description: row.description } : {}),
    paymentMethodToken: row.paymentMethodToken,
    region: row.region,
  });
  if (record.id !== row.id) {
    report.conflicts.push({ ...summary(row), reason: `recorded meanwhile as ${record.id}` });
    return;
  }
  if (!created) {
    // A client retry recorded it while we compared: present, nothing more to do here.
    report.present++;
    return;
  }
  const failures = await completeSideEffects(deps.targets, record, {
    servingRegion: deps.region,
    now: deps.now(),
  });
  if (failures.length > 0) {
    report.incomplete.push({ id: record.id, components: failures.map((f) => f.component) });
  } else {
    await markSideEffectsCompleted(deps.target, record.id);
  }
  report.rerecorded.push(summary(record));
  deps.progress?.(`re-recorded ${record.id} (${record.merchantId}, ${record.amount} ${record.currency})`);
}

async function findUnrecoverable(deps: RecoveryDeps, store: ReservationStore, report: RecoveryReport) {
  for await (const page of scanReservations(store)) {
    report.reservationsScanned += page.length;
    const committed = page.filter((r) => r.state === 'committed');
    const ids = committed.map((r) => r.paymentId);
    const [inTarget, inSource] = await Promise.all([
      findPaymentsByIds(deps.target, ids),
      findPaymentsByIds(deps.source, ids),
    ]);
    for (const r of committed) {
      if (inTarget.has(r.paymentId) || inSource.has(r.paymentId)) continue;
      report.unrecoverable.push({
        reservation: r.key,
        paymentId: r.paymentId,
        ...(r.amount !== undefined ? { amount: r.amount } : {}),
        ...(r.currency !== undefined ? { currency: r.currency } : {}),
      });
    }
  }
}

export async function recoverLostWrites(
  deps: RecoveryDeps,
  options: RecoveryOptions = {},
): Promise<RecoveryReport> {
  const dryRun = options.dryRun ?? false;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error('batchSize must be a positive integer');
  if (!dryRun) {
    const fence = await deps.fence.check();
    if (fence.verdict !== 'active')
      throw new RecoveryRefusedError(
        `the write fence does not name ${deps.region} (${fence.verdict}${fence.state ? `, active: ${fence.state.activeRegion}` : ''}); recovery writes only into the active region`,
      );
  }
  const store: ReservationStore = { ddb: deps.targets.ddb, table: deps.targets.controlTable };
  const report: RecoveryReport = {
    dryRun,
    scanned: 0,
    present: 0,
    rerecorded: [],
    incomplete: [],
    conflicts: [],
    unrecoverable: [],
    reservationsScanned: 0,
  };
  for (let after = ''; ;) {
    const page = await listPaymentsAfter(deps.source, after, batchSize, options.since);
    if (page.length === 0) break;
    after = (page[page.length - 1] as FullPayment).id;
    const inTarget = await findPaymentsByIds(
      deps.target,
      page.map((p) => p.id),
    );
    for (const row of page) {
      report.scanned++;
      const twin = inTarget.get(row.id);
      if (twin) {
        if (twin.requestHash === row.requestHash) report.present++;
        else
          report.conflicts.push({
            ...summary(row),
            reason: 'the promoted ledger holds another payment under this id',
          });
        continue;
      }
      const reason = await contradiction(deps, store, row);
      if (reason) {
        report.conflicts.push({ ...summary(row), reason });
        continue;
      }
      if (dryRun) report.rerecorded.push(summary(row));
      else await rerecord(deps, row, report);
    }
    deps.progress?.(`compared ${report.scanned} payments (up to ${after})`);
  }
  if (options.scanReservations ?? true) await findUnrecoverable(deps, store, report);
  return report;
}
