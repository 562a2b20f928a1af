import { AbortError, type Clock } from './clock';
import { awsHttpStatus } from '../shared/aws-clients';

/**
 * Error classification and bounded retries for control-plane calls.
 *
 * - `throttling`: the service asked us to slow down (429, Throttling*, RequestLimitExceeded, ...): retry.
 * - `transient`: a 5xx, a timeout or a broken connection: the call may succeed if repeated: retry.
 * - `fatal`: anything else (validation, permissions, a resource in the wrong state, not found): repeating the
 *   same call cannot help, so it fails at once instead of burning the recovery time objective on retries.
 */
export type ErrorClass = 'throttling' | 'transient' | 'fatal';

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
  'SlowDown',
  'PriorRequestNotComplete',
  'BandwidthLimitExceeded',
]);

const TRANSIENT_NAMES = new Set([
  'RequestTimeout',
  'RequestTimeoutException',
  'InternalFailure',
  'InternalError',
  'InternalServerError',
  'InternalServerErrorException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TimeoutError',
  'NetworkingError',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

interface SdkLikeError {
  name?: unknown;
  code?: unknown;
  $retryable?: { throttling?: unknown };
}

export function classifyError(err: unknown): ErrorClass {
  if (err instanceof AbortError) return 'fatal';
  if (typeof err !== 'object' || err === null) return 'fatal';
  const e = err as SdkLikeError;
  const name = typeof e.name === 'string' ? e.name : '';
  const code = typeof e.code === 'string' ? e.code : '';
  const status = awsHttpStatus(err);
  if (THROTTLING_NAMES.has(name) || THROTTLING_NAMES.has(code) || status === 429) return 'throttling';
  if (e.$retryable?.throttling === true) return 'throttling';
  if (TRANSIENT_NAMES.has(name) || TRANSIENT_NAMES.has(code)) return 'transient';
  if (status !== undefined && status >= 500) return 'transient';
  if (e.$retryable !== undefined) return 'transient';
  return 'fatal';
}

export interface RetryPolicy {
  /** Total attempts, the first included. */
  maxAttempts: number;
  /** Delay scale of the first retry. */
  baseDelayMs: number;
  /** Upper bound of any single delay. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { maxAttempts: 6, baseDelayMs: 500, maxDelayMs: 20_000 };

/**
 * Delay before retry number `retry` (1-based): exponential growth capped at `maxDelayMs`, with "equal
 * jitter" (half fixed, half random) so that concurrent callers spread out but every caller still backs off.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class RetriesExhaustedError extends Error {
  constructor(
    readonly attempts: number,
    readonly lastError: unknown,
  ) {
    const last = lastError instanceof Error ? `${lastError.name}: ${lastError.message}` : String(lastError);
    super(`gave up after ${attempts} attempts (last error ${last})`);
    this.name = 'RetriesExhaustedError';
  }
}

export interface RetryEvent {
  attempt: number;
  delayMs: number;
  errorClass: ErrorClass;
  error: unknown;
}

export interface RetryOptions {
  policy: RetryPolicy;
  clock: Clock;
  random?: () => number;
  signal?: AbortSignal;
  onRetry?: (event: RetryEvent) => void;
  classify?: (err: unknown) => ErrorClass;
}

/**
 * Runs `op` until it succeeds, a fatal error occurs (rethrown as is) or the attempts are used up
 * (`RetriesExhaustedError`, carrying the last error).
 */
export async function withRetry<T>(op: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const random = options.random ?? Math.random;
  const classify = options.classify ?? classifyError;
  for (let attempt = 1; ; attempt++) {
    if (options.signal?.aborted) throw new AbortError();
    try {
      return await op(attempt);
    } catch (err) {
      const errorClass = classify(err);
      if (errorClass === 'fatal') throw err;
      if (attempt >= options.policy.maxAttempts) throw new RetriesExhaustedError(attempt, err);
      const delayMs = backoffDelay(options.policy, attempt, random);
      options.onRetry?.({ attempt, delayMs, errorClass, error: err });
      await options.clock.sleep(delayMs, options.signal);
    }
  }
}
