import { AbortError } from '../../runtime/shared/clock';
import { ArcError } from '../lib/arc-client';
import { FINISHED } from '../lib/arc-types';
import { assertCanConfirm, type CommandContext, confirm, requireCredentials } from '../lib/context';
import { EXIT_INTERRUPTED, EXIT_OK, OperationError, RefusedError } from '../lib/errors';
import { cliFallback, FOLLOW_EXIT, followExecution, renderFollow } from '../lib/follow';
import { onInterrupts } from '../lib/interrupts';
import { arcOf, executionOf, findPlanAnywhere } from '../lib/plan';
import { errorText } from '../lib/reading';

/**
 * `approve`, `cancel` and `watch`: the manual-approval step, cancellation and following of an execution of
 * the Region switch plan, by default the plan's active one. Each call goes to the execution's own Region.
 */
export interface ApproveOptions {
  execution?: string;
  step?: string;
  decline?: boolean;
  comment?: string;
}

export async function approveCommand(ctx: CommandContext, o: ApproveOptions): Promise<number> {
  const verb = o.decline ? 'decline' : 'approve';
  assertCanConfirm(ctx, verb);
  await requireCredentials(ctx);
  const plan = await findPlanAnywhere(ctx);
  const { id, region } = executionOf(plan, o.execution, verb);
  const arc = arcOf(ctx);
  const execution = await arc.getPlanExecution(region, { planArn: plan.arn, executionId: id });
  const pending = execution.stepStates.filter((s) => s.status === 'pendingApproval');
  const step = o.step ? pending.find((s) => s.name === o.step) : pending[0];
  if (!step) {
    throw new RefusedError(
      `execution ${id} is ${execution.executionState}: ${o.step ? `step ${o.step} does not wait` : 'no step waits'} for approval; nothing was changed`,
    );
  }
  await confirm(
    ctx,
    verb,
    `${verb} step ${step.name} of execution ${id} (${execution.mode} ${execution.executionAction} ${region}, environment ${ctx.names.environment}).${o.decline ? '\nDeclining cancels the execution.' : ''}`,
  );
  try {
    await arc.approvePlanExecutionStep(region, {
      planArn: plan.arn,
      executionId: id,
      stepName: step.name,
      approval: o.decline ? 'decline' : 'approve',
      comment: o.comment ?? `drctl ${verb} by ${ctx.deps.operator}`,
    });
  } catch (err) {
    const hint =
      err instanceof ArcError && err.code === 'AccessDeniedException'
        ? '; the step is approved with its approval role: assume that role, then run this again'
        : '';
    throw new OperationError(`${verb} failed: ${errorText(err)}${hint}`);
  }
  ctx.io.stdout.write(
    o.decline
      ? `declined step ${step.name}: Region switch cancels execution ${id}\n`
      : `approved step ${step.name} of execution ${id}; the execution goes on (drctl watch)\n`,
  );
  return EXIT_OK;
}

export interface WatchOptions {
  execution?: string;
  timeout: number;
}

/** Follows an execution; with `cancel`, cancels it first and follows it until it has ended. */
async function follow(ctx: CommandContext, o: WatchOptions & { cancel?: string }): Promise<number> {
  await requireCredentials(ctx);
  const plan = await findPlanAnywhere(ctx);
  let { id, region } = { id: o.execution, region: '' };
  if (!id && !plan.activePlanExecution && o.cancel === undefined) {
    // Nothing runs: the latest execution of either Region (a region that does not answer is skipped).
    const lists = await Promise.allSettled(
      [ctx.names.secondaryRegion, ctx.names.primaryRegion].map((r) =>
        arcOf(ctx).listPlanExecutions(r, plan.arn, 1),
      ),
    );
    const latest = lists
      .flatMap((l) => (l.status === 'fulfilled' ? l.value : []))
      .sort((a, b) => b.startTime.localeCompare(a.startTime))[0];
    if (!latest) throw new RefusedError(`plan ${plan.name} has no execution to watch`);
    id = latest.executionId;
  }
  ({ id, region } = executionOf(plan, id, o.cancel ? 'cancel' : 'watch'));
  if (o.cancel !== undefined) {
    const state = (await arcOf(ctx).getPlanExecution(region, { planArn: plan.arn, executionId: id }))
      .executionState;
    if (FINISHED.has(state))
      throw new RefusedError(`execution ${id} has already ended (${state}); nothing to cancel`);
    await confirm(
      ctx,
      'cancel',
      `cancel execution ${id} (${state}) of plan ${plan.name}: the steps not yet run are not run.`,
    );
    try {
      await arcOf(ctx).cancelPlanExecution(region, { planArn: plan.arn, executionId: id, comment: o.cancel });
    } catch (err) {
      throw new OperationError(
        `cancel failed: ${errorText(err)} (or: ${cliFallback(plan.arn, id, region).at(-1)})`,
      );
    }
    ctx.io.stderr.write(`cancel requested for execution ${id}\n`);
  }
  const controller = new AbortController();
  const stop = onInterrupts({
    first: () => {
      ctx.io.stderr.write(`interrupt: no longer following execution ${id}; it goes on in AWS\n`);
      controller.abort();
    },
    second: () => (ctx.deps.exit ?? process.exit)(EXIT_INTERRUPTED),
  });
  try {
    const r = await followExecution(ctx, arcOf(ctx), {
      planArn: plan.arn,
      executionId: id,
      region,
      timeoutMs: o.timeout * 1000,
      signal: controller.signal,
    });
    ctx.io.stdout.write(
      ctx.json
        ? `${JSON.stringify(r, null, 2)}\n`
        : `${renderFollow(o.cancel !== undefined ? 'cancel' : 'watch', r, plan.arn)}\n`,
    );
    // Cancelling succeeded when the execution ended canceled.
    if (o.cancel !== undefined) return r.outcome === 'canceled' ? EXIT_OK : FOLLOW_EXIT[r.outcome];
    return FOLLOW_EXIT[r.outcome];
  } catch (err) {
    if (err instanceof AbortError) return EXIT_INTERRUPTED;
    throw err;
  } finally {
    stop();
  }
}

export const watchCommand = (ctx: CommandContext, o: WatchOptions): Promise<number> => follow(ctx, o);

export function cancelCommand(ctx: CommandContext, o: WatchOptions & { comment?: string }): Promise<number> {
  assertCanConfirm(ctx, 'cancel');
  return follow(ctx, { ...o, cancel: o.comment ?? `drctl cancel by ${ctx.deps.operator}` });
}
