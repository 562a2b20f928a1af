/**
 * Several probes per watchdog invocation: EventBridge runs the watchdog at most once a minute, so one
 * invocation samples the primary PROBES_PER_RUN times, PROBE_SPACING_MS apart. The decision state lives in
 * moto's DynamoDB (real conditional writes); the global database is a canned RDS answer (moto has no global
 * failover), and time is a clock whose sleeps return at once and are recorded.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Clock } from '../../runtime/failover/clock';
import { watchdogConfigFromEnv } from '../../runtime/failover/config';
import { silentSink } from '../../runtime/shared/logger';
import { probeHealth, type Prober } from '../../runtime/failover/probe';
import { invokeWatchdog, watchdogRuntimeFromEnv } from '../../runtime/failover/watchdog-handler';
import { GLOBAL_ID, PRIMARY_ARN, SECONDARY_ARN, SECONDARY_ID } from './support/fake-aurora';
import { type HealthServer, startHealthServer } from './support/health-server';
import { type InterceptedCall, intercept } from '../support/intercept';
import { createMotoResources, type MotoResources, TEST_CREDENTIALS } from './support/moto';

let health: HealthServer;
let moto: MotoResources;
const saved = { ...process.env };

beforeAll(async () => {
  health = await startHealthServer('healthy');
  moto = await createMotoResources(inject('motoUrl'), 'series');
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
});

afterAll(async () => {
  await health?.close();
  await moto?.close();
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

/** Time that jumps forward by every sleep, which is recorded; `advance` simulates slow work. */
function jumpingClock(): Clock & { sleeps: number[]; advance(ms: number): void } {
  let t = Date.parse('2030-01-01T00:00:00Z');
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms) => {
      sleeps.push(ms);
      t += ms;
    },
    advance: (ms) => {
      t += ms;
    },
  };
}

function runtime(stateTable: string, probesPerRun: string) {
  const rt = watchdogRuntimeFromEnv(
    {
      AWS_REGION: 'us-east-2',
      AWS_ENDPOINT_URL: moto.motoUrl,
      PRIMARY_HEALTH_URL: health.url,
      PROBE_TIMEOUT_MS: '500',
      PROBES_PER_RUN: probesPerRun,
      PROBE_SPACING_MS: '20000',
      FAILURE_THRESHOLD: '3',
      FAILOVER_MODE: 'automatic',
      STATE_TABLE: stateTable,
      TOPIC_ARN: moto.topicArn,
      GLOBAL_CLUSTER_ID: GLOBAL_ID,
      SECONDARY_CLUSTER_ID: SECONDARY_ID,
      ENVIRONMENT_SUFFIX: 'test',
    },
    silentSink,
  );
  const calls: InterceptedCall[] = [];
  intercept(rt.rds, calls, (command) => {
    const promoted = calls.some((c) => c.command === 'FailoverGlobalClusterCommand');
    if (command !== 'DescribeGlobalClustersCommand') return {};
    return {
      GlobalClusters: [
        {
          GlobalClusterIdentifier: GLOBAL_ID,
          Status: 'available',
          GlobalClusterMembers: [
            { DBClusterArn: PRIMARY_ARN, IsWriter: !promoted, SynchronizationStatus: 'connected' },
            { DBClusterArn: SECONDARY_ARN, IsWriter: promoted, SynchronizationStatus: 'connected' },
          ],
        },
      ],
    };
  });
  return { rt, calls };
}

describe('watchdog invocation with several probes', () => {
  it('probes a healthy primary PROBES_PER_RUN times, PROBE_SPACING_MS apart, and does nothing else', async () => {
    health.mode = 'healthy';
    const { rt, calls } = runtime(moto.table, '3');
    const before = health.requests;
    const clock = jumpingClock();
    const result = await invokeWatchdog(rt, { requestId: 'series-1', remainingMs: 900_000 }, { clock });
    expect(health.requests - before).toBe(3);
    expect(clock.sleeps).toEqual([20_000, 20_000]);
    expect(result.action.type).toBe('none');
    expect(calls.some((c) => c.command === 'FailoverGlobalClusterCommand')).toBe(false);
  });

  it('declares a failed primary and fails over within one invocation (3 failed probes, 40 s apart at most)', async () => {
    health.mode = 'unavailable';
    const { rt, calls } = runtime(moto.table, '3');
    const clock = jumpingClock();
    const result = await invokeWatchdog(rt, { requestId: 'series-2', remainingMs: 900_000 }, { clock });
    expect(result.action).toMatchObject({ type: 'declare-failed', promote: true });
    expect(result.handover?.outcome).toBe('completed');
    expect(calls.filter((c) => c.command === 'FailoverGlobalClusterCommand')).toHaveLength(1);
    // Two waits between the three probes; the orchestrator's own polling may add more after them.
    expect(clock.sleeps.slice(0, 2)).toEqual([20_000, 20_000]);
  });

  it('keeps probes at fixed offsets: a slow run skips the slot it overran instead of pushing the rest late', async () => {
    health.mode = 'healthy';
    const { rt } = runtime(moto.table, '3');
    const clock = jumpingClock();
    const before = health.requests;
    // Every probe takes 25 s: slots are at 0, 20 and 40 s, so the one at 20 s is skipped.
    const slow: Prober = async (url, timeoutMs) => {
      clock.advance(25_000);
      return probeHealth(url, timeoutMs);
    };
    await invokeWatchdog(rt, { requestId: 'series-slow', remainingMs: 900_000 }, { clock, probe: slow });
    expect(health.requests - before).toBe(2);
    expect(clock.sleeps).toEqual([15_000]);
  });

  it('accepts any spacing with one probe per run (a schedule longer than a minute)', () => {
    const env = {
      AWS_REGION: 'us-east-2',
      PRIMARY_HEALTH_URL: 'https://payments-use1.example.com/health',
      STATE_TABLE: 't',
      TOPIC_ARN: 'arn:aws:sns:us-east-2:123456789012:alerts',
      GLOBAL_CLUSTER_ID: GLOBAL_ID,
      SECONDARY_CLUSTER_ID: SECONDARY_ID,
    };
    expect(watchdogConfigFromEnv({ ...env, PROBES_PER_RUN: '1', PROBE_SPACING_MS: '120000' })).toMatchObject({
      probesPerRun: 1,
    });
    expect(
      watchdogConfigFromEnv({ ...env, PROBES_PER_RUN: '3', PROBE_SPACING_MS: '100000' }).probeSpacingMs,
    ).toBe(100_000);
    expect(() => watchdogConfigFromEnv({ ...env, PROBES_PER_RUN: '3', PROBE_SPACING_MS: '2000' })).toThrow(
      /PROBE_SPACING_MS/,
    );
  });

  it('one probe per invocation when PROBES_PER_RUN is 1 (no waiting)', async () => {
    health.mode = 'healthy';
    const { rt } = runtime(moto.table, '1');
    const before = health.requests;
    const clock = jumpingClock();
    await invokeWatchdog(rt, { requestId: 'series-3', remainingMs: 900_000 }, { clock });
    expect(health.requests - before).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });
});
