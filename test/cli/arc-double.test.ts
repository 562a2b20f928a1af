import { describe, expect, it } from 'vitest';
import { ArcDouble, type ArcDoubleOptions, ArcServiceError, type Json } from '../support/arc-double';

/**
 * The ARC Region switch double (test/support/arc-double.ts) holds drctl to the documented semantics; these
 * tests pin what it models, so a change that makes it more forgiving fails here: one execution at a time,
 * executions started from the Region they activate, steps in sequence over time, a failed step pausing the
 * execution, manual approval (approve, decline) in both readings of "does not support ungraceful", cancel.
 */
const T0 = Date.parse('2030-01-01T12:00:00Z');

function world(over: Partial<ArcDoubleOptions> = {}) {
  let now = T0;
  const arc = new ArcDouble({
    account: '123456789012',
    planName: 'payment-processing-test',
    regions: ['us-east-1', 'us-east-2'],
    primaryRegion: 'us-east-1',
    workflows: {
      'us-east-2': [
        { name: 'approve', type: 'ManualApproval', durationMs: 0 },
        { name: 'fence', type: 'CustomActionLambda', durationMs: 10_000 },
        { name: 'aurora', type: 'AuroraGlobalDatabase', durationMs: 60_000 },
      ],
      'us-east-1': [{ name: 'fence', type: 'CustomActionLambda', durationMs: 10_000 }],
    },
    now: () => now,
    ...over,
  });
  const call = (region: string, op: string, input: Json = {}) =>
    arc.handle(region, op, { planArn: arc.planArn, ...input });
  const start = (mode: string, target = 'us-east-2', from = target) =>
    call(from, 'StartPlanExecution', { targetRegion: target, action: 'activate', mode })
      .executionId as string;
  const get = (id: string, region = 'us-east-2') => call(region, 'GetPlanExecution', { executionId: id });
  const steps = (id: string) =>
    (get(id).stepStates as Json[]).map((s) => `${String(s.name)}:${String(s.status)}`);
  const refusal = (fn: () => unknown) => {
    try {
      fn();
    } catch (err) {
      if (err instanceof ArcServiceError) return err.code;
      throw err;
    }
    throw new Error('expected a refusal');
  };
  return { arc, call, start, get, steps, refusal, tick: (ms: number) => (now += ms) };
}

describe('the ARC Region switch double', () => {
  it('runs steps in sequence over time and completes', () => {
    const w = world();
    const id = w.start('graceful');
    expect(id).toMatch(/^us-east-2\/[0-9a-f]{16}$/);
    expect(w.get(id).executionState).toBe('pendingManualApproval');
    w.call('us-east-2', 'ApprovePlanExecutionStep', {
      executionId: id,
      stepName: 'approve',
      approval: 'approve',
    });
    expect(w.steps(id)).toEqual(['approve:completed', 'fence:running', 'aurora:notStarted']);
    w.tick(10_000);
    expect(w.steps(id)).toEqual(['approve:completed', 'fence:completed', 'aurora:running']);
    w.tick(59_999);
    expect(w.get(id).executionState).toBe('inProgress');
    w.tick(1);
    expect(w.get(id)).toMatchObject({ executionState: 'completed', endTime: (T0 + 70_000) / 1000 });
  });

  it('one execution at a time: a second start is refused until the first has ended', () => {
    const w = world();
    const id = w.start('graceful');
    expect(w.refusal(() => w.start('graceful'))).toBe('IllegalStateException');
    expect(w.call('us-east-2', 'ListPlansInRegion').plans).toEqual([
      expect.objectContaining({ activePlanExecution: id }),
    ]);
    w.call('us-east-2', 'CancelPlanExecution', { executionId: id });
    expect(w.get(id).executionState).toBe('canceled');
    expect(w.refusal(() => w.call('us-east-2', 'CancelPlanExecution', { executionId: id }))).toBe(
      'IllegalStateException',
    );
    expect(w.start('graceful', 'us-east-1')).toMatch(/^us-east-1\//);
  });

  it('an execution starts only from the Region it activates, and is read only there', () => {
    const w = world();
    expect(w.refusal(() => w.start('graceful', 'us-east-2', 'us-east-1'))).toBe('IllegalArgumentException');
    expect(w.refusal(() => w.start('graceful', 'eu-west-1', 'us-east-2'))).toBe('IllegalArgumentException');
    expect(w.refusal(() => w.start('graceful', 'eu-west-1'))).toBe('ResourceNotFoundException');
    expect(w.refusal(() => w.start('fast'))).toBe('ValidationException');
    const id = w.start('graceful');
    expect(w.refusal(() => w.get(id, 'us-east-1'))).toBe('ResourceNotFoundException');
    expect(w.call('us-east-1', 'ListPlanExecutions').items).toEqual([]);
    expect((w.call('us-east-2', 'ListPlanExecutions').items as Json[]).map((e) => e.executionId)).toEqual([
      id,
    ]);
    expect(w.call('eu-west-1', 'ListPlansInRegion').plans).toEqual([]);
  });

  it('approval: only the pending step can be approved; decline cancels the execution', () => {
    const w = world();
    const id = w.start('graceful');
    expect(
      w.refusal(() =>
        w.call('us-east-2', 'ApprovePlanExecutionStep', {
          executionId: id,
          stepName: 'fence',
          approval: 'approve',
        }),
      ),
    ).toBe('IllegalStateException');
    w.call('us-east-2', 'ApprovePlanExecutionStep', {
      executionId: id,
      stepName: 'approve',
      approval: 'decline',
    });
    expect(w.get(id).executionState).toBe('canceled');
    expect(w.steps(id)).toEqual(['approve:canceled', 'fence:notStarted', 'aurora:notStarted']);
  });

  it('ungraceful: the approval step waits by default, or is skipped when so configured', () => {
    const paused = world();
    expect(paused.get(paused.start('ungraceful')).executionState).toBe('pendingManualApproval');
    const skipping = world({ ungracefulApproval: 'skip' });
    const id = skipping.start('ungraceful');
    expect(skipping.steps(id)).toEqual(['approve:skipped', 'fence:running', 'aurora:notStarted']);
  });

  it('a failing step pauses the execution and reports its error; cancel ends it', () => {
    const w = world();
    w.arc.failStep.set('aurora', 'SwitchoverGlobalCluster: InvalidGlobalClusterStateFault');
    const id = w.start('graceful');
    w.call('us-east-2', 'ApprovePlanExecutionStep', {
      executionId: id,
      stepName: 'approve',
      approval: 'approve',
    });
    w.tick(100_000);
    expect(w.get(id).executionState).toBe('pausedByFailedStep');
    const events = w.call('us-east-2', 'ListPlanExecutionEvents', { executionId: id }).items as Json[];
    expect(events.at(-1)).toMatchObject({
      type: 'stepFailed',
      stepName: 'aurora',
      error: 'SwitchoverGlobalCluster: InvalidGlobalClusterStateFault',
    });
    expect(w.refusal(() => w.start('graceful'))).toBe('IllegalStateException');
    w.call('us-east-2', 'CancelPlanExecution', { executionId: id });
    expect(w.get(id).executionState).toBe('canceled');
  });

  it('ListRoute53HealthChecksInRegion: the plan ARN is required, maxResults 1-100, only in the plan Regions', () => {
    const w = world({ regions: ['us-east-1', 'us-east-2'] });
    const list = (region: string, input: Json) =>
      w.arc.handle(region, 'ListRoute53HealthChecksInRegion', input);
    const arn = w.arc.planArn;
    const statuses = (region = 'us-east-2') =>
      (list(region, { arn }).healthChecks as Json[]).map((h) => `${String(h.region)}:${String(h.status)}`);
    expect(statuses()).toEqual(['us-east-1:healthy', 'us-east-2:unhealthy']);
    expect(w.refusal(() => list('us-east-2', {}))).toBe('ValidationException');
    expect(w.refusal(() => list('us-east-2', { arn: `${arn.slice(0, -6)}zzzzzz` }))).toBe(
      'ResourceNotFoundException',
    );
    expect(w.refusal(() => list('eu-west-1', { arn }))).toBe('ResourceNotFoundException');
    for (const maxResults of [0, 101, 1.5]) {
      expect(w.refusal(() => list('us-east-2', { arn, maxResults }))).toBe('ValidationException');
    }
    expect(list('us-east-2', { arn, maxResults: 1 })).toMatchObject({ nextToken: '1' });
    expect(list('us-east-2', { arn, recordName: 'other.example.org' }).healthChecks).toEqual([]);
  });

  it('a completed Route53HealthCheck step makes the activated Region healthy and the other unhealthy', () => {
    const w = world({
      workflows: { 'us-east-2': [{ name: 'dns', type: 'Route53HealthCheck', durationMs: 30_000 }] },
    });
    const statuses = () =>
      (
        w.call('us-east-1', 'ListRoute53HealthChecksInRegion', { arn: w.arc.planArn }).healthChecks as Json[]
      ).map((h) => `${String(h.region)}:${String(h.status)}`);
    w.start('graceful');
    w.tick(29_000);
    expect(statuses()).toEqual(['us-east-1:healthy', 'us-east-2:unhealthy']);
    w.tick(1_000);
    expect(statuses()).toEqual(['us-east-1:unhealthy', 'us-east-2:healthy']);
  });

  it('evaluation status per Region, denied operations and unknown plans', () => {
    const w = world();
    w.arc.evaluation['us-east-1'] = {
      planArn: w.arc.planArn,
      region: 'us-east-1',
      evaluationState: 'actionRequired',
    };
    expect(w.call('us-east-1', 'GetPlanEvaluationStatus').evaluationState).toBe('actionRequired');
    expect(w.call('us-east-2', 'GetPlanEvaluationStatus').evaluationState).toBe('passed');
    w.arc.denied.add('StartPlanExecution');
    expect(w.refusal(() => w.start('graceful'))).toBe('AccessDeniedException');
    expect(
      w.refusal(() =>
        w.arc.handle('us-east-2', 'GetPlanExecution', { planArn: 'arn:other', executionId: 'x' }),
      ),
    ).toBe('ResourceNotFoundException');
  });
});
