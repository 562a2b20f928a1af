/**
 * `drctl drill` through the command line, on virtual time: the real orchestrator with its lock on moto's
 * DynamoDB and notifications on moto's SNS; the Aurora global database is an aws-sdk-client-mock double of
 * the RDS clients (no emulator has global switchover), and the two regions, their replication and DNS are
 * simulated (support/drill-world.ts). The idempotency records are written to moto as the simulated API
 * would, so the drill's DynamoDB observation reads a real table.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RDSClient } from '@aws-sdk/client-rds';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { CreateTableCommand, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { DrillReport } from '../../cli/lib/drill';
import { awsClients, BUDGETS } from '../../runtime/shared/aws-clients';
import { FakeAurora, fakeRds } from '../failover/support/fake-aurora';
import { createStateTable, type SnsSink, snsSink, TEST_CREDENTIALS } from '../failover/support/moto';
import { holdDuring, VirtualClock } from '../failover/support/virtual-clock';
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
let sink: SnsSink;

beforeAll(async () => {
  motoUrl = inject('motoUrl');
  raw = new DynamoDBClient({ region: SECONDARY, endpoint: motoUrl, credentials: TEST_CREDENTIALS });
  await createStateTable(raw, `payment-processing-dr-state-${suffix}`);
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
  const sns = failoverClients.sns({ region: SECONDARY, endpoint: motoUrl, credentials: TEST_CREDENTIALS });
  const topic = await sns.send(new CreateTopicCommand({ Name: `payment-processing-alerts-${suffix}-use2` }));
  sink = await snsSink(sns, topic.TopicArn as string);
  sns.destroy();
});

afterAll(async () => {
  raw?.destroy();
  await sink?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('drctl drill', () => {
  it('runs a whole switchover drill and writes the report', async () => {
    const clock = new VirtualClock();
    const fake = new FakeAurora({ suffix, readsUntilPromoted: 2 });
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
    const sns = holdDuring(
      clock,
      failoverClients.sns({ region: SECONDARY, endpoint: motoUrl, credentials: TEST_CREDENTIALS }),
    );
    const sts = mockedSts(SECONDARY);
    const out = join(tmp, 'game-day');
    const before = sink.messages().length;
    const credentialRegions: string[] = [];

    const r = await drctl(['--env', suffix, 'drill', '--yes', '--canaries', '2', '--out', out], {
      env: { HOSTED_ZONE_NAME: ZONE, HOSTED_ZONE_ID: 'Z0TEST12345' },
      clock,
      http: world.http,
      clients: () =>
        noAws({
          rds: (region) => rds[region] as RDSClient,
          ddb: () => ddb,
          s3: () => world.s3,
          sns: () => sns,
          sts: () => sts,
          route53: () => world.route53,
          credentials: async (region) => {
            credentialRegions.push(region);
            return { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };
          },
        }),
    });

    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^drill \d{8}T\d{6}Z-[0-9a-f]{4} \(switchover\): PASSED\n/);
    expect(existsSync(join(out, 'report.md'))).toBe(true);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as DrillReport;
    expect(report.canaries).toHaveLength(2);
    expect(report.rpo.aurora).toEqual({ observedMs: 250, visible: 2, total: 2 });
    expect(report.rpo.dynamodb.visible).toBe(2);
    expect(report.rpo.s3.observedMs).toBe(2000);
    // The switchover needs two topology reads 10 s apart; DNS follows 45 s after the new writer is seen.
    expect(report.failover.promotion).toMatchObject({ outcome: 'completed', promotionMs: 10_000 });
    expect(report.failover.rtoMs).toBeGreaterThanOrEqual(55_000);
    expect(report.failover.rtoMs).toBeLessThanOrEqual(57_000);
    expect(report.restore).toMatchObject({ action: 'failback', outcome: 'completed' });
    expect(report.passed).toBe(true);
    expect(report.strictPassed).toBe(true);

    // Promotions through the endpoint of the region being promoted, in order.
    expect(fake.promotionCalls().map((c) => [c.command, c.region])).toEqual([
      ['SwitchoverGlobalCluster', SECONDARY],
      ['SwitchoverGlobalCluster', PRIMARY],
    ]);
    expect(fake.writer).toBe('primary');
    // Every signed canary and the preflight resolved credentials through the secondary region's STS.
    expect(credentialRegions.length).toBeGreaterThan(2);
    expect(new Set(credentialRegions)).toEqual(new Set([SECONDARY]));
    const events = sink
      .messages()
      .slice(before)
      .map((m) => (JSON.parse(m.message) as { event: string }).event);
    expect(events).toEqual([
      'switchover.started',
      'switchover.promotion-requested',
      'switchover.writer-confirmed',
      'failback.started',
      'failback.promotion-requested',
      'failback.writer-confirmed',
    ]);
    // Progress during the waits went to stderr with elapsed times.
    expect(
      r.stderrLines.some((l) => /^\[\s+\d+\.\ds\] public payments\.pay\.example\.org\/health: /.test(l)),
    ).toBe(true);
    ddb.destroy();
    sns.destroy();
  });
});
