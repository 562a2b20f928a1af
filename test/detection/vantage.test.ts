import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { httpProber, type Prober } from '../../runtime/detection/probe';
import { runVantage, type VantageConfig } from '../../runtime/detection/vantage';
import { sigV4Signer } from '../../runtime/shared/sigv4';
import { type FaultServer, startFaultServer } from '../../scripts/dev/loopback-faults';
import { PROBE_CREDENTIAL, type ProbeServer, startProbeServer } from '../support/probe-server';
import { VirtualClock } from '../support/virtual-clock';

/**
 * One vantage point's run against real sockets on loopback: API Gateway stand-ins that check the signature,
 * and TCP servers that accept and never answer, reset, or stall mid-body. The clock is virtual (the window
 * wait and the 20 s spacing take no real time) and held still while a request is in flight, so the probe
 * timeouts are real ones.
 */
const TIMEOUT_MS = 400;
let primary: ProbeServer;
let secondary: ProbeServer;
let control: ProbeServer;
const faults: FaultServer[] = [];

beforeAll(async () => {
  primary = await startProbeServer('us-east-1');
  secondary = await startProbeServer('us-east-2', 'passive');
  control = await startProbeServer('us-east-2');
  for (const kind of ['silent', 'reset', 'stall-body'] as const) faults.push(await startFaultServer(kind));
});
afterAll(async () => {
  await Promise.all([primary.close(), secondary.close(), control.close(), ...faults.map((f) => f.close())]);
});
afterEach(() => {
  primary.mode = 'active';
  secondary.mode = 'passive';
});

const fault = (kind: FaultServer['kind']) => faults.find((f) => f.kind === kind) as FaultServer;
const sign = sigV4Signer(async () => PROBE_CREDENTIAL);

function config(over: Partial<VantageConfig> = {}): VantageConfig {
  return {
    vantage: 'us-west-2',
    primary: { url: `${primary.url}/health/probe`, region: 'us-east-1', signingRegion: 'us-east-1' },
    controlUrl: `${control.url}/health`,
    probesPerRun: 3,
    probeTimeoutMs: TIMEOUT_MS,
    ...over,
  };
}

async function run(c: VantageConfig, prober: Prober = httpProber(sign)) {
  const clock = new VirtualClock(Date.parse('2030-01-01T00:00:17.250Z'));
  const started = performance.now();
  const result = await runVantage(c, { clock, probe: (t, ms) => clock.hold(prober(t, ms)) });
  return { result, realMs: performance.now() - started };
}

describe('runVantage', () => {
  it('waits for the next minute and probes it three times, 20 s apart, with valid signatures', async () => {
    const before = primary.requests.length;
    const { result } = await run(config());
    expect(result.windowStart).toBe(Date.parse('2030-01-01T00:01:00.000Z'));
    expect(result.probes.map((p) => p.at - result.windowStart)).toEqual([0, 20_000, 40_000]);
    expect(result.primary).toBe('healthy');
    expect(result.secondary).toBeUndefined();
    const seen = primary.requests.slice(before);
    expect(seen.map((r) => `${r.path} ${r.signature}`)).toEqual(Array(3).fill('/health/probe valid'));
  });

  it('reports the secondary at the vantage point that watches it (passive is healthy)', async () => {
    const { result } = await run(
      config({
        secondary: { url: `${secondary.url}/health/probe`, region: 'us-east-2', signingRegion: 'us-east-2' },
      }),
    );
    expect(result.secondary).toBe('healthy');
    secondary.mode = 'unavailable';
    const again = await run(
      config({
        secondary: { url: `${secondary.url}/health/probe`, region: 'us-east-2', signingRegion: 'us-east-2' },
      }),
    );
    expect(again.result.secondary).toBe('failed');
  });

  it('fails a primary that answers 503 every time, but not one whose only problem is schema_pending', async () => {
    primary.mode = 'unavailable';
    expect((await run(config())).result.primary).toBe('failed');
    primary.mode = 'schema-pending';
    const pending = (await run(config())).result;
    expect(pending.primary).toBe('inconclusive');
    expect(pending.probes.map((p) => p.primary.reason)).toEqual(Array(3).fill('schema_pending'));
  });

  it('takes 429 and WAF 403 as inconclusive', async () => {
    primary.mode = 'throttled';
    expect((await run(config())).result.primary).toBe('inconclusive');
    primary.mode = 'waf-blocked';
    expect((await run(config())).result.probes[0]?.primary.reason).toBe('forbidden');
  });

  it('is refused by the route when the signature is wrong (the check is real)', async () => {
    const wrong = sigV4Signer(async () => ({ ...PROBE_CREDENTIAL, secretAccessKey: 'not-the-secret' }));
    const { result } = await run(config(), httpProber(wrong));
    expect(result.probes.map((p) => p.primary.reason)).toEqual(Array(3).fill('forbidden'));
    expect(result.primary).toBe('inconclusive');
    await expect(httpProber()(config().primary, TIMEOUT_MS)).rejects.toThrow(/needs a signer/);
  });

  for (const [kind, reason] of [
    ['silent', 'timeout'],
    ['stall-body', 'timeout'],
    ['reset', 'network:ECONNRESET'],
  ] as const) {
    it(`fails a primary that ${kind === 'reset' ? 'resets' : kind === 'silent' ? 'never answers' : 'stalls mid-body'} while the control answers, within the timeout`, async () => {
      const { result, realMs } = await run(
        config({ primary: { ...config().primary, url: `${fault(kind).url}/health/probe` } }),
      );
      expect(result.probes.map((p) => p.primary.reason)).toEqual(Array(3).fill(reason));
      expect(result.primary).toBe('failed');
      // Three probes, each bounded by the timeout (plus scheduling slack).
      expect(realMs).toBeLessThan(3 * TIMEOUT_MS + 1500);
    });
  }

  it('is inconclusive when the control target does not answer either (this vantage point is cut off)', async () => {
    const { result } = await run(
      config({
        primary: { ...config().primary, url: `${fault('silent').url}/health/probe` },
        controlUrl: `${fault('silent').url}/health`,
      }),
    );
    expect(result.probes.map((p) => p.primary.reason)).toEqual(Array(3).fill('local_network(timeout)'));
    expect(result.primary).toBe('inconclusive');
  });

  it('counts any HTTP answer of the control target, whatever its status', async () => {
    const { result } = await run(
      config({
        primary: { ...config().primary, url: `${fault('reset').url}/health/probe` },
        controlUrl: `${control.url}/no-such-path`,
      }),
    );
    expect(result.probes.every((p) => p.controlAnswered)).toBe(true);
    expect(result.primary).toBe('failed');
  });
});
