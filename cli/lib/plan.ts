import type { Region } from '../../src/config';
import { readTopology } from './topology';
import { awsErrorName } from '../../runtime/shared/aws-clients';
import { ArcError, type ArcClient } from './arc-client';
import type { ExecutionMode, PlanSummary } from './arc-types';
import type { CommandContext } from './context';
import { CliError, EXIT_FAILED, OperationError, RefusedError, UsageError } from './errors';
import { errorText } from './reading';

/**
 * The Region switch plan of this environment and the checks around starting one of its executions: find the
 * plan by its name (src/resource-names.ts; its ARN carries a generated id), refuse while another execution
 * runs, check the Aurora global database is ready for a graceful switch, start the execution in the Region it
 * activates. Every call goes to the data plane of that Region, so a switch to the secondary region needs
 * nothing of the primary region.
 */
export const arcOf = (ctx: CommandContext): ArcClient => ctx.clients.arc(ctx.names.secondaryRegion);

/** `us-east-2/0123456789abcdef` → `us-east-2` (execution ids start with their Region, API reference). */
export function regionOfExecution(executionId: string): string | undefined {
  return /^([a-z]{2}(?:-[a-z]+)+-\d+)\/[0-9a-fA-F]+$/.exec(executionId)?.[1];
}

/** Another execution is running (plan `activePlanExecution`, or the service refused with IllegalState). */
export class BusyError extends CliError {
  constructor(message: string) {
    super(message, EXIT_FAILED);
    this.name = 'BusyError';
  }
}

/** The plan as listed in `region`; a missing plan is a missing (or mistyped) environment: exit 2. */
export async function findPlan(
  ctx: CommandContext,
  region: string,
  signal?: AbortSignal,
): Promise<PlanSummary> {
  const name = ctx.names.regionSwitchPlan;
  let plans: PlanSummary[];
  try {
    plans = await arcOf(ctx).listPlansInRegion(region, signal);
  } catch (err) {
    if (signal?.aborted) throw err;
    throw new OperationError(
      `the Region switch plan ${name} could not be looked up in ${region} (${errorText(err)}); nothing was changed`,
    );
  }
  const plan = plans.find((p) => p.name === name);
  if (!plan) {
    throw new UsageError(
      `environment "${ctx.names.environment}" not found: Region switch plan ${name} is not listed in ${region}; check --env and --config (or deploy it); nothing was changed`,
    );
  }
  return plan;
}

/** The plan, looked up in the secondary region first and in the primary region when that one does not answer. */
export async function findPlanAnywhere(ctx: CommandContext): Promise<PlanSummary> {
  try {
    return await findPlan(ctx, ctx.names.secondaryRegion);
  } catch (err) {
    if (!(err instanceof OperationError)) throw err;
    ctx.io.stderr.write(
      `warning: ${err.message.replace(/; nothing was changed$/, '')}; trying ${ctx.names.primaryRegion}\n`,
    );
    return findPlan(ctx, ctx.names.primaryRegion);
  }
}

/** The execution the command acts on: the one given, else the plan's active execution. */
export function executionOf(
  plan: PlanSummary,
  given: string | undefined,
  what: string,
): { id: string; region: string } {
  const id = given ?? plan.activePlanExecution;
  if (!id) throw new RefusedError(`no execution of plan ${plan.name} is in progress; nothing to ${what}`);
  const region = regionOfExecution(id);
  if (!region)
    throw new UsageError(
      `--execution ${id}: not an execution id (<region>/<hex>, as drctl status prints it)`,
    );
  return { id, region };
}

/**
 * A graceful switch needs the target cluster to be a synchronized member of the global database (Aurora's
 * switchover refuses otherwise); read through the target Region's RDS endpoint, waited for up to `waitMs`.
 * Returns a note when the target already writes (the plan still runs: its fence and DNS steps may be due).
 */
export async function gracefulPreflight(
  ctx: CommandContext,
  target: Region,
  waitMs: number,
  signal?: AbortSignal,
): Promise<string | undefined> {
  const clusterId = ctx.names.clusterId(target);
  const until = ctx.deps.clock.now() + waitMs;
  for (let round = 0; ; round++) {
    let why: string;
    try {
      const t = await readTopology(ctx.clients.rds(target), ctx.names.globalClusterId, signal);
      const member = t.members.find((m) => m.clusterId === clusterId);
      if (member?.isWriter) return `${clusterId} in ${target} already writes; the plan's steps run anyway`;
      if (!member) why = `${clusterId} is not a member of global cluster ${ctx.names.globalClusterId}`;
      else if (t.failover) why = `a global ${t.failover.status} is in progress`;
      else if (member.synchronizationStatus !== 'connected')
        why = `${clusterId} is ${member.synchronizationStatus ?? 'of unknown synchronization'}, not connected to the writer`;
      else return undefined;
    } catch (err) {
      if (signal?.aborted) throw err;
      if (awsErrorName(err) === 'GlobalClusterNotFoundError')
        throw new RefusedError(`${errorText(err)}; nothing was changed`);
      why = `the global database could not be read through ${target} (${errorText(err)})`;
    }
    if (ctx.deps.clock.now() >= until) throw new RefusedError(`${why}; nothing was changed`);
    if (round === 0) ctx.io.stderr.write(`waiting up to ${Math.round(waitMs / 1000)} s: ${why}\n`);
    await ctx.deps.clock.sleep(Math.min(10_000, Math.max(1, until - ctx.deps.clock.now())), signal);
  }
}

/** Starts an `activate` execution of `target` through `target`'s data plane; the execution id. */
export async function startActivation(
  ctx: CommandContext,
  plan: PlanSummary,
  target: Region,
  mode: ExecutionMode,
  comment: string,
): Promise<string> {
  if (plan.activePlanExecution) {
    throw new BusyError(
      `another execution of plan ${plan.name} is in progress (${plan.activePlanExecution}); follow it with "drctl watch" or cancel it with "drctl cancel"; nothing was changed`,
    );
  }
  try {
    const out = await arcOf(ctx).startPlanExecution(target, {
      planArn: plan.arn,
      targetRegion: target,
      action: 'activate',
      mode,
      comment: comment.slice(0, 1024),
    });
    return out.executionId;
  } catch (err) {
    if (err instanceof ArcError && err.code === 'IllegalStateException')
      throw new BusyError(
        `the plan refused a new execution (${err.detail}); see "drctl status"; nothing was changed`,
      );
    if (err instanceof ArcError && (err.$metadata.httpStatusCode ?? 500) < 500)
      throw new OperationError(`${errorText(err)}; nothing was changed`);
    throw new OperationError(
      `StartPlanExecution got no clear answer (${errorText(err)}): an execution may have started; check "drctl status" before trying again`,
    );
  }
}
