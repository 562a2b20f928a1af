import { describe, expect, it } from 'vitest';
import { detectionBounds } from '../../runtime/detection/agreement';
import { PUBLISH_DEADLINE_MS } from '../../runtime/detection/env';
import { at, jitter, PRIMARY, runWorld, SECONDARY, type WorldSpec } from './support/world';
import { blindAt, OFFSETS_MS, primaryFailedEver, RANGES, triggerAt } from './support/trigger';

/**
 * Detection scenarios: the real detector code (vantage runs, probe classification, the published values) in a
 * simulated world, and the failover trigger evaluated by the model of the alarms as synthesized
 * (runtime/detection/agreement.ts). Invariants: a false signal never triggers a failover; a real loss of the
 * primary triggers within the bound agreement.ts computes, whatever EventBridge's jitter and the alarms'
 * evaluation phase and range.
 */
const BOUNDS = detectionBounds(3, {
  probesPerRun: 3,
  probeTimeoutMs: 3000,
  publishDeadlineMs: PUBLISH_DEADLINE_MS,
});
const MINUTES = 16;
const from = (t0: number) => (state: 'silent' | 'unavailable' | 'reset') => (t: number) =>
  t >= t0 ? state : 'healthy';

function neverTriggers(result: Awaited<ReturnType<typeof runWorld>>, alarmsLostAt?: number): void {
  for (const offsetMs of OFFSETS_MS) {
    for (const rangePeriods of RANGES) {
      const o = {
        minutes: MINUTES + 2,
        offsetMs,
        ...(rangePeriods ? { rangePeriods } : {}),
        ...(alarmsLostAt ? { alarmsLostAt } : {}),
      };
      expect(
        triggerAt(result.points, o),
        `offset ${offsetMs}, range ${String(rangePeriods)}`,
      ).toBeUndefined();
    }
  }
}

function triggersWithin(result: Awaited<ReturnType<typeof runWorld>>, outageStart: number): void {
  for (const offsetMs of OFFSETS_MS) {
    const t = triggerAt(result.points, { minutes: MINUTES + 2, offsetMs });
    expect(t, `offset ${offsetMs}`).toBeDefined();
    expect((t as number) - outageStart, `offset ${offsetMs}`).toBeLessThanOrEqual(BOUNDS.longestDetectionMs);
    expect(t as number).toBeGreaterThan(outageStart);
  }
}

describe('a real loss of the primary', () => {
  for (const [state, seed] of [
    ['silent', 1],
    ['reset', 4],
    ['unavailable', 7],
  ] as const) {
    it(`triggers within ${BOUNDS.longestDetectionMs / 1000} s when the primary goes ${state}, whatever the jitter`, async () => {
      for (const second of [0, 1, 19, 21, 41, 59]) {
        const start = at(3, second);
        const world = await runWorld({
          minutes: MINUTES,
          region: { [PRIMARY]: from(start)(state) },
          invocations: jitter(seed),
        });
        triggersWithin(world, start);
      }
    });
  }

  it('triggers within the bound when rules fire in the last second and the handler starts 900 ms later', async () => {
    const start = at(3, 30);
    const world = await runWorld({
      minutes: MINUTES,
      region: { [PRIMARY]: from(start)('silent') },
      invocations: () => [59.5],
      startDelayMs: 900,
    });
    triggersWithin(world, start);
  });

  it('triggers within the bound when EventBridge delivers every run twice', async () => {
    const start = at(4, 5);
    const world = await runWorld({
      minutes: MINUTES,
      region: { [PRIMARY]: from(start)('silent') },
      invocations: (_v, k) => [k % 2 ? 0.5 : 58, 59.5],
    });
    expect(world.runs['us-west-2']).toBe(2 * MINUTES);
    triggersWithin(world, start);
  });
});

describe('false signals never trigger a failover', () => {
  it('false positive: us-west-2 is cut off from everything (control included)', async () => {
    const world = await runWorld({
      minutes: MINUTES,
      path: (v) => (v === 'us-west-2' ? 'blackholed' : 'ok'),
      invocations: jitter(2),
    });
    expect(world.points.filter((p) => p.vantage === 'us-west-2')).toEqual([]);
    neverTriggers(world);
    expect(blindAt(world.points, 'us-west-2', at(10))).toBe(true);
    expect(blindAt(world.points, 'us-east-2', at(10))).toBe(false);
  });

  it('one-sided partition: us-east-2 cannot reach us-east-1 (but reaches its control), us-west-2 can', async () => {
    const world = await runWorld({
      minutes: MINUTES,
      path: (v, host) => (v === 'us-east-2' && host === PRIMARY ? 'blackholed' : 'ok'),
      invocations: jitter(5),
    });
    // us-east-2 publishes "failed" every minute: alone, it is never enough.
    const use2 = world.points.filter((p) => p.vantage === 'us-east-2' && p.metric === 'PrimaryFailed');
    expect(use2.length).toBeGreaterThanOrEqual(MINUTES - 1);
    expect(use2.every((p) => p.value === 1)).toBe(true);
    neverTriggers(world);
  });

  it('/health flood: the probe route throttled (429) part of the time, the primary healthy', async () => {
    const world = await runWorld({
      minutes: MINUTES,
      region: { [PRIMARY]: (t) => (Math.floor(t / 7000) % 3 === 0 ? 'throttled' : 'healthy') },
      invocations: jitter(3),
    });
    neverTriggers(world);
  });

  it('/health flood on a primary that is failing too: every run throttled somewhere proves nothing', async () => {
    const world = await runWorld({
      minutes: MINUTES,
      // Each window's middle probe meets a 429, the others a 503.
      region: {
        [PRIMARY]: (t) => ((t / 1000) % 60 >= 15 && (t / 1000) % 60 < 30 ? 'throttled' : 'unavailable'),
      },
    });
    neverTriggers(world);
    expect(blindAt(world.points, 'us-east-2', at(10))).toBe(true);
  });

  // "With an Aurora Replica, failover typically completes within 30 seconds"
  // (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html, quoted
  // by src/report/aws-timings.ts); issue 11 asks for up to 120 s of 503s. The bound is 159 s with the defaults.
  it('in-region Aurora failover: 30 to 159 s of 503s never trigger, whatever they align with', async () => {
    for (const seconds of [30, 60, 90, 120, BOUNDS.longestSilentOutageMs / 1000]) {
      for (const shift of [0, 0.5, 13, 20, 39.9, 40, 59]) {
        const start = at(4, shift);
        const world = await runWorld({
          minutes: 10,
          region: {
            [PRIMARY]: (t) => (t >= start && t < start + seconds * 1000 ? 'unavailable' : 'healthy'),
          },
          invocations: jitter(Math.round(shift)),
        });
        neverTriggers(world);
      }
    }
  });

  it('first deployment: the primary answers 503 schema_pending for a quarter of an hour', async () => {
    const world = await runWorld({ minutes: MINUTES, region: { [PRIMARY]: () => 'schema-pending' } });
    expect(world.points.filter((p) => p.metric === 'PrimaryFailed')).toEqual([]);
    neverTriggers(world);
  });

  it('a flapping primary (a healthy answer in every minute) never triggers', async () => {
    const world = await runWorld({
      minutes: MINUTES,
      region: { [PRIMARY]: (t) => ((t / 1000) % 60 < 10 ? 'healthy' : 'silent') },
      invocations: jitter(6),
    });
    expect(primaryFailedEver(world.points, { minutes: MINUTES + 2 })).toBe(false);
    neverTriggers(world);
  });

  it('EventBridge delivering two runs at once on a healthy primary changes nothing', async () => {
    const world = await runWorld({ minutes: MINUTES, invocations: () => [59.9, 59.95] });
    neverTriggers(world);
  });
});

describe('the detectors themselves failing', () => {
  it('a detector throttled: with the us-west-2 runs dropped, a real outage cannot trigger until they resume', async () => {
    const start = at(2, 10);
    const resumeMinute = 9;
    const world = await runWorld({
      minutes: MINUTES,
      region: { [PRIMARY]: from(start)('silent') },
      invocations: (v, k) => (v === 'us-west-2' && k < resumeMinute ? [] : [17]),
    });
    const resumedAt = at(resumeMinute, 17);
    for (const offsetMs of OFFSETS_MS) {
      const t = triggerAt(world.points, { minutes: MINUTES + 2, offsetMs });
      expect(t).toBeDefined();
      expect(t as number).toBeGreaterThan(resumedAt);
      expect((t as number) - resumedAt).toBeLessThanOrEqual(BOUNDS.longestDetectionMs);
    }
    expect(blindAt(world.points, 'us-west-2', at(8))).toBe(true);
  });
});

describe('the secondary', () => {
  it('secondary region lost: no trigger, the primary is left alone (nothing in the detection depends on it)', async () => {
    const lostAt = at(3, 30);
    const spec: WorldSpec = {
      minutes: MINUTES,
      region: { [SECONDARY]: (t) => (t >= lostAt ? 'silent' : 'passive') },
      regionLostAt: { 'us-east-2': lostAt },
    };
    const world = await runWorld(spec);
    neverTriggers(world, lostAt);
    // us-west-2 keeps seeing the primary healthy.
    const usw2 = world.points.filter((p) => p.vantage === 'us-west-2');
    expect(usw2.length).toBeGreaterThanOrEqual(MINUTES - 1);
    expect(usw2.every((p) => p.value === 0)).toBe(true);
  });

  it('both regions lost: the alarms went with us-east-2, nothing triggers', async () => {
    const lostAt = at(4);
    const world = await runWorld({
      minutes: MINUTES,
      region: { [PRIMARY]: from(lostAt)('silent'), [SECONDARY]: (t) => (t >= lostAt ? 'silent' : 'passive') },
      regionLostAt: { 'us-east-2': lostAt },
    });
    neverTriggers(world, lostAt);
  });

  it('an unhealthy secondary blocks the trigger although both vantage points agree on the primary', async () => {
    const start = at(2, 30);
    const world = await runWorld({
      minutes: MINUTES,
      region: {
        [PRIMARY]: from(start)('silent'),
        [SECONDARY]: (t) => (t >= at(1) ? 'unavailable' : 'passive'),
      },
    });
    expect(primaryFailedEver(world.points, { minutes: MINUTES + 2 })).toBe(true);
    neverTriggers(world);
  });
});
