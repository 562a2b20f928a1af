/**
 * Lambda wiring: configuration from the environment, and proof that the watchdog and a failover to the
 * secondary region only ever address the secondary region's endpoints. The production client factories are
 * used as is; an interceptor (support/intercept.ts) records each request's endpoint host and answers with
 * canned outputs instead of sending it, since a real failover cannot run against any emulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentSink } from '../../runtime/shared/logger';
import { orchestratorConfigFromEnv, watchdogConfigFromEnv } from '../../runtime/failover/config';
import {
  invokeOrchestrator,
  orchestratorRuntimeFromEnv,
  parseOrchestratorEvent,
} from '../../runtime/failover/orchestrator-handler';
import { invokeWatchdog, watchdogRuntimeFromEnv } from '../../runtime/failover/watchdog-handler';
import { GLOBAL_ID, PRIMARY_ARN, PRIMARY_ID, SECONDARY_ARN, SECONDARY_ID } from './support/fake-aurora';
import { type HealthServer, startHealthServer } from './support/health-server';
import { type InterceptedCall, intercept } from '../support/intercept';
import { VirtualClock } from './support/virtual-clock';

let health: HealthServer;
const savedEnv = { ...process.env };

beforeAll(async () => {
  health = await startHealthServer('unavailable');
  // The SDK resolves credentials before the interceptor runs (nothing is ever signed or sent).
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

afterAll(async () => {
  await health?.close();
  process.env.AWS_ACCESS_KEY_ID = savedEnv.AWS_ACCESS_KEY_ID;
  process.env.AWS_SECRET_ACCESS_KEY = savedEnv.AWS_SECRET_ACCESS_KEY;
  if (savedEnv.AWS_ACCESS_KEY_ID === undefined) delete process.env.AWS_ACCESS_KEY_ID;
  if (savedEnv.AWS_SECRET_ACCESS_KEY === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
});

const TOPIC_USE2 = 'arn:aws:sns:us-east-2:123456789012:payment-processing-alerts-test-use2';

const watchdogEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
  AWS_REGION: 'us-east-2',
  PRIMARY_HEALTH_URL: health.url,
  PROBE_TIMEOUT_MS: '500',
  FAILURE_THRESHOLD: '1',
  HISTORY_SIZE: '10',
  FAILOVER_MODE: 'automatic',
  STATE_TABLE: 'payment-processing-dr-state-test',
  TOPIC_ARN: TOPIC_USE2,
  GLOBAL_CLUSTER_ID: GLOBAL_ID,
  SECONDARY_CLUSTER_ID: SECONDARY_ID,
  ENVIRONMENT_SUFFIX: 'test',
  ...overrides,
});

/** A global cluster whose writer is the target of the last promotion request seen (else `initial`). */
function cannedAws(calls: InterceptedCall[], initial: 'primary' | 'secondary' = 'primary') {
  return (command: string): Record<string, unknown> => {
    const promotions = calls.filter(
      (c) => c.command === 'FailoverGlobalClusterCommand' || c.command === 'SwitchoverGlobalClusterCommand',
    );
    const last = promotions.at(-1)?.input as { TargetDbClusterIdentifier?: string } | undefined;
    const writer = last
      ? last.TargetDbClusterIdentifier === PRIMARY_ARN
        ? 'primary'
        : 'secondary'
      : initial;
    switch (command) {
      case 'DescribeGlobalClustersCommand':
        return {
          GlobalClusters: [
            {
              GlobalClusterIdentifier: GLOBAL_ID,
              Status: 'available',
              GlobalClusterMembers: [
                {
                  DBClusterArn: PRIMARY_ARN,
                  IsWriter: writer === 'primary',
                  SynchronizationStatus: 'connected',
                },
                {
                  DBClusterArn: SECONDARY_ARN,
                  IsWriter: writer === 'secondary',
                  SynchronizationStatus: 'connected',
                },
              ],
            },
          ],
        };
      case 'DescribeDBClustersCommand':
        return { DBClusters: [{ DBClusterIdentifier: PRIMARY_ID, Status: 'available' }] };
      case 'PublishCommand':
        return { MessageId: 'm-1' };
      default:
        return {};
    }
  };
}

describe('watchdog: secondary region only', () => {
  it('builds every SDK client with the secondary region', async () => {
    const rt = watchdogRuntimeFromEnv(watchdogEnv(), silentSink);
    expect(await rt.rds.config.region()).toBe('us-east-2');
    expect(await rt.sns.config.region()).toBe('us-east-2');
    expect(await rt.ddb.config.region()).toBe('us-east-2');
  });

  it('a run that declares the primary failed and fails over addresses only us-east-2 endpoints', async () => {
    const rt = watchdogRuntimeFromEnv(watchdogEnv(), silentSink);
    const calls: InterceptedCall[] = [];
    for (const client of [rt.rds, rt.sns, rt.ddb]) intercept(client, calls, cannedAws(calls));
    const result = await invokeWatchdog(rt, { requestId: 'req-1' });
    expect(result.action).toMatchObject({ type: 'declare-failed', promote: true });
    expect(result.handover?.outcome).toBe('completed');
    const commands = new Set(calls.map((c) => c.command));
    for (const expected of [
      'DescribeGlobalClustersCommand',
      'FailoverGlobalClusterCommand',
      'GetItemCommand',
      'PutItemCommand',
      'DeleteItemCommand',
      'PublishCommand',
    ]) {
      expect(commands).toContain(expected);
    }
    const hosts = new Set(calls.map((c) => c.hostname));
    expect([...hosts].sort()).toEqual([
      'dynamodb.us-east-2.amazonaws.com',
      'rds.us-east-2.amazonaws.com',
      'sns.us-east-2.amazonaws.com',
    ]);
    expect(calls.find((c) => c.command === 'FailoverGlobalClusterCommand')?.input).toEqual({
      GlobalClusterIdentifier: GLOBAL_ID,
      TargetDbClusterIdentifier: SECONDARY_ARN,
      AllowDataLoss: true,
    });
  });

  it('bounds the in-process failover by the remaining invocation time', async () => {
    const rt = watchdogRuntimeFromEnv(watchdogEnv(), silentSink);
    const calls: InterceptedCall[] = [];
    // The promotion request is accepted but the writer never changes.
    for (const client of [rt.rds, rt.sns, rt.ddb]) {
      intercept(client, calls, (command) =>
        cannedAws([], 'primary')(command === 'FailoverGlobalClusterCommand' ? 'none' : command),
      );
    }
    const clock = new VirtualClock();
    const result = await invokeWatchdog(rt, { requestId: 'req-2', remainingMs: 60_000 }, { clock });
    // 60 s left - 0.5 s probe timeout - 30 s margin = 29.5 s of waiting at most.
    expect(result.handover).toEqual({
      outcome: 'timeout',
      message: `${SECONDARY_ID} did not become writer within 29500 ms`,
    });
  });
});

describe('watchdog configuration', () => {
  it('reads the documented variables with their defaults', () => {
    const c = watchdogConfigFromEnv({
      AWS_REGION: 'us-east-2',
      PRIMARY_HEALTH_URL: 'https://payments-use1.example.com/health',
      STATE_TABLE: 't',
      TOPIC_ARN: TOPIC_USE2,
      GLOBAL_CLUSTER_ID: GLOBAL_ID,
      SECONDARY_CLUSTER_ID: SECONDARY_ID,
    });
    expect(c).toMatchObject({
      probeTimeoutMs: 3000,
      decision: {
        failureThreshold: 3,
        historySize: 10,
        flapThreshold: 5,
        recoveryThreshold: 5,
        mode: 'manual',
      },
      orchestrator: { secondaryRegion: 'us-east-2', promotionTimeoutMs: 600_000, pollIntervalMs: 10_000 },
    });
  });

  it.each([
    [
      { TOPIC_ARN: 'arn:aws:sns:us-east-1:123456789012:payment-processing-alerts-test-use1' },
      /TOPIC_ARN must be a topic of us-east-2/,
    ],
    [{ FAILOVER_MODE: 'auto' }, /FAILOVER_MODE must be automatic or manual/],
    [{ PRIMARY_HEALTH_URL: 'http://payments-use1.example.com/health' }, /must use https/],
    [{ FAILURE_THRESHOLD: 'three' }, /FAILURE_THRESHOLD must be a non-negative integer/],
    [{ HISTORY_SIZE: '2', FAILURE_THRESHOLD: '3' }, /HISTORY_SIZE must be between 3 and 1000/],
    [{ STATE_TABLE: '' }, /STATE_TABLE is required/],
  ])('rejects %j', (overrides, message) => {
    expect(() => watchdogConfigFromEnv(watchdogEnv(overrides))).toThrow(message);
  });
});

const orchestratorEnv = (overrides: Record<string, string> = {}): Record<string, string> => ({
  AWS_REGION: 'us-east-2',
  PRIMARY_REGION: 'us-east-1',
  STATE_TABLE: 'payment-processing-dr-state-test',
  TOPIC_ARN: TOPIC_USE2,
  GLOBAL_CLUSTER_ID: GLOBAL_ID,
  PRIMARY_CLUSTER_ID: PRIMARY_ID,
  SECONDARY_CLUSTER_ID: SECONDARY_ID,
  ENVIRONMENT_SUFFIX: 'test',
  ...overrides,
});

describe('orchestrator function', () => {
  it('validates the event', () => {
    expect(parseOrchestratorEvent({ action: 'switchover' }, 'r')).toEqual({
      action: 'switchover',
      requestedBy: 'lambda:r',
    });
    expect(
      parseOrchestratorEvent(
        { action: 'failover', allowDataLoss: true, reason: 'drill', requestedBy: 'ops' },
        'r',
      ),
    ).toEqual({
      action: 'failover',
      allowDataLoss: true,
      reason: 'drill',
      requestedBy: 'ops',
    });
    expect(() => parseOrchestratorEvent({ action: 'promote' }, 'r')).toThrow(
      /action must be one of failover, switchover, failback/,
    );
    expect(() => parseOrchestratorEvent('failover', 'r')).toThrow(/JSON object/);
    expect(() => parseOrchestratorEvent({ action: 'failover', allowDataLoss: 'yes' }, 'r')).toThrow(
      /boolean/,
    );
  });

  it('switchover to the secondary addresses only us-east-2; failback promotes through us-east-1', async () => {
    const rt = orchestratorRuntimeFromEnv(orchestratorEnv(), silentSink);
    const calls: InterceptedCall[] = [];
    for (const client of [rt.rdsFor('us-east-2'), rt.rdsFor('us-east-1'), rt.sns, rt.ddb]) {
      intercept(client, calls, cannedAws(calls));
    }
    const result = await invokeOrchestrator(rt, { action: 'switchover' }, { requestId: 'r-1' });
    expect(result.message).toBe(`${SECONDARY_ID} in us-east-2 is the writer`);
    expect(new Set(calls.map((c) => c.hostname.replace(/^[a-z]+\./, '')))).toEqual(
      new Set(['us-east-2.amazonaws.com']),
    );

    const back: InterceptedCall[] = [];
    const rt2 = orchestratorRuntimeFromEnv(orchestratorEnv(), silentSink);
    for (const client of [rt2.rdsFor('us-east-2'), rt2.rdsFor('us-east-1'), rt2.sns, rt2.ddb]) {
      intercept(client, back, cannedAws(back, 'secondary'));
    }
    const failback = await invokeOrchestrator(rt2, { action: 'failback' }, { requestId: 'r-2' });
    expect(failback.outcome).toBe('completed');
    const rdsHosts = new Set(back.filter((c) => c.hostname.startsWith('rds.')).map((c) => c.hostname));
    expect(rdsHosts).toEqual(new Set(['rds.us-east-1.amazonaws.com']));
    const promotion = back.find((c) => c.command === 'SwitchoverGlobalClusterCommand');
    expect(promotion?.hostname).toBe('rds.us-east-1.amazonaws.com');
    expect(promotion?.input).toEqual({
      GlobalClusterIdentifier: GLOBAL_ID,
      TargetDbClusterIdentifier: PRIMARY_ARN,
    });
  });

  it('refuses an unplanned failover event without allowDataLoss, calling nothing (not even the lock)', async () => {
    const rt = orchestratorRuntimeFromEnv(orchestratorEnv(), silentSink);
    const calls: InterceptedCall[] = [];
    for (const client of [rt.rdsFor('us-east-2'), rt.sns, rt.ddb]) intercept(client, calls, cannedAws(calls));
    const result = await invokeOrchestrator(rt, { action: 'failover' }, { requestId: 'r-3' });
    expect(result.outcome).toBe('refused');
    expect(calls).toEqual([]);
  });

  it('reads its configuration', () => {
    expect(orchestratorConfigFromEnv(orchestratorEnv())).toMatchObject({
      region: 'us-east-2',
      settings: { primaryRegion: 'us-east-1', secondaryRegion: 'us-east-2', preconditionWaitMs: 0 },
    });
    expect(() => orchestratorConfigFromEnv(orchestratorEnv({ PRIMARY_REGION: 'us-east-2' }))).toThrow(
      /must differ/,
    );
  });
});
