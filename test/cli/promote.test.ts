/**
 * `drctl switchover | failover | failback`: the shared orchestrator in process. The lock table and the alert
 * topic are moto's (DynamoDB, SNS); the Aurora global database is an aws-sdk-client-mock double of the RDS
 * clients (moto implements no global switchover or failover), one client per region so the test can see which
 * region's endpoint each call used. Time is virtual.
 */
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { AwsClients } from '../../cli/lib/aws';
import type { HttpClient } from '../../cli/lib/http';
import { awsClients, BUDGETS } from '../../runtime/shared/aws-clients';
import type { OrchestrationResult } from '../../runtime/failover/orchestrator';
import { FakeAurora, fakeRds } from '../failover/support/fake-aurora';
import { createStateTable, type SnsSink, snsSink, TEST_CREDENTIALS } from '../failover/support/moto';
import { VirtualClock } from '../failover/support/virtual-clock';
import { drctl, mockedSts, noAws, staticCredentials, uniqueSuffix } from './support/cli';

const failoverClients = awsClients(BUDGETS.failover);

const suffix = uniqueSuffix();
const table = `payment-processing-dr-state-${suffix}`;
let motoUrl: string;
let raw: DynamoDBClient;
let sink: SnsSink;

beforeAll(async () => {
  motoUrl = inject('motoUrl');
  raw = new DynamoDBClient({ region: 'us-east-2', endpoint: motoUrl, credentials: TEST_CREDENTIALS });
  await createStateTable(raw, table);
  const sns = failoverClients.sns({ region: 'us-east-2', endpoint: motoUrl, credentials: TEST_CREDENTIALS });
  const topicArn = (
    await sns.send(new CreateTopicCommand({ Name: `payment-processing-alerts-${suffix}-use2` }))
  ).TopicArn as string;
  sink = await snsSink(sns, topicArn);
  sns.destroy();
});

afterAll(async () => {
  raw?.destroy();
  await sink?.close();
});

const DNS = { HOSTED_ZONE_NAME: 'pay.example.org', HOSTED_ZONE_ID: 'Z0TEST12345' };

function clientsFor(fake: FakeAurora): AwsClients {
  const rds = { 'us-east-1': fakeRds(fake, 'us-east-1'), 'us-east-2': fakeRds(fake, 'us-east-2') };
  const ddb = failoverClients.documents({
    region: 'us-east-2',
    endpoint: motoUrl,
    credentials: TEST_CREDENTIALS,
  });
  const sns = failoverClients.sns({ region: 'us-east-2', endpoint: motoUrl, credentials: TEST_CREDENTIALS });
  const sts = mockedSts('us-east-2');
  return noAws({
    credentials: staticCredentials,
    rds: (region) => rds[region as 'us-east-1'],
    ddb: (region) => {
      if (region !== 'us-east-2') throw new Error(`the lock table is in us-east-2, not ${region}`);
      return ddb;
    },
    sns: (region) => {
      if (region !== 'us-east-2') throw new Error(`notifications go to the us-east-2 topic, not ${region}`);
      return sns;
    },
    sts: (region) => {
      if (region !== 'us-east-2') throw new Error(`STS of us-east-2 expected, not ${region}`);
      return sts;
    },
  });
}

/** The same clients, noting the region of every client a command takes and of its credential resolution. */
function recordingRegions(clients: AwsClients, seen: string[]): AwsClients {
  const note = <T>(what: string, region: string, make: () => T): T => {
    seen.push(`${what} ${region}`);
    return make();
  };
  return {
    rds: (r) => note('rds', r, () => clients.rds(r)),
    cloudwatch: (r) => note('cloudwatch', r, () => clients.cloudwatch(r)),
    ddb: (r) => note('ddb', r, () => clients.ddb(r)),
    s3: (r) => note('s3', r, () => clients.s3(r)),
    sns: (r) => note('sns', r, () => clients.sns(r)),
    sts: (r) => note('sts', r, () => clients.sts(r)),
    // Route 53's API is signed for us-east-1 whatever the caller asks.
    route53: () => note('route53', 'us-east-1', () => clients.route53()),
    credentials: (r) => note('credentials', r, () => clients.credentials(r)),
  };
}

function published(after: number) {
  return sink
    .messages()
    .slice(after)
    .map((m) => JSON.parse(m.message) as { event: string; details?: Record<string, unknown> });
}

describe('switchover', () => {
  it('promotes the secondary through us-east-2, prints a line per poll and the final topology', async () => {
    const fake = new FakeAurora({ suffix, readsUntilPromoted: 3 });
    const before = sink.messages().length;
    const r = await drctl(['--env', suffix, 'switchover', '--yes', '--reason', 'planned maintenance'], {
      clients: () => clientsFor(fake),
      clock: new VirtualClock(),
    });
    expect(r.code).toBe(0);
    expect(fake.promotionCalls()).toEqual([
      {
        command: 'SwitchoverGlobalCluster',
        input: {
          GlobalClusterIdentifier: fake.ids.globalId,
          TargetDbClusterIdentifier: fake.ids.secondaryArn,
        },
        region: 'us-east-2',
      },
    ]);
    expect(new Set(fake.calls.map((c) => c.region))).toEqual(new Set(['us-east-2']));
    expect(r.stderrLines[0]).toBe(
      `switchover: promoting ${fake.ids.secondaryId} in us-east-2 (RDS endpoint of us-east-2)`,
    );
    const waiting = `waiting for ${fake.ids.secondaryId} to become writer (writer now ${fake.ids.primaryId} in us-east-1, global cluster switching-over, failing-over)`;
    expect(r.stderrLines.slice(1)).toEqual([
      `[   0.0s] requesting promotion of ${fake.ids.secondaryId}`,
      `[   0.0s] ${waiting}`,
      `[  10.0s] ${waiting}`,
    ]);
    expect(r.stdout).toMatch(
      /^switchover completed: .*-use2 in us-east-2 is the writer \(writer after 20\.0 s, total 20\.0 s\)\n/,
    );
    expect(r.stdout).toMatch(/writer\s+payment-processing-ledger-t[0-9a-f]{8}-use2\s+us-east-2/);
    const events = published(before);
    expect(events.map((e) => e.event)).toEqual([
      'switchover.started',
      'switchover.promotion-requested',
      'switchover.writer-confirmed',
    ]);
    expect(events[0]).toMatchObject({
      details: {
        reason: 'planned maintenance',
        requestedBy: 'arn:aws:iam::123456789012:role/dr-operator (tester@test)',
      },
    });
    const ddb = failoverClients.documents({
      region: 'us-east-2',
      endpoint: motoUrl,
      credentials: TEST_CREDENTIALS,
    });
    const { Item } = await ddb.send(
      new GetCommand({ TableName: table, Key: { pk: 'orchestrator#last-run' } }),
    );
    expect(Item).toMatchObject({ action: 'switchover', outcome: 'completed', promotionMs: 20_000 });
    const lock = await ddb.send(new GetCommand({ TableName: table, Key: { pk: 'orchestrator#lock' } }));
    expect(lock.Item).toBeUndefined();
    ddb.destroy();
  });

  it('is a no-op (exit 0) when the secondary already writes', async () => {
    const fake = new FakeAurora({ suffix, writer: 'secondary' });
    const r = await drctl(['--env', suffix, 'switchover', '--yes'], {
      clients: () => clientsFor(fake),
      clock: new VirtualClock(),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^switchover noop: .*-use2 in us-east-2 is already the writer/);
    expect(fake.promotionCalls()).toEqual([]);
  });

  it('--json prints the orchestration result', async () => {
    const fake = new FakeAurora({ suffix, readsUntilPromoted: 1 });
    const r = await drctl(['--env', suffix, '--json', 'switchover', '--yes'], {
      clients: () => clientsFor(fake),
      clock: new VirtualClock(),
    });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as OrchestrationResult;
    expect(result).toMatchObject({
      action: 'switchover',
      outcome: 'completed',
      promotionCalls: 1,
      promotionMs: 0,
    });
    expect(result.topology?.writer?.region).toBe('us-east-2');
  });

  it('refuses (exit 2) when the secondary is not in sync, and exits 1 when another run holds the lock', async () => {
    const unsynced = new FakeAurora({ suffix, secondarySync: 'pending-resync' });
    const refused = await drctl(['--env', suffix, 'switchover', '--yes'], {
      clients: () => clientsFor(unsynced),
      clock: new VirtualClock(),
    });
    expect(refused.code).toBe(2);
    expect(refused.stderrLines.at(-1)).toMatch(
      /^switchover refused: .*-use2 is pending-resync, not connected to the writer$/,
    );

    const ddb = failoverClients.documents({
      region: 'us-east-2',
      endpoint: motoUrl,
      credentials: TEST_CREDENTIALS,
    });
    const clock = new VirtualClock();
    await ddb.send(
      new PutCommand({
        TableName: table,
        Item: {
          pk: 'orchestrator#lock',
          owner: 'watchdog:abc',
          operation: 'failover',
          acquiredAt: 'x',
          leaseExpiresAtMs: clock.now() + 60_000,
        },
      }),
    );
    const fake = new FakeAurora({ suffix });
    const busy = await drctl(['--env', suffix, 'switchover', '--yes'], {
      clients: () => clientsFor(fake),
      clock,
    });
    expect(busy.code).toBe(1);
    expect(busy.stderrLines.at(-1)).toMatch(
      /^switchover busy: another orchestration is in progress \(failover by watchdog:abc/,
    );
    expect(fake.promotionCalls()).toEqual([]);
    await ddb.send(
      new PutCommand({
        TableName: table,
        Item: { pk: 'orchestrator#lock', owner: 'x', leaseExpiresAtMs: 0 },
      }),
    );
    ddb.destroy();
  });
});

describe('failover', () => {
  it('--allow-data-loss: FailoverGlobalCluster with AllowDataLoss through us-east-2', async () => {
    const fake = new FakeAurora({ suffix, readsUntilPromoted: 2 });
    const r = await drctl(['--env', suffix, 'failover', '--allow-data-loss', '--yes'], {
      clients: () => clientsFor(fake),
      clock: new VirtualClock(),
    });
    expect(r.code).toBe(0);
    expect(fake.promotionCalls()).toEqual([
      {
        command: 'FailoverGlobalCluster',
        input: {
          GlobalClusterIdentifier: fake.ids.globalId,
          TargetDbClusterIdentifier: fake.ids.secondaryArn,
          AllowDataLoss: true,
        },
        region: 'us-east-2',
      },
    ]);
  });

  it('a promotion that fails exits 1 with the reason', async () => {
    const fake = new FakeAurora({ suffix });
    fake.promotionErrors.push(
      Object.assign(new Error('User is not authorized to perform: rds:FailoverGlobalCluster'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const r = await drctl(['--env', suffix, 'failover', '--allow-data-loss', '--yes'], {
      clients: () => clientsFor(fake),
      clock: new VirtualClock(),
    });
    expect(r.code).toBe(1);
    expect(r.stderrLines.at(-1)).toBe(
      'failover failed: AccessDenied: User is not authorized to perform: rds:FailoverGlobalCluster',
    );
  });

  it('a mistyped --env says the environment does not exist (exit 2) and calls no RDS API', async () => {
    const fake = new FakeAurora({ suffix });
    const other = `${suffix}z`;
    const r = await drctl(['--env', other, 'switchover', '--yes'], {
      clients: () => clientsFor(fake),
      clock: new VirtualClock(),
    });
    expect(r.code).toBe(2);
    expect(r.stderrLines).toEqual([
      `drctl: environment "${other}" not found: state table payment-processing-dr-state-${other} (us-east-2) does not exist; check --env and --config (or deploy it); nothing was changed`,
    ]);
    expect(fake.calls).toEqual([]);
  });
});

describe('independence from the primary region', () => {
  it.each([
    ['switchover', ['switchover', '--yes']],
    ['failover', ['failover', '--allow-data-loss', '--yes']],
  ])('%s takes no client of us-east-1 and resolves credentials through us-east-2', async (_name, args) => {
    const fake = new FakeAurora({ suffix, readsUntilPromoted: 1 });
    const seen: string[] = [];
    const r = await drctl(['--env', suffix, ...args], {
      clients: () => recordingRegions(clientsFor(fake), seen),
      clock: new VirtualClock(),
    });
    expect(r.code).toBe(0);
    expect(seen).toContain('credentials us-east-2');
    expect(new Set(seen)).toEqual(
      new Set(['credentials us-east-2', 'sts us-east-2', 'sns us-east-2', 'ddb us-east-2', 'rds us-east-2']),
    );
    expect(new Set(fake.calls.map((c) => c.region))).toEqual(new Set(['us-east-2']));
  });
});

describe('failback', () => {
  const apiAnswers = (status: number, region: string | undefined, seen: string[]): HttpClient => ({
    request: async (req) => {
      seen.push(req.url);
      return {
        status,
        headers: {},
        body: JSON.stringify({ status: status === 200 ? 'ok' : 'unavailable', region }),
      };
    },
  });

  it('switches back through us-east-1 once the primary is a synchronized member and its API answers', async () => {
    const fake = new FakeAurora({ suffix, writer: 'secondary', readsUntilPromoted: 1 });
    const seen: string[] = [];
    const r = await drctl(['--env', suffix, 'failback', '--yes'], {
      env: DNS,
      clients: () => clientsFor(fake),
      clock: new VirtualClock(),
      http: apiAnswers(503, 'us-east-1', seen),
    });
    expect(r.code).toBe(0);
    expect(seen).toEqual(['https://payments-use1.pay.example.org/health']);
    expect(fake.promotionCalls()).toEqual([
      {
        command: 'SwitchoverGlobalCluster',
        input: { GlobalClusterIdentifier: fake.ids.globalId, TargetDbClusterIdentifier: fake.ids.primaryArn },
        region: 'us-east-1',
      },
    ]);
    expect(r.stdout).toMatch(/writer\s+payment-processing-ledger-t[0-9a-f]{8}-use1\s+us-east-1/);
  });

  it.each([
    [
      'the primary is not a member',
      { primaryMember: false },
      503,
      'us-east-1',
      /^failback refused: payment-processing-ledger-t[0-9a-f]{8}-use1 is not a member of global cluster/,
    ],
    [
      'the primary API answers from the wrong region',
      {},
      200,
      'us-east-2',
      /^failback refused: the us-east-1 API answered https:\/\/payments-use1\.pay\.example\.org\/health with HTTP 200 from us-east-2/,
    ],
  ])('refuses with exit 2 when %s', async (_name, state, status, region, message) => {
    const fake = new FakeAurora({ suffix, writer: 'secondary', ...state });
    const r = await drctl(['--env', suffix, 'failback', '--yes'], {
      env: DNS,
      clients: () => clientsFor(fake),
      clock: new VirtualClock(),
      http: apiAnswers(status, region, []),
    });
    expect(r.code).toBe(2);
    expect(r.stderrLines.at(-1)).toMatch(message);
    expect(fake.promotionCalls()).toEqual([]);
  });

  it('refuses when the primary API does not answer at all', async () => {
    const fake = new FakeAurora({ suffix, writer: 'secondary' });
    const r = await drctl(['--env', suffix, 'failback', '--yes'], {
      env: DNS,
      clients: () => clientsFor(fake),
      clock: new VirtualClock(),
      http: {
        request: async () => {
          throw Object.assign(new Error('getaddrinfo ENOTFOUND payments-use1.pay.example.org'), {
            name: 'HttpTransportError',
          });
        },
      },
    });
    expect(r.code).toBe(2);
    expect(r.stderrLines.at(-1)).toMatch(
      /^failback refused: the us-east-1 API does not answer on https:\/\/payments-use1/,
    );
  });
});
