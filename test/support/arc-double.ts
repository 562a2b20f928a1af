/**
 * A stateful double of the ARC Region switch data plane, for drctl's tests (served over HTTP by
 * test/cli/support/arc-stub.ts). It is never more forgiving than AWS: where the documentation is silent it
 * refuses, so drctl is held to the documented path. Time is the caller's clock (a virtual one in tests).
 *
 * Modelled, with sources (ARC user guide and API reference; service model aws-models/arc-region-switch.json):
 * - One plan with two Regions and an `activate` workflow per target Region; a plan is listed by
 *   ListPlansInRegion only in its own Regions. ARN `arn:aws:arc-region-switch::<account>:plan/<name>:<id>`,
 *   id 6 characters of [a-z0-9] (PlanArn pattern); execution ids `<region>/<16 hex>` (the
 *   recoveryExecutionId pattern of StartPlanExecution).
 * - One execution at a time per plan: StartPlanExecution while the plan has an execution that has not ended
 *   answers IllegalStateException (the model's "current state of the resource doesn't allow the operation";
 *   the plan carries a single `activePlanExecution`). Ended: the PlanExecutionCompleted waiter's end states.
 * - Steps run in sequence, each for its configured duration; `failStep` makes a step fail, which pauses the
 *   execution (`pausedByFailedStep`, event `stepFailed` with the error). After the last step: `completed`.
 * - Manual approval: the execution waits in `pendingManualApproval` with the step `pendingApproval` until
 *   ApprovePlanExecutionStep; `decline` cancels the execution ("If they decline, Region switch cancels the plan
 *   execution", manual approval block). The guide also says this block "does not support ungraceful execution
 *   mode" without saying what happens then: `ungracefulApproval` picks `pause` (default: an ungraceful
 *   execution still waits) or `skip` (the step is skipped), and drctl is tested against both.
 * - CancelPlanExecution ends an execution that has not ended (`canceled`, the running step `canceled`).
 * - ListRoute53HealthChecksInRegion (API reference): `arn` is required and names the plan, `maxResults` is
 *   1-100, pages by `nextToken`; it lists the health checks ARC created for the plan's Route 53 health-check
 *   block, one per plan Region (Route53HealthCheck: hostedZoneId, recordName, region, healthCheckId?,
 *   status? of healthy | unhealthy | unknown), optionally filtered by `hostedZoneId` and `recordName`.
 *
 * Assumed, stricter than anything documented (each a refusal, never a success AWS might not give):
 * - An execution must be started through the data plane of the Region it activates (the documented way:
 *   "navigate to the AWS Region that you want to activate"), else IllegalArgumentException.
 * - An execution is read, approved and cancelled only through its own Region's data plane, and
 *   ListPlanExecutions lists only the executions of the Region asked; elsewhere ResourceNotFoundException.
 * - Approving a step that is not pending approval, or cancelling an ended execution: IllegalStateException.
 * - Health-check states: the primary Region's check starts healthy and the other unhealthy; when a
 *   Route53HealthCheck step completes, the activated Region's check turns healthy and the other's unhealthy
 *   (the guide: "When you execute your Region switch plan, the Route 53 health check state is updated").
 *   A missing `arn` is a ValidationException (the model marks it required), another plan's ARN or a Region
 *   outside the plan a ResourceNotFoundException. Tests may overwrite `healthChecks` (no id yet, unknown).
 * Not modelled: approval timeouts, pause/resume (UpdatePlanExecution), application-health monitoring,
 * practice mode, deactivate workflows (refused as unknown workflows), cross-account plans.
 */
export type Json = Record<string, unknown>;
export type BlockType =
  'ManualApproval' | 'CustomActionLambda' | 'AuroraGlobalDatabase' | 'Route53HealthCheck';
export interface DoubleStep {
  name: string;
  type: BlockType;
  durationMs: number;
}
export interface ArcDoubleOptions {
  account: string;
  planName: string;
  regions: [string, string];
  primaryRegion: string;
  /** The steps of the `activate` workflow of each target Region. */
  workflows: Record<string, DoubleStep[]>;
  now: () => number;
  ungracefulApproval?: 'pause' | 'skip';
  /** The most items one page holds (the service may return fewer than `maxResults`). */
  pageSize?: number;
  /** The hosted zone and record of the plan's Route 53 health-check block. */
  dns?: { hostedZoneId: string; recordName: string };
  /** What a completed step did to the rest of the world (e.g. the Aurora step moves the writer). */
  onStepCompleted?: (step: string, execution: { region: string; mode: string }) => void;
}

export class ArcServiceError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}
const fail = (code: string, message: string): never => {
  const status = { AccessDeniedException: 403, ResourceNotFoundException: 404 }[code] ?? 400;
  throw new ArcServiceError(code, status, message);
};

type StepRun = DoubleStep & { status: string; startMs?: number; endMs?: number };
interface Run {
  id: string;
  region: string;
  action: string;
  mode: string;
  comment?: string;
  state: string;
  startMs: number;
  endMs?: number;
  steps: StepRun[];
  events: Json[];
}
const ENDED = new Set([
  'completed',
  'completedWithExceptions',
  'canceled',
  'planExecutionTimedOut',
  'failed',
]);
const secs = (ms: number | undefined) => (ms === undefined ? undefined : ms / 1000);

export class ArcDouble {
  readonly planArn: string;
  readonly runs: Run[] = [];
  /** Steps that fail the next time they run, with the error they report. */
  readonly failStep = new Map<string, string>();
  /** Operations answered with AccessDeniedException. */
  readonly denied = new Set<string>();
  /** GetPlanEvaluationStatus per Region. */
  readonly evaluation: Record<string, Json> = {};
  /** The health checks ARC owns for the plan's Route 53 block (ListRoute53HealthChecksInRegion). */
  healthChecks: Json[];
  private counter = 0;

  constructor(readonly o: ArcDoubleOptions) {
    this.planArn = `arn:aws:arc-region-switch::${o.account}:plan/${o.planName}:a1b2c3`;
    const dns = o.dns ?? { hostedZoneId: 'Z0TEST0000000000000', recordName: 'payments.example.org' };
    this.healthChecks = o.regions.map((region, i) => ({
      hostedZoneId: dns.hostedZoneId,
      recordName: dns.recordName,
      region,
      healthCheckId: `00000000-0000-4000-8000-00000000000${i + 1}`,
      status: region === o.primaryRegion ? 'healthy' : 'unhealthy',
    }));
  }

  /** One request to the data plane of `region`; the answer body, or an ArcServiceError. */
  handle(region: string, op: string, input: Json): Json {
    if (this.denied.has(op))
      fail('AccessDeniedException', `User is not authorized to perform: arc-region-switch:${op}`);
    for (const run of this.runs) this.advance(run);
    const inPlan = this.o.regions.includes(region);
    const needPlan = () => {
      if (input.planArn !== this.planArn || !inPlan)
        fail('ResourceNotFoundException', `plan ${String(input.planArn)} not found`);
    };
    const runOf = () => {
      needPlan();
      const run = this.runs.find((r) => r.id === input.executionId && r.region === region);
      return (
        run ??
        fail('ResourceNotFoundException', `execution ${String(input.executionId)} not found in ${region}`)
      );
    };
    switch (op) {
      case 'ListPlansInRegion':
        return { plans: inPlan ? [this.summary()] : [] };
      case 'GetPlanInRegion':
        if (input.arn !== this.planArn || !inPlan) fail('ResourceNotFoundException', 'plan not found');
        return { plan: this.plan() };
      case 'StartPlanExecution':
        needPlan();
        return this.start(region, input);
      case 'GetPlanExecution':
        return this.describe(runOf(), input);
      case 'ListPlanExecutions': {
        needPlan();
        const max = Number(input.maxResults ?? 100);
        if (!Number.isInteger(max) || max < 1 || max > 100)
          fail('ValidationException', 'maxResults must be 1-100');
        const mine = this.runs.filter((r) => r.region === region).reverse();
        return { items: mine.slice(0, max).map((r) => this.abbreviated(r)) };
      }
      case 'ListPlanExecutionEvents':
        return this.page(runOf().events, input, 'items');
      case 'ApprovePlanExecutionStep':
        this.approve(runOf(), input);
        return {};
      case 'CancelPlanExecution': {
        const run = runOf();
        if (ENDED.has(run.state)) fail('IllegalStateException', `execution ${run.id} is ${run.state}`);
        this.end(run, 'canceled', 'executionCanceled');
        return {};
      }
      case 'ListRoute53HealthChecksInRegion': {
        if (typeof input.arn !== 'string') fail('ValidationException', 'arn is required');
        if (input.arn !== this.planArn || !inPlan)
          fail('ResourceNotFoundException', `plan ${String(input.arn)} not found`);
        if (input.maxResults !== undefined) {
          const max = Number(input.maxResults);
          if (!Number.isInteger(max) || max < 1 || max > 100)
            fail('ValidationException', 'maxResults must be 1-100');
        }
        const matching = this.healthChecks.filter(
          (h) =>
            (input.hostedZoneId === undefined || h.hostedZoneId === input.hostedZoneId) &&
            (input.recordName === undefined || h.recordName === input.recordName),
        );
        return this.page(matching, input, 'healthChecks');
      }
      case 'GetPlanEvaluationStatus': {
        needPlan();
        const { warnings, ...status } = this.evaluation[region] ?? {
          planArn: this.planArn,
          region,
          evaluationState: 'passed',
          lastEvaluationTime: secs(this.o.now()),
        };
        return this.page(Array.isArray(warnings) ? (warnings as Json[]) : [], input, 'warnings', status);
      }
      default:
        return fail('UnknownOperationException', `${op} is not an operation of this double`);
    }
  }

  private start(region: string, input: Json): Json {
    const { targetRegion, action } = input;
    const mode = input.mode ?? 'graceful';
    if (action !== 'activate' && action !== 'deactivate')
      fail('ValidationException', 'action must be activate or deactivate');
    if (mode !== 'graceful' && mode !== 'ungraceful')
      fail('ValidationException', 'mode must be graceful or ungraceful');
    if (typeof input.comment === 'string' && input.comment.length > 1024)
      fail('ValidationException', 'comment longer than 1024');
    if (typeof targetRegion !== 'string' || !this.o.regions.includes(targetRegion))
      fail('IllegalArgumentException', `targetRegion ${String(targetRegion)} is not a Region of the plan`);
    const steps = action === 'activate' ? this.o.workflows[targetRegion as string] : undefined;
    if (!steps)
      fail(
        'IllegalArgumentException',
        `the plan has no ${String(action)} workflow for ${String(targetRegion)}`,
      );
    if (region !== targetRegion)
      fail(
        'IllegalArgumentException',
        `an execution activating ${String(targetRegion)} must be started in ${String(targetRegion)}, not ${region}`,
      );
    const active = this.runs.find((r) => !ENDED.has(r.state));
    if (active) fail('IllegalStateException', `plan has an active execution ${active.id} (${active.state})`);
    const id = `${region}/${(++this.counter).toString(16).padStart(16, '0')}`;
    const now = this.o.now();
    const run: Run = {
      id,
      region,
      action: action as string,
      mode: mode as string,
      state: 'inProgress',
      startMs: now,
      events: [],
      steps: (steps as DoubleStep[]).map((s) => ({ ...s, status: 'notStarted' })),
      ...(typeof input.comment === 'string' ? { comment: input.comment } : {}),
    };
    this.runs.push(run);
    this.event(run, 'executionStarted', now);
    this.advance(run);
    return {
      executionId: id,
      plan: this.planArn,
      planVersion: '1',
      activateRegion: targetRegion,
      deactivateRegion: this.o.regions.find((r) => r !== targetRegion),
    };
  }

  private approve(run: Run, input: Json): void {
    const step = run.steps.find((s) => s.status === 'pendingApproval');
    if (!step || step.name !== input.stepName)
      fail('IllegalStateException', `step ${String(input.stepName)} is not pending approval`);
    if (input.approval !== 'approve' && input.approval !== 'decline')
      fail('ValidationException', 'approval must be approve or decline');
    const s = step as StepRun;
    s.endMs = this.o.now();
    if (input.approval === 'decline') {
      s.status = 'canceled';
      this.end(run, 'canceled', 'executionCanceled');
      return;
    }
    s.status = 'completed';
    run.state = 'inProgress';
    this.event(run, 'stepSucceeded', s.endMs, s.name);
    this.advance(run);
  }

  /** Moves an execution on to what it has done by now. */
  private advance(run: Run): void {
    const now = this.o.now();
    for (let guard = 0; guard < 100 && run.state === 'inProgress'; guard++) {
      const i = run.steps.findIndex((s) => s.status !== 'completed' && s.status !== 'skipped');
      const step = run.steps[i];
      if (!step) return this.end(run, 'completed', 'executionSucceeded', run.steps.at(-1)?.endMs ?? now);
      const from = run.steps[i - 1]?.endMs ?? run.startMs;
      if (step.status === 'notStarted') {
        if (
          step.type === 'ManualApproval' &&
          run.mode === 'ungraceful' &&
          this.o.ungracefulApproval === 'skip'
        ) {
          Object.assign(step, { status: 'skipped', startMs: from, endMs: from });
          this.event(run, 'stepSkipped', from, step.name);
          continue;
        }
        step.startMs = from;
        if (step.type === 'ManualApproval') {
          step.status = 'pendingApproval';
          run.state = 'pendingManualApproval';
          this.event(run, 'stepPendingApproval', from, step.name);
          return;
        }
        step.status = 'running';
        this.event(run, 'stepStarted', from, step.name);
      }
      const done = (step.startMs ?? from) + step.durationMs;
      if (now < done) return;
      step.endMs = done;
      const error = this.failStep.get(step.name);
      if (error !== undefined) {
        this.failStep.delete(step.name);
        step.status = 'failed';
        run.state = 'pausedByFailedStep';
        this.event(run, 'stepFailed', done, step.name, error);
        return;
      }
      step.status = 'completed';
      this.event(run, 'stepSucceeded', done, step.name);
      if (step.type === 'Route53HealthCheck')
        for (const h of this.healthChecks) h.status = h.region === run.region ? 'healthy' : 'unhealthy';
      this.o.onStepCompleted?.(step.name, run);
    }
  }

  private end(run: Run, state: string, type: string, at = this.o.now()): void {
    for (const s of run.steps)
      if (s.status === 'running' || s.status === 'pendingApproval') s.status = 'canceled';
    run.state = state;
    run.endMs = at;
    this.event(run, type, at);
  }

  private event(run: Run, type: string, at: number, stepName?: string, error?: string): void {
    const eventId = String(run.events.length + 1);
    const previous = run.events.at(-1)?.eventId;
    run.events.push({
      eventId,
      type,
      timestamp: secs(at),
      ...(stepName ? { stepName } : {}),
      ...(error ? { error } : {}),
      ...(previous ? { previousEventId: previous } : {}),
    });
  }

  /** A page of `items` (nextToken is the offset), plus `extra` fields. */
  private page(items: Json[], input: Json, key: string, extra: Json = {}): Json {
    const max = Math.min(Number(input.maxResults ?? 100), this.o.pageSize ?? 100);
    const from = Number(input.nextToken ?? 0);
    const next = from + max < items.length ? { nextToken: String(from + max) } : {};
    return { ...extra, [key]: items.slice(from, from + max), ...next };
  }

  private abbreviated(r: Run): Json {
    return {
      planArn: this.planArn,
      executionId: r.id,
      executionRegion: r.region,
      executionState: r.state,
      executionAction: r.action,
      mode: r.mode,
      startTime: secs(r.startMs),
      version: '1',
      ...(r.endMs !== undefined ? { endTime: secs(r.endMs) } : {}),
      ...(r.comment ? { comment: r.comment } : {}),
    };
  }

  private describe(r: Run, input: Json): Json {
    const states = r.steps.map((s) => ({
      name: s.name,
      status: s.status,
      stepMode: r.mode,
      ...(s.startMs !== undefined ? { startTime: secs(s.startMs) } : {}),
      ...(s.endMs !== undefined ? { endTime: secs(s.endMs) } : {}),
    }));
    return this.page(states, input, 'stepStates', { ...this.abbreviated(r), plan: this.plan() });
  }

  private summary(): Json {
    const active = this.runs.find((r) => !ENDED.has(r.state));
    return {
      arn: this.planArn,
      owner: this.o.account,
      name: this.o.planName,
      regions: this.o.regions,
      recoveryApproach: 'activePassive',
      primaryRegion: this.o.primaryRegion,
      version: '1',
      ...(active ? { activePlanExecution: active.id } : {}),
    };
  }

  private plan(): Json {
    return {
      ...this.summary(),
      executionRole: `arn:aws:iam::${this.o.account}:role/region-switch`,
      workflows: Object.entries(this.o.workflows).map(([target, steps]) => ({
        workflowTargetAction: 'activate',
        workflowTargetRegion: target,
        steps: steps.map((s) => ({
          name: s.name,
          executionBlockType: s.type,
          executionBlockConfiguration: {},
        })),
      })),
    };
  }
}
