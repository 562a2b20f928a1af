import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Context } from 'aws-lambda';
import { type Clock, systemClock } from '../shared/clock';
import { BUDGETS, cloudwatchClient } from '../shared/aws-clients';
import type { Env } from '../shared/env';
import { lazy } from '../shared/lazy';
import { createOpenLogger, errorFields, type LogSink, type OpenLogger, stdoutSink } from '../shared/logger';
import { sigV4Signer } from '../shared/sigv4';
import { type DetectorSettings, parseDetectorEnv, runTiming } from './env';
import { httpProber, type Prober } from './probe';
import { publishRun } from './publish';
import { verdictLatestMs, windowStart } from './schedule';
import { runVantage, type VantageConfig, type VantageRun } from './vantage';

/**
 * Lambda entry of the detector (EventBridge, every minute, one function per vantage point). Every AWS call
 * is bounded (runtime/shared/aws-clients.ts); every probe by PROBE_TIMEOUT_MS. The probes are signed with the
 * function's own credentials (its role may invoke exactly the two probe routes), resolved by the same SDK
 * client that publishes.
 */
export interface DetectorRuntime {
  settings: DetectorSettings;
  config: VantageConfig;
  cloudwatch: CloudWatchClient;
  probe: Prober;
  log: OpenLogger;
}

export function vantageConfig(s: DetectorSettings): VantageConfig {
  return {
    vantage: s.region,
    primary: { url: s.primaryProbeUrl, region: s.primaryRegion, signingRegion: s.primaryRegion },
    ...(s.secondaryProbeUrl && s.secondaryRegion
      ? {
          secondary: {
            url: s.secondaryProbeUrl,
            region: s.secondaryRegion,
            signingRegion: s.secondaryRegion,
          },
        }
      : {}),
    controlUrl: s.controlUrl,
    probesPerRun: s.probesPerRun,
    probeTimeoutMs: s.probeTimeoutMs,
  };
}

export function detectorRuntimeFromEnv(env: Env, sink: LogSink = stdoutSink): DetectorRuntime {
  const settings = parseDetectorEnv(env);
  const cloudwatch = cloudwatchClient(BUDGETS.failover, {
    region: settings.metricRegion,
    ...(settings.endpoint ? { endpoint: settings.endpoint } : {}),
  });
  const sign = sigV4Signer(() => cloudwatch.config.credentials());
  return {
    settings,
    config: vantageConfig(settings),
    cloudwatch,
    probe: httpProber(sign),
    log: createOpenLogger({ service: 'detector', region: settings.region }, { sink }),
  };
}

export interface DetectorResult {
  windowStart: string;
  primary: VantageRun['primary'];
  secondary?: VantageRun['secondary'];
  published: string[];
}

/**
 * One run: probe the next window, publish, log one line. A run that would not finish before the function
 * times out fails at once instead of being cut off halfway (it cannot happen with the synthesized timeout,
 * schedule.ts `runTimeoutSeconds`, unless the function was configured by hand).
 */
export async function invokeDetector(
  rt: DetectorRuntime,
  invocation: { requestId: string; remainingMs?: number; scheduledAt?: number },
  clock: Clock = systemClock,
): Promise<DetectorResult> {
  const log = rt.log.child({ requestId: invocation.requestId });
  const now = clock.now();
  const needMs = windowStart(now, invocation.scheduledAt) - now + verdictLatestMs(runTiming(rt.settings));
  if (invocation.remainingMs !== undefined && invocation.remainingMs < needMs) {
    throw new Error(`a run needs ${needMs} ms and the function has ${invocation.remainingMs} ms left`);
  }
  const run = await runVantage(rt.config, { clock, probe: rt.probe }, invocation.scheduledAt);
  const probes = run.probes.map((p) => p.primary.reason);
  try {
    const datums = await publishRun(rt.cloudwatch, rt.settings.metricNamespace, run);
    const result: DetectorResult = {
      windowStart: new Date(run.windowStart).toISOString(),
      primary: run.primary,
      ...(run.secondary ? { secondary: run.secondary } : {}),
      published: datums.map((d) => `${d.MetricName ?? ''}=${d.Value ?? ''}`),
    };
    log.info('detector run', {
      windowStart: result.windowStart,
      primary: run.primary,
      secondary: run.secondary,
      primaryProbes: probes,
      secondaryProbes: run.probes.flatMap((p) => (p.secondary ? [p.secondary.reason] : [])),
      controlAnswered: run.probes.map((p) => String(p.controlAnswered)),
      published: result.published,
    });
    return result;
  } catch (err) {
    log.error('detector verdict could not be published', {
      primary: run.primary,
      primaryProbes: probes,
      ...errorFields(err),
    });
    throw err;
  }
}

const runtime = lazy(() => detectorRuntimeFromEnv(process.env));

/** The `time` of an EventBridge scheduled event (set when the rule fired), when it is one. */
export function scheduledTime(event: unknown): number | undefined {
  const time = (event as { time?: unknown } | null)?.time;
  const ms = typeof time === 'string' ? Date.parse(time) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

export async function handler(event: unknown, context: Context): Promise<DetectorResult> {
  const scheduledAt = scheduledTime(event);
  return invokeDetector(await runtime(), {
    requestId: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
    ...(scheduledAt !== undefined ? { scheduledAt } : {}),
  });
}
