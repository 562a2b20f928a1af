/**
 * Orchestrator tests. The lock is the real lease lock on moto's DynamoDB (conditional writes); Aurora global
 * failover/switchover is a test double of the RDS client (aws-sdk-client-mock, see support/fake-aurora.ts)
 * because moto implements neither, and SNS is moto's.
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { systemClock } from '../../runtime/failover/clock';
import { LeaseLock, LOCK_KEY } from '../../runtime/failover/lock';
import { createOpenLogger, silentSink } from '../../runtime/shared/logger';
import type { Notification, Notifier } from '../../runtime/failover/notify';
import { snsNotifier } from '../../runtime/failover/notify';
import {
  type OrchestrationRequest,
  type OrchestratorDeps,
  type OrchestratorSettings,
  orchestrate,
  type ProgressEvent,
} from '../../runtime/failover/orchestrator';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  awsError,
  FakeAurora,
  fakeRds,
  GLOBAL_ID,
  PRIMARY_ARN,
  PRIMARY_ID,
  SECONDARY_ARN,
  SECONDARY_ID,
} from './support/fake-aurora';
import { createMotoResources, type MotoResources, unique } from './support/moto';
import { VirtualClock } from './support/virtual-clock';

let moto: MotoResources;

beforeAll(async () => {
  moto = await createMotoResources(inject('motoUrl'), 'orch');
});

afterAll(async () => {
  await moto?.close();
});

const settings = (overrides: Partial<OrchestratorSettings> = {}): OrchestratorSettings => ({
  environment: 'test',
  globalClusterId: GLOBAL_ID,
  primaryClusterId: PRIMARY_ID,
  secondaryClusterId: SECONDARY_ID,
  primaryRegion: 'us-east-1',
  secondaryRegion: 'us-east-2',
  promotionTimeoutMs: 600_000,
  pollIntervalMs: 10_000,
  preconditionWaitMs: 0,
  retry: { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 8000 },
  ...overrides,
});

class MemoryNotifier implements Notifier {
  readonly sent: Notification[] = [];
  async publish(n: Notification): Promise<void> {
    this.sent.push(n);
  }
  events(): string[] {
    return this.sent.map((n) => n.event);
  }
}

interface Harness {
  fake: FakeAurora;
  clock: VirtualClock;
  notifier: MemoryNotifier;
  progress: ProgressEvent[];
  lock: LeaseLock;
  deps: OrchestratorDeps;
}

function harness(fake: FakeAurora, region = 'us-east-2', overrides: Partial<OrchestratorDeps> = {}): Harness {
  const clock = new VirtualClock();
  const notifier = new MemoryNotifier();
  const progress: ProgressEvent[] = [];
  const lock = new LeaseLock({
    ddb: moto.ddb,
    table: moto.table,
    owner: unique('test-owner'),
    clock: systemClock,
  });
  return {
    fake,
    clock,
    notifier,
    progress,
    lock,
    deps: {
      rds: fakeRds(fake, region),
      lock,
      notifier,
      clock,
      log: createOpenLogger({}, { sink: silentSink }),
      random: () => 0.5,
      onProgress: (e) => progress.push(e),
      ...overrides,
    },
  };
}

const switchover: OrchestrationRequest = { action: 'switchover', requestedBy: 'test' };
const failover: OrchestrationRequest = { action: 'failover', requestedBy: 'test', allowDataLoss: true };
const failback: OrchestrationRequest = { action: 'failback', requestedBy: 'test' };

async function lockItemExists(): Promise<boolean> {
  return (
    (await new LeaseLock({
      ddb: moto.ddb,
      table: moto.table,
      owner: 'probe',
      clock: systemClock,
    }).holder()) !== undefined
  );
}

describe('idempotency', () => {
  it('does nothing (no promotion call) when the target already writes', async () => {
    const h = harness(new FakeAurora({ writer: 'secondary' }));
    const result = await orchestrate(failover, settings(), h.deps);
    expect(result.outcome).toBe('noop');
    expect(result.message).toMatch(/already the writer/);
    expect(h.fake.promotionCalls()).toHaveLength(0);
    expect(h.notifier.events()).toEqual(['failover.started', 'failover.noop']);
    expect(await lockItemExists()).toBe(false);
  });

  it('waits for a promotion already under way towards the target instead of requesting another', async () => {
    const fake = new FakeAurora({ readsUntilPromoted: 3 });
    fake.inFlight = { target: 'secondary', remaining: 3, dataLoss: false };
    fake.status = 'switching-over';
    const h = harness(fake);
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result.outcome).toBe('completed');
    expect(fake.promotionCalls()).toHaveLength(0);
  });

  it('refuses while an operation towards another cluster is under way', async () => {
    const other = new FakeAurora();
    other.inFlight = { target: 'primary', remaining: 100, dataLoss: true };
    const h = harness(other);
    const refused = await orchestrate(switchover, settings(), h.deps);
    expect(refused.outcome).toBe('refused');
    expect(refused.message).toMatch(/under way/);
    expect(other.promotionCalls()).toHaveLength(0);
  });
});

describe('switchover and failover to the secondary region', () => {
  it('switchover: one SwitchoverGlobalCluster call to us-east-2 with the secondary cluster ARN, then waits for the writer', async () => {
    const h = harness(new FakeAurora({ readsUntilPromoted: 4 }));
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result.outcome).toBe('completed');
    expect(h.fake.promotionCalls()).toEqual([
      {
        command: 'SwitchoverGlobalCluster',
        input: { GlobalClusterIdentifier: GLOBAL_ID, TargetDbClusterIdentifier: SECONDARY_ARN },
        region: 'us-east-2',
      },
    ]);
    // Every RDS call of the run went to us-east-2.
    expect(new Set(h.fake.calls.map((c) => c.region))).toEqual(new Set(['us-east-2']));
    // Reads 1-3 still show the old writer, read 4 the new one: three polls of 10 s.
    expect(result.promotionMs).toBe(30_000);
    expect(h.progress.filter((p) => p.phase === 'waiting')).toHaveLength(3);
    expect(result.topology?.writer?.clusterId).toBe(SECONDARY_ID);
    expect(h.notifier.events()).toEqual([
      'switchover.started',
      'switchover.promotion-requested',
      'switchover.writer-confirmed',
    ]);
    for (const n of h.notifier.sent) {
      expect(n.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof n.elapsedMs).toBe('number');
    }
    expect(h.notifier.sent[2]?.elapsedMs).toBe(30_000);
    expect(await lockItemExists()).toBe(false);
  });

  it('failover: FailoverGlobalCluster with AllowDataLoss and the secondary cluster ARN', async () => {
    const h = harness(new FakeAurora({ readsUntilPromoted: 1, secondarySync: 'pending-resync' }));
    const result = await orchestrate(failover, settings(), h.deps);
    // Unplanned failover has no preconditions on the (possibly dead) primary.
    expect(result.outcome).toBe('completed');
    expect(h.fake.promotionCalls()).toEqual([
      {
        command: 'FailoverGlobalCluster',
        input: {
          GlobalClusterIdentifier: GLOBAL_ID,
          TargetDbClusterIdentifier: SECONDARY_ARN,
          AllowDataLoss: true,
        },
        region: 'us-east-2',
      },
    ]);
  });

  it('failover refuses without allowDataLoss, before any call', async () => {
    const h = harness(new FakeAurora());
    const result = await orchestrate({ action: 'failover', requestedBy: 'test' }, settings(), h.deps);
    expect(result.outcome).toBe('refused');
    expect(result.message).toMatch(/allowDataLoss/);
    expect(h.fake.calls).toHaveLength(0);
  });

  it('refuses to run with a client bound to the wrong region', async () => {
    const h = harness(new FakeAurora(), 'us-east-1');
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/bound to us-east-1.*us-east-2/);
    expect(h.fake.calls).toHaveLength(0);
  });

  it('switchover refuses when the secondary is not in sync, and can wait for it', async () => {
    const fake = new FakeAurora({ secondarySync: 'pending-resync' });
    const h = harness(fake);
    const refused = await orchestrate(switchover, settings(), h.deps);
    expect(refused.outcome).toBe('refused');
    expect(refused.message).toMatch(/pending-resync/);
    expect(fake.promotionCalls()).toHaveLength(0);

    const h2 = harness(fake);
    const progress: ProgressEvent[] = [];
    h2.deps.onProgress = (e) => {
      progress.push(e);
      if (progress.length === 2) fake.secondarySync = 'connected';
    };
    const waited = await orchestrate(switchover, settings({ preconditionWaitMs: 120_000 }), h2.deps);
    expect(waited.outcome).toBe('completed');
    expect(progress.filter((p) => p.phase === 'preconditions')).toHaveLength(2);
  });
});

describe('while waiting', () => {
  it('ends as a no-op when someone else promoted the target during the precondition wait', async () => {
    const fake = new FakeAurora({ secondarySync: 'pending-resync' });
    const h = harness(fake);
    h.deps.onProgress = (e) => {
      if (e.phase === 'preconditions') fake.writer = 'secondary';
    };
    const result = await orchestrate(switchover, settings({ preconditionWaitMs: 60_000 }), h.deps);
    expect(result.outcome).toBe('noop');
    expect(fake.promotionCalls()).toEqual([]);
  });

  it('an interrupt stops the wait, reports it and releases the lock', async () => {
    const controller = new AbortController();
    const fake = new FakeAurora({ readsUntilPromoted: 1_000 });
    const h = harness(fake, 'us-east-2', { signal: controller.signal });
    h.deps.onProgress = (e) => {
      if (e.phase === 'waiting' && e.elapsedMs >= 20_000) controller.abort();
    };
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result).toMatchObject({ outcome: 'failed', message: 'interrupted', promotionCalls: 1 });
    expect(h.notifier.events().at(-1)).toBe('switchover.failed');
    expect(h.notifier.sent.at(-1)?.summary).toBe('switchover failed: interrupted');
    expect(await lockItemExists()).toBe(false);
  });
});

describe('failback to the primary region', () => {
  it('switches back to the primary through us-east-1 when the primary is a healthy member', async () => {
    const fake = new FakeAurora({ writer: 'secondary', readsUntilPromoted: 1 });
    const h = harness(fake, 'us-east-1');
    const result = await orchestrate(failback, settings(), h.deps);
    expect(result.outcome).toBe('completed');
    expect(fake.promotionCalls()).toEqual([
      {
        command: 'SwitchoverGlobalCluster',
        input: { GlobalClusterIdentifier: GLOBAL_ID, TargetDbClusterIdentifier: PRIMARY_ARN },
        region: 'us-east-1',
      },
    ]);
    expect(fake.calls.some((c) => c.command === 'DescribeDBClusters')).toBe(true);
  });

  it.each([
    [{ primaryMember: false }, /is not a member/],
    [{ primarySync: 'pending-resync' }, /pending-resync/],
    [
      { primaryClusterStatus: 'inaccessible-encryption-credentials' },
      /inaccessible-encryption-credentials, not available/,
    ],
    [{ status: 'modifying' }, /is modifying, not available/],
  ])('refuses with a clear message when the primary is not ready (%j)', async (state, message) => {
    const fake = new FakeAurora({ writer: 'secondary', ...state });
    const h = harness(fake, 'us-east-1');
    const result = await orchestrate(failback, settings(), h.deps);
    expect(result.outcome).toBe('refused');
    expect(result.message).toMatch(message);
    expect(fake.promotionCalls()).toHaveLength(0);
    expect(h.notifier.events()).toEqual(['failback.started', 'failback.refused']);
  });

  it('applies the extra readiness check', async () => {
    const fake = new FakeAurora({ writer: 'secondary' });
    const h = harness(fake, 'us-east-1', { failbackReadiness: async () => 'primary API does not answer' });
    const result = await orchestrate(failback, settings(), h.deps);
    expect(result.outcome).toBe('refused');
    expect(result.message).toBe('primary API does not answer');
  });
});

describe('retries', () => {
  it('retries throttling with growing, jittered backoff, then succeeds', async () => {
    const fake = new FakeAurora({ readsUntilPromoted: 1 });
    fake.promotionErrors.push(
      awsError('Throttling', 400),
      awsError('ThrottlingException', 400),
      awsError('InternalFailure', 500),
    );
    const h = harness(fake);
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result.outcome).toBe('completed');
    expect(result.promotionCalls).toBe(4);
    expect(fake.promotionCalls()).toHaveLength(4);
    // Equal jitter with random 0.5: 3/4 of min(8000, 1000 * 2^(n-1)).
    expect(h.clock.sleeps.slice(0, 3)).toEqual([750, 1500, 3000]);
  });

  it('spreads concurrent retries: the delay depends on the random draw, within [ceiling/2, ceiling]', async () => {
    for (const [random, expected] of [
      [0, 500],
      [0.99, 995],
    ] as const) {
      const fake = new FakeAurora({ readsUntilPromoted: 1 });
      fake.promotionErrors.push(awsError('Throttling', 400));
      const h = harness(fake, 'us-east-2', { random: () => random });
      await orchestrate(switchover, settings(), h.deps);
      expect(h.clock.sleeps[0]).toBe(expected);
    }
  });

  it('gives up after the bounded number of attempts', async () => {
    const fake = new FakeAurora();
    for (let i = 0; i < 10; i++) fake.promotionErrors.push(awsError('Throttling', 400));
    const h = harness(fake);
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/gave up after 5 attempts/);
    expect(fake.promotionCalls()).toHaveLength(5);
    expect(h.notifier.events().at(-1)).toBe('switchover.failed');
    expect(await lockItemExists()).toBe(false);
  });

  it('fails fast on a non-retryable error: one call, no backoff', async () => {
    const fake = new FakeAurora();
    fake.promotionErrors.push(
      awsError('AccessDenied', 403, 'not authorized to perform rds:SwitchoverGlobalCluster'),
    );
    const h = harness(fake);
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result.outcome).toBe('failed');
    expect(result.message).toMatch(/AccessDenied: not authorized/);
    expect(fake.promotionCalls()).toHaveLength(1);
    expect(h.clock.sleeps).toEqual([]);
    expect(h.notifier.events()).toEqual([
      'switchover.started',
      'switchover.promotion-requested',
      'switchover.failed',
    ]);
    expect(await lockItemExists()).toBe(false);
  });

  it('a retried call that meets its own earlier (lost) request waits for it instead of failing', async () => {
    const fake = new FakeAurora({ readsUntilPromoted: 2 });
    fake.lostResponses.push(awsError('RequestTimeout', 408));
    const h = harness(fake);
    const result = await orchestrate(failover, settings(), h.deps);
    // Second call: InvalidGlobalClusterStateFault (busy with our own promotion); the topology shows it.
    expect(fake.promotionCalls()).toHaveLength(2);
    expect(result.outcome).toBe('completed');
  });

  it('tolerates failed topology reads while waiting', async () => {
    const fake = new FakeAurora({ readsUntilPromoted: 1 });
    const h = harness(fake);
    h.deps.onProgress = () => undefined;
    const original = fake.describe.bind(fake);
    let reads = 0;
    fake.describe = () => {
      reads++;
      if (reads === 2) throw awsError('ServiceUnavailable', 503);
      return original();
    };
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result.outcome).toBe('completed');
  });
});

describe('timeout', () => {
  it('stops waiting for the writer after PROMOTION_TIMEOUT_MS and reports it', async () => {
    const h = harness(new FakeAurora({ readsUntilPromoted: 1_000_000 }));
    const result = await orchestrate(switchover, settings({ promotionTimeoutMs: 120_000 }), h.deps);
    expect(result.outcome).toBe('timeout');
    expect(result.message).toMatch(/did not become writer within 120000 ms/);
    // Polls at 0, 10, ..., 120 s: bounded, and the run ends at the deadline.
    expect(h.progress.filter((p) => p.phase === 'waiting')).toHaveLength(13);
    expect(result.elapsedMs).toBe(120_000);
    expect(h.notifier.events().at(-1)).toBe('switchover.failed');
    expect(await lockItemExists()).toBe(false);
  });
});

describe('lock', () => {
  it('20 concurrent invocations make exactly one promotion call', async () => {
    const fake = new FakeAurora({ readsUntilPromoted: 2 });
    const rds = fakeRds(fake, 'us-east-2');
    const runs = Array.from({ length: 20 }, () =>
      orchestrate(failover, settings({ pollIntervalMs: 20 }), {
        rds,
        lock: new LeaseLock({ ddb: moto.ddb, table: moto.table, owner: unique('racer'), clock: systemClock }),
        notifier: new MemoryNotifier(),
        clock: systemClock,
        log: createOpenLogger({}, { sink: silentSink }),
      }),
    );
    const results = await Promise.all(runs);
    expect(fake.promotionCalls()).toHaveLength(1);
    const outcomes = results.map((r) => r.outcome);
    expect(outcomes.filter((o) => o === 'completed')).toHaveLength(1);
    expect(outcomes.every((o) => o === 'completed' || o === 'busy' || o === 'noop')).toBe(true);
    const busy = results.find((r) => r.outcome === 'busy');
    if (busy) expect(busy.message).toMatch(/another orchestration is in progress \(failover by racer-/);
    expect(await lockItemExists()).toBe(false);
  });

  it('a live lease blocks others; an expired one is taken over', async () => {
    await moto.ddb.send(
      new PutCommand({
        TableName: moto.table,
        Item: {
          pk: LOCK_KEY,
          owner: 'someone',
          operation: 'switchover',
          acquiredAt: 'x',
          leaseExpiresAtMs: Date.now() + 60_000,
        },
      }),
    );
    const fake = new FakeAurora();
    const busy = await orchestrate(switchover, settings(), harness(fake).deps);
    expect(busy.outcome).toBe('busy');
    expect(busy.holder?.owner).toBe('someone');
    expect(fake.calls).toHaveLength(0);

    await moto.ddb.send(
      new PutCommand({
        TableName: moto.table,
        Item: {
          pk: LOCK_KEY,
          owner: 'crashed',
          operation: 'switchover',
          acquiredAt: 'x',
          leaseExpiresAtMs: Date.now() - 1,
        },
      }),
    );
    const fake2 = new FakeAurora({ readsUntilPromoted: 1 });
    const taken = await orchestrate(switchover, settings(), harness(fake2).deps);
    expect(taken.outcome).toBe('completed');
    expect(await lockItemExists()).toBe(false);
  });

  it('renews its lease while waiting and only releases its own lease', async () => {
    const a = new LeaseLock({
      ddb: moto.ddb,
      table: moto.table,
      owner: 'a',
      clock: systemClock,
      leaseMs: 5000,
    });
    const b = new LeaseLock({
      ddb: moto.ddb,
      table: moto.table,
      owner: 'b',
      clock: systemClock,
      leaseMs: 5000,
    });
    expect(await a.acquire('switchover')).toEqual({ acquired: true });
    const before = (await a.holder())?.leaseExpiresAtMs ?? 0;
    await new Promise((r) => setTimeout(r, 5));
    expect(await a.renew()).toBe(true);
    expect((await a.holder())?.leaseExpiresAtMs).toBeGreaterThan(before);
    expect(await b.renew()).toBe(false);
    await b.release();
    expect((await a.holder())?.owner).toBe('a');
    const denied = await b.acquire('failover');
    expect(denied).toMatchObject({ acquired: false, holder: { owner: 'a', operation: 'switchover' } });
    await a.release();
    expect(await a.holder()).toBeUndefined();
  });
});

describe('notifications through SNS', () => {
  it('publishes each step to the alert topic with timestamps and elapsed time', async () => {
    const fake = new FakeAurora({ readsUntilPromoted: 1 });
    const h = harness(fake, 'us-east-2', { notifier: snsNotifier(moto.sns, moto.topicArn) });
    const before = (await moto.published()).length;
    await orchestrate(switchover, settings(), h.deps);
    const messages = (await moto.published()).slice(before);
    expect(messages.map((m) => m.subject)).toEqual([
      '[payments-dr test] switchover to us-east-2 started',
      '[payments-dr test] switchover: SwitchoverGlobalCluster requested',
      '[payments-dr test] switchover: us-east-2 is the writer, 0 ms after the request',
    ]);
    const last = JSON.parse(messages[2]?.message ?? '{}') as Notification;
    expect(last).toMatchObject({ event: 'switchover.writer-confirmed', environment: 'test', elapsedMs: 0 });
    expect(last.details).toMatchObject({
      target: SECONDARY_ID,
      targetRegion: 'us-east-2',
      promotionCalls: 1,
    });
  });
});

describe('lease and promotion call', () => {
  const LEASE_MS = 120_000;
  /** Two contenders for one lock item (a key of its own), on the virtual clock of the run. */
  const contenders = (clock: VirtualClock) => {
    const key = unique('lease-lock');
    const lock = (owner: string) =>
      new LeaseLock({ ddb: moto.ddb, table: moto.table, owner, clock, leaseMs: LEASE_MS, key });
    return { mine: lock(unique('mine')), rival: lock(unique('rival')) };
  };
  /** A notifier whose promotion-requested message takes longer than the lease (slow SNS retries). */
  const slowPromotionNotice = (
    clock: VirtualClock,
    then: () => Promise<void> = async () => undefined,
  ): MemoryNotifier =>
    Object.assign(new MemoryNotifier(), {
      async publish(this: MemoryNotifier, n: Notification) {
        this.sent.push(n);
        if (n.event.endsWith('.promotion-requested')) {
          clock.advance(LEASE_MS + 30_000);
          await then();
        }
      },
    });

  it('renews the lease right before the promotion call: a slow step before it lets no other run in', async () => {
    const clock = new VirtualClock();
    const { mine, rival } = contenders(clock);
    const fake = new FakeAurora({ readsUntilPromoted: 2 });
    let rivalTry: ReturnType<LeaseLock['acquire']> | undefined;
    const h = harness(fake, 'us-east-2', {
      lock: mine,
      clock,
      notifier: slowPromotionNotice(clock),
      // Right after the promotion call, while the run waits for the writer.
      onProgress: (e) => {
        if (e.phase === 'waiting') rivalTry ??= rival.acquire('failover');
      },
    });
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result.outcome).toBe('completed');
    expect(fake.promotionCalls()).toHaveLength(1);
    // The rival is refused. Its follow-up read of the holder races the end of this run (which releases the
    // lock), so the holder it reports is this run or, if the release came first, nobody, never the rival.
    const attempt = await rivalTry;
    expect(attempt?.acquired).toBe(false);
    if (attempt && !attempt.acquired && attempt.holder) expect(attempt.holder.owner).toBe(mine.owner);
    expect(await mine.holder()).toBeUndefined();
  });

  it('makes no promotion call once another run has taken the expired lease over', async () => {
    const clock = new VirtualClock();
    const { mine, rival } = contenders(clock);
    const fake = new FakeAurora({ readsUntilPromoted: 2 });
    const notifier = slowPromotionNotice(clock, async () => {
      expect(await rival.acquire('failover')).toEqual({ acquired: true });
    });
    const h = harness(fake, 'us-east-2', { lock: mine, clock, notifier });
    const result = await orchestrate(switchover, settings(), h.deps);
    expect(result.outcome).toBe('busy');
    expect(result.message).toMatch(/lease expired and was taken over .*\(failover by rival-/);
    expect(result.holder?.owner).toBe(rival.owner);
    expect(fake.promotionCalls()).toEqual([]);
    expect(notifier.events()).toEqual([
      'switchover.started',
      'switchover.promotion-requested',
      'switchover.lease-lost',
    ]);
    // The rival's lock is left alone.
    expect((await rival.holder())?.owner).toBe(rival.owner);
    await rival.release();
  });

  it('a promotion call refused because someone else just started the promotion waits for it', async () => {
    const fake = new FakeAurora({ readsUntilPromoted: 2 });
    const notifier = Object.assign(new MemoryNotifier(), {
      async publish(this: MemoryNotifier, n: Notification) {
        this.sent.push(n);
        // Between this run's topology read and its call, another tool starts the same failover.
        if (n.event === 'failover.promotion-requested') {
          fake.inFlight = { target: 'secondary', remaining: 2, dataLoss: true };
          fake.status = 'failing-over';
        }
      },
    });
    const h = harness(fake, 'us-east-2', { notifier });
    const result = await orchestrate(failover, settings(), h.deps);
    // One call, answered InvalidGlobalClusterStateFault (not retryable); the topology shows the failover.
    expect(fake.promotionCalls()).toHaveLength(1);
    expect(result.outcome).toBe('completed');
    expect(result.topology?.writer?.clusterId).toBe(SECONDARY_ID);
  });

  it('a promotion call that fails because the target already writes ends completed, not failed', async () => {
    const fake = new FakeAurora();
    fake.promotionErrors.push(awsError('InvalidGlobalClusterStateFault', 400, 'target is the writer'));
    const notifier = Object.assign(new MemoryNotifier(), {
      async publish(this: MemoryNotifier, n: Notification) {
        this.sent.push(n);
        if (n.event === 'failover.promotion-requested') fake.writer = 'secondary';
      },
    });
    const h = harness(fake, 'us-east-2', { notifier });
    const result = await orchestrate(failover, settings(), h.deps);
    expect(result.outcome).toBe('completed');
    expect(result.promotionCalls).toBe(1);
    expect(notifier.events().at(-1)).toBe('failover.writer-confirmed');
  });
});
