import { HttpError } from '../shared/http';

/**
 * The error answers of the payment routes that are not about the request's shape (request.ts has those).
 * Every 503 carries Retry-After: the client retries the same request with the same Idempotency-Key and body,
 * which never creates a second payment. The statuses of the idempotency answers follow the IETF HTTPAPI
 * draft "The Idempotency-Key HTTP Header Field" (draft-ietf-httpapi-idempotency-key-header, "Error
 * Scenarios"): a request retried "while the original request is still being processed" gets 409, and an
 * "attempt to reuse an idempotency key with a different request payload" gets 422.
 */
export const READ_ONLY_RETRY_AFTER_SECONDS = 10;
export const NOT_ACTIVE_RETRY_AFTER_SECONDS = 10;
export const INCOMPLETE_RETRY_AFTER_SECONDS = 1;
export const DATABASE_RETRY_AFTER_SECONDS = 2;
export const IDEMPOTENCY_RETRY_AFTER_SECONDS = 2;
export const IN_PROGRESS_RETRY_AFTER_SECONDS = 1;

const retryAfter = (seconds: number) => ({ 'Retry-After': String(seconds) });

/** The local database is a read-only Aurora secondary. */
export function regionReadOnly(): HttpError {
  return new HttpError(
    503,
    'REGION_READ_ONLY',
    'this region is not accepting payments at the moment; retry later',
    undefined,
    retryAfter(READ_ONLY_RETRY_AFTER_SECONDS),
  );
}

/** The write fence names another region, or this region cannot reach a quorum to read it. */
export function regionNotActive(): HttpError {
  return new HttpError(
    503,
    'REGION_NOT_ACTIVE',
    'this region is not the active payment region; retry later through the public name',
    undefined,
    retryAfter(NOT_ACTIVE_RETRY_AFTER_SECONDS),
  );
}

/** The ledger is unreachable, or a statement ran into its timeout (SQLSTATE 57014). */
export function databaseUnavailable(): HttpError {
  return new HttpError(
    503,
    'DATABASE_UNAVAILABLE',
    'the payment store is unavailable; retry later',
    undefined,
    retryAfter(DATABASE_RETRY_AFTER_SECONDS),
  );
}

/** The key cannot be reserved or looked up now: never answered with a new payment id instead. */
export function idempotencyUnavailable(): HttpError {
  return new HttpError(
    503,
    'IDEMPOTENCY_UNAVAILABLE',
    'the Idempotency-Key cannot be checked right now; retry the same request later',
    undefined,
    retryAfter(IDEMPOTENCY_RETRY_AFTER_SECONDS),
  );
}

/** Recorded, but a receipt or record after the commit failed; the retry completes it. */
export function paymentIncomplete(): HttpError {
  return new HttpError(
    503,
    'PAYMENT_INCOMPLETE',
    'the payment was recorded but could not be completed; retry the same request with the same Idempotency-Key',
    undefined,
    retryAfter(INCOMPLETE_RETRY_AFTER_SECONDS),
  );
}

/** Another request with this key and body is being processed right now. */
export function requestInProgress(): HttpError {
  return new HttpError(
    409,
    'IDEMPOTENCY_REQUEST_IN_PROGRESS',
    'a request with this Idempotency-Key is still being processed; retry after Retry-After',
    undefined,
    retryAfter(IN_PROGRESS_RETRY_AFTER_SECONDS),
  );
}

/** The key was first used with another body; nothing was written. */
export function keyReused(): HttpError {
  return new HttpError(
    422,
    'IDEMPOTENCY_KEY_REUSED',
    'this Idempotency-Key was already used with a different request body',
  );
}

/**
 * The caller's IAM principal is bound to no merchant (merchants.ts): nothing was read or written. API Gateway's
 * resource policy refuses such callers first; this is the function's own check behind it.
 */
export function callerNotBound(): HttpError {
  return new HttpError(403, 'MERCHANT_NOT_BOUND', 'the calling principal is not bound to a merchant');
}

/** The body names another merchant than the one the caller is bound to: nothing was written. */
export function merchantForbidden(): HttpError {
  return new HttpError(
    403,
    'MERCHANT_FORBIDDEN',
    'the calling principal may not act for this merchant',
    'merchantId',
  );
}
