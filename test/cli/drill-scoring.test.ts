import { describe, expect, it } from 'vitest';
import { observedRpo, rtoDefinition, scoreTargets, verdict } from '../../cli/lib/drill/scoring';
import { type CanaryRecord, DEFAULT_TARGETS, type Store } from '../../cli/lib/drill/types';

/** The drill's scoring is a pure function of what it observed (cli/lib/drill/scoring.ts). */
function canary(index: number, lags: Partial<Record<Store, number | null>>): CanaryRecord {
  const v = (lag: number | null | undefined) => ({
    visibleAt: lag === null || lag === undefined ? null : new Date(lag).toISOString(),
    lagMs: lag ?? null,
  });
  return {
    index,
    idempotencyKey: `k${index}`,
    paymentId: `p${index}`,
    sentAt: new Date(0).toISOString(),
    committedAt: null,
    createdAt: null,
    servedBy: 'us-east-1',
    attempts: 1,
    visibility: { aurora: v(lags.aurora), dynamodb: v(lags.dynamodb), s3: v(lags.s3) },
  };
}

describe('drill scoring', () => {
  it('takes the largest lag of each store, and none when a canary was never seen there', () => {
    const rpo = observedRpo([
      canary(0, { aurora: 400, dynamodb: 900, s3: 60_000 }),
      canary(1, { aurora: 700, dynamodb: 1200, s3: null }),
    ]);
    expect(rpo).toEqual({
      aurora: { observedMs: 700, visible: 2, total: 2 },
      dynamodb: { observedMs: 1200, visible: 2, total: 2 },
      s3: { observedMs: null, visible: 1, total: 2 },
    });
    expect(observedRpo([]).aurora).toEqual({ observedMs: null, visible: 0, total: 0 });
  });

  it('fails a target without an observation and passes one at its limit', () => {
    const rpo = observedRpo([canary(0, { aurora: 1000, dynamodb: 5, s3: null })]);
    const targets = scoreTargets(rpo, 5 * 60_000, DEFAULT_TARGETS);
    const byId = Object.fromEntries(targets.map((t) => [t.id, t]));
    expect(byId['rpo-aurora']).toMatchObject({
      pass: true,
      strict: false,
      description: 'aurora RPO <= 15 min',
    });
    expect(byId['rpo-s3']).toMatchObject({ observedMs: null, pass: false });
    expect(byId['strict-rto']).toMatchObject({
      observedMs: 300_000,
      limitMs: 300_000,
      pass: true,
      strict: true,
    });
    expect(byId['strict-ledger-rpo']).toMatchObject({ observedMs: 1000, pass: true });
    expect(scoreTargets(rpo, null, DEFAULT_TARGETS).find((t) => t.id === 'rto')?.pass).toBe(false);
  });

  it('passes on the requirement targets and no errors; strictly only when every target is met', () => {
    const rpo = observedRpo([canary(0, { aurora: 2000, dynamodb: 5, s3: 5 })]);
    const targets = scoreTargets(rpo, 60_000, DEFAULT_TARGETS);
    expect(verdict([], targets)).toEqual({ passed: true, strictPassed: false });
    expect(verdict(['restore failed: ...'], targets)).toEqual({ passed: false, strictPassed: false });
    const strict = scoreTargets(
      observedRpo([canary(0, { aurora: 10, dynamodb: 5, s3: 5 })]),
      1,
      DEFAULT_TARGETS,
    );
    expect(verdict([], strict)).toEqual({ passed: true, strictPassed: true });
  });

  it('says what the switchover drill measures as RTO', () => {
    expect(rtoDefinition('switchover')).toMatch(
      /^from the switchover request until the public name serves 200 from the secondary region$/,
    );
  });
});
