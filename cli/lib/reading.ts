import { errorFields } from '../../runtime/shared/logger';
import { awsHttpStatus, CallDeadlineError } from '../../runtime/shared/aws-clients';
import { GlobalClusterNotFoundError } from './topology';

/**
 * One field of an operator report, as it was observed: never a default presented as a fact.
 *
 * - `known`: read now; `value` is the fact (it may itself say "none", e.g. a free lock is `value: null`).
 * - `unknown`: nothing answered (no connection, a timeout, a 5xx, the command's budget spent), with `reason`.
 * - `error`: the service answered, with an error (access denied, not found, validation): `error` says which.
 *
 * `drctl status` builds every field with `readField` (or `unknownField` when a read was not possible); new
 * fields (e.g. the Region switch plan's execution status) reuse it, and `renderReading` prints them the same way.
 */
export type Reading<T> =
  { state: 'known'; value: T } | { state: 'unknown'; reason: string } | { state: 'error'; error: string };

export const knownField = <T>(value: T): Reading<T> => ({ state: 'known', value });
export const unknownField = <T>(reason: string): Reading<T> => ({ state: 'unknown', reason });

/** One line for an error: `Name: message`, whitespace collapsed, at most 300 characters. */
export const errorText = (err: unknown): string => {
  const e = errorFields(err);
  return `${e.errorName}: ${e.errorMessage}`.replace(/\s+/g, ' ').slice(0, 300);
};

/**
 * Whether an error still proves that the service answered: an AWS error response below 500 (not found, access
 * denied, validation) does; a network error, a timeout, an abort or a 5xx does not.
 */
export function serviceAnswered(err: unknown): boolean {
  if (err instanceof GlobalClusterNotFoundError) return true;
  const status = awsHttpStatus(err);
  return status !== undefined && status < 500;
}

/** Why nothing answered, in words (the command budget, a call deadline, the network). */
function unknownReason(err: unknown, budget?: { signal: AbortSignal; ms: number }): string {
  if (budget?.signal.aborted) return `not read within the command's ${budget.ms / 1000} s budget`;
  if (err instanceof CallDeadlineError)
    return `no answer within ${err.deadlineMs / 1000} s (${err.operation})`;
  if (err instanceof Error && err.name === 'TimeoutError') {
    // @smithy/node-http-handler: "... a request has exceeded the configured 4000 ms requestTimeout."
    const perAttempt = /configured (\d+) ms requestTimeout/.exec(err.message);
    return perAttempt
      ? `no answer within ${Number(perAttempt[1]) / 1000} s per attempt`
      : `no answer: ${errorText(err)}`;
  }
  return errorText(err);
}

/** The outcome of a read (its value, or what it threw) as a Reading. */
export function toReading<T>(
  outcome: { value: T } | { error: unknown },
  budget?: { signal: AbortSignal; ms: number },
): Reading<T> {
  if ('value' in outcome) return knownField(outcome.value);
  return serviceAnswered(outcome.error)
    ? { state: 'error', error: errorText(outcome.error) }
    : unknownField(unknownReason(outcome.error, budget));
}

export async function readField<T>(
  fn: () => Promise<T>,
  budget?: { signal: AbortSignal; ms: number },
): Promise<Reading<T>> {
  try {
    return knownField(await fn());
  } catch (error) {
    return toReading<T>({ error }, budget);
  }
}

/** Whether the service answered the read (a fact or an error answer). */
export const answered = (r: Reading<unknown>): boolean => r.state !== 'unknown';

/** The value of a known reading, else undefined. */
export const valueOf = <T>(r: Reading<T>): T | undefined => (r.state === 'known' ? r.value : undefined);

/** `render(value)` for a fact, `unknown (why)` or `error (what)` otherwise. */
export function renderReading<T>(r: Reading<T>, render: (value: T) => string): string {
  if (r.state === 'known') return render(r.value);
  return r.state === 'unknown' ? `unknown (${r.reason})` : `error (${r.error})`;
}
