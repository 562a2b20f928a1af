import { describe, expect, it } from 'vitest';
import {
  activateRegion,
  createFenceGuard,
  FENCE_CACHE_MAX_MS,
  FENCE_KEY,
  readFence,
} from '../../runtime/shared/fence';
import { MrscDouble } from '../support/mrsc-double';

/**
 * The regional write fence against the MRSC test double (moto does not model multi-Region strong consistency;
 * test/support/mrsc-double.ts enforces quorum, linearizable conditional writes and cross-Region write
 * conflicts as AWS documents them).
 */
const TABLE = 'payment-control-test';
const world = () => new MrscDouble([TABLE]);
const by = 'test';

describe('activateRegion', () => {
  it('creates the fence at epoch 1, then moves it with epoch + 1', async () => {
    const w = world();
    const use1 = w.client('us-east-1');
    const first = await activateRegion(use1, TABLE, { region: 'us-east-1', by, reason: 'first' });
    expect(first).toMatchObject({ changed: true, state: { activeRegion: 'us-east-1', epoch: 1 } });
    const moved = await activateRegion(w.client('us-east-2'), TABLE, {
      region: 'us-east-2',
      by,
      reason: 'x',
    });
    expect(moved).toMatchObject({
      changed: true,
      state: { activeRegion: 'us-east-2', epoch: 2, reason: 'x' },
    });
    expect(await readFence(use1, TABLE)).toEqual(moved.state);
  });

  it('is idempotent: activating the active region writes nothing', async () => {
    const w = world();
    const c = w.client('us-east-2');
    await activateRegion(c, TABLE, { region: 'us-east-2', by, reason: 'r' });
    const writes = w.log.length;
    const again = await activateRegion(c, TABLE, { region: 'us-east-2', by: 'other', reason: 'again' });
    expect(again).toMatchObject({ changed: false, state: { activeRegion: 'us-east-2', epoch: 1 } });
    expect(w.log.length).toBe(writes);
  });

  it('lets exactly one of concurrent activations of different regions win per epoch', async () => {
    let conflicts = 0;
    for (let round = 0; round < 20; round++) {
      const w = world();
      await activateRegion(w.client('us-east-1'), TABLE, { region: 'us-east-1', by, reason: 'start' });
      const results = await Promise.allSettled([
        activateRegion(w.client('us-east-2'), TABLE, { region: 'us-east-2', by: 'plan', reason: 'a' }),
        activateRegion(w.client('us-east-1'), TABLE, { region: 'us-east-2', by: 'drctl', reason: 'b' }),
        activateRegion(w.client('us-east-1'), TABLE, { region: 'us-east-1', by: 'drctl', reason: 'c' }),
      ]);
      const done = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const final = w.latest(TABLE, FENCE_KEY);
      // Every change bumped the epoch by exactly one; every loser reports the state it lost to.
      const changes = w.log.filter((l) => l.key === FENCE_KEY).length - 1;
      expect(final?.epoch).toBe(1 + changes);
      expect(done.filter((d) => d.changed).length).toBe(changes);
      for (const d of done.filter((x) => !x.changed)) expect(d.state.epoch).toBeGreaterThanOrEqual(1);
      const epochs = done.filter((d) => d.changed).map((d) => d.state.epoch);
      expect(new Set(epochs).size).toBe(epochs.length);
      conflicts += w.conflicts;
    }
    // The races really met: cross-region writes of the fence item conflicted and were retried.
    expect(conflicts).toBeGreaterThan(0);
  });

  it('moves the fence from the surviving region while the old one is isolated (quorum with the witness)', async () => {
    const w = world();
    await activateRegion(w.client('us-east-1'), TABLE, { region: 'us-east-1', by, reason: 'start' });
    w.isolate('us-east-1');
    const moved = await activateRegion(w.client('us-east-2'), TABLE, {
      region: 'us-east-2',
      by,
      reason: 'dr',
    });
    expect(moved).toMatchObject({ changed: true, state: { activeRegion: 'us-east-2', epoch: 2 } });
    // The isolated region can neither read the fence strongly nor move it back.
    await expect(readFence(w.client('us-east-1'), TABLE)).rejects.toThrow(/quorum/);
    await expect(
      activateRegion(w.client('us-east-1'), TABLE, { region: 'us-east-1', by, reason: 'split brain' }),
    ).rejects.toThrow(/quorum/);
    expect(w.latest(TABLE, FENCE_KEY)?.activeRegion).toBe('us-east-2');
  });

  it('refuses bad arguments before any call', async () => {
    const c = world().client('us-east-1');
    await expect(activateRegion(c, TABLE, { region: 'mars', by, reason: '' })).rejects.toThrow(/region/);
    await expect(activateRegion(c, TABLE, { region: 'us-east-1', by: ' ', reason: '' })).rejects.toThrow(
      /by/,
    );
  });
});

describe('createFenceGuard', () => {
  const setup = async (cacheMs: number) => {
    const w = world();
    await activateRegion(w.client('us-east-1'), TABLE, { region: 'us-east-1', by, reason: 'start' });
    let now = 1_000_000;
    const clock = () => now;
    const guard = (region: string) =>
      createFenceGuard({ ddb: w.client(region), table: TABLE, region, cacheMs, clock, readTimeoutMs: 200 });
    return { w, guard, advance: (ms: number) => (now += ms) };
  };

  it('answers active only in the region the fence names', async () => {
    const { guard } = await setup(0);
    expect((await guard('us-east-1').check()).verdict).toBe('active');
    expect((await guard('us-east-2').check()).verdict).toBe('not-active');
  });

  it('answers not-active when no region was ever activated', async () => {
    const w = world();
    const g = createFenceGuard({ ddb: w.client('us-east-1'), table: TABLE, region: 'us-east-1', cacheMs: 0 });
    expect(await g.check()).toMatchObject({ verdict: 'not-active', cached: false });
  });

  it('refuses (unreachable) without a quorum, on timeout and on a malformed item, and never caches that', async () => {
    const { w, guard } = await setup(1000);
    const g = guard('us-east-1');
    w.isolate('us-east-1');
    expect(await g.check()).toMatchObject({ verdict: 'unreachable', cached: false });
    w.heal();
    w.hang('us-east-1');
    expect((await g.check()).verdict).toBe('unreachable');
    w.hang('us-east-1', false);
    expect((await g.check()).verdict).toBe('active');
    const w2 = world();
    await w2.client('us-east-1').send(
      // Written behind the fence module's back: an epoch that is not a number.
      new (await import('@aws-sdk/lib-dynamodb')).PutCommand({
        TableName: TABLE,
        Item: { pk: FENCE_KEY, activeRegion: 'us-east-1', epoch: 'one', updatedAt: 'x', updatedBy: 'y' },
      }),
    );
    const malformed = createFenceGuard({
      ddb: w2.client('us-east-1'),
      table: TABLE,
      region: 'us-east-1',
      cacheMs: 0,
    });
    expect(await malformed.check()).toMatchObject({ verdict: 'unreachable' });
  });

  it('trusts a cached answer for at most cacheMs after its read started', async () => {
    const { w, guard, advance } = await setup(1000);
    const g = guard('us-east-1');
    expect(await g.check()).toMatchObject({ verdict: 'active', cached: false });
    // The fence moves; within the cache bound the old answer may still be used...
    await activateRegion(w.client('us-east-2'), TABLE, { region: 'us-east-2', by, reason: 'moved' });
    advance(999);
    expect(await g.check()).toMatchObject({ verdict: 'active', cached: true });
    // ...and never after it.
    advance(1);
    expect(await g.check()).toMatchObject({ verdict: 'not-active', cached: false });
  });

  it('with cacheMs 0 reads on every check', async () => {
    const { w, guard } = await setup(0);
    const g = guard('us-east-1');
    await g.check();
    await activateRegion(w.client('us-east-2'), TABLE, { region: 'us-east-2', by, reason: 'moved' });
    expect((await g.check()).verdict).toBe('not-active');
  });

  it(`refuses a cache bound above ${FENCE_CACHE_MAX_MS} ms or a negative one`, () => {
    const ddb = world().client('us-east-1');
    const make = (cacheMs: number) => () =>
      createFenceGuard({ ddb, table: TABLE, region: 'us-east-1', cacheMs });
    expect(make(FENCE_CACHE_MAX_MS + 1)).toThrow(/fence cache/);
    expect(make(-1)).toThrow(/fence cache/);
    expect(make(FENCE_CACHE_MAX_MS)).not.toThrow();
  });
});
