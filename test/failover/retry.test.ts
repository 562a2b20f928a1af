import { describe, expect, it } from 'vitest';
import { AbortError } from '../../runtime/failover/clock';
import { backoffDelay, classifyError, RetriesExhaustedError, withRetry } from '../../runtime/failover/retry';
import { VirtualClock } from './support/virtual-clock';

const err = (name: string, status?: number, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(name), {
    name,
    ...(status ? { $metadata: { httpStatusCode: status } } : {}),
    ...extra,
  });

describe('error classification', () => {
  it.each([
    [err('Throttling', 400), 'throttling'],
    [err('ThrottlingException', 400), 'throttling'],
    [err('RequestLimitExceeded', 400), 'throttling'],
    [err('Whatever', 429), 'throttling'],
    [err('Whatever', 400, { $retryable: { throttling: true } }), 'throttling'],
    [err('InternalFailure', 500), 'transient'],
    [err('ServiceUnavailable', 503), 'transient'],
    [err('Unknown', 502), 'transient'],
    [err('TimeoutError'), 'transient'],
    [Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'transient'],
    [err('AccessDenied', 403), 'fatal'],
    [err('InvalidParameterValue', 400), 'fatal'],
    [err('InvalidGlobalClusterStateFault', 400), 'fatal'],
    [err('GlobalClusterNotFoundFault', 404), 'fatal'],
    [new AbortError(), 'fatal'],
    ['a string', 'fatal'],
  ])('%o is %s', (e, expected) => {
    expect(classifyError(e)).toBe(expected);
  });
});

describe('backoff', () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1000 };

  it('grows exponentially, is capped, and keeps half of it fixed', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(policy, n, () => 1))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('retries retryable errors only, a bounded number of times', async () => {
    const clock = new VirtualClock();
    let calls = 0;
    const ok = await withRetry(
      async () => {
        calls++;
        if (calls < 3) throw err('Throttling', 400);
        return 'done';
      },
      { policy, clock, random: () => 0 },
    );
    expect(ok).toBe('done');
    expect(clock.sleeps).toEqual([50, 100]);

    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw err('AccessDenied', 403);
        },
        { policy, clock },
      ),
    ).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(calls).toBe(1);

    calls = 0;
    const exhausted = withRetry(
      async () => {
        calls++;
        throw err('ServiceUnavailable', 503);
      },
      { policy: { ...policy, maxAttempts: 4 }, clock, random: () => 0 },
    );
    await expect(exhausted).rejects.toBeInstanceOf(RetriesExhaustedError);
    await expect(exhausted).rejects.toMatchObject({ attempts: 4, message: /gave up after 4 attempts/ });
    expect(calls).toBe(4);
  });

  it('stops waiting when aborted', async () => {
    const clock = new VirtualClock();
    const controller = new AbortController();
    const run = withRetry(
      async () => {
        controller.abort();
        throw err('Throttling', 400);
      },
      { policy, clock, signal: controller.signal },
    );
    await expect(run).rejects.toBeInstanceOf(AbortError);
  });
});
