import { describe, expect, it } from 'vitest';
import { failureAlarmShape, type InvocationProfile, periodFor } from '../../src/monitoring/function-alarms';

/**
 * The failure alarm of a function must be able to fire given how often the function runs: the most failures its
 * invocations can put into one alarm period must reach the threshold in every evaluated period.
 */
function canFire(profile: InvocationProfile, failuresPerMinute: number): boolean {
  const shape = failureAlarmShape(profile);
  const perPeriod = failuresPerMinute * (shape.periodSeconds / 60);
  return shape.comparison === 'GreaterThanThreshold'
    ? perPeriod > shape.threshold
    : perPeriod >= shape.threshold;
}

describe('function failure alarms', () => {
  it.each([1, 2, 5, 15])('a function scheduled every %i min pages on its one failed run', (minutes) => {
    const profile = { kind: 'scheduled', everySeconds: minutes * 60, missing: 'notBreaching' } as const;
    // Failing every run is one failure per interval.
    expect(canFire(profile, 1 / minutes)).toBe(true);
    expect(failureAlarmShape(profile)).toMatchObject({ periodSeconds: minutes * 60, evaluationPeriods: 1 });
  });

  it('rounds a schedule up to a whole minute, the resolution of Lambda metrics', () => {
    expect(periodFor(1)).toBe(60);
    expect(periodFor(90)).toBe(120);
    expect(periodFor(300)).toBe(300);
  });

  it('pages on one failed on-demand run, and never because nothing ran', () => {
    expect(canFire({ kind: 'on-demand' }, 1)).toBe(true);
    expect(failureAlarmShape({ kind: 'on-demand' }).missing).toBe('notBreaching');
  });

  it('treats silence of a schedule as breaching only where asked to (a liveness alarm)', () => {
    const base = { kind: 'scheduled', everySeconds: 60 } as const;
    expect(failureAlarmShape({ ...base, missing: 'breaching' })).toMatchObject({
      missing: 'breaching',
      what: expect.stringContaining('or no run happened'),
    });
    expect(failureAlarmShape({ ...base, missing: 'notBreaching' }).what).not.toContain('no run');
  });

  it('keeps a rate for traffic: errors above N a minute for 2 minutes', () => {
    const traffic = { kind: 'traffic', errorsPerMinute: 5 } as const;
    expect(canFire(traffic, 6)).toBe(true);
    expect(canFire(traffic, 5)).toBe(false);
    // The old shape on a once-a-minute schedule: it could never fire, which is why schedules have their own.
    expect(canFire(traffic, 1)).toBe(false);
  });
});
