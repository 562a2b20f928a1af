/**
 * Watchdog tests: the state table and the alert topic are moto's (DynamoDB with conditional writes, SNS), the
 * primary's /health is a real HTTP server on loopback, and the Aurora global database is an aws-sdk-client-mock
 * double of the RDS client (moto has no global failover; support/fake-aurora.ts).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { systemClock } from '../../runtime/failover/clock';
import { LeaseLock } from '../../runtime/failover/lock';
import { createOpenLogger, silentSink } from '../../runtime/shared/logger';
import { WATCHDOG_DECIDED, WATCHDOG_FINISHED } from '../../runtime/failover/log-events';
import { type Notifier, snsNotifier } from '../../runtime/failover/notify';
import { orchestrate, type OrchestratorSettings } from '../../runtime/failover/orchestrator';
import { probeHealth } from '../../runtime/failover/probe';
import { StateStore, WATCHDOG_STATE_KEY, type WatchdogRecord } from '../../runtime/failover/state-store';
import { runWatchdog, type WatchdogConfig, type WatchdogDeps } from '../../runtime/failover/watchdog';
import {
  FakeAurora,
  fakeRds,
  GLOBAL_ID,
  PRIMARY_ID,
  SECONDARY_ARN,
  SECONDARY_ID,
} from './support/fake-aurora';
import { type HealthServer, startHealthServer } from './support/health-server';
import {
  createMotoResources,
  createStateTable,
  type MotoResources,
  SECONDARY,
  TEST_CREDENTIALS,
  unique,
} from './support/moto';

let moto: MotoResources;
let health: HealthServer;
let raw: DynamoDBClient;

beforeAll(async () => {
  moto = await createMotoResources(inject('motoUrl'), 'wd');
  raw = new DynamoDBClient({ region: SECONDARY, endpoint: inject('motoUrl'), credentials: TEST_CREDENTIALS });
  health = await startHealthServer();
});

afterAll(async () => {
  await health?.close();
  raw?.destroy();
  await moto?.close();
});

describe('probe of the primary /health', () => {
  afterEach(() => {
    health.mode = 'healthy';
  });

  it('is healthy only on 200 with status ok', async () => {
    const ok = await probeHealth(health.url, 2000);
    expect(ok).toMatchObject({ ok: true, status: 200, region: 'us-east-1' });
    health.mode = 'unavailable';
    expect(await probeHealth(health.url, 2000)).toMatchObject({ ok: false, status: 503, reason: 'http_503' });
    health.mode = 'not-ok';
    expect(await probeHealth(health.url, 2000)).toMatchObject({
      ok: false,
      status: 200,
      reason: 'status_not_ok',
    });
    health.mode = 'garbage';
    expect(await probeHealth(health.url, 2000)).toMatchObject({
      ok: false,
      status: 200,
      reason: 'invalid_body',
    });
  });

  it('fails a server that hangs, at the timeout', async () => {
    health.mode = 'hang';
    const started = Date.now();
    const result = await probeHealth(health.url, 300);
    const took = Date.now() - started;
    expect(result).toMatchObject({ ok: false, reason: 'timeout' });
    expect(took).toBeGreaterThanOrEqual(250);
    expect(took).toBeLessThan(2000);
  });

  it('fails when nothing listens', async () => {
    const closed = await startHealthServer();
    const url = closed.url;
    await closed.close();
    expect(await probeHealth(url, 1000)).toMatchObject({ ok: false, reason: 'network:ECONNREFUSED' });
  });
});

const orchestratorSettings: OrchestratorSettings = {
  environment: 'test',
  globalClusterId: GLOBAL_ID,
  primaryClusterId: PRIMARY_ID,
  secondaryClusterId: SECONDARY_ID,
  primaryRegion: 'us-east-1',
  secondaryRegion: SECONDARY,
  promotionTimeoutMs: 5000,
  pollIntervalMs: 20,
  preconditionWaitMs: 0,
  retry: { maxAttempts: 3, baseDelayMs: 10, maxDelayMs: 50 },
};

interface Rig {
  fake: FakeAurora;
  config: WatchdogConfig;
  deps: WatchdogDeps;
  table: string;
  store: StateStore;
  tick(): ReturnType<typeof runWatchdog>;
  messages(): Promise<Array<{ subject: string; message: string }>>;
}

let baseline = 0;

async function rig(
  mode: 'automatic' | 'manual',
  fake = new FakeAurora({ readsUntilPromoted: 2 }),
): Promise<Rig> {
  const table = unique('wd-state');
  await createStateTable(raw, table);
  const store = new StateStore(moto.ddb, table);
  const rds = fakeRds(fake, SECONDARY);
  const config: WatchdogConfig = {
    environment: 'test',
    region: SECONDARY,
    primaryHealthUrl: health.url,
    probeTimeoutMs: 300,
    decision: { failureThreshold: 3, historySize: 10, flapThreshold: 5, recoveryThreshold: 3, mode },
    globalClusterId: GLOBAL_ID,
    secondaryClusterId: SECONDARY_ID,
    orchestratorFunctionName: 'payment-processing-orchestrator-test',
    maxHandoverAttempts: 2,
  };
  const log = createOpenLogger({}, { sink: silentSink });
  const notifier = snsNotifier(moto.sns, moto.topicArn);
  const deps: WatchdogDeps = {
    rds,
    store,
    notifier,
    clock: systemClock,
    log,
    probe: probeHealth,
    failover: (reason) =>
      orchestrate(
        { action: 'failover', requestedBy: 'watchdog', reason, allowDataLoss: true },
        orchestratorSettings,
        {
          rds,
          lock: new LeaseLock({ ddb: moto.ddb, table, owner: unique('watchdog'), clock: systemClock }),
          notifier,
          clock: systemClock,
          log,
        },
      ),
  };
  return {
    fake,
    config,
    deps,
    table,
    store,
    tick: () => runWatchdog(config, deps),
    messages: async () => (await moto.published()).slice(baseline),
  };
}

async function storedItem(table: string): Promise<{ version: number; record: WatchdogRecord } | undefined> {
  const { Item } = await moto.ddb.send(
    new GetCommand({ TableName: table, Key: { pk: WATCHDOG_STATE_KEY }, ConsistentRead: true }),
  );
  return Item as { version: number; record: WatchdogRecord } | undefined;
}

const events = (messages: Array<{ message: string }>): string[] =>
  messages.map((m) => (JSON.parse(m.message) as { event: string }).event);

describe('watchdog runs', () => {
  beforeEach(async () => {
    health.mode = 'healthy';
    baseline = (await moto.published()).length;
  });

  it('a healthy primary: state saved with a version, nothing published', async () => {
    const r = await rig('automatic');
    const result = await r.tick();
    expect(result).toMatchObject({ action: { type: 'none' }, phase: 'healthy', writerRegion: 'us-east-1' });
    expect(result.probe.ok).toBe(true);
    await r.tick();
    const item = await storedItem(r.table);
    expect(item?.version).toBe(2);
    expect(item?.record.decision.history).toHaveLength(2);
    expect(item?.record.lastProbe).toMatchObject({ ok: true, status: 200 });
    expect(await r.messages()).toEqual([]);
  });

  it('manual mode: alerts suspect, then declares after N failures, never promotes, declares once', async () => {
    const r = await rig('manual');
    health.mode = 'unavailable';
    const actions: string[] = [];
    for (let i = 0; i < 6; i++) actions.push((await r.tick()).action.type);
    expect(actions).toEqual(['alert-suspect', 'none', 'declare-failed', 'none', 'none', 'none']);
    expect(r.fake.promotionCalls()).toHaveLength(0);
    const messages = await r.messages();
    expect(events(messages)).toEqual(['watchdog.suspect', 'watchdog.declare-failed']);
    expect(messages[1]?.subject).toBe(
      '[payments-dr test] primary declared failed (3 failed probes); manual mode: nothing promoted',
    );
    const body = JSON.parse(messages[1]?.message ?? '{}') as { details: Record<string, unknown> };
    expect(body.details.action).toMatch(/drctl -- failover --allow-data-loss --env test/);
    expect(body.details.action).toMatch(/payment-processing-orchestrator-test/);
    expect((await storedItem(r.table))?.record.decision.phase).toBe('declared');
  });

  it('a hanging primary counts as failed (probe timeout)', async () => {
    const r = await rig('manual');
    health.mode = 'hang';
    const started = Date.now();
    const result = await r.tick();
    expect(result.probe).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(result.action.type).toBe('alert-suspect');
  });

  it('automatic mode: declares and fails over in process, once; later runs only record', async () => {
    const r = await rig('automatic');
    health.mode = 'unavailable';
    await r.tick();
    await r.tick();
    const declaring = await r.tick();
    expect(declaring.action).toMatchObject({ type: 'declare-failed', promote: true });
    expect(declaring.handover).toMatchObject({ outcome: 'completed' });
    expect(r.fake.promotionCalls()).toEqual([
      {
        command: 'FailoverGlobalCluster',
        input: {
          GlobalClusterIdentifier: GLOBAL_ID,
          TargetDbClusterIdentifier: SECONDARY_ARN,
          AllowDataLoss: true,
        },
        region: SECONDARY,
      },
    ]);
    // Every RDS call of the watchdog and the in-process orchestrator went to the secondary region.
    expect(new Set(r.fake.calls.map((c) => c.region))).toEqual(new Set([SECONDARY]));
    const after = await r.tick();
    expect(after).toMatchObject({
      secondaryIsWriter: true,
      writerRegion: SECONDARY,
      action: { type: 'none' },
    });
    expect(after.handover).toBeUndefined();
    expect(r.fake.promotionCalls()).toHaveLength(1);
    expect(events(await r.messages())).toEqual([
      'watchdog.suspect',
      'watchdog.declare-failed',
      'failover.started',
      'failover.promotion-requested',
      'failover.writer-confirmed',
    ]);
    expect((await storedItem(r.table))?.record.handover).toMatchObject({
      status: 'done',
      lastOutcome: 'completed',
    });
  });

  it('automatic mode retries a failed hand-over on later runs, then gives up and alerts', async () => {
    const fake = new FakeAurora();
    for (let i = 0; i < 10; i++) {
      fake.promotionErrors.push(
        Object.assign(new Error('denied'), { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } }),
      );
    }
    const r = await rig('automatic', fake);
    health.mode = 'unavailable';
    for (let i = 0; i < 3; i++) await r.tick();
    expect((await storedItem(r.table))?.record.handover).toMatchObject({ status: 'pending', attempts: 1 });
    const last = await r.tick();
    expect(last.handover?.outcome).toBe('failed');
    expect((await storedItem(r.table))?.record.handover).toMatchObject({ status: 'failed', attempts: 2 });
    await r.tick();
    expect(fake.promotionCalls()).toHaveLength(2);
    expect(events(await r.messages()).filter((e) => e.startsWith('watchdog.'))).toEqual([
      'watchdog.suspect',
      'watchdog.declare-failed',
      'watchdog.handover-failed',
    ]);
  });

  it('does nothing but record when the secondary region already writes', async () => {
    const r = await rig('automatic', new FakeAurora({ writer: 'secondary' }));
    health.mode = 'unavailable';
    for (let i = 0; i < 5; i++) expect((await r.tick()).action.type).toBe('none');
    expect(r.fake.promotionCalls()).toHaveLength(0);
    expect(await r.messages()).toEqual([]);
    const item = await storedItem(r.table);
    expect(item?.record.decision.history).toHaveLength(5);
    expect(item?.record.lastWriterRegion).toBe(SECONDARY);
  });

  it('recovers after sustained health and re-arms', async () => {
    const r = await rig('manual');
    health.mode = 'unavailable';
    for (let i = 0; i < 3; i++) await r.tick();
    health.mode = 'healthy';
    const actions: string[] = [];
    for (let i = 0; i < 3; i++) actions.push((await r.tick()).action.type);
    expect(actions).toEqual(['none', 'none', 'recovered']);
    expect(events(await r.messages())).toEqual([
      'watchdog.suspect',
      'watchdog.declare-failed',
      'watchdog.recovered',
    ]);
  });

  it('keeps an alert that could not be published and publishes it on the next run', async () => {
    const r = await rig('manual');
    const real = r.deps.notifier;
    let failNext = true;
    const flaky: Notifier = {
      async publish(n) {
        if (failNext) {
          failNext = false;
          throw Object.assign(new Error('KMS key disabled'), { name: 'KMSDisabledException' });
        }
        return real.publish(n);
      },
    };
    r.deps.notifier = flaky;
    health.mode = 'unavailable';
    const first = await r.tick();
    expect(first).toMatchObject({ action: { type: 'alert-suspect' }, published: [], unpublished: 1 });
    expect((await storedItem(r.table))?.record.pendingAlerts).toMatchObject([
      { action: { type: 'alert-suspect' }, attempts: 1, lastError: 'KMSDisabledException: KMS key disabled' },
    ]);
    const second = await r.tick();
    expect(second.published).toEqual(['alert-suspect']);
    expect((await storedItem(r.table))?.record.pendingAlerts).toEqual([]);
    expect(events(await r.messages())).toEqual(['watchdog.suspect']);
  });

  it('overlapping runs act once on one decision (optimistic concurrency)', async () => {
    const r = await rig('manual');
    health.mode = 'unavailable';
    await r.tick();
    await r.tick();
    const results = await Promise.all([r.tick(), r.tick(), r.tick()]);
    expect(results.filter((x) => x.action.type === 'declare-failed')).toHaveLength(1);
    expect(events(await r.messages()).filter((e) => e === 'watchdog.declare-failed')).toHaveLength(1);
    expect((await storedItem(r.table))?.version).toBeGreaterThanOrEqual(5);
  });

  it('keeps deciding when the topology cannot be read', async () => {
    const fake = new FakeAurora();
    for (let i = 0; i < 3; i++) {
      fake.describeErrors.push(
        Object.assign(new Error('down'), { name: 'ServiceUnavailable', $metadata: { httpStatusCode: 503 } }),
      );
    }
    const r = await rig('manual', fake);
    health.mode = 'unavailable';
    const results = [await r.tick(), await r.tick(), await r.tick()];
    expect(results.map((x) => x.writerRegion)).toEqual(['unknown', 'unknown', 'unknown']);
    expect(results[2]?.action.type).toBe('declare-failed');
  });

  describe('decision log line (what the alarm metrics count)', () => {
    type Line = Record<string, unknown>;
    const capture = (r: Rig): Line[] => {
      const lines: Line[] = [];
      r.deps.log = createOpenLogger(
        { service: 'watchdog' },
        { sink: (l) => lines.push(JSON.parse(l) as Line) },
      );
      return lines;
    };
    const named = (lines: Line[], message: string) => lines.filter((l) => l.message === message);

    it('is logged as soon as the decision is saved, before the hand-over starts', async () => {
      const r = await rig('automatic');
      const lines = capture(r);
      const failover = r.deps.failover;
      let atHandover: Line[] = [];
      r.deps.failover = async (reason) => {
        atHandover = [...lines];
        return failover(reason);
      };
      health.mode = 'unavailable';
      for (let i = 0; i < 3; i++) await r.tick();
      expect(named(lines, WATCHDOG_DECIDED).map((l) => l.action)).toEqual([
        'alert-suspect',
        'none',
        'declare-failed',
      ]);
      // When the failover starts, the declaration is already in the log; the run's end is not.
      expect(named(atHandover, WATCHDOG_DECIDED).at(-1)).toMatchObject({
        action: 'declare-failed',
        phase: 'declared',
        consecutiveFailures: 3,
        mode: 'automatic',
        promote: true,
        handoverPending: true,
      });
      expect(named(atHandover, WATCHDOG_FINISHED)).toHaveLength(2);
      expect(named(lines, WATCHDOG_FINISHED)).toHaveLength(3);
    });

    it('stays in the log when the run dies during the hand-over (function timeout)', async () => {
      const r = await rig('automatic');
      const lines = capture(r);
      r.deps.failover = async () => {
        throw new Error('Task timed out after 900.00 seconds');
      };
      health.mode = 'unavailable';
      await r.tick();
      await r.tick();
      await expect(r.tick()).rejects.toThrow(/timed out/);
      expect(named(lines, WATCHDOG_DECIDED).at(-1)).toMatchObject({ action: 'declare-failed' });
      expect(named(lines, WATCHDOG_FINISHED)).toHaveLength(2);
    });
  });
});
