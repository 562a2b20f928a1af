import type { Clock } from '../shared/clock';
import {
  type Classification,
  classifyProbe,
  primaryVerdict,
  secondaryVerdict,
  type Verdict,
} from './classify';
import type { Prober, ProbeTarget } from './probe';
import { probeOffsetsMs, windowStart } from './schedule';

/**
 * One detector run at one vantage point: wait for the next minute boundary (schedule.ts says why), then probe
 * `probesPerRun` times, evenly spread over that minute. Each probe sends three requests at once, each bounded by
 * `probeTimeoutMs`: the primary's signed `/health/probe`, the control target, and (at the vantage point that
 * watches the failover target) the secondary's own `/health/probe`. The run ends with one verdict for the
 * primary and one for the secondary; publish.ts turns them into data points of the run's window.
 */
export interface RegionTarget extends ProbeTarget {
  /** The region the target answers for (its health body must name it). */
  region: string;
}

export interface VantageConfig {
  /** This vantage point's region: the `Vantage` dimension of its data points. */
  vantage: string;
  primary: RegionTarget;
  /** Only at the vantage point that also reports whether the failover target is healthy. */
  secondary?: RegionTarget;
  /**
   * Any HTTP answer from here means this vantage point reaches the internet, so a primary that does not answer
   * is the primary's problem; no answer means the vantage point itself may be cut off.
   */
  controlUrl: string;
  probesPerRun: number;
  probeTimeoutMs: number;
}

export interface ProbeRecord {
  /** Epoch ms the probe was sent at. */
  at: number;
  primary: Classification;
  controlAnswered: boolean;
  secondary?: Classification;
}

export interface VantageRun {
  vantage: string;
  /** Start of the minute the probes were taken in: the timestamp of the run's data points. */
  windowStart: number;
  primary: Verdict;
  secondary?: Verdict;
  probes: ProbeRecord[];
}

export interface VantageDeps {
  clock: Clock;
  probe: Prober;
}

/** `scheduledAt`: the time of the EventBridge event that started the run (schedule.ts `windowStart`). */
export async function runVantage(
  config: VantageConfig,
  deps: VantageDeps,
  scheduledAt?: number,
): Promise<VantageRun> {
  const { clock, probe } = deps;
  const start = windowStart(clock.now(), scheduledAt);
  const records: ProbeRecord[] = [];
  for (const offset of probeOffsetsMs(config.probesPerRun)) {
    const at = start + offset;
    const wait = at - clock.now();
    if (wait > 0) await clock.sleep(wait);
    const sentAt = clock.now();
    const [primary, control, secondary] = await Promise.all([
      probe(config.primary, config.probeTimeoutMs),
      probe({ url: config.controlUrl }, config.probeTimeoutMs),
      config.secondary ? probe(config.secondary, config.probeTimeoutMs) : Promise.resolve(undefined),
    ]);
    const controlAnswered = control.kind === 'response';
    records.push({
      at: sentAt,
      primary: classifyProbe(primary, controlAnswered, {
        region: config.primary.region,
        requireActive: true,
      }),
      controlAnswered,
      ...(secondary && config.secondary
        ? {
            secondary: classifyProbe(secondary, controlAnswered, {
              region: config.secondary.region,
              requireActive: false,
            }),
          }
        : {}),
    });
  }
  return {
    vantage: config.vantage,
    windowStart: start,
    primary: primaryVerdict(records.map((r) => r.primary)),
    ...(config.secondary
      ? { secondary: secondaryVerdict(records.flatMap((r) => (r.secondary ? [r.secondary] : []))) }
      : {}),
    probes: records,
  };
}
