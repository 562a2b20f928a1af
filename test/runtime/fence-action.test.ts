import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokedBy, runFenceAction } from '../../runtime/fence-action/action';
import { FENCE_ACTION_DEADLINE_MS, FENCE_ACTION_TIMEOUT_SECONDS } from '../../runtime/fence-action/env';
import { BUDGETS, budgetFor, documentClient } from '../../runtime/shared/aws-clients';
import { type FaultServer, startFaultServer, timed } from '../../scripts/dev/loopback-faults';
import { activateRegion, readFence } from '../../runtime/shared/fence';
import { MrscDouble } from '../support/mrsc-double';

/**
 * The Region switch plan's write-fence step (runtime/fence-action) against the MRSC test double (moto does not
 * model multi-Region strong consistency; test/support/mrsc-double.ts enforces quorum and linearizable
 * conditional writes as AWS documents them).
 */
const TABLE = 'payment-control-test';

async function world() {
  const w = new MrscDouble([TABLE]);
  // The deployment's first fence: the primary is active at epoch 1.
  await activateRegion(w.client('us-east-1'), TABLE, {
    region: 'us-east-1',
    by: 'deploy',
    reason: 'initial',
  });
  return w;
}

describe('the fence step of the Region switch plan', () => {
  it('activates the region it runs in, and a retry of the step writes nothing more', async () => {
    const w = await world();
    const deps = { ddb: w.client('us-east-2'), table: TABLE, region: 'us-east-2' };
    expect(await runFenceAction(deps, 'arc-region-switch:exec-1')).toEqual({
      activeRegion: 'us-east-2',
      epoch: 2,
      changed: true,
    });
    const writes = w.log.length;
    // ARC reruns a step after its retry interval when it did not see it succeed.
    expect(await runFenceAction(deps, 'arc-region-switch:exec-1')).toEqual({
      activeRegion: 'us-east-2',
      epoch: 2,
      changed: false,
    });
    expect(w.log.length).toBe(writes);
    // The old primary, still reachable, now reads the fence naming us-east-2: its guard refuses writes.
    expect(await readFence(w.client('us-east-1'), TABLE)).toMatchObject({
      activeRegion: 'us-east-2',
      updatedBy: 'arc-region-switch:exec-1',
    });
  });

  it('works with us-east-1 cut off: us-east-2 and the witness are a quorum', async () => {
    const w = await world();
    w.isolate('us-east-1');
    const result = await runFenceAction(
      { ddb: w.client('us-east-2'), table: TABLE, region: 'us-east-2' },
      'x',
    );
    expect(result).toMatchObject({ activeRegion: 'us-east-2', changed: true });
    // The isolated old primary cannot read the fence strongly at all: it cannot write either.
    await expect(readFence(w.client('us-east-1'), TABLE)).rejects.toThrow();
  });

  it('fails the step when the activating region itself has no quorum (the plan stops before the database)', async () => {
    const w = await world();
    w.isolate('us-east-2');
    await expect(
      runFenceAction({ ddb: w.client('us-east-2'), table: TABLE, region: 'us-east-2' }, 'x'),
    ).rejects.toThrow();
    expect(await readFence(w.client('us-east-1'), TABLE)).toMatchObject({
      activeRegion: 'us-east-1',
      epoch: 1,
    });
  });

  it('reports success only for the region it activated, under concurrent executions', async () => {
    for (let round = 0; round < 10; round++) {
      const w = await world();
      const regions = ['us-east-2', 'us-east-1', 'us-east-2'] as const;
      const race = await Promise.allSettled(
        regions.map((region, i) =>
          runFenceAction({ ddb: w.client(region), table: TABLE, region }, `run-${i}`),
        ),
      );
      race.forEach((r, i) => {
        // A step that succeeds saw its own region active; a lost race throws instead of pretending.
        if (r.status === 'fulfilled') expect(r.value.activeRegion).toBe(regions[i]);
      });
      const state = await readFence(w.client('us-east-2'), TABLE);
      // Every change a run reported is one epoch, and the fence names the region of the latest one.
      const changes = race.flatMap((r) => (r.status === 'fulfilled' && r.value.changed ? [r.value] : []));
      expect(changes.length).toBeGreaterThan(0);
      const latest = changes.reduce((a, b) => (b.epoch > a.epoch ? b : a));
      expect(state).toMatchObject({ activeRegion: latest.activeRegion, epoch: 1 + changes.length });
    }
  });

  it('names the execution that moved the fence when ARC says, and nothing untrusted otherwise', () => {
    expect(invokedBy({ executionId: 'abc-123' })).toBe('arc-region-switch:abc-123');
    expect(invokedBy({ executionId: 'x'.repeat(500) })).toBe('arc-region-switch');
    expect(invokedBy({ executionId: 'a b; drop' })).toBe('arc-region-switch');
    expect(invokedBy(undefined)).toBe('arc-region-switch');
  });
});

describe('the fence step under a silent DynamoDB endpoint (loopback: accepts, never answers)', () => {
  let silent: FaultServer;
  beforeAll(async () => {
    silent = await startFaultServer('silent');
  });
  afterAll(async () => {
    await silent?.close();
  });

  it('ends at its own deadline with an error, well inside the Lambda timeout', async () => {
    const ddb = documentClient(BUDGETS.failover, {
      region: 'us-east-2',
      endpoint: silent.url,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const deadlineMs = 600;
    const r = await timed(() =>
      runFenceAction(
        { ddb, table: TABLE, region: 'us-east-2', abortSignal: AbortSignal.timeout(deadlineMs) },
        'arc-region-switch:exec-silent',
      ),
    );
    ddb.destroy();
    expect(r.error).toBeDefined();
    expect(r.ms).toBeLessThan(deadlineMs + 1000);
  });

  it('deploys a deadline below the Lambda timeout, with room to report the outcome', () => {
    expect(FENCE_ACTION_DEADLINE_MS + 5000).toBeLessThanOrEqual(FENCE_ACTION_TIMEOUT_SECONDS * 1000);
    // Without the deadline the worst case is three rounds of a read and a write plus a re-read.
    const call = budgetFor(BUDGETS.failover, 'dynamodb').callDeadlineMs;
    expect(7 * call).toBeGreaterThan(FENCE_ACTION_DEADLINE_MS);
  });
});
