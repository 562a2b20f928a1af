/**
 * `drctl drill` through the command line, on virtual time: the switchover and the failback are executions of
 * the Region switch plan (the ARC double behind the loopback stub; its Aurora step moves the writer of the
 * fake global database), and the two regions, their replication and DNS are simulated
 * (support/drill-world.ts). The idempotency records are written to moto as the simulated API would, so the
 * drill's DynamoDB observation reads a real table.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RDSClient } from '@aws-sdk/client-rds';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CliDeps } from '../../cli/lib/context';
import type { DrillReport } from '../../cli/lib/drill';
import { awsClients, BUDGETS } from '../../runtime/shared/aws-clients';
import { FakeAurora, fakeRds } from '../support/fake-aurora';
import { TEST_CREDENTIALS } from '../support/moto';
import { holdDuring, VirtualClock } from '../support/virtual-clock';
import { type ArcWorld, arcWorld } from './support/arc-world';
import { drctl, mockedSts, noAws, uniqueSuffix } from './support/cli';
import { DrillWorld, PRIMARY, SECONDARY } from './support/drill-world';
import { CANARY_MERCHANT } from '../../cli/lib/drill';
import { idempotencyRecordKey } from '../../runtime/payment-api/resource';

const failoverClients = awsClients(BUDGETS.failover);

const suffix = uniqueSuffix();
const ZONE = 'pay.example.org';
const tmp = mkdtempSync(join(tmpdir(), 'drill-cmd-'));
let motoUrl: string;
let raw: DynamoDBClient;
const worlds: ArcWorld[] = [];

beforeAll(async () => {
  motoUrl = inject('motoUrl');
  raw = new DynamoDBClient({ region: SECONDARY, endpoint: motoUrl, credentials: TEST_CREDENTIALS });
  await raw.send(
    new CreateTableCommand({
      TableName: `payment-processing-payment-control-${suffix}`,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists(
    { client: raw, maxWaitTime: 20, minDelay: 1 },
    { TableName: `payment-processing-payment-control-${suffix}` },
  );
});

afterAll(async () => {
  raw?.destroy();
  for (const w of worlds) await w.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** The simulated world of one drill (virtual time, two regions, DNS) and drctl's clients into it. */
async function drillWorld(options: { writer?: 'primary' | 'secondary' } = {}) {
  const clock = new VirtualClock();
  const fake = new FakeAurora({
    suffix,
    readsUntilPromoted: 2,
    ...(options.writer ? { writer: options.writer } : {}),
  });
  // Requests to the emulator are real I/O: virtual time must stand still while they are in flight.
  const ddb = holdDuring(
    clock,
    failoverClients.documents({ region: SECONDARY, endpoint: motoUrl, credentials: TEST_CREDENTIALS }),
  );
  const world = new DrillWorld(clock, {
    zone: ZONE,
    idempotencyTable: `payment-processing-payment-control-${suffix}`,
    secondaryBucket: `payment-processing-receipts-${suffix}-use2-123456789012`,
    lagMs: { aurora: () => 100, dynamodb: () => 0, s3: () => 2000 },
    dnsDelayMs: 45_000,
    writerSource: () => (fake.writer === 'primary' ? PRIMARY : SECONDARY),
    onPayment: async (p) => {
      await ddb.send(
        new PutCommand({
          TableName: `payment-processing-payment-control-${suffix}`,
          Item: { pk: idempotencyRecordKey(CANARY_MERCHANT, p.key), paymentId: p.id, region: p.region },
        }),
      );
    },
  });
  const rds: Record<string, RDSClient> = {
    [PRIMARY]: fakeRds(fake, PRIMARY),
    [SECONDARY]: fakeRds(fake, SECONDARY),
  };
  const arc = await arcWorld(
    suffix,
    {
      onStepCompleted: (step, e) => {
        if (step === 'aurora') fake.writer = e.region === PRIMARY ? 'primary' : 'secondary';
      },
    },
    clock,
  );
  worlds.push(arc);
  const sts = mockedSts(SECONDARY);
  const credentialRegions: string[] = [];
  const run = (args: string[], extra: Partial<CliDeps> = {}) =>
    drctl(['--env', suffix, 'drill', '--yes', ...args], {
      env: { HOSTED_ZONE_NAME: ZONE, HOSTED_ZONE_ID: 'Z0TEST12345' },
      clock,
      http: world.http,
      clients: () =>
        noAws({
          rds: (region) => rds[region] as RDSClient,
          ddb: () => ddb,
          s3: () => world.s3,
          sts: () => sts,
          arc: arc.arc,
          credentials: async (region) => {
            credentialRegions.push(region);
            return { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
          },
        }),
      ...extra,
    });
  const close = () => {
    ddb.destroy();
  };
  return { clock, fake, arc, world, credentialRegions, run, close };
}

describe('drctl drill', () => {
  it('runs a whole switchover drill and writes the report', async () => {
    const { fake, arc, credentialRegions, run, close } = await drillWorld();
    const out = join(tmp, 'game-day');
    const r = await run(['--canaries', '2', '--out', out]);

    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^drill \d{8}T\d{6}Z-[0-9a-f]{4} \(switchover\): PASSED\n/);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as DrillReport;
    expect(report.canaries).toHaveLength(2);
    expect(report.rpo.aurora).toEqual({ observedMs: 250, visible: 2, total: 2 });
    expect(report.rpo.dynamodb.visible).toBe(2);
    expect(report.rpo.s3.observedMs).toBe(2000);
    // The plan's fence step takes 5 s and its Aurora step 60 s; DNS follows 45 s after the new writer is seen.
    expect(report.failover.promotion).toMatchObject({
      outcome: 'completed',
      promotionMs: 60_000,
      executionId: 'us-east-2/0000000000000001',
    });
    expect(report.failover.rtoMs).toBeGreaterThanOrEqual(110_000);
    expect(report.failover.rtoMs).toBeLessThanOrEqual(112_000);
    expect(report.restore).toMatchObject({ action: 'failback', outcome: 'completed' });
    expect(report.passed).toBe(true);
    expect(report.strictPassed).toBe(true);

    // Graceful activations through the data plane of the region being activated, in order.
    const starts = arc.stub.requests.filter((q) => q.op === 'StartPlanExecution');
    expect(starts.map((q) => [q.region, q.body.targetRegion, q.body.mode])).toEqual([
      [SECONDARY, SECONDARY, 'graceful'],
      [PRIMARY, PRIMARY, 'graceful'],
    ]);
    expect(String(starts[0]?.body.comment)).toMatch(/^drctl drill \d{8}T\d{6}Z-[0-9a-f]{4}: switchover$/);
    expect(fake.promotionCalls()).toEqual([]);
    expect(fake.writer).toBe('primary');
    // Every signed canary and the preflight resolved credentials through the secondary region's STS.
    expect(credentialRegions.length).toBeGreaterThan(2);
    expect(new Set(credentialRegions)).toEqual(new Set([SECONDARY]));
    // Progress during the waits went to stderr with elapsed times.
    expect(
      r.stderrLines.some((l) => /^\[\s+\d+\.\ds\] public payments\.pay\.example\.org\/health: /.test(l)),
    ).toBe(true);
    close();
  });

  it('a preflight refusal changes nothing and exits 2, with the report written', async () => {
    const { arc, run, close } = await drillWorld({ writer: 'secondary' });
    const out = join(tmp, 'refused');
    const r = await run(['--canaries', '1', '--out', out]);
    close();
    expect(r.code).toBe(2);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as DrillReport;
    expect(report).toMatchObject({ refused: true, passed: false, canaries: [] });
    expect(report.errors[0]).toMatch(/expects .*-use1 \(us-east-1\) to write; the writer is .*-use2/);
    expect(arc.stub.requests).toEqual([]);
  });

  it('--method health-check-inversion is a usage error: the plan owns the DNS health checks (exit 2, one line)', async () => {
    const out = join(tmp, 'inversion');
    // No AWS client may be touched: noAws() throws on any use.
    const r = await drctl(
      ['--env', suffix, 'drill', '--yes', '--method', 'health-check-inversion', '--out', out],
      { env: { HOSTED_ZONE_NAME: ZONE, HOSTED_ZONE_ID: 'Z0TEST12345' } },
    );
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderrLines).toEqual([
      "drctl: error: option '--method <method>' argument 'health-check-inversion' is invalid. the Region switch plan owns the DNS health checks (inverting one fights the plan and moves DNS without the database and the write fence); drill with --method switchover.",
    ]);
    expect(existsSync(out)).toBe(false);
  });

  it('--out is checked before anything happens', async () => {
    const used = join(tmp, 'used');
    mkdirSync(used, { recursive: true });
    writeFileSync(join(used, 'report.json'), '{}');
    const file = join(tmp, 'a-file');
    writeFileSync(file, 'x');
    for (const [out, why] of [
      [used, /already holds a drill report \(report\.md|report\.json\)/],
      [file, /exists and is not a directory/],
      [join(file, 'below'), /is not a directory/],
    ] as const) {
      // No AWS client may be touched: noAws() throws on any use.
      const r = await drctl(['--env', suffix, 'drill', '--yes', '--out', out], {
        env: { HOSTED_ZONE_NAME: ZONE, HOSTED_ZONE_ID: 'Z0TEST12345' },
      });
      expect(r.code).toBe(2);
      expect(r.stderrLines).toHaveLength(1);
      expect(r.stderrLines[0]).toMatch(why);
    }
  });

  it('a second Ctrl-C says what was and was not restored and where the partial report is', async () => {
    const { arc, run, close } = await drillWorld();
    const out = join(tmp, 'interrupted');
    const exits: number[] = [];
    let partial: DrillReport | undefined;
    // Both interrupts arrive while the switchover is being requested (the first one ends the drill's phase).
    let sent = false;
    const poll = setInterval(() => {
      if (!sent && arc.stub.requests.some((q) => q.op === 'StartPlanExecution')) {
        sent = true;
        process.emit('SIGINT');
        process.emit('SIGINT');
      }
    }, 5);
    const r = await run(['--canaries', '1', '--out', out], {
      // process.exit in production; here the drill goes on (and finishes the restore) after it.
      exit: (code) => {
        exits.push(code);
        partial = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as DrillReport;
      },
    });
    clearInterval(poll);
    close();
    expect(sent).toBe(true);
    expect(exits).toEqual([130]);
    const lines = r.stderrLines;
    const at = lines.findIndex((l) => l === 'second interrupt: the restore is abandoned.');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(
      /^ {2}NOT restored: the switchover to us-east-2: .*; check "drctl status" and run "drctl failback" if us-east-2 still writes$/,
    );
    expect(lines[at + 2]).toBe(`  partial report: ${join(out, 'report.md')}`);
    expect(partial?.failover.startedAt).not.toBeNull();
    expect(partial?.restore.restoredAt).toBeNull();
    expect(partial?.timeline.some((e) => e.event === 'failover: switchover requested')).toBe(true);
  });
});
