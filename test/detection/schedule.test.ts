import { describe, expect, it } from 'vitest';
import {
  probeOffsetsMs,
  probeSpacingMs,
  runTimeoutSeconds,
  timingProblem,
  verdictLatestMs,
  windowStart,
} from '../../runtime/detection/schedule';

const T = Date.parse('2030-01-01T00:00:00.000Z');

describe('schedule', () => {
  it('probes in the minute after the one the run was scheduled in, whatever second it starts at', () => {
    expect(windowStart(T)).toBe(T + 60_000);
    expect(windowStart(T + 1)).toBe(T + 60_000);
    expect(windowStart(T + 59_999)).toBe(T + 60_000);
    // Fired in the last second, started after a cold start: still the window of its schedule minute...
    expect(windowStart(T + 60_800, T + 59_950)).toBe(T + 60_000);
    // ...unless that window started more than the tolerance ago: then the next one.
    expect(windowStart(T + 61_200, T + 59_950)).toBe(T + 120_000);
    // An event time in the future is not believed.
    expect(windowStart(T + 1000, T + 90_000)).toBe(T + 60_000);
  });

  it('spreads the probes over the window', () => {
    expect(probeSpacingMs(3)).toBe(20_000);
    expect(probeOffsetsMs(3)).toEqual([0, 20_000, 40_000]);
    expect(probeOffsetsMs(1)).toEqual([0]);
  });

  it('refuses settings whose probes overlap or whose verdict would miss its own minute', () => {
    const t = { probesPerRun: 3, probeTimeoutMs: 3000, publishDeadlineMs: 5000 };
    expect(timingProblem(t)).toBeUndefined();
    expect(verdictLatestMs(t)).toBe(48_000);
    expect(runTimeoutSeconds(t)).toBe(119);
    expect(timingProblem({ ...t, probeTimeoutMs: 20_000 })).toMatch(/does not fit/);
    expect(timingProblem({ ...t, probesPerRun: 6, probeTimeoutMs: 9_000 })).toMatch(
      /within the one-minute window/,
    );
    expect(timingProblem({ ...t, probesPerRun: 7 })).toMatch(/1 to 6/);
  });
});
