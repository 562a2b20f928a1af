import type { Observation } from '../../../runtime/detection/classify';
import type { DataPoint } from '../../../runtime/detection/agreement';
import type { Prober, ProbeTarget } from '../../../runtime/detection/probe';
import { runDatums } from '../../../runtime/detection/publish';
import { PERIOD_MS } from '../../../runtime/detection/schedule';
import { runVantage, type VantageConfig } from '../../../runtime/detection/vantage';
import { VirtualClock } from '../../support/virtual-clock';
import { probeAnswer } from '../../support/probe-answers';

/**
 * A simulated world for the detection scenarios: regions whose state changes over (virtual) time, networks
 * between each vantage point and each target, EventBridge invoking each vantage point's detector once a
 * minute (at a second of its choosing), and CloudWatch receiving the data points. The detector code itself
 * is the real one (runtime/detection/vantage.ts, classify.ts and publish.ts's mapping); only the HTTP
 * exchange is simulated, at the level of what it produces (an `Observation`): sockets are exercised by
 * test/detection/vantage.test.ts. No sleeps: everything waits on the virtual clock.
 */
export const T0 = Date.parse('2030-01-01T00:00:00.000Z');
export const at = (minutes: number, seconds = 0): number => T0 + minutes * PERIOD_MS + seconds * 1000;

/** What a region's `/health/probe` does at one moment. */
export type RegionState =
  'healthy' | 'passive' | 'unavailable' | 'schema-pending' | 'throttled' | 'silent' | 'reset';

/** Whether a request from a vantage point reaches a host at one moment. */
export type Path = 'ok' | 'blackholed';

export const PRIMARY = 'us-east-1';
export const SECONDARY = 'us-east-2';
export const VANTAGES = ['us-east-2', 'us-west-2'] as const;
export type Vantage = (typeof VANTAGES)[number];
const CONTROL_HOST = 'control';

export interface WorldSpec {
  /** The state of each region's probe route over time (default: primary healthy, secondary passive). */
  region?: Partial<Record<string, (t: number) => RegionState>>;
  /** The path from a vantage point to a region (or to its control target) over time (default: ok). */
  path?: (vantage: Vantage, host: string, t: number) => Path;
  /**
   * When EventBridge invokes a vantage point's detector for the schedule minute `k`: seconds into that minute,
   * or a list of them (several invocations: duplicate deliveries), or none (the run was throttled/dropped).
   */
  invocations?: (vantage: Vantage, k: number) => number[];
  /** Vantage points whose whole region is gone from this moment on (no runs, no alarms there). */
  regionLostAt?: Partial<Record<Vantage, number>>;
  minutes?: number;
  probesPerRun?: number;
  probeTimeoutMs?: number;
  /** Time from a run's last probe to its data point reaching CloudWatch. */
  publishLatencyMs?: number;
  /** Time from EventBridge firing to the handler starting (a cold start, a slow delivery). */
  startDelayMs?: number;
}

function body(state: RegionState, region: string): Observation {
  const role = region === PRIMARY ? 'active' : 'passive';
  const json = (a: { status: number; body: unknown }): Observation => ({ kind: 'response', ...a });
  switch (state) {
    case 'healthy':
      return json(probeAnswer('active', region, role));
    case 'passive':
    case 'unavailable':
    case 'schema-pending':
    case 'throttled':
      return json(probeAnswer(state, region, role));
    case 'reset':
      return { kind: 'network', code: 'ECONNRESET' };
    case 'silent':
      return { kind: 'timeout' };
  }
}

export interface WorldResult {
  points: DataPoint[];
  /** Runs that ended, per vantage point. */
  runs: Record<Vantage, number>;
}

const hostOf = (url: string): string => new URL(url).hostname.split('.')[0] ?? url;

/** Runs the world for `minutes` of virtual time and returns what CloudWatch received. */
export async function runWorld(spec: WorldSpec = {}): Promise<WorldResult> {
  const clock = new VirtualClock(T0);
  const timeoutMs = spec.probeTimeoutMs ?? 3000;
  const stateOf = (region: string, t: number): RegionState =>
    spec.region?.[region]?.(t) ?? (region === PRIMARY ? 'healthy' : 'passive');
  const pathOf = (v: Vantage, host: string, t: number): Path => spec.path?.(v, host, t) ?? 'ok';
  const lost = (v: Vantage, t: number) => (spec.regionLostAt?.[v] ?? Infinity) <= t;

  const prober =
    (v: Vantage): Prober =>
    async (target: ProbeTarget, ms: number) => {
      const sentAt = clock.now();
      const host = hostOf(target.url);
      const state: RegionState | 'control' = host === CONTROL_HOST ? 'control' : stateOf(host, sentAt);
      const blackholed = pathOf(v, host, sentAt) === 'blackholed' || lost(v, sentAt);
      if (blackholed || state === 'silent') {
        await clock.sleep(ms);
        return { kind: 'timeout' };
      }
      // An answer takes a little time; a 503 from a region whose database is failing over, more.
      await clock.sleep(state === 'unavailable' ? Math.min(ms - 1, 1000) : 40);
      if (state === 'control') return { kind: 'response', status: 200, body: { status: 'ok' } };
      return body(state, host);
    };

  const config = (v: Vantage): VantageConfig => ({
    vantage: v,
    primary: { url: `https://${PRIMARY}.example/health/probe`, region: PRIMARY, signingRegion: PRIMARY },
    ...(v === SECONDARY
      ? {
          secondary: {
            url: `https://${SECONDARY}.example/health/probe`,
            region: SECONDARY,
            signingRegion: SECONDARY,
          },
        }
      : {}),
    controlUrl: `https://${CONTROL_HOST}.example/health`,
    probesPerRun: spec.probesPerRun ?? 3,
    probeTimeoutMs: timeoutMs,
  });

  const points: DataPoint[] = [];
  const runs: Record<Vantage, number> = { 'us-east-2': 0, 'us-west-2': 0 };
  const pending: Array<Promise<void>> = [];
  const invoke = async (v: Vantage) => {
    // The event's own time is when the rule fired; the handler may start later.
    const scheduledAt = clock.now();
    if (spec.startDelayMs) await clock.sleep(spec.startDelayMs);
    const run = await runVantage(config(v), { clock, probe: prober(v) }, scheduledAt);
    if (lost(v, clock.now())) return;
    await clock.sleep(spec.publishLatencyMs ?? 200);
    runs[v]++;
    for (const d of runDatums(run)) {
      points.push({
        metric: String(d.MetricName),
        vantage: v,
        timestamp: (d.Timestamp as Date).getTime(),
        value: Number(d.Value),
        arrivedAt: clock.now(),
      });
    }
  };
  const minutes = spec.minutes ?? 15;
  for (const v of VANTAGES) {
    pending.push(
      (async () => {
        for (let k = 0; k < minutes; k++) {
          const seconds = spec.invocations?.(v, k) ?? [17];
          for (const s of [...seconds].sort((a, b) => a - b)) {
            const when = at(k, s);
            if (when > clock.now()) await clock.sleep(when - clock.now());
            if (!lost(v, clock.now())) pending.push(invoke(v));
          }
        }
      })(),
    );
  }
  // Every run started is awaited, including those the schedulers start while we wait.
  for (let i = 0; i < pending.length; i++) await pending[i];
  return { points, runs };
}

/** A deterministic spread of invocation seconds over the minute (EventBridge's jitter, worst cases included). */
export const jitter = (seed: number) => (v: Vantage, k: number) => [
  [0, 59.9, 31, 2, 58, 45.5, 12, 0.1, 59][(k * 7 + seed + (v === 'us-west-2' ? 3 : 0)) % 9] as number,
];
