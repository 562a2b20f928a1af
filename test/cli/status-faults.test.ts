import { CreateDBClusterCommand, CreateGlobalClusterCommand, RDSClient } from '@aws-sdk/client-rds';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { defaultAwsClients } from '../../cli/lib/aws';
import { STATUS_BUDGET_MS, type StatusReport } from '../../cli/lib/status';
import { type FaultServer, freePort, startFaultServer } from '../../scripts/dev/loopback-faults';
import { ArcDouble } from '../support/arc-double';
import { useTestCredentials } from '../support/credentials';
import { TEST_CREDENTIALS } from '../support/moto';
import { type ArcStub, startArcStub } from './support/arc-stub';
import { planSteps } from './support/arc-world';
import { drctl, uniqueSuffix } from './support/cli';

/**
 * `drctl status` with the real client factory and budgets against real sockets: a region whose endpoint
 * accepts connections and never answers (us-east-1 alone, or both), an endpoint that refuses connections,
 * and an environment that does not exist. us-east-2 is the moto emulator, and its ARC Region switch data plane
 * the loopback stub with the environment's plan. Every run must finish within the status budget, and print
 * only facts, `unknown (why)` or errors.
 */
const SLACK_MS = 2000;
const suffix = uniqueSuffix();
let motoUrl: string;
let silent: FaultServer;
let refusedUrl: string;
let arcStub: ArcStub;
useTestCredentials();

beforeAll(async () => {
  motoUrl = inject('motoUrl');
  silent = await startFaultServer('silent');
  refusedUrl = `http://127.0.0.1:${await freePort()}`;
  // The environment in us-east-2: its global cluster (moto serves it to every region) and its state table.
  const rds = new RDSClient({ region: 'us-east-2', endpoint: motoUrl, credentials: TEST_CREDENTIALS });
  const globalId = `payment-processing-ledger-global-${suffix}`;
  await rds.send(
    new CreateGlobalClusterCommand({
      GlobalClusterIdentifier: globalId,
      Engine: 'aurora-postgresql',
      EngineVersion: '14.15',
    }),
  );
  await rds.send(
    new CreateDBClusterCommand({
      DBClusterIdentifier: `payment-processing-ledger-${suffix}-use2`,
      Engine: 'aurora-postgresql',
      EngineVersion: '14.15',
      GlobalClusterIdentifier: globalId,
      MasterUsername: 'payments_admin',
      MasterUserPassword: 'not-a-real-password-1',
    }),
  );
  rds.destroy();
  const double = new ArcDouble({
    account: '123456789012',
    planName: `payment-processing-${suffix}`,
    regions: ['us-east-1', 'us-east-2'],
    primaryRegion: 'us-east-1',
    workflows: { 'us-east-2': planSteps(false) },
    now: Date.now,
  });
  arcStub = await startArcStub({
    double,
    regions: ['us-east-1', 'us-east-2'],
    credentials: [{ accessKeyId: 'test', secretAccessKey: 'test' }],
    now: Date.now,
  });
});

afterAll(async () => {
  await silent?.close();
  await arcStub?.close();
});

async function status(endpoints: Record<string, string>, env = suffix) {
  const started = Date.now();
  const r = await drctl(['--env', env, '--json', 'status'], {
    clients: (o) =>
      defaultAwsClients({
        ...o,
        endpoints,
        // us-east-2's ARC data plane is the stub wherever the region's other APIs answer.
        arcEndpoints:
          endpoints['us-east-2'] === motoUrl ? { 'us-east-2': arcStub.endpoint('us-east-2') } : {},
      }),
  });
  return { ...r, ms: Date.now() - started };
}

describe('drctl status under stalled and broken regions', () => {
  it.concurrent(
    'us-east-1 accepts and never answers: finishes within budget, us-east-2 fully read (exit 3)',
    async () => {
      const r = await status({ 'us-east-1': silent.url, 'us-east-2': motoUrl });
      console.info(`status, us-east-1 silent: exit ${r.code} in ${r.ms} ms`);
      expect(r.ms).toBeLessThan(STATUS_BUDGET_MS + SLACK_MS);
      expect(r.code).toBe(3);
      const report = JSON.parse(r.stdout) as StatusReport;
      expect(report.verdict).toBe('degraded');
      expect(report.regions[0]).toMatchObject({
        region: 'us-east-1',
        reachable: false,
        alarms: { state: 'unknown' },
      });
      expect(report.regions[1]).toMatchObject({ region: 'us-east-2', reachable: true });
      expect(report.globalCluster).toMatchObject({ state: 'known', value: { observedFrom: ['us-east-2'] } });
      // The plan is found through us-east-2 without waiting for us-east-1; no execution yet is a fact.
      expect(report.regionSwitch).toMatchObject({
        state: 'known',
        value: { planName: `payment-processing-${suffix}`, latestExecution: null, listedIn: ['us-east-2'] },
      });
      expect(report.evaluation[0]).toMatchObject({ region: 'us-east-2', reading: { state: 'known' } });
      expect(report.evaluation[1]).toMatchObject({ region: 'us-east-1', reading: { state: 'unknown' } });
      expect(report.accountId).toMatchObject({ state: 'known' });
      // The plan's DNS health checks come from us-east-2's data plane: read, without waiting for us-east-1.
      expect(report.healthChecks).toMatchObject({
        state: 'known',
        value: {
          readFrom: 'us-east-2',
          healthChecks: [
            { region: 'us-east-1', status: 'healthy' },
            { region: 'us-east-2', status: 'unhealthy' },
          ],
        },
      });
    },
    30_000,
  );

  it.concurrent(
    'both regions accept and never answer: finishes within budget, nothing claimed (exit 1)',
    async () => {
      const r = await status({ 'us-east-1': silent.url, 'us-east-2': silent.url });
      console.info(`status, both regions silent: exit ${r.code} in ${r.ms} ms`);
      expect(r.ms).toBeLessThan(STATUS_BUDGET_MS + SLACK_MS);
      expect(r.code).toBe(1);
      const report = JSON.parse(r.stdout) as StatusReport;
      expect(report.verdict).toBe('unreadable');
      for (const field of [
        report.regionSwitch,
        report.healthChecks,
        ...report.evaluation.map((e) => e.reading),
        report.globalCluster,
      ]) {
        expect(field.state).toBe('unknown');
      }
      expect(r.stderr).toMatch(/status: still waiting for .* \(giving up after 12 s\)/);
    },
    30_000,
  );

  it('an endpoint that refuses connections: the plan is unknown, not "not found" (exit 1)', async () => {
    const started = Date.now();
    const r = await drctl(['--env', suffix, 'status'], {
      clients: (o) => defaultAwsClients({ ...o, endpoint: refusedUrl }),
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/UNREADABLE/);
    expect(r.stdout).toMatch(/^Region switch plan: unknown \(.*ECONNREFUSED.*\)$/m);
    expect(r.stdout).toMatch(/^Plan evaluation: us-east-2 unknown \(.*ECONNREFUSED.*\); us-east-1 unknown/m);
    expect(r.stdout).not.toMatch(/not found|Latest execution: none/);
  });

  it('a mistyped --env: says the environment does not exist (exit 2)', async () => {
    const r = await drctl(['--env', `${suffix}x`, 'status'], {
      clients: (o) =>
        defaultAwsClients({
          ...o,
          endpoint: motoUrl,
          arcEndpoints: {
            'us-east-1': arcStub.endpoint('us-east-2'),
            'us-east-2': arcStub.endpoint('us-east-2'),
          },
        }),
    });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderrLines).toEqual([
      `drctl: environment "${suffix}x" not found: global cluster payment-processing-ledger-global-${suffix}x and region switch plan payment-processing-${suffix}x do not exist; check --env and --config (or deploy it)`,
    ]);
  });
});
