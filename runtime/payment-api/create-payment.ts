/**
 * POST /payments: the write path.
 *
 * Payment identity lives in the payment control table (DynamoDB with multi-Region strong consistency,
 * reservations.ts): a key's payment id is decided there, once, before anything is written to the ledger, and a
 * reservation that was confirmed survives the loss of either region. PostgreSQL stays the source of truth for
 * the payment itself; receipts and records are derived from its committed row.
 *
 * 1. Admission, both reads in parallel: the regional write fence (runtime/shared/fence.ts; a strongly
 *    consistent read of the active-region item, cached at most FENCE_CACHE_MS) must name this region, and the
 *    local database must be writable (`SHOW transaction_read_only`, cached a few seconds). Otherwise 503
 *    REGION_NOT_ACTIVE (also when no quorum can be reached: an isolated region) or REGION_READ_ONLY, with
 *    Retry-After, and nothing has been written anywhere.
 * 2. Hash the validated body (SHA-256 of canonical JSON: key order and spacing do not matter).
 * 3. Reserve the key: a conditional PutItem of `(merchant, key) -> new payment id + hash`, holding a lease.
 *    The reservation store not answering is 503 IDEMPOTENCY_UNAVAILABLE with Retry-After: never a new id.
 * 4. The key was already reserved:
 *    - with another hash: 422 IDEMPOTENCY_KEY_REUSED, nothing written;
 *    - its payment complete in the ledger: the original 201, `Idempotent-Replayed: true`;
 *    - still pending with an unexpired lease (the request that holds it is still working): 409
 *      IDEMPOTENCY_REQUEST_IN_PROGRESS with Retry-After, at once, without waiting on the database;
 *    - otherwise the lease is taken over (conditionally: one duplicate continues, the others get 409) and
 *      the payment is finished under the reserved id below. A reservation that was committed but whose row
 *      this ledger lacks (an unplanned failover lost it) is recorded again under its id, creation time and
 *      region.
 * 5. One transaction: INSERT the payment under the reserved id ... ON CONFLICT (merchant_id, idempotency_key)
 *    DO NOTHING, and when it inserted, the debit and credit ledger entries (deferred triggers verify at COMMIT
 *    that they balance). A read-only database (SQLSTATE 25006) is 503 REGION_READ_ONLY, an unreachable one or a
 *    statement timeout (57014) 503 DATABASE_UNAVAILABLE, all with Retry-After.
 * 6. Side effects (side-effects.ts), each idempotent and derived from the row: the receipt in S3, the
 *    reservation marked committed (an UpdateItem conditional on the same payment id) and the session record.
 *    If any fails: 503 PAYMENT_INCOMPLETE with Retry-After; the retry (or the scheduled reconcile) completes it.
 * 7. Record completion on the row, answer 201. Any failure after step 3 releases the lease first, so the
 *    client's retry continues at once.
 *
 * Never possible: two payment ids for one key (one conditional write decides, in every region), a write in a
 * region the fence does not name, a ledger row without its entries, a record overwriting another payment's.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { sha256Canonical } from '../shared/canonical-json';
import { isConnectionError, READ_ONLY_SQL_TRANSACTION, retryOnConnectionLoss, sqlState } from '../shared/db';
import type { Database } from '../shared/db';
import type { FenceGuard } from '../shared/fence';
import { HttpError, jsonResponse } from '../shared/http';
import { newPaymentId } from '../shared/ids';
import { errorFields, type Logger } from '../shared/logger';
import type { WritabilityProbe } from '../shared/writability';
import {
  databaseUnavailable,
  idempotencyUnavailable,
  keyReused,
  paymentIncomplete,
  regionNotActive,
  regionReadOnly,
  requestInProgress,
} from './errors';
import {
  findPayment,
  insertPaymentOnce,
  markSideEffectsCompleted,
  type PaymentRecord,
} from './payments-repo';
import type { CreatePaymentCommand } from './request';
import { leaseActive, releaseLease, reserve, takeOver } from './reservation-lease';
import {
  commitReservation,
  keyOwner,
  type Reservation,
  type ReservationStore,
  ReservationUnavailableError,
} from './reservations';
import { toPaymentResource } from './resource';
import { completeSideEffects, type SideEffectTargets } from './side-effects';

export interface CreatePaymentDeps {
  db: Database;
  writability: WritabilityProbe;
  fence: FenceGuard;
  targets: SideEffectTargets;
  /** The region serving this request (AWS_REGION). */
  region: string;
  now: () => Date;
}

export interface CreatePaymentOutcome {
  response: APIGatewayProxyResult;
  paymentId: string;
  replayed: boolean;
}

/** SQLSTATE 57014: a statement was cancelled by statement_timeout. */
const isStatementTimeout = (err: unknown): boolean => sqlState(err) === '57014';

/** Database failures the client can retry: 503 with Retry-After (never 500). */
function databaseFailure(deps: CreatePaymentDeps, err: unknown, log: Logger, what: string): unknown {
  if (sqlState(err) === READ_ONLY_SQL_TRANSACTION) {
    deps.writability.invalidate();
    log.warn('write refused by a read-only database', { component: 'database', ...errorFields(err) });
    return regionReadOnly();
  }
  if (isConnectionError(err) || isStatementTimeout(err)) {
    log.error(`database unavailable while ${what}`, { component: 'database', ...errorFields(err) });
    return databaseUnavailable();
  }
  return err;
}

/** Step 1: the fence and the database must both allow writing here; both are reads, made in parallel. */
async function admit(deps: CreatePaymentDeps, log: Logger): Promise<void> {
  const writable = retryOnConnectionLoss(() => deps.writability.isWritable()).then(
    (ok) => ({ ok }),
    (error: unknown) => ({ error }),
  );
  const fence = await deps.fence.check();
  const db = await writable;
  if (fence.verdict !== 'active') {
    const active = fence.state ? ` (active: ${fence.state.activeRegion}, epoch ${fence.state.epoch})` : '';
    log.warn('write refused by the regional fence', {
      component: 'fence',
      reason: `${fence.verdict}${active}`,
      ...(fence.error !== undefined ? errorFields(fence.error) : {}),
    });
    throw regionNotActive();
  }
  if ('error' in db) {
    log.error('database writability check failed', { component: 'database', ...errorFields(db.error) });
    throw databaseUnavailable();
  }
  if (!db.ok) throw regionReadOnly();
}

function unavailable(err: unknown, log: Logger): unknown {
  if (!(err instanceof ReservationUnavailableError)) return err;
  log.error('reservation store unavailable', {
    component: 'reservation',
    reason: err.operation,
    ...errorFields(err.cause),
  });
  return idempotencyUnavailable();
}

interface Context {
  deps: CreatePaymentDeps;
  command: CreatePaymentCommand;
  requestHash: string;
  key: { merchantId: string; idempotencyKey: string };
  store: ReservationStore;
  log: Logger;
}

/** Step 5: the ledger transaction, under the reserved id. */
async function recordPayment(
  c: Context,
  r: Reservation,
): Promise<{ record: PaymentRecord; created: boolean }> {
  const { payment } = c.command;
  // Answered before (committed) but missing from the ledger: recorded again as it was answered.
  const asAnswered = r.state === 'committed' && r.createdAt && r.region;
  try {
    return await retryOnConnectionLoss(() =>
      insertPaymentOnce(c.deps.db, {
        id: r.paymentId,
        ...(asAnswered ? { createdAt: r.createdAt } : {}),
        idempotencyKey: c.command.idempotencyKey,
        requestHash: c.requestHash,
        amount: payment.amount,
        currency: payment.currency,
        merchantId: c.key.merchantId,
        reference: payment.reference,
        description: payment.description,
        paymentMethodToken: payment.paymentMethod.token,
        region: asAnswered ? (r.region as string) : c.deps.region,
      }),
    );
  } catch (err) {
    throw databaseFailure(c.deps, err, c.log, 'recording a payment');
  }
}

function answer(record: PaymentRecord, replayed: boolean): CreatePaymentOutcome {
  const headers: Record<string, string> = { Location: `/payments/${record.id}` };
  if (replayed) headers['Idempotent-Replayed'] = 'true';
  return {
    response: jsonResponse(201, toPaymentResource(record), headers),
    paymentId: record.id,
    replayed,
  };
}

/** Marks the reservation committed for a payment the ledger already held under another id. */
async function adoptLedgerPayment(c: Context, record: PaymentRecord, lease: Reservation): Promise<void> {
  await commitReservation(c.store, record, { now: c.deps.now(), replacing: lease.paymentId }).catch((err) =>
    c.log.warn('could not move the reservation to the ledger payment', {
      paymentId: record.id,
      component: 'reservation',
      ...errorFields(err),
    }),
  );
}

/** Steps 5-7 while holding the key's lease; any failure gives the lease up before it is answered. */
async function finish(
  c: Context,
  lease: Reservation,
  existing: PaymentRecord | undefined,
): Promise<CreatePaymentOutcome> {
  try {
    let record = existing;
    // A payment whose key was committed before was answered before: to the client this is a replay.
    let replayed = lease.state === 'committed';
    let replacing: string | undefined;
    if (!record) {
      const recorded = await recordPayment(c, lease);
      record = recorded.record;
      if (recorded.created && lease.state === 'committed') {
        c.log.warn('payment re-recorded under its reserved id (lost by a database failover)', {
          paymentId: record.id,
          reason: `first recorded in ${lease.region ?? 'unknown'}`,
        });
      }
      if (record.id !== lease.paymentId) {
        // The ledger held a payment for this key under another id (recorded before reservations existed):
        // the ledger decides, and the reservation moves to that payment.
        if (record.requestHash !== c.requestHash) {
          await adoptLedgerPayment(c, record, lease);
          throw keyReused();
        }
        replacing = lease.paymentId;
        replayed = true;
      }
    }
    if (record.sideEffectsCompletedAt === null || replacing !== undefined) {
      const failures = await completeSideEffects(c.deps.targets, record, {
        ...(c.command.sessionId ? { sessionId: c.command.sessionId } : {}),
        servingRegion: c.deps.region,
        now: c.deps.now(),
        ...(replacing !== undefined ? { replacing } : {}),
      });
      if (failures.length > 0) {
        for (const f of failures)
          c.log.error('payment side effect failed', {
            paymentId: record.id,
            component: f.component,
            ...errorFields(f.error),
          });
        throw paymentIncomplete();
      }
      try {
        await markSideEffectsCompleted(c.deps.db, record.id);
      } catch (err) {
        c.log.warn('could not record side-effect completion', { paymentId: record.id, ...errorFields(err) });
      }
    }
    return answer(record, replayed);
  } catch (err) {
    await releaseLease(c.store, c.key, lease);
    throw err;
  }
}

/** Step 4: the key was reserved by another request with the same body. */
async function continueReserved(c: Context, held: Reservation): Promise<CreatePaymentOutcome> {
  let existing: PaymentRecord | undefined;
  try {
    existing = await retryOnConnectionLoss(() => findPayment(c.deps.db, held.paymentId));
  } catch (err) {
    throw databaseFailure(c.deps, err, c.log, 'reading a reserved payment');
  }
  if (existing?.sideEffectsCompletedAt) return answer(existing, true);
  // Pending with a live lease: its request is still working. A committed reservation's ledger write is done
  // (in this ledger or, after a failover, in the old one), so the payment is finished here without waiting.
  if (held.state === 'pending' && leaseActive(held, c.deps.now())) throw requestInProgress();
  const lease = await takeOver(c.store, c.key, held, c.deps.region, c.deps.now());
  if (!lease) throw requestInProgress();
  return finish(c, lease, existing);
}

export async function createPayment(
  deps: CreatePaymentDeps,
  command: CreatePaymentCommand,
  log: Logger,
): Promise<CreatePaymentOutcome> {
  await admit(deps, log);
  const c: Context = {
    deps,
    command,
    requestHash: sha256Canonical(command.payment),
    key: { merchantId: keyOwner(command), idempotencyKey: command.idempotencyKey },
    store: { ddb: deps.targets.ddb, table: deps.targets.controlTable },
    log,
  };
  try {
    const { won, reservation } = await reserve(c.store, {
      ...c.key,
      paymentId: newPaymentId(deps.now().getTime()),
      requestHash: c.requestHash,
      region: deps.region,
      now: deps.now(),
    });
    if (reservation.requestHash !== c.requestHash) throw keyReused();
    return won ? await finish(c, reservation, undefined) : await continueReserved(c, reservation);
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw unavailable(err, log);
  }
}
