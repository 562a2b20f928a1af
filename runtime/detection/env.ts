import { budgetFor, BUDGETS } from '../shared/aws-clients';
import { defineEnv, type Env, envVar, type RenderInput, type Settings } from '../shared/env';
import { validateProbeUrl } from './probe';
import { type RunTiming, timingProblem } from './schedule';

/**
 * The environment contract of the detector function (one per vantage point): every variable it reads,
 * declared once. src/constructs/detection.ts renders it, handler.ts parses it.
 */
const vars = {
  /** The vantage point: the region the function runs in (the `Vantage` dimension of its data points). */
  region: envVar.provided('AWS_REGION'),
  endpoint: envVar.optionalProvided('AWS_ENDPOINT_URL'),
  /** The primary region's own API name (not the failover name) and its probe route. */
  primaryProbeUrl: envVar.text('PRIMARY_PROBE_URL'),
  /** The region the primary's API answers for: the signing region and the region its health body names. */
  primaryRegion: envVar.text('PRIMARY_REGION'),
  /** Only at the vantage point that reports whether the failover target is healthy (us-east-2). */
  secondaryProbeUrl: envVar.optionalText('SECONDARY_PROBE_URL'),
  secondaryRegion: envVar.optionalText('SECONDARY_REGION'),
  /** Any HTTP answer from it shows this vantage point reaches the internet (see vantage.ts). */
  controlUrl: envVar.text('CONTROL_URL'),
  /** Where the agreement alarms are: the data points go to this region's CloudWatch. */
  metricRegion: envVar.text('METRIC_REGION'),
  metricNamespace: envVar.text('METRIC_NAMESPACE'),
  /** Pinned: the alarms' timing (agreement.ts) depends on them, so the deployment states them. */
  probesPerRun: envVar.int('PROBES_PER_RUN', 3, { min: 1, max: 6 }, { pinned: true }),
  probeTimeoutMs: envVar.int('PROBE_TIMEOUT_MS', 3000, { min: 500, max: 10_000 }, { pinned: true }),
};

export const detectorEnv = defineEnv(vars);
export type DetectorSettings = Settings<typeof vars>;
export type DetectorEnvInput = RenderInput<typeof vars>;

/** The deadline of the one PutMetricData call a run makes (the failover functions' CloudWatch budget). */
export const PUBLISH_DEADLINE_MS = budgetFor(BUDGETS.failover, 'cloudwatch').callDeadlineMs;

export const runTiming = (s: Pick<DetectorSettings, 'probesPerRun' | 'probeTimeoutMs'>): RunTiming => ({
  probesPerRun: s.probesPerRun,
  probeTimeoutMs: s.probeTimeoutMs,
  publishDeadlineMs: PUBLISH_DEADLINE_MS,
});

export const renderDetectorEnv = (input: DetectorEnvInput): Record<string, string> =>
  detectorEnv.render(input);

export function parseDetectorEnv(env: Env): DetectorSettings {
  const s = detectorEnv.parseVars(env);
  if ((s.secondaryProbeUrl === undefined) !== (s.secondaryRegion === undefined))
    throw new Error(
      'environment variables SECONDARY_PROBE_URL and SECONDARY_REGION are set together or not at all',
    );
  for (const url of [s.primaryProbeUrl, s.controlUrl, s.secondaryProbeUrl]) if (url) validateProbeUrl(url);
  const problem = timingProblem(runTiming(s));
  if (problem) throw new Error(`PROBES_PER_RUN and PROBE_TIMEOUT_MS: ${problem}`);
  return s;
}
