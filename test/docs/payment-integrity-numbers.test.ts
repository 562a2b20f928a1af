import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  IDEMPOTENCY_RETRY_AFTER_SECONDS,
  IN_PROGRESS_RETRY_AFTER_SECONDS,
  NOT_ACTIVE_RETRY_AFTER_SECONDS,
} from '../../runtime/payment-api/errors';
import { paymentApiEnv } from '../../runtime/payment-api/env';
import { LEASE_MS } from '../../runtime/payment-api/reservation-lease';
import { FENCE_CACHE_MAX_MS } from '../../runtime/shared/fence';
import { RESERVATION_ITEM_BYTES } from '../../src/docs/cost';

/**
 * The numbers the docs quote about reservations and the write fence, checked against the code that has them
 * (the pattern of test/docs/numbers.test.ts).
 */
const ROOT = join(__dirname, '..', '..');
const doc = (path: string): string => readFileSync(join(ROOT, path), 'utf8').replace(/\s+/g, ' ');

describe('payment integrity numbers in the docs', () => {
  it('runtime README: fence cache, lease, Retry-After values and item size are the code', () => {
    const text = doc('runtime/README.md');
    const cache = paymentApiEnv.vars.fenceCacheMs.defaultValue;
    expect(text).toContain(`\`FENCE_CACHE_MS\` (${cache}, at most ${FENCE_CACHE_MAX_MS}:`);
    expect(text).toContain(`${LEASE_MS / 1000} s after reserving`);
    expect(text).toContain(
      `409 IDEMPOTENCY_REQUEST_IN_PROGRESS\` (\`Retry-After: ${IN_PROGRESS_RETRY_AFTER_SECONDS}\``,
    );
    expect(text).toContain(`503 REGION_NOT_ACTIVE\` (\`Retry-After: ${NOT_ACTIVE_RETRY_AFTER_SECONDS}\`)`);
    expect(text).toContain(`IDEMPOTENCY_UNAVAILABLE\` (\`Retry-After: ${IDEMPOTENCY_RETRY_AFTER_SECONDS}\``);
    expect(text).toContain(`DATABASE_UNAVAILABLE\` (\`Retry-After: ${DATABASE_RETRY_AFTER_SECONDS}\`)`);
    expect(text).toContain(`about ${RESERVATION_ITEM_BYTES} bytes per payment`);
  });

  it('architecture: fence cache, lease and Retry-After of an in-flight duplicate', () => {
    const text = doc('docs/architecture.md');
    expect(text).toContain(
      `cached at most \`FENCE_CACHE_MS\` = ${(paymentApiEnv.vars.fenceCacheMs.defaultValue as number) / 1000} s`,
    );
    expect(text).toContain(`with a ${LEASE_MS / 1000} s lease`);
    expect(text).toContain(
      `IDEMPOTENCY_REQUEST_IN_PROGRESS\` with \`Retry-After: ${IN_PROGRESS_RETRY_AFTER_SECONDS}\``,
    );
    expect(text).toContain(`about ${RESERVATION_ITEM_BYTES} bytes per payment`);
  });
});
