import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARC_BUDGET } from '../../cli/lib/arc-client';
import { DEFAULT_POLL_MS, FOLLOW_DEFAULT_TIMEOUT_S } from '../../cli/lib/follow';
import { STATUS_BUDGET_MS } from '../../cli/lib/status';
import { detectorEnv, runTiming } from '../../runtime/detection/env';
import { probeSpacingMs, runTimeoutSeconds, verdictLatestMs } from '../../runtime/detection/schedule';
import { FENCE_ACTION_DEADLINE_MS, FENCE_ACTION_TIMEOUT_SECONDS } from '../../runtime/fence-action/env';
import { DEADLINE_RETRY_AFTER_SECONDS, PAYMENT_REQUEST_BUDGET_MS } from '../../runtime/payment-api/app';
import {
  DATABASE_RETRY_AFTER_SECONDS,
  READ_ONLY_RETRY_AFTER_SECONDS,
} from '../../runtime/payment-api/errors';
import { DEFAULT_HEALTH_TIMEOUT_MS } from '../../runtime/health/env';
import { RESERVATION_TIMEOUT_MS } from '../../runtime/payment-api/reservations';
import { DEFAULT_FENCE_CACHE_MS, DEFAULT_FENCE_READ_TIMEOUT_MS } from '../../runtime/shared/fence';
import { type AwsService, budgetFor, BUDGETS } from '../../runtime/shared/aws-clients';
import { poolConfig, poolVars } from '../../runtime/shared/db-config';
import { defineEnv } from '../../runtime/shared/env';
import { synthAll, testConfig } from '../support/synth';

/**
 * docs/budgets.md quotes the time budgets of every caller; each number is held here to the code (the
 * profiles, the database pool, the request, status and watchdog budgets) or to the synthesized plan (the
 * payment function's Lambda timeout). Measured times in that page are not checked: they are measurements.
 */
const ROOT = join(__dirname, '..', '..');
const page = readFileSync(join(ROOT, 'docs/budgets.md'), 'utf8');
const flat = page.replace(/\s+/g, ' ');
const s = (ms: number): string => `${ms / 1000} s`;

function row(profile: string): string[] {
  const line = page.split('\n').find((l) => l.includes(`(\`${profile}\`)`));
  expect(line, profile).toBeDefined();
  return (line as string)
    .split('|')
    .slice(2, -1)
    .map((c) => c.trim());
}

describe('docs/budgets.md', () => {
  it('quotes each AWS call profile as aws-clients.ts defines it', () => {
    for (const profile of Object.keys(BUDGETS) as Array<keyof typeof BUDGETS>) {
      const b = budgetFor(BUDGETS[profile], 'dynamodb');
      const [connect, attempt, attempts, call, exception] = row(profile);
      expect([connect, attempt, attempts, call], profile).toEqual([
        s(b.connectTimeoutMs),
        s(b.attemptTimeoutMs),
        String(b.maxAttempts),
        s(b.callDeadlineMs),
      ]);
      const services =
        (BUDGETS[profile] as { services?: Partial<Record<AwsService, unknown>> }).services ?? {};
      if ('rds' in services) {
        const rds = budgetFor(BUDGETS[profile], 'rds');
        expect(exception).toBe(`RDS: ${rds.maxAttempts} attempt of ${s(rds.attemptTimeoutMs)}`);
      } else {
        expect(exception).toBe('');
      }
    }
  });

  it('quotes the payment function pool, the answers and the request budget', () => {
    const env = defineEnv(poolVars).parseVars({ DATABASE_URL: 'postgres://x@127.0.0.1/db' });
    const pool = poolConfig(env, { applicationName: 'doc' });
    expect(flat).toContain(
      `connect ${s(pool.connectionTimeoutMillis as number)} [\`DB_CONNECT_TIMEOUT_MS\`]`,
    );
    expect(flat).toContain(`statement ${s(pool.statement_timeout as number)} [\`DB_STATEMENT_TIMEOUT_MS\`]`);
    expect(flat).toContain(
      `(${s(pool.query_timeout as number)}), lock wait ${s(pool.lock_timeout as number)}`,
    );
    expect(flat).toContain(
      `503 DATABASE_UNAVAILABLE\` with \`Retry-After: ${DATABASE_RETRY_AFTER_SECONDS}\``,
    );
    expect(flat).toContain(`503 REGION_READ_ONLY\` with \`Retry-After: ${READ_ONLY_RETRY_AFTER_SECONDS}\``);
    expect(flat).toContain(
      `${s(PAYMENT_REQUEST_BUDGET_MS)} end to end, then \`503 DEADLINE_EXCEEDED\` with \`Retry-After: ${DEADLINE_RETRY_AFTER_SECONDS}\``,
    );
    expect(flat).toContain(`${s(DEFAULT_HEALTH_TIMEOUT_MS)} for all checks together`);
    expect(flat).toContain(`| key reservation of a POST | ${s(RESERVATION_TIMEOUT_MS)}, then`);
    expect(flat).toContain(
      `| write fence read of a POST | ${s(DEFAULT_FENCE_READ_TIMEOUT_MS)}, then \`503 REGION_NOT_ACTIVE\`; an answer is reused for at most ${s(DEFAULT_FENCE_CACHE_MS)}`,
    );
  });

  it("the request budget leaves room below the payment function's Lambda timeout, as quoted", () => {
    const fns = Object.values(synthAll(testConfig()).primary?.resource?.aws_lambda_function ?? {});
    const payment = fns.find((f) => String(f.function_name).includes('-payment-api-'));
    const timeoutMs = Number(payment?.timeout) * 1000;
    expect(timeoutMs).toBeGreaterThan(0);
    expect(PAYMENT_REQUEST_BUDGET_MS + 1000).toBeLessThanOrEqual(timeoutMs);
    expect(flat).toContain(`Lambda timeout ${s(timeoutMs)}`);
  });

  it('quotes the detector run, the fence step, status and switch budgets', () => {
    const timing = runTiming({
      probesPerRun: detectorEnv.vars.probesPerRun.defaultValue as number,
      probeTimeoutMs: detectorEnv.vars.probeTimeoutMs.defaultValue as number,
    });
    expect(flat).toContain(
      `| one detector run | its probes start at the next minute boundary, ${s(probeSpacingMs(timing.probesPerRun))} apart, each ending by the ${s(timing.probeTimeoutMs)} probe timeout; its one publish ends by ${s(timing.publishDeadlineMs)}: the verdict is in at most ${s(verdictLatestMs(timing))} after the window start; Lambda timeout ${runTimeoutSeconds(timing)} s |`,
    );
    expect(flat).toContain(
      `| the plan's write-fence step | ${s(FENCE_ACTION_DEADLINE_MS)} for the whole run (every DynamoDB call aborted then), then the step fails and ARC retries it; Lambda timeout ${FENCE_ACTION_TIMEOUT_SECONDS} s |`,
    );
    expect(flat).toContain(`| \`drctl status\` | ${s(STATUS_BUDGET_MS)} for the whole command`);
    expect(flat).toContain(`(one ARC Region switch call, at most ${s(ARC_BUDGET.callDeadlineMs)})`);
    expect(flat).toContain(`default ${FOLLOW_DEFAULT_TIMEOUT_S} s), polling every ${s(DEFAULT_POLL_MS)}`);
    expect(ARC_BUDGET).toEqual({ ...budgetFor(BUDGETS.operator, 'sts') });
  });
});
