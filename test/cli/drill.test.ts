/**
 * The drill engine run end to end against a simulated deployment (support/drill-world.ts) on virtual time:
 * the report's observed RPO and RTO are exact functions of the simulated delays. AWS replication, DNS routing
 * and the Region switch (an execution that moves the writer) are test doubles (no emulator provides them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_TARGETS, type DrillDeps, type DrillSettings, runDrill } from '../../cli/lib/drill';
import { renderDrillMarkdown, writeDrillReport } from '../../cli/lib/drill-report';
import { sigV4Signer } from '../../cli/lib/sigv4';
import type { GlobalTopology } from '../../cli/lib/topology';
import { VirtualClock } from '../support/virtual-clock';
import { DrillWorld, PRIMARY, SECONDARY } from './support/drill-world';

const ZONE = 'pay.example.org';
const BUCKET = 'payment-processing-receipts-test-use2-123456789012';
const TABLE = 'payment-processing-idempotency-test';
const tmp = mkdtempSync(join(tmpdir(), 'drill-test-'));

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function settings(overrides: Partial<DrillSettings> = {}): DrillSettings {
  return {
    environment: 'test',
    runId: 'run1',
    method: 'switchover',
    primaryRegion: PRIMARY,
    secondaryRegion: SECONDARY,
    primaryClusterId: 'payment-processing-ledger-test-use1',
    publicHost: `payments.${ZONE}`,
    secondaryApiHost: `payments-use2.${ZONE}`,
    idempotencyTable: TABLE,
    secondaryReceiptsBucket: BUCKET,
    canaries: 3,
    canaryIntervalMs: 1000,
    observePollMs: 250,
    observeTimeoutMs: 60_000,
    rtoPollMs: 1000,
    rtoTimeoutMs: 30 * 60_000,
    restoreTimeoutMs: 30 * 60_000,
    requestTimeoutMs: 5000,
    targets: DEFAULT_TARGETS,
    ...overrides,
  };
}

function topologyOf(world: DrillWorld): GlobalTopology {
  const member = (region: string, id: string) => ({
    arn: `arn:aws:rds:${region}:123456789012:cluster:${id}`,
    region,
    accountId: '123456789012',
    clusterId: id,
    isWriter: world.writer === region,
    readerCount: 0,
  });
  const members = [
    member(PRIMARY, 'payment-processing-ledger-test-use1'),
    member(SECONDARY, 'payment-processing-ledger-test-use2'),
  ];
  return {
    globalClusterId: 'payment-processing-ledger-global-test',
    status: 'available',
    members,
    writer: members.find((m) => m.isWriter),
  };
}

interface Rig {
  clock: VirtualClock;
  world: DrillWorld;
  deps: DrillDeps;
  switches: Array<{ action: string; at: number }>;
  progress: string[];
}

function rig(
  lag: { aurora: (i: number) => number; dynamodb: (i: number) => number; s3: (i: number) => number },
  options: {
    promotionMs?: number;
    failbackMs?: number;
    switchoverOutcome?: string;
  } = {},
): Rig {
  const clock = new VirtualClock();
  const world = new DrillWorld(clock, {
    zone: ZONE,
    idempotencyTable: TABLE,
    secondaryBucket: BUCKET,
    lagMs: lag,
    dnsDelayMs: 45_000,
  });
  const switches: Rig['switches'] = [];
  const progress: string[] = [];
  const switchRegion: DrillDeps['switchRegion'] = async (action) => {
    const started = clock.now();
    switches.push({ action, at: started });
    const outcome = action === 'switchover' ? (options.switchoverOutcome ?? 'completed') : 'completed';
    const target = action === 'switchover' ? SECONDARY : PRIMARY;
    if (outcome !== 'completed') return { outcome, message: 'global cluster is modifying', elapsedMs: 0 };
    const took = action === 'switchover' ? (options.promotionMs ?? 60_000) : (options.failbackMs ?? 50_000);
    await clock.sleep(took);
    world.promote(target);
    return {
      outcome: 'completed',
      message: 'completed',
      elapsedMs: clock.now() - started,
      executionId: `${target}/0000000000000001`,
      promotionMs: took,
    };
  };
  const deps: DrillDeps = {
    clock,
    http: world.http,
    sign: sigV4Signer(
      async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }),
      () => clock.now(),
    ),
    ddbSecondary: world.ddb,
    s3Secondary: world.s3,
    readTopology: async () => topologyOf(world),
    switchRegion,
    progress: (line) => progress.push(line),
  };
  return { clock, world, deps, switches, progress };
}

const LAGS = {
  aurora: (i: number) => (i === 2 ? 1100 : 600),
  dynamodb: () => 1200,
  s3: () => 8000,
};

describe('drill by switchover', () => {
  it('measures RPO per store and RTO, restores, and judges the targets', async () => {
    const r = rig(LAGS);
    const t0 = r.clock.now();
    const report = await runDrill(settings(), r.deps);

    // Canaries at t0, +1 s, +2 s; polls every 250 ms, so a 600 ms delay is seen after 750 ms, 1100 ms after
    // 1250 ms, 1200 ms after 1250 ms, 8000 ms exactly at 8000 ms.
    expect(report.canaries.map((c) => c.visibility.aurora.lagMs)).toEqual([750, 750, 1250]);
    expect(report.canaries.map((c) => c.visibility.dynamodb.lagMs)).toEqual([1250, 1250, 1250]);
    expect(report.canaries.map((c) => c.visibility.s3.lagMs)).toEqual([8000, 8000, 8000]);
    expect(report.rpo).toEqual({
      aurora: { observedMs: 1250, visible: 3, total: 3 },
      dynamodb: { observedMs: 1250, visible: 3, total: 3 },
      s3: { observedMs: 8000, visible: 3, total: 3 },
    });
    expect(report.canaries.map((c) => c.idempotencyKey)).toEqual([
      'drill-run1-0',
      'drill-run1-1',
      'drill-run1-2',
    ]);
    expect(report.canaries.every((c) => c.servedBy === PRIMARY && c.attempts === 1)).toBe(true);

    // Failover starts when the last canary is seen everywhere (t0 + 10 s); the switchover takes 60 s, DNS
    // follows 45 s later: the public name serves 200 from us-east-2 105 s after the start.
    expect(r.switches[0]).toEqual({ action: 'switchover', at: t0 + 10_000 });
    expect(report.failover).toMatchObject({
      startedAt: new Date(t0 + 10_000).toISOString(),
      promotion: { outcome: 'completed', promotionMs: 60_000 },
      routedMs: 105_000,
      servingMs: 105_000,
      rtoMs: 105_000,
    });
    expect(report.postFailoverWrite).toEqual({ ok: true, status: 201, region: SECONDARY });

    // Failback at t0 + 115 s takes 50 s, DNS follows 45 s later.
    expect(r.switches[1]).toEqual({ action: 'failback', at: t0 + 115_000 });
    expect(report.restore).toMatchObject({ action: 'failback', outcome: 'completed', durationMs: 95_000 });
    expect(r.world.writer).toBe(PRIMARY);
    expect(r.world.servedBy()).toBe(PRIMARY);

    expect(report.targets.map((t) => [t.id, t.observedMs, t.pass])).toEqual([
      ['rpo-aurora', 1250, true],
      ['rpo-dynamodb', 1250, true],
      ['rpo-s3', 8000, true],
      ['rto', 105_000, true],
      ['strict-rto', 105_000, true],
      ['strict-ledger-rpo', 1250, false],
    ]);
    expect(report.passed).toBe(true);
    expect(report.strictPassed).toBe(false);
    expect(report.errors).toEqual([]);
    expect(report.durationMs).toBe(210_000);
  });

  it('signs API requests for the region that answers them', async () => {
    const r = rig(LAGS);
    await runDrill(settings(), r.deps);
    const posts = r.world.requests.filter((q) => q.method === 'POST');
    expect(posts.map((p) => p.signedFor)).toEqual([PRIMARY, PRIMARY, PRIMARY, SECONDARY]);
    const reads = r.world.requests.filter((q) => q.url.includes('/payments/'));
    expect(reads.length).toBeGreaterThan(0);
    expect(
      reads.every(
        (q) => q.url.startsWith(`https://payments-use2.${ZONE}/payments/`) && q.signedFor === SECONDARY,
      ),
    ).toBe(true);
    const health = r.world.requests.filter((q) => q.url.endsWith('/health'));
    expect(
      health.every((q) => q.signedFor === undefined && q.url === `https://payments.${ZONE}/health`),
    ).toBe(true);
  });

  it('fails the RPO target of a store whose canaries never arrive, and still fails over and restores', async () => {
    const r = rig({ ...LAGS, s3: () => Number.POSITIVE_INFINITY });
    const report = await runDrill(settings({ observeTimeoutMs: 20_000 }), r.deps);
    expect(report.rpo.s3).toEqual({ observedMs: null, visible: 0, total: 3 });
    expect(report.canaries[0]?.visibility.s3.error).toBe('not visible in us-east-2 within 20000 ms');
    expect(report.targets.find((t) => t.id === 'rpo-s3')).toMatchObject({ pass: false, observedMs: null });
    expect(report.passed).toBe(false);
    expect(report.failover.rtoMs).toBe(105_000);
    expect(report.restore.outcome).toBe('completed');
  });

  it('a refused switchover is an error; nothing was started, so there is nothing to restore', async () => {
    const r = rig(LAGS, { switchoverOutcome: 'refused' });
    const report = await runDrill(settings(), r.deps);
    expect(report.errors).toEqual(['switchover refused: global cluster is modifying']);
    expect(report.failover.rtoMs).toBeNull();
    expect(report.targets.find((t) => t.id === 'rto')?.pass).toBe(false);
    expect(report.restore).toMatchObject({ action: null, outcome: null });
    expect(r.switches.map((x) => x.action)).toEqual(['switchover']);
    expect(report.passed).toBe(false);
  });

  it('misses the RTO target when the public name does not move in time', async () => {
    const r = rig(LAGS, { promotionMs: 200_000 });
    const report = await runDrill(settings({ rtoTimeoutMs: 120_000 }), r.deps);
    expect(report.failover.rtoMs).toBeNull();
    expect(report.errors).toEqual(['the public name did not fail over within 120000 ms']);
    expect(report.restore.outcome).toBe('completed');
    expect(r.world.servedBy(r.clock.now())).toBe(PRIMARY);
  });

  it('an interrupt ends the drill early and still restores', async () => {
    const r = rig(LAGS);
    const controller = new AbortController();
    r.deps.signal = controller.signal;
    const original = r.deps.switchRegion;
    r.deps.switchRegion = async (action, o) => {
      const res = await original(action, o);
      if (action === 'switchover') controller.abort();
      return res;
    };
    const report = await runDrill(settings(), r.deps);
    expect(report.errors).toEqual(['drill interrupted']);
    expect(report.restore).toMatchObject({ action: 'failback', outcome: 'completed' });
    expect(r.world.writer).toBe(PRIMARY);
  });
});

describe('preflight', () => {
  it('does not start when the primary does not write', async () => {
    const r = rig(LAGS);
    r.world.writer = SECONDARY;
    const report = await runDrill(settings(), r.deps);
    expect(report.errors[0]).toMatch(
      /expects payment-processing-ledger-test-use1 \(us-east-1\) to write; the writer is payment-processing-ledger-test-use2/,
    );
    expect(r.switches).toEqual([]);
    expect(r.world.payments).toEqual([]);
    expect(report.passed).toBe(false);
  });
});

describe('report files', () => {
  it('writes markdown and JSON with the observed numbers and verdicts', async () => {
    const r = rig(LAGS);
    const report = await runDrill(settings(), r.deps);
    const files = writeDrillReport(join(tmp, 'r1'), report);
    const json = JSON.parse(readFileSync(files.json, 'utf8')) as typeof report;
    expect(json.failover.rtoMs).toBe(105_000);
    expect(json.rpo.aurora.observedMs).toBe(1250);
    const md = readFileSync(files.markdown, 'utf8');
    expect(md).toBe(renderDrillMarkdown(report));
    expect(md).toMatch(/^# DR drill run1: PASSED \(requirement met; stricter targets missed\)/);
    expect(md).toContain('| aurora RPO <= 15 min | 1.3 s | 15 min 00 s | pass |');
    expect(md).toContain('| RTO <= 30 min | 1 min 45 s | 30 min 00 s | pass |');
    expect(md).toContain('| ledger (Aurora) RPO <= 1 s (design target) | 1.3 s | 1.0 s | FAIL |');
    expect(md).toContain('- **RTO: 1 min 45 s**');
    expect(md).toMatch(/\| 2 \| pay_0+2 \| .* \| 1\.3 s \| 1\.3 s \| 8\.0 s \|/);
  });
});
