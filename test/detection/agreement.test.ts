import { describe, expect, it } from 'vitest';
import {
  agreementSeries,
  type AlarmSpec,
  type DataPoint,
  detectionBounds,
  DETECTOR_BLIND_ALARM,
  evaluateAlarm,
  firstAlarm,
  primaryFailedAlarm,
  primaryFailedExpression,
  SECONDARY_UNHEALTHY_ALARM,
  secondarySeries,
  verdictCountSeries,
} from '../../runtime/detection/agreement';
import { DETECTION_METRICS } from '../../runtime/detection/metrics';
import {
  LATE_START_TOLERANCE_MS,
  PERIOD_MS,
  probeOffsetsMs,
  verdictLatestMs,
} from '../../runtime/detection/schedule';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const minute = (k: number): number => T0 + k * PERIOD_MS;
const V = ['us-east-2', 'us-west-2'] as const;
const TIMING = { probesPerRun: 3, probeTimeoutMs: 3000, publishDeadlineMs: 5000 };

/** A series from the User Guide's notation: oldest first, X breaching, 0 not breaching, - missing. */
function series(spec: AlarmSpec, text: string): { values: Map<number, number>; at: number } {
  const cells = text.split(' ');
  const values = new Map<number, number>();
  const breach = spec.comparison === 'GreaterThanOrEqualToThreshold' ? 1 : 0;
  cells.forEach((c, i) => {
    if (c !== '-') values.set(minute(i), c === 'X' ? breach : 1 - breach);
  });
  return { values, at: minute(cells.length) };
}

describe('evaluateAlarm reproduces the User Guide tables (evaluation range of 5 data points)', () => {
  const threeOfThree = { ...primaryFailedAlarm(3) };
  const rows: Array<[string, 'OK' | 'ALARM', 'OK' | 'ALARM']> = [
    // data points, state with missing = breaching, state with missing = notBreaching
    ['0 - X - X', 'OK', 'OK'],
    ['0 - - - -', 'OK', 'OK'],
    ['- - - - -', 'ALARM', 'OK'],
    ['0 X X - X', 'ALARM', 'ALARM'],
    ['- - - - X', 'ALARM', 'OK'],
    ['X - - - -', 'ALARM', 'OK'],
  ];
  for (const [text, breaching, notBreaching] of rows) {
    it(`3 of 3: ${text}`, () => {
      for (const [missing, expected] of [
        ['breaching', breaching],
        ['notBreaching', notBreaching],
      ] as const) {
        const spec = { ...threeOfThree, treatMissingData: missing };
        const s = series(spec, text);
        expect(evaluateAlarm(spec, s.values, s.at, 5), missing).toBe(expected);
      }
    });
  }
  const twoOfThree: Array<[string, 'OK' | 'ALARM', 'OK' | 'ALARM']> = [
    ['0 - X - X', 'ALARM', 'ALARM'],
    ['0 0 X 0 X', 'ALARM', 'ALARM'],
    ['0 - X - -', 'ALARM', 'OK'],
    ['- - - - 0', 'ALARM', 'OK'],
    ['- - - - X', 'ALARM', 'OK'],
  ];
  for (const [text, breaching, notBreaching] of twoOfThree) {
    it(`2 of 3: ${text}`, () => {
      for (const [missing, expected] of [
        ['breaching', breaching],
        ['notBreaching', notBreaching],
      ] as const) {
        const spec = { ...threeOfThree, datapointsToAlarm: 2, treatMissingData: missing };
        const s = series(spec, text);
        expect(evaluateAlarm(spec, s.values, s.at, 5), missing).toBe(expected);
      }
    });
  }
});

const point = (
  vantage: string,
  k: number,
  value: number,
  metric: string = DETECTION_METRICS.primaryFailed,
): DataPoint => ({
  metric,
  vantage,
  timestamp: minute(k),
  value,
  arrivedAt: minute(k) + verdictLatestMs(TIMING),
});

/** Data points from one verdict string per vantage point: 1 failed, 0 healthy, - nothing published. */
function published(perVantage: Record<string, string>): DataPoint[] {
  return Object.entries(perVantage).flatMap(([vantage, text]) =>
    text.split(' ').flatMap((c, k) => (c === '-' ? [] : [point(vantage, k, Number(c))])),
  );
}

const fires = (points: DataPoint[], minutes: number, n = 3, rangePeriods?: number) =>
  firstAlarm(primaryFailedAlarm(n), (at) => agreementSeries(points, V, at), {
    from: minute(0),
    to: minute(minutes),
    ...(rangePeriods ? { rangePeriods } : {}),
  });

describe('primary-failed: agreement of both vantage points', () => {
  it('watches (v_us_east_2 >= 1) AND (v_us_west_2 >= 1)', () => {
    expect(primaryFailedExpression(V)).toBe('(v_us_east_2 >= 1) AND (v_us_west_2 >= 1)');
    expect(() => primaryFailedExpression(['us-east-2'])).toThrow(/two vantage points/);
  });

  it('is 1 only where both published 1; one side alone is 0; neither is missing', () => {
    const s = agreementSeries(
      published({ 'us-east-2': '1 1 - 0 -', 'us-west-2': '1 - 1 1 -' }),
      V,
      minute(10),
    );
    expect([...s.entries()].sort(([a], [b]) => a - b).map(([, v]) => v)).toEqual([1, 0, 0, 0]);
    expect(s.has(minute(4))).toBe(false);
  });

  it('fires when both vantage points agree for N periods', () => {
    const at = fires(published({ 'us-east-2': '0 1 1 1 1 1', 'us-west-2': '0 1 1 1 1 1' }), 10);
    expect(at).toBe(minute(4));
  });

  it('never fires when one vantage point is cut off from the primary and the other sees it healthy', () => {
    for (const range of [3, 5, 8, 12]) {
      expect(
        fires(
          published({ 'us-east-2': '0 0 0 0 0 0 0 0 0 0', 'us-west-2': '1 1 1 1 1 1 1 1 1 1' }),
          12,
          3,
          range,
        ),
      ).toBeUndefined();
      expect(
        fires(
          published({ 'us-east-2': '- - - - - - - - - -', 'us-west-2': '1 1 1 1 1 1 1 1 1 1' }),
          12,
          3,
          range,
        ),
      ).toBeUndefined();
    }
  });

  it('never fires on a flapping primary', () => {
    const flap = '1 1 0 1 1 0 1 1 0 1 1 0';
    expect(fires(published({ 'us-east-2': flap, 'us-west-2': flap }), 14)).toBeUndefined();
  });

  it('skips minutes in which both vantage points were inconclusive, without resetting the streak', () => {
    expect(fires(published({ 'us-east-2': '1 1 - 1', 'us-west-2': '1 1 - 1' }), 6)).toBe(minute(4));
    // ...but one vantage point seeing the primary healthy, or publishing alone, resets it.
    expect(fires(published({ 'us-east-2': '1 1 0 1 1', 'us-west-2': '1 1 1 1 1' }), 6)).toBeUndefined();
    expect(fires(published({ 'us-east-2': '1 1 - 1 1', 'us-west-2': '1 1 1 1 1' }), 6)).toBeUndefined();
  });

  it('counts two runs in one period (EventBridge delivering twice) by their Minimum', () => {
    const base = published({ 'us-east-2': '1 1 1', 'us-west-2': '1 1 1' });
    expect(fires(base, 5)).toBe(minute(3));
    const twice = [...base, point('us-west-2', 1, 0)];
    expect(fires(twice, 5)).toBeUndefined();
    expect(fires([...base, point('us-west-2', 1, 1)], 5)).toBe(minute(3));
  });

  it('does not count a data point before it arrives', () => {
    const late = published({ 'us-east-2': '1 1 1', 'us-west-2': '1 1' });
    late.push({ ...point('us-west-2', 2, 1), arrivedAt: minute(3) + 30_000 });
    // On time it would fire at minute 3; its period is complete at minute 4 only.
    expect(fires(late, 10)).toBe(minute(4));
    // Arriving after its period left the evaluation range, it never completes the streak.
    const tooLate = [...late.slice(0, -1), { ...point('us-west-2', 2, 1), arrivedAt: minute(8) }];
    expect(fires(tooLate, 12)).toBeUndefined();
  });
});

describe('secondary-unhealthy', () => {
  const at = (points: DataPoint[], k: number) =>
    evaluateAlarm(SECONDARY_UNHEALTHY_ALARM, secondarySeries(points, 'us-east-2', minute(k)), minute(k), 3);
  const sec = (k: number, v: number) => point('us-east-2', k, v, DETECTION_METRICS.secondaryHealthy);

  it('is OK while the secondary was last seen healthy, ALARM once seen failed or not seen at all', () => {
    expect(at([sec(0, 1), sec(1, 1)], 2)).toBe('OK');
    expect(at([sec(0, 1), sec(1, 0)], 2)).toBe('ALARM');
    expect(at([], 2)).toBe('ALARM');
    // Unseen for longer than the evaluation range: unknown, so ALARM.
    expect(at([sec(0, 1)], 5)).toBe('ALARM');
  });
});

describe('detector-blind', () => {
  const at = (points: DataPoint[], k: number) =>
    evaluateAlarm(DETECTOR_BLIND_ALARM, verdictCountSeries(points, 'us-west-2', minute(k)), minute(k), 5);
  const verdicts = (text: string) => published({ 'us-west-2': text });

  it('stays OK while verdicts keep coming, even with a missing minute; fires once fewer than 3 remain', () => {
    expect(at(verdicts('0 0 0 0 0'), 5)).toBe('OK');
    expect(at(verdicts('0 0 - 0 0'), 5)).toBe('OK');
    expect(at(verdicts('0 0 0 - -'), 5)).toBe('OK');
    expect(at(verdicts('0 0 - - -'), 5)).toBe('ALARM');
    expect(at([], 5)).toBe('ALARM');
    // A duplicate run adds a sample to its period, not a period.
    expect(at([...verdicts('0 0 - - -'), point('us-west-2', 1, 0)], 5)).toBe('ALARM');
  });
});

describe('detectionBounds', () => {
  it('states the defaults: 159 s of outage never fire, detection within 5 minutes', () => {
    const b = detectionBounds(3, TIMING);
    expect(b.longestSilentOutageMs).toBe(159_000);
    expect(b.shortestFiringOutageMs).toBe(159_001);
    expect(b.longestDetectionMs).toBe(300_000);
    expect(() => detectionBounds(1, TIMING)).toThrow(/at least 2/);
    expect(() => detectionBounds(3, { ...TIMING, probeTimeoutMs: 25_000 })).toThrow(/does not fit/);
  });

  /**
   * The model of the alarm driven by a world with a clean outage [a, a + d): a window's verdict is failed when
   * every probe of it fell inside the outage, healthy otherwise; both vantage points probe the same grid.
   */
  function outage(a: number, d: number, n: number, offsetMs: number): number | undefined {
    const points: DataPoint[] = [];
    for (let k = 0; k < 20; k++) {
      const failed = probeOffsetsMs(TIMING.probesPerRun).every(
        (o) => minute(k) + o >= a && minute(k) + o < a + d,
      );
      for (const v of V) points.push(point(v, k, failed ? 1 : 0));
    }
    return firstAlarm(primaryFailedAlarm(n), (at) => agreementSeries(points, V, at), {
      from: minute(0),
      to: minute(20),
      offsetMs,
    });
  }

  for (const n of [2, 3, 4]) {
    it(`holds for every alignment (N = ${n})`, () => {
      const b = detectionBounds(n, TIMING);
      for (let shift = 0; shift < PERIOD_MS; shift += 5_000) {
        const a = minute(2) + shift;
        for (const offset of [0, 30_000, 59_000]) {
          expect(outage(a, b.longestSilentOutageMs, n, offset), `silent, shift ${shift}`).toBeUndefined();
          const at = outage(a, 15 * PERIOD_MS, n, offset);
          expect(at, `sustained, shift ${shift}`).toBeDefined();
          expect((at as number) - a).toBeLessThanOrEqual(b.longestDetectionMs);
        }
      }
      // Just longer than the probes of N windows, it fires (on this grid no run starts late, so the late-start
      // tolerance the bound gives away is added back).
      expect(outage(minute(2), b.shortestFiringOutageMs + LATE_START_TOLERANCE_MS, n, 0)).toBeDefined();
      expect(outage(minute(2), b.shortestFiringOutageMs + LATE_START_TOLERANCE_MS - 1, n, 0)).toBeUndefined();
    });
  }
});
