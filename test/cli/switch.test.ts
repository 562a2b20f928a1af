/**
 * `drctl switchover | failover | failback` on the ARC Region switch engine: each starts an `activate`
 * execution of the plan in the Region it activates and follows it to its end. ARC is the stateful double
 * behind the loopback stub (real HTTP and SigV4, one server per Region, so every call's Region is seen); the
 * Aurora global database is the fake-aurora double (preflight and final topology); time is virtual.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpClient } from '../../cli/lib/http';
import type { SwitchResult } from '../../cli/lib/switch';
import { FakeAurora } from '../support/fake-aurora';
import { type ArcWorld, arcWorld, planSteps } from './support/arc-world';
import { drctl, uniqueSuffix } from './support/cli';

const suffix = uniqueSuffix();
const DNS = { HOSTED_ZONE_NAME: 'pay.example.org', HOSTED_ZONE_ID: 'Z0TEST12345' };
let world: ArcWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

/** A world whose Aurora step moves the fake's writer to the Region it activates. */
async function setup(fake: FakeAurora, over: Parameters<typeof arcWorld>[1] = {}) {
  world = await arcWorld(suffix, {
    onStepCompleted: (step, e) => {
      if (step === 'aurora') fake.writer = e.region === 'us-east-1' ? 'primary' : 'secondary';
    },
    ...over,
  });
  return world;
}
const ops = (w: ArcWorld) => w.stub.requests.map((r) => `${r.op} ${r.region}`);

describe('switchover', () => {
  it('activates us-east-2 through its data plane, prints each step as it changes, then the new writer', async () => {
    const fake = new FakeAurora({ suffix });
    const w = await setup(fake);
    const r = await drctl(['--env', suffix, 'switchover', '--yes', '--reason', 'planned maintenance'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(r.code).toBe(0);
    const start = w.stub.requests.find((q) => q.op === 'StartPlanExecution');
    expect(start?.body).toEqual({
      planArn: w.double.planArn,
      targetRegion: 'us-east-2',
      action: 'activate',
      mode: 'graceful',
      comment: 'planned maintenance',
    });
    expect(new Set(ops(w).map((o) => o.split(' ')[1]))).toEqual(new Set(['us-east-2']));
    expect(w.stub.requests.every((q) => q.signature === 'ok')).toBe(true);
    const id = 'us-east-2/0000000000000001';
    expect(r.stderrLines).toEqual([
      `switchover: started execution ${id} of plan payment-processing-${suffix} (graceful, activate us-east-2) in us-east-2`,
      `[   0.0s] execution ${id}: inProgress`,
      '[   0.0s] step fence (CustomActionLambda): running',
      '[   0.0s] step aurora (AuroraGlobalDatabase): notStarted',
      '[   0.0s] step dns (Route53HealthCheck): notStarted',
      '[   5.0s] step fence (CustomActionLambda): completed',
      '[   5.0s] step aurora (AuroraGlobalDatabase): running',
      '[  65.0s] step aurora (AuroraGlobalDatabase): completed',
      '[  65.0s] step dns (Route53HealthCheck): running',
      `[  95.0s] execution ${id}: completed`,
      '[  95.0s] step dns (Route53HealthCheck): completed',
    ]);
    expect(r.stdout).toMatch(
      new RegExp(
        `^switchover completed: execution ${id} \\(us-east-2\\) completed\\n  fence: completed \\(5\\.0 s\\)\\n  aurora: completed \\(60\\.0 s\\)\\n  dns: completed \\(30\\.0 s\\)\\n`,
      ),
    );
    expect(r.stdout).toMatch(/writer\s+payment-processing-ledger-t[0-9a-f]{8}-use2\s+us-east-2/);
  });

  it('--json prints the result: the follow outcome, the Aurora step time, the final topology', async () => {
    const fake = new FakeAurora({ suffix });
    const w = await setup(fake);
    const r = await drctl(['--env', suffix, '--json', 'switchover', '--yes'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(r.code).toBe(0);
    const result = JSON.parse(r.stdout) as SwitchResult;
    expect(result).toMatchObject({
      label: 'switchover',
      target: 'us-east-2',
      mode: 'graceful',
      promotionMs: 60_000,
      follow: { outcome: 'completed', state: 'completed', elapsedMs: 95_000 },
    });
    expect(result.topology?.writer?.region).toBe('us-east-2');
  });

  it('refuses (exit 2) when the secondary is not in sync, and exits 1 when another execution runs', async () => {
    const unsynced = new FakeAurora({ suffix, secondarySync: 'pending-resync' });
    const w = await setup(unsynced);
    const refused = await drctl(['--env', suffix, 'switchover', '--yes'], {
      clients: () => w.clients(unsynced),
      clock: w.clock,
    });
    expect(refused.code).toBe(2);
    expect(refused.stderrLines.at(-1)).toMatch(
      /^drctl: switchover refused: payment-processing-ledger-t[0-9a-f]{8}-use2 is pending-resync, not connected to the writer; nothing was changed$/,
    );
    expect(ops(w)).toEqual(['ListPlansInRegion us-east-2']);

    const fake = new FakeAurora({ suffix });
    w.double.handle('us-east-2', 'StartPlanExecution', {
      planArn: w.double.planArn,
      targetRegion: 'us-east-2',
      action: 'activate',
    });
    const busy = await drctl(['--env', suffix, 'switchover', '--yes'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(busy.code).toBe(1);
    expect(busy.stderrLines.at(-1)).toBe(
      `drctl: switchover busy: another execution of plan payment-processing-${suffix} is in progress (us-east-2/0000000000000001); follow it with "drctl watch" or cancel it with "drctl cancel"; nothing was changed`,
    );
    expect(ops(w).filter((o) => o.startsWith('StartPlanExecution'))).toEqual([]);
  });

  it('--to us-east-1 activates the primary region through its own data plane', async () => {
    const fake = new FakeAurora({ suffix, writer: 'secondary' });
    const w = await setup(fake);
    const r = await drctl(['--env', suffix, 'switchover', '--to', 'us-east-1', '--yes'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(r.code).toBe(0);
    expect(new Set(ops(w).map((o) => o.split(' ')[1]))).toEqual(new Set(['us-east-1']));
    expect(r.stdout).toMatch(/writer\s+payment-processing-ledger-t[0-9a-f]{8}-use1\s+us-east-1/);
    const bad = await drctl(['--env', suffix, 'switchover', '--to', 'eu-west-1', '--yes']);
    expect(bad.code).toBe(2);
    expect(bad.stderrLines).toEqual(['drctl: --to eu-west-1: must be us-east-1 or us-east-2']);
  });

  it('a step that fails pauses the execution: exit 1 with its error and how to cancel', async () => {
    const fake = new FakeAurora({ suffix });
    const w = await setup(fake);
    w.double.failStep.set('aurora', 'SwitchoverGlobalCluster: InvalidGlobalClusterStateFault');
    const r = await drctl(['--env', suffix, 'switchover', '--yes'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^switchover paused: execution us-east-2\/0+1 \(us-east-2\) pausedByFailedStep: aurora: SwitchoverGlobalCluster: InvalidGlobalClusterStateFault\n/,
    );
    expect(r.stdout).toMatch(
      / {2}cancel: drctl cancel --execution us-east-2\/0+1 {2}\(or: aws arc-region-switch cancel-plan-execution --plan-arn arn:aws:arc-region-switch::123456789012:plan\/payment-processing-t[0-9a-f]{8}:a1b2c3 --execution-id us-east-2\/0+1 --region us-east-2\)/,
    );
    expect(r.stderrLines.at(-1)).toMatch(/^switchover paused: pausedByFailedStep: aurora: /);
  });
});

describe('failover', () => {
  it('--allow-data-loss starts an ungraceful execution through us-east-2', async () => {
    const fake = new FakeAurora({ suffix });
    const w = await setup(fake);
    const r = await drctl(['--env', suffix, 'failover', '--allow-data-loss', '--yes'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(r.code).toBe(0);
    expect(w.stub.requests.find((q) => q.op === 'StartPlanExecution')?.body).toMatchObject({
      targetRegion: 'us-east-2',
      action: 'activate',
      mode: 'ungraceful',
    });
    // Ungraceful: no preflight on the (possibly lost) global database.
    expect(fake.calls.filter((c) => c.command === 'DescribeGlobalClusters').length).toBe(1);
  });

  it('an approval step: --no-wait stops there (exit 4), drctl approve lets it go on, watch follows it', async () => {
    const fake = new FakeAurora({ suffix });
    const w = await setup(fake, {
      workflows: { 'us-east-2': planSteps(true), 'us-east-1': planSteps(false) },
    });
    const run = (args: string[]) =>
      drctl(['--env', suffix, ...args], { clients: () => w.clients(fake), clock: w.clock });
    const r = await run(['failover', '--allow-data-loss', '--yes', '--no-wait']);
    expect(r.code).toBe(4);
    const id = 'us-east-2/0000000000000001';
    expect(r.stderrLines).toContain(
      `[   0.0s] step approve-ungraceful waits for a manual approval: drctl approve --execution ${id}`,
    );
    expect(r.stderrLines).toContain(
      `[   0.0s]   or: aws arc-region-switch approve-plan-execution-step --plan-arn ${w.double.planArn} --execution-id ${id} --region us-east-2 --step-name approve-ungraceful --approval approve`,
    );
    expect(r.stderrLines.at(-1)).toBe(
      'failover waitingForApproval: step approve-ungraceful waits for a manual approval',
    );

    const approved = await run(['approve', '--yes', '--comment', 'incident 42']);
    expect(approved.code).toBe(0);
    expect(approved.stdout).toBe(
      `approved step approve-ungraceful of execution ${id}; the execution goes on (drctl watch)\n`,
    );
    expect(w.stub.requests.find((q) => q.op === 'ApprovePlanExecutionStep')).toMatchObject({
      region: 'us-east-2',
      body: {
        planArn: w.double.planArn,
        executionId: id,
        stepName: 'approve-ungraceful',
        approval: 'approve',
        comment: 'incident 42',
      },
    });
    const again = await run(['approve', '--yes']);
    expect(again.code).toBe(2);
    expect(again.stderrLines.at(-1)).toMatch(
      /^drctl: execution us-east-2\/0+1 is inProgress: no step waits for approval; nothing was changed$/,
    );

    const watched = await run(['watch']);
    expect(watched.code).toBe(0);
    expect(watched.stdout).toMatch(/^watch completed: execution us-east-2\/0+1 \(us-east-2\) completed\n/);
  });

  it('waiting for an approval that does not come ends at --timeout with exit 4; the execution goes on', async () => {
    const fake = new FakeAurora({ suffix });
    const w = await setup(fake, {
      workflows: { 'us-east-2': planSteps(true), 'us-east-1': planSteps(false) },
    });
    const r = await drctl(['--env', suffix, 'failover', '--allow-data-loss', '--yes', '--timeout', '60'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(r.code).toBe(4);
    expect(r.stderrLines.at(-1)).toBe(
      'failover unfinished: still pendingManualApproval after 60 s; it goes on in AWS',
    );
    expect(w.double.runs[0]?.state).toBe('pendingManualApproval');
  });

  it('when the approval block is skipped in ungraceful mode, the failover runs through', async () => {
    const fake = new FakeAurora({ suffix });
    const w = await setup(fake, {
      workflows: { 'us-east-2': planSteps(true), 'us-east-1': planSteps(false) },
      ungracefulApproval: 'skip',
    });
    const r = await drctl(['--env', suffix, 'failover', '--allow-data-loss', '--yes'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ {2}approve-ungraceful: skipped/);
  });

  it('a start the service refuses exits 1 with the reason; a mistyped --env exits 2 before any RDS call', async () => {
    const fake = new FakeAurora({ suffix });
    const w = await setup(fake);
    w.double.denied.add('StartPlanExecution');
    const r = await drctl(['--env', suffix, 'failover', '--allow-data-loss', '--yes'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(r.code).toBe(1);
    expect(r.stderrLines.at(-1)).toBe(
      'drctl: failover failed: AccessDeniedException: StartPlanExecution (us-east-2): access denied (the operator role lacks this arc-region-switch action on the plan): User is not authorized to perform: arc-region-switch:StartPlanExecution; nothing was changed',
    );
    const other = `${suffix}z`;
    const missing = await drctl(['--env', other, 'switchover', '--yes'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(missing.code).toBe(2);
    expect(missing.stderrLines).toEqual([
      `drctl: environment "${other}" not found: Region switch plan payment-processing-${other} is not listed in us-east-2; check --env and --config (or deploy it); nothing was changed`,
    ]);
    expect(fake.calls).toEqual([]);
  });
});

describe('independence from the primary region', () => {
  it.each([
    ['switchover', ['switchover', '--yes']],
    ['failover', ['failover', '--allow-data-loss', '--yes']],
  ])('%s takes no client of us-east-1 and resolves credentials through us-east-2', async (_name, args) => {
    const fake = new FakeAurora({ suffix });
    const w = await setup(fake);
    const seen: string[] = [];
    const r = await drctl(['--env', suffix, ...args], {
      clients: () => w.clients(fake, seen),
      clock: w.clock,
    });
    expect(r.code).toBe(0);
    expect(seen).toContain('credentials us-east-2');
    expect(new Set(seen)).toEqual(new Set(['credentials us-east-2', 'arc us-east-2', 'rds us-east-2']));
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

  it('activates us-east-1 through us-east-1 once the primary is a synchronized member and its API answers', async () => {
    const fake = new FakeAurora({ suffix, writer: 'secondary' });
    const w = await setup(fake);
    const seen: string[] = [];
    const r = await drctl(['--env', suffix, 'failback', '--yes'], {
      env: DNS,
      clients: () => w.clients(fake),
      clock: w.clock,
      http: apiAnswers(503, 'us-east-1', seen),
    });
    expect(r.code).toBe(0);
    expect(seen).toEqual(['https://payments-use1.pay.example.org/health']);
    expect(w.stub.requests.find((q) => q.op === 'StartPlanExecution')).toMatchObject({
      region: 'us-east-1',
      body: { targetRegion: 'us-east-1', mode: 'graceful', action: 'activate' },
    });
    expect(r.stdout).toMatch(/writer\s+payment-processing-ledger-t[0-9a-f]{8}-use1\s+us-east-1/);
  });

  it.each([
    [
      'the primary is not a member',
      { primaryMember: false },
      503,
      'us-east-1',
      /^drctl: failback refused: payment-processing-ledger-t[0-9a-f]{8}-use1 is not a member of global cluster/,
    ],
    [
      'the primary API answers from the wrong region',
      {},
      200,
      'us-east-2',
      /^drctl: failback refused: the us-east-1 API answered https:\/\/payments-use1\.pay\.example\.org\/health with HTTP 200 from us-east-2/,
    ],
  ])('refuses with exit 2 when %s', async (_name, state, status, region, message) => {
    const fake = new FakeAurora({ suffix, writer: 'secondary', ...state });
    const w = await setup(fake);
    const r = await drctl(['--env', suffix, 'failback', '--yes'], {
      env: DNS,
      clients: () => w.clients(fake),
      clock: w.clock,
      http: apiAnswers(status, region, []),
    });
    expect(r.code).toBe(2);
    expect(r.stderrLines.at(-1)).toMatch(message);
    expect(ops(w).filter((o) => o.startsWith('StartPlanExecution'))).toEqual([]);
  });

  it('refuses when the primary API does not answer at all', async () => {
    const fake = new FakeAurora({ suffix, writer: 'secondary' });
    const w = await setup(fake);
    const r = await drctl(['--env', suffix, 'failback', '--yes'], {
      env: DNS,
      clients: () => w.clients(fake),
      clock: w.clock,
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
      /^drctl: failback refused: the us-east-1 API does not answer on https:\/\/payments-use1/,
    );
  });
});
