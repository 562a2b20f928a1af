/**
 * `drctl status`. The Aurora global database, CloudWatch and Route 53 are test doubles (aws-sdk-client-mock):
 * moto has no global failover state, does not evaluate alarms, and its CloudWatch does not speak the SDK's
 * current protocol. The DR state table is moto's DynamoDB. The last tests run the real client factory against
 * moto through --endpoint-url.
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateDBClusterCommand, CreateGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import {
  ChangeTagsForResourceCommand,
  CreateHealthCheckCommand,
  GetHealthCheckStatusCommand,
  ListHealthChecksCommand,
  ListTagsForResourcesCommand,
  Route53Client,
} from '@aws-sdk/client-route-53';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type AwsClients, defaultAwsClients } from '../../cli/lib/aws';
import { renderStatus } from '../../cli/commands/status';
import type { StatusReport } from '../../cli/lib/status';
import { awsClients, BUDGETS } from '../../runtime/shared/aws-clients';
import { FakeAurora, fakeRds } from '../failover/support/fake-aurora';
import { createStateTable, TEST_CREDENTIALS } from '../failover/support/moto';
import { drctl, mockedSts, noAws, staticCredentials, uniqueSuffix } from './support/cli';

const failoverClients = awsClients(BUDGETS.failover);

const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const suffix = uniqueSuffix();
const stateTable = `payment-processing-dr-state-${suffix}`;
let motoUrl: string;
let raw: DynamoDBClient;
const savedEnv = { ...process.env };

beforeAll(async () => {
  motoUrl = inject('motoUrl');
  raw = new DynamoDBClient({ region: 'us-east-2', endpoint: motoUrl, credentials: TEST_CREDENTIALS });
  await createStateTable(raw, stateTable);
  const ddb = failoverClients.documents({
    region: 'us-east-2',
    endpoint: motoUrl,
    credentials: TEST_CREDENTIALS,
  });
  await ddb.send(
    new PutCommand({
      TableName: stateTable,
      Item: {
        pk: 'watchdog#state',
        version: 7,
        record: {
          decision: {
            phase: 'suspect',
            consecutiveFailures: 1,
            consecutiveSuccesses: 0,
            history: [
              { ok: true, at: NOW - 60_000 },
              { ok: false, at: NOW },
            ],
            lastDeclaredAt: null,
            declaredMode: null,
            flapping: false,
          },
          lastProbe: { ok: false, at: new Date(NOW).toISOString(), latencyMs: 3000, reason: 'timeout' },
          lastWriterRegion: 'us-east-1',
          pendingAlerts: [],
          updatedAt: new Date(NOW).toISOString(),
        },
      },
    }),
  );
  await ddb.send(
    new PutCommand({
      TableName: stateTable,
      Item: {
        pk: 'orchestrator#last-run',
        action: 'switchover',
        outcome: 'completed',
        requestedBy: 'arn:aws:iam::123456789012:role/dr-operator',
        finishedAt: '2029-12-31T10:00:00.000Z',
        elapsedMs: 95_000,
      },
    }),
  );
  ddb.destroy();
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

afterAll(() => {
  raw?.destroy();
  for (const k of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
});

/** Every DescribeAlarms request the doubles answered, with its region. */
const alarmQueries: Array<{ region: string; input: DescribeAlarmsCommandInput }> = [];

function cloudwatch(region: string, options: { down?: boolean } = {}): CloudWatchClient {
  const cw = new CloudWatchClient({ region, credentials: TEST_CREDENTIALS });
  const mock = mockClient(cw);
  if (options.down) {
    mock.rejects(Object.assign(new Error('connect ETIMEDOUT 3.5.1.1:443'), { name: 'TimeoutError' }));
    return cw;
  }
  const at = new Date(NOW - 60_000);
  mock.on(GetMetricDataCommand).callsFake(async (input: { MetricDataQueries?: Array<{ Id?: string }> }) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).map((q) => {
      const values: Record<string, number[]> =
        region === 'us-east-1'
          ? { aurora: [], ddbidem: [850, 700], ddbsess: [920], s3: [12.5] }
          : { aurora: [140, 90], ddbidem: [1100], ddbsess: [], s3: [30] };
      const v = values[q.Id ?? ''] ?? [];
      return { Id: q.Id, Values: v, Timestamps: v.map(() => at), StatusCode: 'Complete' };
    }),
  }));
  mock.on(DescribeAlarmsCommand).callsFake(async (input: DescribeAlarmsCommandInput) => {
    alarmQueries.push({ region, input });
    return alarms(region);
  });
  return cw;
}

function alarms(region: string) {
  return {
    MetricAlarms:
      region === 'us-east-2'
        ? [
            {
              AlarmName: `payment-processing-aurora-lag-${suffix}-use2`,
              StateValue: 'ALARM',
              StateReason: 'Threshold Crossed',
              StateUpdatedTimestamp: new Date(NOW - 300_000),
            },
            { AlarmName: `payment-processing-aurora-lag-${suffix}x-use2`, StateValue: 'ALARM' },
            { AlarmName: 'payment-processing-api-5xx-other-use2', StateValue: 'ALARM' },
          ]
        : [],
  };
}

function route53(): Route53Client {
  const r53 = new Route53Client({ region: 'us-east-1', credentials: TEST_CREDENTIALS });
  const mock = mockClient(r53);
  mock.on(ListHealthChecksCommand).resolves({
    HealthChecks: [
      { Id: 'hc-other', CallerReference: 'a', HealthCheckVersion: 1, HealthCheckConfig: { Type: 'HTTPS' } },
      {
        Id: 'hc-primary',
        CallerReference: 'b',
        HealthCheckVersion: 1,
        HealthCheckConfig: {
          Type: 'HTTPS',
          FullyQualifiedDomainName: 'payments-use1.example.com',
          Inverted: false,
        },
      },
    ],
    IsTruncated: false,
    Marker: '',
    MaxItems: 100,
  });
  mock.on(ListTagsForResourcesCommand).resolves({
    ResourceTagSets: [
      {
        ResourceType: 'healthcheck',
        ResourceId: 'hc-other',
        Tags: [{ Key: 'Name', Value: 'something-else' }],
      },
      {
        ResourceType: 'healthcheck',
        ResourceId: 'hc-primary',
        Tags: [{ Key: 'Name', Value: `payment-processing-primary-health-${suffix}` }],
      },
    ],
  });
  mock.on(GetHealthCheckStatusCommand).resolves({
    HealthCheckObservations: Array.from({ length: 16 }, (_, i) => ({
      Region: 'us-east-1',
      IPAddress: `15.177.0.${i}`,
      StatusReport: {
        Status: i < 15 ? 'Success: HTTP Status Code 200, OK' : 'Failure: Connection timed out',
        CheckedTime: new Date(NOW - i * 1000),
      },
    })),
  });
  return r53;
}

function doubles(options: { primaryDown?: boolean } = {}): AwsClients {
  const fake = new FakeAurora({ suffix });
  const rds = {
    'us-east-1': options.primaryDown ? unreachableRds('us-east-1') : fakeRds(fake, 'us-east-1'),
    'us-east-2': fakeRds(fake, 'us-east-2'),
  };
  const cw = {
    'us-east-1': cloudwatch('us-east-1', { down: options.primaryDown }),
    'us-east-2': cloudwatch('us-east-2'),
  };
  const ddb = failoverClients.documents({
    region: 'us-east-2',
    endpoint: motoUrl,
    credentials: TEST_CREDENTIALS,
  });
  const r53 = route53();
  const sts = { 'us-east-1': mockedSts('us-east-1'), 'us-east-2': mockedSts('us-east-2') };
  return noAws({
    credentials: staticCredentials,
    rds: (region) => rds[region as 'us-east-1'],
    cloudwatch: (region) => cw[region as 'us-east-1'],
    ddb: (region) => {
      if (region !== 'us-east-2') throw new Error('the state table lives in the secondary region only');
      return ddb;
    },
    sts: (region) => sts[region as 'us-east-1'],
    route53: () => r53,
  });
}

/** An RDS client of a region that does not answer (connection timeouts). */
function unreachableRds(region: string): RDSClient {
  const client = new RDSClient({ region, credentials: TEST_CREDENTIALS });
  mockClient(client).rejects(Object.assign(new Error('connect ETIMEDOUT'), { name: 'TimeoutError' }));
  return client;
}

const clock = { now: () => NOW, sleep: async () => undefined };

describe('status against doubles', () => {
  it('--json reports both regions, the writer, lags, health check, alarms of this environment and the watchdog', async () => {
    const r = await drctl(['--env', suffix, '--json', 'status'], { clients: () => doubles(), clock });
    // An alarm in ALARM and a suspect watchdog need attention: degraded (exit 3), everything read.
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('');
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(Object.keys(report).sort()).toEqual(
      [
        'accountId',
        'degradedReasons',
        'environment',
        'failoverMode',
        'generatedAt',
        'globalCluster',
        'healthCheck',
        'lastOrchestration',
        'lock',
        'missing',
        'regions',
        'replication',
        'verdict',
        'watchdog',
      ].sort(),
    );
    const known = <T>(value: T) => ({ state: 'known', value });
    expect(report).toMatchObject({
      environment: suffix,
      generatedAt: '2030-01-01T12:00:00.000Z',
      verdict: 'degraded',
      degradedReasons: ['us-east-2: 1 alarm(s) in ALARM', 'watchdog suspect'],
      missing: [],
      accountId: known('123456789012'),
      globalCluster: known({
        id: `payment-processing-ledger-global-${suffix}`,
        status: 'available',
        writer: { clusterId: `payment-processing-ledger-${suffix}-use1`, region: 'us-east-1' },
        members: [
          {
            clusterId: `payment-processing-ledger-${suffix}-use1`,
            region: 'us-east-1',
            role: 'writer',
            synchronization: null,
          },
          {
            clusterId: `payment-processing-ledger-${suffix}-use2`,
            region: 'us-east-2',
            role: 'secondary',
            synchronization: 'connected',
          },
        ],
        observedFrom: ['us-east-2', 'us-east-1'],
        disagreement: false,
      }),
      healthCheck: known({
        id: 'hc-primary',
        name: `payment-processing-primary-health-${suffix}`,
        inverted: false,
        checkersHealthy: 15,
        checkersTotal: 16,
        endpointHealthy: true,
        effectiveHealthy: true,
      }),
      regions: [
        { region: 'us-east-1', role: 'primary', reachable: true, alarms: known([]) },
        {
          region: 'us-east-2',
          role: 'secondary',
          reachable: true,
          alarms: known([
            { name: `payment-processing-aurora-lag-${suffix}-use2`, reason: 'Threshold Crossed' },
          ]),
        },
      ],
      replication: [
        {
          from: 'us-east-1',
          to: 'us-east-2',
          aurora: known({ valueMs: 140 }),
          dynamodb: known({ idempotency: { valueMs: 850 }, sessions: { valueMs: 920 } }),
          s3: known({ valueMs: 12_500 }),
        },
        {
          from: 'us-east-2',
          to: 'us-east-1',
          aurora: known({ valueMs: null }),
          dynamodb: known({ idempotency: { valueMs: 1100 }, sessions: { valueMs: null } }),
          s3: known({ valueMs: 30_000 }),
        },
      ],
      watchdog: known({
        phase: 'suspect',
        consecutiveFailures: 1,
        lastProbe: { ok: false, reason: 'timeout' },
      }),
      lock: known(null),
      lastOrchestration: known({ action: 'switchover', outcome: 'completed', elapsedMs: 95_000 }),
    });
  });

  it('asks each region for metric alarms only, by name prefix (the operator role is scoped to alarm ARNs)', async () => {
    alarmQueries.length = 0;
    const r = await drctl(['--env', suffix, '--json', 'status'], { clients: () => doubles(), clock });
    expect(r.code).toBe(3);
    expect(alarmQueries.map((q) => q.region).sort()).toEqual(['us-east-1', 'us-east-2']);
    for (const q of alarmQueries) {
      expect(q.input).toMatchObject({
        AlarmNamePrefix: 'payment-processing-',
        StateValue: 'ALARM',
        AlarmTypes: ['MetricAlarm'],
      });
    }
  });

  it('the table output names what matters', async () => {
    const r = await drctl(['--env', suffix, 'status'], { clients: () => doubles(), clock });
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(
      /^Environment t[0-9a-f]{8} {2}2030-01-01T12:00:00.000Z {2}failover mode \w+ {2}DEGRADED \(us-east-2: 1 alarm\(s\) in ALARM; watchdog suspect\)$/m,
    );
    expect(r.stdout).toMatch(/writer\s+payment-processing-ledger-t[0-9a-f]{8}-use1\s+us-east-1/);
    expect(r.stdout).toMatch(/HEALTHY, 15\/16 checkers/);
    expect(r.stdout).toMatch(/us-east-1 -> us-east-2\s+140 ms\s+850 ms\s+920 ms\s+12\.5 s/);
    expect(r.stdout).toMatch(
      /Alarms in ALARM:\n.*SINCE\n\s+us-east-2\s+payment-processing-aurora-lag-t[0-9a-f]{8}-use2\s+2030-01-01T11:55:00.000Z\n/,
    );
    expect(r.stdout).toMatch(/Watchdog: suspect, 1 consecutive failures, last probe failed \(timeout\)/);
    expect(r.stdout).toMatch(/^Orchestration lock: free$/m);
    expect(r.stdout).toMatch(/^Last orchestration: switchover completed at 2029-12-31T10:00:00.000Z/m);
  });

  it('a region whose APIs do not answer is reported unreachable; the other region is still reported (exit 3)', async () => {
    const r = await drctl(['--env', suffix, '--json', 'status'], {
      clients: () => doubles({ primaryDown: true }),
      clock,
    });
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(report.verdict).toBe('degraded');
    expect(report.degradedReasons).toContain('us-east-1 unreachable');
    expect(report.regions[0]).toMatchObject({
      region: 'us-east-1',
      reachable: false,
      alarms: { state: 'unknown', reason: expect.stringMatching(/TimeoutError/) },
      topology: { state: 'unknown' },
    });
    expect(report.regions[1]).toMatchObject({
      region: 'us-east-2',
      reachable: true,
      alarms: { state: 'known' },
    });
    expect(report.globalCluster).toMatchObject({
      state: 'known',
      value: { observedFrom: ['us-east-2'], writer: { region: 'us-east-1' } },
    });
    expect(report.replication[0]).toMatchObject({
      aurora: { state: 'known', value: { valueMs: 140 } },
      dynamodb: { state: 'unknown' },
      s3: { state: 'unknown' },
    });
    expect(report.watchdog).toMatchObject({ state: 'known', value: { phase: 'suspect' } });

    const text = await drctl(['--env', suffix, 'status'], {
      clients: () => doubles({ primaryDown: true }),
      clock,
    });
    expect(text.code).toBe(3);
    expect(text.stdout).toMatch(/DEGRADED \(us-east-1 unreachable/);
    expect(text.stdout).toMatch(/us-east-1\s+primary\s+UNREACHABLE\s+unknown/);
    expect(text.stdout).toMatch(
      /Could not read:\n\s+us-east-1 aurora topology: unknown \(no answer: TimeoutError: connect ETIMEDOUT/,
    );
  });

  it('renders an inverted health check and a held lock', () => {
    const unknown = { state: 'unknown', reason: 'not asked' } as const;
    const base = {
      environment: 'dev',
      generatedAt: 'now',
      verdict: 'degraded',
      degradedReasons: ['primary health check inverted'],
      missing: [],
      failoverMode: 'manual',
      accountId: unknown,
      globalCluster: unknown,
      healthCheck: {
        state: 'known',
        value: {
          id: 'hc',
          name: 'payment-processing-primary-health-dev',
          fqdn: 'payments-use1.example.com',
          inverted: true,
          checkersHealthy: 16,
          checkersTotal: 16,
          endpointHealthy: true,
          effectiveHealthy: false,
          lastChecked: null,
        },
      },
      regions: [],
      replication: [],
      watchdog: { state: 'error', error: 'AccessDeniedException: not allowed' },
      lock: {
        state: 'known',
        value: { owner: 'drctl:ops@host', operation: 'switchover', acquiredAt: 'x', leaseExpiresAt: 'y' },
      },
      lastOrchestration: { state: 'known', value: null },
    } satisfies StatusReport;
    const text = renderStatus(base);
    expect(text).toMatch(/UNHEALTHY, 16\/16 checkers see payments-use1.example.com healthy, INVERTED/);
    expect(text).toMatch(/Orchestration lock: held by drctl:ops@host \(switchover\) until y/);
    expect(text).toMatch(/^Watchdog: error \(AccessDeniedException: not allowed\)$/m);
    expect(text).toMatch(/^Global database: unknown \(not asked\)$/m);
    expect(text).toMatch(/^Last orchestration: none recorded$/m);
  });
});

describe('--endpoint-url', () => {
  it('is given to every client the default factory builds', async () => {
    const clients = defaultAwsClients({ endpoint: 'http://127.0.0.1:4566' });
    const all = [
      clients.rds('us-east-1'),
      clients.rds('us-east-2'),
      clients.cloudwatch('us-east-2'),
      clients.ddb('us-east-2'),
      clients.s3('us-east-2'),
      clients.sns('us-east-2'),
      clients.sts('us-east-2'),
      clients.route53(),
    ];
    for (const c of all) {
      const endpoint = await (
        c.config as { endpoint?: () => Promise<{ hostname: string; port?: number; protocol: string }> }
      ).endpoint?.();
      expect(endpoint).toMatchObject({ hostname: '127.0.0.1', port: 4566, protocol: 'http:' });
    }
    expect(await clients.rds('us-east-2').config.region()).toBe('us-east-2');
    expect(clients.endpoint).toBe('http://127.0.0.1:4566');
    // Without the option no endpoint is forced (the SDK resolves the regional one).
    const real = defaultAwsClients({});
    expect(real.rds('us-east-1').config.endpoint).toBeUndefined();
  });

  it('reaches the client factory from the command line', async () => {
    const seen: Array<string | undefined> = [];
    const r = await drctl(['--endpoint-url', 'http://127.0.0.1:4566/', '--env', suffix, '--json', 'status'], {
      clients: (o) => {
        seen.push(o.endpoint);
        return doubles();
      },
      clock,
    });
    expect(r.code).toBe(3);
    expect(seen).toEqual(['http://127.0.0.1:4566']);
  });

  it('status through --endpoint-url against the emulator reads what the emulator holds', async () => {
    const ids = {
      global: `payment-processing-ledger-global-${suffix}`,
      use1: `payment-processing-ledger-${suffix}-use1`,
      use2: `payment-processing-ledger-${suffix}-use2`,
    };
    const rds1 = new RDSClient({ region: 'us-east-1', endpoint: motoUrl, credentials: TEST_CREDENTIALS });
    const rds2 = new RDSClient({ region: 'us-east-2', endpoint: motoUrl, credentials: TEST_CREDENTIALS });
    await rds1.send(
      new CreateGlobalClusterCommand({
        GlobalClusterIdentifier: ids.global,
        Engine: 'aurora-postgresql',
        EngineVersion: '14.15',
      }),
    );
    await rds1.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: ids.use1,
        Engine: 'aurora-postgresql',
        EngineVersion: '14.15',
        GlobalClusterIdentifier: ids.global,
        MasterUsername: 'payments_admin',
        MasterUserPassword: 'not-a-real-password-1',
      }),
    );
    await rds2.send(
      new CreateDBClusterCommand({
        DBClusterIdentifier: ids.use2,
        Engine: 'aurora-postgresql',
        EngineVersion: '14.15',
        GlobalClusterIdentifier: ids.global,
      }),
    );
    const r53 = new Route53Client({ region: 'us-east-1', endpoint: motoUrl, credentials: TEST_CREDENTIALS });
    const hc = await r53.send(
      new CreateHealthCheckCommand({
        CallerReference: `ref-${suffix}`,
        HealthCheckConfig: {
          Type: 'HTTPS',
          FullyQualifiedDomainName: `payments-use1.${suffix}.example.com`,
          ResourcePath: '/health',
          Port: 443,
          RequestInterval: 10,
          FailureThreshold: 3,
        },
      }),
    );
    await r53.send(
      new ChangeTagsForResourceCommand({
        ResourceType: 'healthcheck',
        ResourceId: hc.HealthCheck?.Id,
        AddTags: [{ Key: 'Name', Value: `payment-processing-primary-health-${suffix}` }],
      }),
    );
    for (const c of [rds1, rds2, r53]) c.destroy();

    const r = await drctl(['--env', suffix, '--endpoint-url', motoUrl, '--json', 'status'], {
      clients: defaultAwsClients,
      clock,
    });
    // moto's CloudWatch does not speak the SDK's protocol: those reads are errors, so the report is degraded.
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as StatusReport;
    expect(report.globalCluster).toMatchObject({
      state: 'known',
      value: {
        id: ids.global,
        writer: { clusterId: ids.use1, region: 'us-east-1' },
        observedFrom: ['us-east-2', 'us-east-1'],
      },
    });
    expect(report.healthCheck).toMatchObject({
      state: 'known',
      value: { id: hc.HealthCheck?.Id, fqdn: `payments-use1.${suffix}.example.com` },
    });
    expect(report.watchdog).toMatchObject({ state: 'known', value: { phase: 'suspect' } });
    expect(report.lock).toEqual({ state: 'known', value: null });
    expect(report.regions.map((x) => x.reachable)).toEqual([true, true]);
  });
});
