import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type DetectorRuntime,
  detectorRuntimeFromEnv,
  invokeDetector,
} from '../../runtime/detection/handler';
import { parseDetectorEnv, renderDetectorEnv } from '../../runtime/detection/env';
import { publishRun, runDatums } from '../../runtime/detection/publish';
import type { VantageRun } from '../../runtime/detection/vantage';
import { BUDGETS, cloudwatchClient } from '../../runtime/shared/aws-clients';
import { silentSink } from '../../runtime/shared/logger';
import { type InterceptedCall, intercept } from '../support/intercept';
import { PROBE_CREDENTIAL, type ProbeServer, startProbeServer } from '../support/probe-server';
import { VirtualClock } from '../support/virtual-clock';

/**
 * Publication through the production client factory, stopped after endpoint resolution and serialization
 * (test/support/intercept.ts): what would be sent, and to which host. moto's CloudWatch does not speak the
 * SDK's JSON protocol, so the emulator cannot stand in here.
 */
const namespace = () => `PaymentsDR/test-${randomBytes(4).toString('hex')}`;
function recordingClient(calls: InterceptedCall[]) {
  const cw = cloudwatchClient(BUDGETS.failover, {
    region: 'us-east-2',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  intercept(cw, calls, () => ({}));
  return cw;
}
const WINDOW = Date.parse('2030-01-01T00:01:00.000Z');

const run = (primary: VantageRun['primary'], secondary?: VantageRun['secondary']): VantageRun => ({
  vantage: 'us-west-2',
  windowStart: WINDOW,
  primary,
  ...(secondary ? { secondary } : {}),
  probes: [],
});

const datum = (name: string, vantage: string, value: number) => ({
  MetricName: name,
  Dimensions: [{ Name: 'Vantage', Value: vantage }],
  Timestamp: new Date(WINDOW),
  Value: value,
  Unit: 'None',
  StorageResolution: 60,
});

describe('publishRun', () => {
  it('maps verdicts to values: failed 1 / healthy 0 for the primary, healthy 1 / failed 0 for the secondary', () => {
    const values = (r: VantageRun) => runDatums(r).map((d) => `${d.MetricName}=${d.Value}`);
    expect(values(run('failed', 'healthy'))).toEqual(['PrimaryFailed=1', 'SecondaryHealthy=1']);
    expect(values(run('healthy', 'failed'))).toEqual(['PrimaryFailed=0', 'SecondaryHealthy=0']);
    expect(values(run('inconclusive', 'inconclusive'))).toEqual([]);
    expect(values(run('inconclusive'))).toEqual([]);
  });

  it('sends one PutMetricData to us-east-2 with the Vantage dimension, timestamped at the window start', async () => {
    const calls: InterceptedCall[] = [];
    const ns = namespace();
    await publishRun(recordingClient(calls), ns, run('failed', 'healthy'));
    expect(calls).toEqual([
      {
        command: 'PutMetricDataCommand',
        hostname: 'monitoring.us-east-2.amazonaws.com',
        input: {
          Namespace: ns,
          MetricData: [datum('PrimaryFailed', 'us-west-2', 1), datum('SecondaryHealthy', 'us-west-2', 1)],
        },
      },
    ]);
  });

  it('makes no call for an inconclusive run', async () => {
    const calls: InterceptedCall[] = [];
    expect(
      await publishRun(recordingClient(calls), namespace(), run('inconclusive', 'inconclusive')),
    ).toEqual([]);
    expect(calls).toEqual([]);
  });
});

describe('the detector function end to end (environment, signed probes, publication)', () => {
  let primary: ProbeServer;
  let secondary: ProbeServer;
  const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
  beforeAll(async () => {
    primary = await startProbeServer('us-east-1', 'unavailable');
    secondary = await startProbeServer('us-east-2', 'passive');
    // The function signs with the credentials its SDK client resolves: in Lambda, the role's, from the environment.
    process.env.AWS_ACCESS_KEY_ID = PROBE_CREDENTIAL.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = PROBE_CREDENTIAL.secretAccessKey;
  });
  afterAll(async () => {
    await Promise.all([primary.close(), secondary.close()]);
  });
  afterEach(() => {
    for (const [k, v] of [
      ['AWS_ACCESS_KEY_ID', saved.id],
      ['AWS_SECRET_ACCESS_KEY', saved.secret],
    ] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  const env = (ns: string) => ({
    ...renderDetectorEnv({
      primaryProbeUrl: `${primary.url}/health/probe`,
      primaryRegion: 'us-east-1',
      secondaryProbeUrl: `${secondary.url}/health/probe`,
      secondaryRegion: 'us-east-2',
      controlUrl: `${secondary.url}/health`,
      metricRegion: 'us-east-2',
      metricNamespace: ns,
      probeTimeoutMs: 500,
    }),
    // The vantage point in us-west-2 publishes to us-east-2.
    AWS_REGION: 'us-west-2',
  });

  it('runs from its environment: the failed primary and the healthy secondary reach CloudWatch', async () => {
    const ns = namespace();
    const rt: DetectorRuntime = detectorRuntimeFromEnv(env(ns), silentSink);
    const calls: InterceptedCall[] = [];
    intercept(rt.cloudwatch, calls, () => ({}));
    const clock = new VirtualClock(WINDOW - 42_000);
    rt.probe = (
      (p) => (t, ms) =>
        clock.hold(p(t, ms))
    )(rt.probe);
    const result = await invokeDetector(rt, { requestId: 'r-1', remainingMs: 118_000 }, clock);
    expect(result).toEqual({
      windowStart: new Date(WINDOW).toISOString(),
      primary: 'failed',
      secondary: 'healthy',
      published: ['PrimaryFailed=1', 'SecondaryHealthy=1'],
    });
    expect(primary.requests.slice(-3).map((r) => r.signature)).toEqual(['valid', 'valid', 'valid']);
    expect(calls.map((c) => [c.hostname, c.input])).toEqual([
      [
        'monitoring.us-east-2.amazonaws.com',
        {
          Namespace: ns,
          MetricData: [datum('PrimaryFailed', 'us-west-2', 1), datum('SecondaryHealthy', 'us-west-2', 1)],
        },
      ],
    ]);
  });

  it('refuses a run that cannot finish before the function times out', async () => {
    const rt = detectorRuntimeFromEnv(env(namespace()), silentSink);
    const clock = new VirtualClock(WINDOW - 42_000);
    await expect(invokeDetector(rt, { requestId: 'r-2', remainingMs: 60_000 }, clock)).rejects.toThrow(
      /needs 87500 ms and the function has 60000 ms left/,
    );
  });

  it('refuses an environment that cannot work', () => {
    const base = env('ns');
    expect(() => parseDetectorEnv({ ...base, SECONDARY_REGION: '' })).toThrow(/set together/);
    expect(() => parseDetectorEnv({ ...base, PRIMARY_PROBE_URL: 'http://example.com/health/probe' })).toThrow(
      /must use https/,
    );
    expect(() => parseDetectorEnv({ ...base, PROBE_TIMEOUT_MS: '9000', PROBES_PER_RUN: '6' })).toThrow(
      /within the one-minute window/,
    );
    expect(parseDetectorEnv(base).probesPerRun).toBe(3);
  });
});
