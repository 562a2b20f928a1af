/**
 * POST /payments: the write path.
 *
 * Design: PostgreSQL is the source of truth and the only arbiter; everything else is derived from the
 * committed payment row and written idempotently afterwards, so a request can fail at any point and a retry
 * with the same Idempotency-Key and body finishes the job and returns the original response.
 *
 * 1. Refuse early in a read-only region. `SHOW transaction_read_only` (cached a few seconds) tells an Aurora
 *    secondary; it answers 503 REGION_READ_ONLY with Retry-After before anything is written anywhere. A write
 *    that still meets a read-only database (the cache was stale) fails with SQLSTATE 25006 and gets the same
 *    answer, having written nothing: the ledger transaction comes first and nothing follows a failed one.
 * 2. Hash the validated body (SHA-256 of canonical JSON: key order and spacing do not matter).
 * 2b. Read the key's idempotency record in DynamoDB. It is written after every ledger commit and replicated to
 *    the other region within about a second, so after an unplanned failover it can know a payment that the
 *    promoted database lost (written in the old primary in its last seconds). Same hash: the payment is
 *    recorded again under its original id and time, so the client's retry gets the answer it was given before
 *    instead of a second payment. Different hash: 409, as below. Unreadable: logged and the ledger decides
 *    alone (the ordinary path; the record only adds protection across a failover).
 * 3. One transaction: INSERT the payment ... ON CONFLICT (merchant_id, idempotency_key) DO NOTHING (keys are
 *    scoped to the merchant), and when it inserted,
 *    the debit and credit ledger entries (deferred triggers verify at COMMIT that they balance). When the key
 *    exists, read that payment instead. Concurrent duplicates queue on the unique index: exactly one inserts,
 *    the others see its committed row.
 * 4. Same key, different hash: 409 IDEMPOTENCY_KEY_REUSED, nothing written.
 * 5. Unless the row says its side effects are complete, write them (see side-effects.ts): the receipt in S3
 *    (SSE-KMS, If-None-Match), the idempotency record and the session record in DynamoDB. Each is idempotent
 *    and derived from the row, so repeating them is harmless. If any fails the client gets 503
 *    PAYMENT_INCOMPLETE with Retry-After: the payment is durably recorded, and retrying the same request
 *    resumes here (step 3 finds the row) and completes what is missing.
 *    A duplicate that arrives while the payment is only a few seconds old first waits (polling the row, at most
 *    IN_FLIGHT_WINDOW_MS after creation) for the request that created it to finish, so a burst of duplicates
 *    does not repeat every write; if the creator has not finished by then, the duplicate writes them itself.
 * 6. Record completion on the row (`side_effects_completed_at`). Later replays skip step 5 and write nothing.
 *    If this bookkeeping write fails, the response is still the payment: its side effects do exist, and a
 *    later replay simply repeats the idempotent writes and sets the column.
 * 7. Answer 201 with the payment; replays carry `Idempotent-Replayed: true`. The body is a pure function of
 *    the row, so every replay is byte-identical to the original response.
 *
 * What is never possible: a ledger row without its entries (one transaction), entries that do not balance
 * (triggers), two payments for one key (unique constraint), a receipt or DynamoDB record for a payment that
 * was not committed (they are written only after COMMIT), a write in a read-only region.
 */
import type { APIGatewayProxyResult } from 'aws-lambda';
import { sha256Canonical } from '../shared/canonical-json';
import {
  type Database,
  isConnectionError,
  READ_ONLY_SQL_TRANSACTION,
  retryOnConnectionLoss,
  sqlState,
} from '../shared/db';
import { HttpError, jsonResponse } from '../shared/http';
import { newPaymentId } from '../shared/ids';
import { errorFields, type Logger } from '../shared/logger';
import type { WritabilityProbe } from '../shared/writability';
import {
  insertPaymentOnce,
  markSideEffectsCompleted,
  type PaymentRecord,
  sideEffectsState,
} from './payments-repo';
import type { CreatePaymentCommand } from './request';
import { toPaymentResource } from './resource';
import {
  completeSideEffects,
  readIdempotencyRecord,
  type RecordedPayment,
  type SideEffectTargets,
} from './side-effects';

export interface CreatePaymentDeps {
  db: Database;
  writability: WritabilityProbe;
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

export const READ_ONLY_RETRY_AFTER_SECONDS = 10;
export const INCOMPLETE_RETRY_AFTER_SECONDS = 1;
export const DATABASE_RETRY_AFTER_SECONDS = 2;
/** How long after a payment's creation a duplicate waits for the creating request to finish its side effects. */
export const IN_FLIGHT_WINDOW_MS = 3000;
const IN_FLIGHT_POLL_MS = 50;

export function regionReadOnly(): HttpError {
  return new HttpError(
    503,
    'REGION_READ_ONLY',
    'this region is not accepting payments at the moment; retry later',
    undefined,
    { 'Retry-After': String(READ_ONLY_RETRY_AFTER_SECONDS) },
  );
}

export function databaseUnavailable(): HttpError {
  return new HttpError(
    503,
    'DATABASE_UNAVAILABLE',
    'the payment store is unavailable; retry later',
    undefined,
    {
      'Retry-After': String(DATABASE_RETRY_AFTER_SECONDS),
    },
  );
}

async function ensureWritable(deps: CreatePaymentDeps, log: Logger): Promise<void> {
  let writable: boolean;
  try {
    writable = await retryOnConnectionLoss(() => deps.writability.isWritable());
  } catch (err) {
    log.error('database writability check failed', { component: 'database', ...errorFields(err) });
    throw databaseUnavailable();
  }
  if (!writable) throw regionReadOnly();
}

function keyReused(): HttpError {
  return new HttpError(
    409,
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was already used with a different request body',
  );
}

/** The idempotency record of the key, or undefined (also when DynamoDB cannot be read: logged). */
async function priorRecord(
  deps: CreatePaymentDeps,
  command: CreatePaymentCommand,
  log: Logger,
): Promise<RecordedPayment | undefined> {
  try {
    return await readIdempotencyRecord(deps.targets, command.payment.merchantId, command.idempotencyKey);
  } catch (err) {
    log.warn('idempotency record unreadable; the ledger decides alone', {
      component: 'idempotency_record',
      ...errorFields(err),
    });
    return undefined;
  }
}

async function recordPayment(
  deps: CreatePaymentDeps,
  command: CreatePaymentCommand,
  requestHash: string,
  prior: RecordedPayment | undefined,
  log: Logger,
): Promise<{ record: PaymentRecord; created: boolean }> {
  const { payment } = command;
  try {
    // Safe to repeat: a second attempt after an ambiguous failure finds the first one's row by its key.
    return await retryOnConnectionLoss(() =>
      insertPaymentOnce(deps.db, {
        id: prior?.paymentId ?? newPaymentId(deps.now().getTime()),
        ...(prior ? { createdAt: prior.createdAt } : {}),
        idempotencyKey: command.idempotencyKey,
        requestHash,
        amount: payment.amount,
        currency: payment.currency,
        merchantId: payment.merchantId,
        reference: payment.reference,
        description: payment.description,
        paymentMethodToken: payment.paymentMethod.token,
        region: prior?.region ?? deps.region,
      }),
    );
  } catch (err) {
    if (sqlState(err) === READ_ONLY_SQL_TRANSACTION) {
      deps.writability.invalidate();
      log.warn('write refused by a read-only database', { component: 'database', ...errorFields(err) });
      throw regionReadOnly();
    }
    if (isConnectionError(err)) {
      log.error('database unavailable while recording a payment', {
        component: 'database',
        ...errorFields(err),
      });
      throw databaseUnavailable();
    }
    throw err;
  }
}

/** Waits while the creating request may still be completing the side effects; returns the latest state. */
async function awaitCreator(deps: CreatePaymentDeps, record: PaymentRecord): Promise<PaymentRecord> {
  const maxPolls = Math.ceil(IN_FLIGHT_WINDOW_MS / IN_FLIGHT_POLL_MS) + 1;
  for (let poll = 0; poll < maxPolls; poll++) {
    const state = await sideEffectsState(deps.db, record.id, IN_FLIGHT_WINDOW_MS);
    if (state.completedAt) return { ...record, sideEffectsCompletedAt: state.completedAt };
    if (!state.young) break;
    await new Promise((resolve) => setTimeout(resolve, IN_FLIGHT_POLL_MS));
  }
  return record;
}

export async function createPayment(
  deps: CreatePaymentDeps,
  command: CreatePaymentCommand,
  log: Logger,
): Promise<CreatePaymentOutcome> {
  await ensureWritable(deps, log);
  const requestHash = sha256Canonical(command.payment);
  const prior = await priorRecord(deps, command, log);
  if (prior && prior.requestHash !== requestHash) throw keyReused();
  const recorded = await recordPayment(deps, command, requestHash, prior, log);
  let record = recorded.record;
  if (record.requestHash !== requestHash) throw keyReused();
  // A payment re-recorded from its idempotency record was answered before: to the client this is a replay.
  const created = recorded.created && prior === undefined;
  if (recorded.created && prior) {
    log.warn('payment re-recorded from its replicated idempotency record (lost by a database failover)', {
      paymentId: record.id,
      reason: `first recorded in ${prior.region}`,
    });
  }

  const body = toPaymentResource(record);
  if (!recorded.created && record.sideEffectsCompletedAt === null) {
    try {
      record = await awaitCreator(deps, record);
    } catch (err) {
      // Waiting is an optimisation: on any error, complete the side effects here.
      log.warn('could not wait for the creating request', { paymentId: record.id, ...errorFields(err) });
    }
  }
  if (record.sideEffectsCompletedAt === null) {
    const failures = await completeSideEffects(
      deps.targets,
      record,
      { status: 201, body },
      { sessionId: command.sessionId, servingRegion: deps.region, now: deps.now() },
    );
    if (failures.length > 0) {
      for (const failure of failures) {
        log.error('payment side effect failed', {
          paymentId: record.id,
          component: failure.component,
          ...errorFields(failure.error),
        });
      }
      throw new HttpError(
        503,
        'PAYMENT_INCOMPLETE',
        'the payment was recorded but could not be completed; retry the same request with the same Idempotency-Key',
        undefined,
        { 'Retry-After': String(INCOMPLETE_RETRY_AFTER_SECONDS) },
      );
    }
    try {
      await markSideEffectsCompleted(deps.db, record.id);
    } catch (err) {
      log.warn('could not record side-effect completion', { paymentId: record.id, ...errorFields(err) });
    }
  }

  const headers: Record<string, string> = { Location: `/payments/${record.id}` };
  if (!created) headers['Idempotent-Replayed'] = 'true';
  return { response: jsonResponse(201, body, headers), paymentId: record.id, replayed: !created };
}
