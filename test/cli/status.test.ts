/**
 * `drctl status`. The Aurora global database and CloudWatch are test doubles (aws-sdk-client-mock): moto has
 * no global failover state, does not evaluate alarms, and its CloudWatch does not speak the SDK's current
 * protocol. ARC Region switch is the stateful double behind the loopback stub (real HTTP and SigV4), holding
 * one completed execution (its DNS step left the us-east-2 health check healthy, us-east-1's unhealthy). The last tests run the real client factory against moto through
 * --endpoint-url (moto has no ARC Region switch: those reads are unknown).
 */
import {
  CloudWatchClient,
  DescribeAlarmsCommand,
  type DescribeAlarmsCommandInput,
  GetMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateDBClusterCommand, CreateGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { type ArcClient, arcClient } from '../../cli/lib/arc-client';
import type { Route53HealthCheck } from '../../cli/lib/arc-types';
import { HEALTH_CHECK_HEDGE_MS, healthChecksFrom } from '../../cli/lib/status-arc';
import { type AwsClients, defaultAwsClients } from '../../cli/lib/aws';
import { nodeHttpClient } from '../../cli/lib/http';
import { renderStatus } from '../../cli/commands/status';
import type { StatusReport } from '../../cli/lib/status';
import { ArcDouble } from '../support/arc-double';
import { FakeAurora, fakeRds } from '../support/fake-aurora';
import { TEST_CREDENTIALS } from '../support/moto';
import { type ArcStub, startArcStub } from './support/arc-stub';
import { planSteps } from './support/arc-world';
import { drctl, mockedSts, noAws, staticCredentials, uniqueSuffix } from './support/cli';

const NOW = Date.parse('2030-01-01T12:00:00.000Z');
const suffix = uniqueSuffix();
let motoUrl: string;
let stub: ArcStub;
let doubleNow = NOW - 2 * 3_600_000;
const arc = new ArcDouble({
  account: '123456789012',
  planName: `payment-processing-${suffix}`,
  regions: ['us-east-1', 'us-east-2'],
  primaryRegion: 'us-east-1',
  workflows: { 'us-east-2': planSteps(false), 'us-east-1': planSteps(false) },
  dns: { hostedZoneId: 'Z0123456789', recordName: 'payments.example.org' },
  now: () => doubleNow,
});
const HC = { use1: '00000000-0000-4000-8000-000000000001', use2: '00000000-0000-4000-8000-000000000002' };
const savedEnv = { ...process.env };

beforeAll(async () => {
  motoUrl = inject('motoUrl');
  stub = await startArcStub({
    double: arc,
    regions: ['us-east-1', 'us-east-2'],
    credentials: [{ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }],
    now: () => NOW,
  });
  // One switchover two hours ago, completed; us-east-1 evaluates the plan as needing action.
  arc.handle('us-east-2', 'StartPlanExecution', {
    planArn: arc.planArn,
    targetRegion: 'us-east-2',
    action: 'activate',
    mode: 'graceful',
    comment: 'game day',
  });
  doubleNow = NOW;
  arc.evaluation['us-east-1'] = {
    planArn: arc.planArn,
    region: 'us-east-1',
    evaluationState: 'actionRequired',
    lastEvaluationTime: (NOW - 600_000) / 1000,
    warnings: [
      {
        version: '1',
        stepName: 'aurora',
        warningStatus: 'active',
        warningUpdatedTime: (NOW - 600_000) / 1000,
        warningMessage: 'the execution role cannot call rds:SwitchoverGlobalCluster',
      },
    ],
  };
  process.env.AWS_ACCESS_KEY_ID = 'test';
  process.env.AWS_SECRET_ACCESS_KEY = 'test';
});

afterAll(async () => {
  await stub?.close();
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
  const sts = { 'us-east-1': mockedSts('us-east-1'), 'us-east-2': mockedSts('us-east-2') };
  return noAws({
    credentials: staticCredentials,
    rds: (region) => rds[region as 'us-east-1'],
    cloudwatch: (region) => cw[region as 'us-east-1'],
    sts: (region) => sts[region as 'us-east-1'],
    arc: () =>
      arcClient({
        http: nodeHttpClient,
        credentials: staticCredentials,
        endpoint: (region) =>
          options.primaryDown && region === 'us-east-1' ? 'http://127.0.0.1:9' : stub.endpoint(region),
        now: () => NOW,
      }),
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
  it('--json reports both regions, the writer, lags, health check, alarms, the plan, its latest execution and evaluation', async () => {
    const r = await drctl(['--env', suffix, '--json', 'status'], { clients: () => doubles(), clock });
    // An alarm in ALARM and a plan evaluation needing action: degraded (exit 3), everything read.
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
        'evaluation',
        'healthChecks',
        'missing',
        'regionSwitch',
        'regions',
        'replication',
        'verdict',
      ].sort(),
    );
    const known = <T>(value: T) => ({ state: 'known', value });
    expect(report).toMatchObject({
      environment: suffix,
      generatedAt: '2030-01-01T12:00:00.000Z',
      verdict: 'degraded',
      degradedReasons: ['us-east-2: 1 alarm(s) in ALARM', 'plan evaluation us-east-1: actionRequired'],
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
      // Read in us-east-2 (asked first), listed primary first; the plan's DNS step left us-east-2 healthy.
      healthChecks: known({
        readFrom: 'us-east-2',
        healthChecks: [
          {
            region: 'us-east-1',
            healthCheckId: HC.use1,
            status: 'unhealthy',
            recordName: 'payments.example.org',
            hostedZoneId: 'Z0123456789',
          },
          {
            region: 'us-east-2',
            healthCheckId: HC.use2,
            status: 'healthy',
            recordName: 'payments.example.org',
            hostedZoneId: 'Z0123456789',
          },
        ],
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
      regionSwitch: known({
        planName: `payment-processing-${suffix}`,
        planArn: arc.planArn,
        activeExecution: null,
        latestExecution: {
          executionId: 'us-east-2/0000000000000001',
          region: 'us-east-2',
          mode: 'graceful',
          action: 'activate',
          state: 'completed',
          startTime: '2030-01-01T10:00:00.000Z',
          endTime: '2030-01-01T10:01:35.000Z',
          comment: 'game day',
          steps: [
            { name: 'fence', status: 'completed' },
            { name: 'aurora', status: 'completed' },
            { name: 'dns', status: 'completed' },
          ],
        },
        listedIn: ['us-east-2', 'us-east-1'],
        notListed: [],
      }),
      evaluation: [
        {
          region: 'us-east-2',
          reading: known({
            region: 'us-east-2',
            state: 'passed',
            lastEvaluationTime: '2030-01-01T12:00:00.000Z',
            warnings: [],
          }),
        },
        {
          region: 'us-east-1',
          reading: known({
            region: 'us-east-1',
            state: 'actionRequired',
            lastEvaluationTime: '2030-01-01T11:50:00.000Z',
            warnings: ['aurora: the execution role cannot call rds:SwitchoverGlobalCluster'],
          }),
        },
      ],
    });
    // Every ARC call was signed for, and sent to, the data plane of the Region it asked.
    expect(stub.requests.every((q) => q.signature === 'ok')).toBe(true);
    // us-east-2 answered: us-east-1 was not asked for the health checks, and the plan's ARN was sent.
    const asked = stub.requests.filter((q) => q.op === 'ListRoute53HealthChecksInRegion');
    expect(asked.map((q) => [q.region, q.body])).toEqual([
      ['us-east-2', { arn: arc.planArn, maxResults: 100 }],
    ]);
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
      /^Environment t[0-9a-f]{8} {2}2030-01-01T12:00:00.000Z {2}failover mode \w+ {2}DEGRADED \(us-east-2: 1 alarm\(s\) in ALARM; plan evaluation us-east-1: actionRequired\)$/m,
    );
    expect(r.stdout).toMatch(/writer\s+payment-processing-ledger-t[0-9a-f]{8}-use1\s+us-east-1/);
    expect(r.stdout).toMatch(
      new RegExp(
        `^DNS health checks \\(owned by the Region switch plan, read in us-east-2\\):\\n\\s+REGION\\s+HEALTH CHECK\\s+STATUS\\s+RECORD\\n\\s+us-east-1\\s+${HC.use1}\\s+unhealthy\\s+payments\\.example\\.org\\n\\s+us-east-2\\s+${HC.use2}\\s+healthy\\s+payments\\.example\\.org$`,
        'm',
      ),
    );
    expect(r.stdout).toMatch(/us-east-1 -> us-east-2\s+140 ms\s+850 ms\s+920 ms\s+12\.5 s/);
    expect(r.stdout).toMatch(
      /Alarms in ALARM:\n.*SINCE\n\s+us-east-2\s+payment-processing-aurora-lag-t[0-9a-f]{8}-use2\s+2030-01-01T11:55:00.000Z\n/,
    );
    expect(r.stdout).toMatch(
      /^Region switch plan: payment-processing-t[0-9a-f]{8} \(arn:aws:arc-region-switch::123456789012:plan\/payment-processing-t[0-9a-f]{8}:a1b2c3\)$/m,
    );
    expect(r.stdout).toMatch(
      /^Latest execution: us-east-2\/0000000000000001 graceful activate us-east-2: completed, started 2030-01-01T10:00:00.000Z, ended 2030-01-01T10:01:35.000Z \(game day\)\n\s+STEP\s+STATUS\n\s+fence\s+completed\n\s+aurora\s+completed\n\s+dns\s+completed$/m,
    );
    expect(r.stdout).toMatch(
      /^Plan evaluation: us-east-2 passed at 2030-01-01T12:00:00.000Z; us-east-1 actionRequired at 2030-01-01T11:50:00.000Z \(1 warning\(s\): aurora: the execution role cannot call rds:SwitchoverGlobalCluster\)$/m,
    );
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
    // The plan is found through us-east-2; us-east-1's executions and evaluation are said to be unread.
    expect(report.regionSwitch).toMatchObject({
      state: 'known',
      value: { listedIn: ['us-east-2'], notListed: [expect.stringMatching(/^us-east-1: .*ECONNREFUSED/)] },
    });
    expect(report.degradedReasons).toContain('plan executions of us-east-1 not read');
    expect(report.evaluation[1]).toMatchObject({ region: 'us-east-1', reading: { state: 'unknown' } });
    // us-east-2 answered the health checks: us-east-1 being down does not make them unknown.
    expect(report.healthChecks).toMatchObject({ state: 'known', value: { readFrom: 'us-east-2' } });

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

  it('reads the DNS health checks in us-east-1 when us-east-2 fails them; says unknown when neither answers', async () => {
    const ops = () => stub.requests.filter((q) => q.op === 'ListRoute53HealthChecksInRegion');
    // Both attempts in us-east-2 meet a 500: us-east-1 answers.
    let before = ops().length;
    stub.inject('internal', 'ListRoute53HealthChecksInRegion', 2);
    const fallback = await drctl(['--env', suffix, '--json', 'status'], { clients: () => doubles(), clock });
    expect(fallback.code).toBe(3);
    const report = JSON.parse(fallback.stdout) as StatusReport;
    expect(report.healthChecks).toMatchObject({
      state: 'known',
      value: { readFrom: 'us-east-1', healthChecks: [{ region: 'us-east-1' }, { region: 'us-east-2' }] },
    });
    expect(
      ops()
        .slice(before)
        .map((q) => q.region),
    ).toEqual(['us-east-2', 'us-east-2', 'us-east-1']);

    // Neither Region answers: unknown, never a status that was not read (degraded, exit 3).
    before = ops().length;
    stub.inject('internal', 'ListRoute53HealthChecksInRegion', 4);
    const none = await drctl(['--env', suffix, '--json', 'status'], { clients: () => doubles(), clock });
    expect(none.code).toBe(3);
    const unread = JSON.parse(none.stdout) as StatusReport;
    expect(unread.healthChecks).toMatchObject({
      state: 'unknown',
      reason: expect.stringMatching(/InternalServerException/),
    });
    expect(unread.degradedReasons).toContain('dns health checks unknown');
    expect(
      ops()
        .slice(before)
        .map((q) => q.region),
    ).toEqual(['us-east-2', 'us-east-2', 'us-east-1', 'us-east-1']);
  });

  it('a denied health-check read is reported as the error the service answered (exit 3)', async () => {
    arc.denied.add('ListRoute53HealthChecksInRegion');
    try {
      const r = await drctl(['--env', suffix, 'status'], { clients: () => doubles(), clock });
      expect(r.code).toBe(3);
      expect(r.stdout).toMatch(/DEGRADED \(.*dns health checks error/);
      expect(r.stdout).toMatch(
        /^DNS health checks \(owned by the Region switch plan\): error \(AccessDeniedException: ListRoute53HealthChecksInRegion \(us-east-2\): access denied/m,
      );
      expect(r.stdout).not.toMatch(/healthy/);
    } finally {
      arc.denied.delete('ListRoute53HealthChecksInRegion');
    }
  });

  it('renders health checks not created or of unknown status, an execution in progress and what could not be read', () => {
    const unknown = { state: 'unknown', reason: 'not asked' } as const;
    const base = {
      environment: 'dev',
      generatedAt: 'now',
      verdict: 'degraded',
      degradedReasons: ['us-east-1 DNS health check unknown', 'us-east-2 DNS health check not created'],
      missing: [],
      failoverMode: 'manual',
      accountId: unknown,
      globalCluster: unknown,
      healthChecks: {
        state: 'known',
        value: {
          readFrom: 'us-east-1',
          healthChecks: [
            {
              region: 'us-east-1',
              healthCheckId: 'hc-1',
              status: 'unknown',
              recordName: 'payments.example.com',
              hostedZoneId: 'Z1',
            },
            {
              region: 'us-east-2',
              healthCheckId: null,
              status: 'not reported',
              recordName: 'payments.example.com',
              hostedZoneId: 'Z1',
            },
          ],
        },
      },
      regions: [],
      replication: [],
      regionSwitch: {
        state: 'known',
        value: {
          planName: 'payment-processing-dev',
          planArn: 'arn:aws:arc-region-switch::123456789012:plan/payment-processing-dev:a1b2c3',
          activeExecution: 'us-east-2/00000000000000ab',
          latestExecution: {
            executionId: 'us-east-2/00000000000000ab',
            region: 'us-east-2',
            mode: 'ungraceful',
            action: 'activate',
            state: 'pendingManualApproval',
            startTime: 'x',
            endTime: null,
            comment: null,
            steps: { unread: 'TimeoutError: no answer' },
          },
          listedIn: ['us-east-2'],
          notListed: ['us-east-1: TimeoutError: no answer'],
        },
      },
      evaluation: [
        { region: 'us-east-2', reading: { state: 'error', error: 'AccessDeniedException: not allowed' } },
        { region: 'us-east-1', reading: { state: 'known', value: null } },
      ],
    } satisfies StatusReport;
    const text = renderStatus(base);
    expect(text).toMatch(/^DNS health checks \(owned by the Region switch plan, read in us-east-1\):$/m);
    expect(text).toMatch(/^ {2}us-east-1\s+hc-1\s+unknown\s+payments\.example\.com$/m);
    expect(text).toMatch(/^ {2}us-east-2\s+not created\s+not reported\s+payments\.example\.com$/m);
    expect(renderStatus({ ...base, healthChecks: { state: 'unknown', reason: 'no answer' } })).toMatch(
      /^DNS health checks \(owned by the Region switch plan\): unknown \(no answer\)$/m,
    );
    expect(renderStatus({ ...base, healthChecks: { state: 'unknown', reason: 'no answer' } })).toMatch(
      /^Could not read:(\n {2}.*)*\n {2}dns health checks: unknown \(no answer\)$/m,
    );
    expect(text).toMatch(/, execution us-east-2\/00000000000000ab in progress$/m);
    expect(text).toMatch(
      /^Latest execution: us-east-2\/00000000000000ab ungraceful activate us-east-2: pendingManualApproval, started x$/m,
    );
    expect(text).toMatch(/^ {2}steps: unknown \(TimeoutError: no answer\)$/m);
    expect(text).toMatch(/^ {2}executions not listed in us-east-1: TimeoutError: no answer$/m);
    expect(text).toMatch(
      /^Plan evaluation: us-east-2 error \(AccessDeniedException: not allowed\); us-east-1 no plan$/m,
    );
    expect(text).toMatch(/^Global database: unknown \(not asked\)$/m);
  });
});

describe('the DNS health checks: us-east-2 first, us-east-1 as fallback', () => {
  const check = (region: string): Route53HealthCheck => ({
    hostedZoneId: 'Z1',
    recordName: 'payments.example.org',
    region,
    healthCheckId: `hc-${region}`,
    status: 'healthy',
  });
  /** An ARC client whose health-check answers the test settles by hand; every other operation is absent. */
  const manual = () => {
    const calls: Array<{
      region: string;
      resolve: (v: Route53HealthCheck[]) => void;
      reject: (e: unknown) => void;
    }> = [];
    const arc = {
      listRoute53HealthChecksInRegion: (region: string) =>
        new Promise<Route53HealthCheck[]>((resolve, reject) => calls.push({ region, resolve, reject })),
    } as unknown as ArcClient;
    return { arc, calls };
  };

  it('a stalled us-east-2 is not waited for past the hedge: us-east-1 is asked and its answer used', async () => {
    vi.useFakeTimers();
    try {
      const { arc, calls } = manual();
      const view = healthChecksFrom(arc, ['us-east-2', 'us-east-1'], 'arn:plan', undefined, [
        'us-east-1',
        'us-east-2',
      ]);
      expect(calls.map((c) => c.region)).toEqual(['us-east-2']);
      await vi.advanceTimersByTimeAsync(HEALTH_CHECK_HEDGE_MS - 1);
      expect(calls.map((c) => c.region)).toEqual(['us-east-2']);
      await vi.advanceTimersByTimeAsync(1);
      expect(calls.map((c) => c.region)).toEqual(['us-east-2', 'us-east-1']);
      calls[1]?.resolve([check('us-east-2'), check('us-east-1')]);
      await expect(view).resolves.toEqual({
        readFrom: 'us-east-1',
        healthChecks: [
          expect.objectContaining({ region: 'us-east-1' }),
          expect.objectContaining({ region: 'us-east-2' }),
        ],
      });
      expect(vi.getTimerCount()).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an answer from us-east-2 ends it: us-east-1 is never asked, no timer is left', async () => {
    vi.useFakeTimers();
    try {
      const { arc, calls } = manual();
      const view = healthChecksFrom(arc, ['us-east-2', 'us-east-1'], 'arn:plan');
      calls[0]?.resolve([]);
      await expect(view).resolves.toEqual({ readFrom: 'us-east-2', healthChecks: [] });
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(10 * HEALTH_CHECK_HEDGE_MS);
      expect(calls.map((c) => c.region)).toEqual(['us-east-2']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('neither answers: the error a service answered wins over a transport failure', async () => {
    const { arc, calls } = manual();
    const view = healthChecksFrom(arc, ['us-east-2', 'us-east-1'], 'arn:plan');
    calls[0]?.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    await Promise.resolve();
    await Promise.resolve();
    expect(calls.map((c) => c.region)).toEqual(['us-east-2', 'us-east-1']);
    const denied = Object.assign(new Error('denied'), {
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
    calls[1]?.reject(denied);
    await expect(view).rejects.toBe(denied);
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
    for (const c of [rds1, rds2]) c.destroy();

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
    // moto has no ARC Region switch (it answers 500): unknown, never "not found"; so are the plan's health checks.
    expect(report.regionSwitch).toMatchObject({ state: 'unknown' });
    expect(report.healthChecks).toMatchObject({ state: 'unknown' });
    expect(report.missing).toEqual([]);
    expect(report.regions.map((x) => x.reachable)).toEqual([true, true]);
  });
});
