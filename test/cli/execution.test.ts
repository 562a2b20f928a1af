/**
 * Cancelling and interrupting Region switch executions: `drctl cancel`, and Ctrl-C while a switch is followed
 * (it stops following and leaves the execution running, or cancels it with --cancel-on-interrupt; a second
 * Ctrl-C ends drctl at once with a line). ARC is the double behind the loopback stub; time is virtual. The
 * plan waits at a manual approval step so that the execution is still running when the interrupt comes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { FakeAurora } from '../support/fake-aurora';
import { type ArcWorld, arcWorld, planSteps } from './support/arc-world';
import { drctl, uniqueSuffix } from './support/cli';

const suffix = uniqueSuffix();
let world: ArcWorld | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function waiting() {
  world = await arcWorld(suffix, {
    workflows: { 'us-east-2': planSteps(true), 'us-east-1': planSteps(false) },
  });
  return world;
}

/** Emits SIGINT `times` times once the execution has been started. */
function interruptAfterStart(w: ArcWorld, times: number) {
  let sent = false;
  const poll = setInterval(() => {
    if (!sent && w.stub.requests.some((q) => q.op === 'GetPlanExecution')) {
      sent = true;
      for (let i = 0; i < times; i++) process.emit('SIGINT');
    }
  }, 2);
  return { stop: () => clearInterval(poll), sent: () => sent };
}

describe('cancel', () => {
  it('cancels the active execution in its own Region and follows it until it has ended', async () => {
    const w = await waiting();
    const fake = new FakeAurora({ suffix });
    const run = (args: string[]) =>
      drctl(['--env', suffix, ...args], { clients: () => w.clients(fake), clock: w.clock });
    expect((await run(['switchover', '--yes', '--no-wait'])).code).toBe(4);
    const r = await run(['cancel', '--yes', '--comment', 'wrong window']);
    expect(r.code).toBe(0);
    expect(w.stub.requests.find((q) => q.op === 'CancelPlanExecution')).toMatchObject({
      region: 'us-east-2',
      body: { planArn: w.double.planArn, executionId: 'us-east-2/0000000000000001', comment: 'wrong window' },
      signature: 'ok',
    });
    expect(r.stdout).toMatch(/^cancel canceled: execution us-east-2\/0+1 \(us-east-2\) canceled\n/);
    const again = await run(['cancel', '--yes']);
    expect(again.code).toBe(2);
    expect(again.stderrLines.at(-1)).toBe(
      `drctl: no execution of plan payment-processing-${suffix} is in progress; nothing to cancel`,
    );
  });

  it('cancel and approve need confirmation; a wrong execution id is refused before any call', async () => {
    const r = await drctl(['cancel']);
    expect(r.code).toBe(2);
    expect(r.stderrLines).toEqual([
      'drctl: refusing to cancel without confirmation: no terminal to ask on; pass --yes',
    ]);
    const w = await waiting();
    const fake = new FakeAurora({ suffix });
    const bad = await drctl(['--env', suffix, 'watch', '--execution', 'nonsense'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderrLines.at(-1)).toBe(
      'drctl: --execution nonsense: not an execution id (<region>/<hex>, as drctl status prints it)',
    );
  });
});

describe('Ctrl-C while following', () => {
  it('stops following and leaves the execution running (exit 130)', async () => {
    const w = await waiting();
    const fake = new FakeAurora({ suffix });
    const int = interruptAfterStart(w, 1);
    const r = await drctl(['--env', suffix, 'switchover', '--yes'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    int.stop();
    expect(int.sent()).toBe(true);
    expect(r.code).toBe(130);
    expect(r.stderrLines).toContain(
      'interrupt: no longer following execution us-east-2/0000000000000001; it goes on in AWS (follow: drctl watch, cancel: drctl cancel)',
    );
    expect(w.stub.requests.some((q) => q.op === 'CancelPlanExecution')).toBe(false);
    expect(w.double.runs[0]?.state).toBe('pendingManualApproval');
  });

  it('--cancel-on-interrupt cancels the execution and follows it to its end', async () => {
    const w = await waiting();
    const fake = new FakeAurora({ suffix });
    const int = interruptAfterStart(w, 1);
    const r = await drctl(['--env', suffix, 'switchover', '--yes', '--cancel-on-interrupt'], {
      clients: () => w.clients(fake),
      clock: w.clock,
    });
    int.stop();
    expect(r.code).toBe(1);
    expect(r.stderrLines).toContain(
      'interrupt: cancelling execution us-east-2/0000000000000001; a second interrupt stops drctl at once',
    );
    expect(r.stdout).toMatch(/^switchover canceled: execution us-east-2\/0+1 \(us-east-2\) canceled\n/);
    expect(w.double.runs[0]?.state).toBe('canceled');
  });

  it('a second Ctrl-C ends drctl at once and says the execution goes on', async () => {
    const w = await waiting();
    const fake = new FakeAurora({ suffix });
    const exits: number[] = [];
    const int = interruptAfterStart(w, 2);
    const r = await drctl(['--env', suffix, 'switchover', '--yes', '--cancel-on-interrupt'], {
      clients: () => w.clients(fake),
      clock: w.clock,
      // process.exit in production; here drctl goes on after it.
      exit: (code) => exits.push(code),
    });
    int.stop();
    expect(exits).toEqual([130]);
    expect(r.stderrLines).toContainEqual(
      expect.stringMatching(
        /^second interrupt: drctl stops now; execution us-east-2\/0+1 goes on in AWS: aws arc-region-switch cancel-plan-execution --plan-arn arn:aws:arc-region-switch::123456789012:plan\/payment-processing-t[0-9a-f]{8}:a1b2c3 --execution-id us-east-2\/0+1 --region us-east-2$/,
      ),
    );
  });
});
