import { AbortError } from '../../runtime/shared/clock';
import { serviceAnswered } from './reading';
import type { ArcClient } from './arc-client';
import { type Execution, type ExecutionState, FINISHED } from './arc-types';
import type { CommandContext } from './context';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_WAITING } from './errors';
import { elapsedTag } from './format';
import { errorText } from './reading';

/**
 * Follows one Region switch execution to its end: polls GetPlanExecution in the execution's Region, prints a
 * line whenever the execution or one of its steps changes state, and says once what to run when a step waits
 * for a manual approval. Ends when the execution ends, when it is paused by a failed step (with the steps'
 * errors from its events), when it waits for approval and `stopAtApproval` is set, at `timeoutMs`, or when
 * `signal` aborts (Ctrl-C). The execution itself goes on in AWS whatever drctl does.
 */
export type FollowOutcome =
  | 'completed'
  | 'completedWithExceptions'
  | 'failed'
  | 'canceled'
  | 'timedOut'
  | 'paused'
  | 'waitingForApproval'
  | 'unfinished'
  | 'interrupted';

export interface FollowResult {
  outcome: FollowOutcome;
  executionId: string;
  region: string;
  /** The last state read, if any read succeeded. */
  state?: ExecutionState;
  execution?: Execution;
  /** Errors the failed steps reported (ListPlanExecutionEvents). */
  errors: string[];
  elapsedMs: number;
  message: string;
}

export interface FollowOptions {
  planArn: string;
  executionId: string;
  region: string;
  timeoutMs: number;
  pollMs?: number;
  stopAtApproval?: boolean;
  signal?: AbortSignal;
  progress?: (line: string) => void;
}

export const DEFAULT_POLL_MS = 5000;
/** How long switchover, failover, failback and watch follow an execution unless --timeout says otherwise. */
export const FOLLOW_DEFAULT_TIMEOUT_S = 1800;

export const FOLLOW_EXIT: Record<FollowOutcome, number> = {
  completed: EXIT_OK,
  completedWithExceptions: EXIT_FAILED,
  failed: EXIT_FAILED,
  canceled: EXIT_FAILED,
  timedOut: EXIT_FAILED,
  paused: EXIT_FAILED,
  waitingForApproval: EXIT_WAITING,
  unfinished: EXIT_WAITING,
  interrupted: EXIT_INTERRUPTED,
};

const ENDED: Partial<Record<ExecutionState, FollowOutcome>> = {
  completed: 'completed',
  // The steps are done; Region switch goes on measuring application health for the recovery time.
  completedMonitoringApplicationHealth: 'completed',
  completedWithExceptions: 'completedWithExceptions',
  failed: 'failed',
  canceled: 'canceled',
  planExecutionTimedOut: 'timedOut',
  pausedByFailedStep: 'paused',
  pausedByOperator: 'paused',
};

/** The AWS CLI v2 commands that do what drctl approve / cancel do, for the runbooks' fallback. */
export function cliFallback(planArn: string, executionId: string, region: string, step?: string): string[] {
  const base = `--plan-arn ${planArn} --execution-id ${executionId} --region ${region}`;
  return [
    ...(step
      ? [`aws arc-region-switch approve-plan-execution-step ${base} --step-name ${step} --approval approve`]
      : []),
    `aws arc-region-switch cancel-plan-execution ${base}`,
  ];
}

export async function followExecution(
  ctx: CommandContext,
  arc: ArcClient,
  o: FollowOptions,
): Promise<FollowResult> {
  const clock = ctx.deps.clock;
  const t0 = clock.now();
  const print = o.progress ?? ((line: string) => ctx.io.stderr.write(`${line}\n`));
  const say = (text: string) => print(`${elapsedTag(clock.now() - t0)} ${text}`);
  const seen = new Map<string, string>();
  let last: Execution | undefined;
  let approvalShown = '';
  const result = (outcome: FollowOutcome, message: string, errors: string[] = []): FollowResult => ({
    outcome,
    executionId: o.executionId,
    region: o.region,
    ...(last ? { state: last.executionState, execution: last } : {}),
    errors,
    elapsedMs: clock.now() - t0,
    message,
  });
  const id = { planArn: o.planArn, executionId: o.executionId };
  for (let poll = 0; ; poll++) {
    if (o.signal?.aborted) return result('interrupted', 'no longer followed (interrupt); it goes on in AWS');
    try {
      last = await arc.getPlanExecution(o.region, id, o.signal);
      const e = last;
      if (seen.get('') !== e.executionState) say(`execution ${e.executionId}: ${e.executionState}`);
      seen.set('', e.executionState);
      const types = new Map(
        (e.plan?.workflows ?? []).flatMap((w) => w.steps.map((s) => [s.name, s.executionBlockType])),
      );
      for (const s of e.stepStates) {
        if (seen.get(s.name) === s.status) continue;
        seen.set(s.name, s.status);
        say(`step ${s.name}${types.has(s.name) ? ` (${types.get(s.name)})` : ''}: ${s.status}`);
      }
      const ended = ENDED[e.executionState];
      if (ended === 'paused' || ended === 'failed' || ended === 'completedWithExceptions') {
        const errors = await stepErrors(arc, o.region, id, o.signal);
        return result(ended, `${e.executionState}${errors.length ? `: ${errors.join('; ')}` : ''}`, errors);
      }
      if (ended) return result(ended, e.executionState);
      const pending = e.stepStates.find((s) => s.status === 'pendingApproval');
      if (pending && approvalShown !== pending.name) {
        approvalShown = pending.name;
        say(`step ${pending.name} waits for a manual approval: drctl approve --execution ${e.executionId}`);
        say(`  or: ${cliFallback(o.planArn, e.executionId, o.region, pending.name)[0]}`);
      }
      if (pending && o.stopAtApproval)
        return result('waitingForApproval', `step ${pending.name} waits for a manual approval`);
    } catch (err) {
      if (o.signal?.aborted)
        return result('interrupted', 'no longer followed (interrupt); it goes on in AWS');
      // An answer from the service (access denied, not found) will not change by asking again.
      if (serviceAnswered(err)) throw err;
      say(`could not read the execution (${errorText(err)}); trying again`);
    }
    if (clock.now() - t0 >= o.timeoutMs) {
      return result(
        'unfinished',
        `still ${last?.executionState ?? 'unread'} after ${Math.round(o.timeoutMs / 1000)} s; it goes on in AWS`,
      );
    }
    try {
      await clock.sleep(
        Math.min(o.pollMs ?? DEFAULT_POLL_MS, Math.max(1, o.timeoutMs - (clock.now() - t0))),
        o.signal,
      );
    } catch (err) {
      if (err instanceof AbortError || o.signal?.aborted)
        return result('interrupted', 'no longer followed (interrupt); it goes on in AWS');
      throw err;
    }
  }
}

/** What the failed steps reported, from the execution's events (best effort: the state says enough). */
async function stepErrors(
  arc: ArcClient,
  region: string,
  id: { planArn: string; executionId: string },
  signal?: AbortSignal,
): Promise<string[]> {
  try {
    const events = await arc.listPlanExecutionEvents(region, id, signal);
    return events
      .filter((e) => e.error || e.type === 'stepFailed')
      .map(
        (e) =>
          `${e.stepName ?? 'step'}: ${(e.error ?? e.description ?? 'failed').replace(/\s+/g, ' ').slice(0, 200)}`,
      );
  } catch (err) {
    return [`the events could not be read (${errorText(err)})`];
  }
}

/** The result as lines for stdout: outcome, steps, and what to do next when it did not complete. */
export function renderFollow(label: string, r: FollowResult, planArn: string): string {
  const lines = [`${label} ${r.outcome}: execution ${r.executionId} (${r.region}) ${r.message}`];
  for (const s of r.execution?.stepStates ?? []) {
    const ms =
      s.startTime && s.endTime
        ? ` (${((Date.parse(s.endTime) - Date.parse(s.startTime)) / 1000).toFixed(1)} s)`
        : '';
    lines.push(`  ${s.name}: ${s.status}${ms}`);
  }
  if (r.outcome !== 'completed' && !FINISHED.has(r.state ?? 'completed')) {
    lines.push(`  follow: drctl watch --execution ${r.executionId}`);
    lines.push(
      `  cancel: drctl cancel --execution ${r.executionId}  (or: ${cliFallback(planArn, r.executionId, r.region)[0]})`,
    );
  }
  return lines.join('\n');
}
