import type { Region } from '../../src/config';
import { type GlobalTopology, readTopology } from './topology';
import type { ExecutionMode } from './arc-types';
import type { CommandContext } from './context';
import { OperationError, RefusedError } from './errors';
import { followExecution, type FollowResult } from './follow';
import { table } from './format';
import { jsonBody } from './http';
import { arcOf, BusyError, findPlan, gracefulPreflight, startActivation } from './plan';
import { errorText } from './reading';

/**
 * One Region switch, as `switchover`, `failover` and `failback` (and the drill) run it: find the plan in the
 * Region to activate, check what a graceful switch needs, start the `activate` execution there and follow it
 * to its end. Refusals (nothing changed) are thrown; everything after the start is in the result.
 */
export type SwitchLabel = 'switchover' | 'failover' | 'failback';

export interface SwitchOptions {
  label: SwitchLabel;
  target: Region;
  mode: ExecutionMode;
  comment: string;
  /** How long a graceful switch waits for the target cluster to be in sync before refusing. */
  waitReadyMs: number;
  timeoutMs: number;
  stopAtApproval?: boolean;
  /** Failback: the primary region's API must answer before its region is activated again. */
  apiCheck?: boolean;
  pollMs?: number;
  signal?: AbortSignal;
  /** Asked after every check passed, just before the execution starts (throws to refuse). */
  confirm?: () => Promise<void>;
  onStarted?: (executionId: string, planArn: string) => void;
}

export interface SwitchResult {
  label: SwitchLabel;
  target: Region;
  mode: ExecutionMode;
  planArn: string;
  follow: FollowResult;
  /** How long the Aurora Global Database step took (its step times), when it ran. */
  promotionMs?: number;
  /** The global database after the execution completed, read through the target region. */
  topology?: GlobalTopology;
  topologyError?: string;
}

/** The primary region's API must answer its /health (200, or 503 while read-only) naming its region. */
export async function primaryApiCheck(ctx: CommandContext): Promise<string | undefined> {
  const region = ctx.names.primaryRegion;
  const url = `https://${ctx.names.regionalApiHost(region)}/health`;
  try {
    const res = await ctx.deps.http.request({ method: 'GET', url, timeoutMs: 5000 });
    const body = jsonBody(res);
    if ((res.status === 200 || res.status === 503) && body?.region === region) return undefined;
    return `the ${region} API answered ${url} with HTTP ${res.status}${body?.region ? ` from ${String(body.region)}` : ''}; it must answer from ${region} before failback`;
  } catch (err) {
    return `the ${region} API does not answer on ${url} (${err instanceof Error ? err.message : String(err)}); it must before failback`;
  }
}

export async function runSwitch(ctx: CommandContext, o: SwitchOptions): Promise<SwitchResult> {
  const say = (line: string) => ctx.io.stderr.write(`${line}\n`);
  const plan = await findPlan(ctx, o.target, o.signal);
  const labelled = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (err) {
      if (err instanceof RefusedError) throw new RefusedError(`${o.label} refused: ${err.message}`);
      if (err instanceof BusyError) throw new BusyError(`${o.label} busy: ${err.message}`);
      if (err instanceof OperationError) throw new OperationError(`${o.label} failed: ${err.message}`);
      throw err;
    }
  };
  if (o.mode === 'graceful') {
    const note = await labelled(() => gracefulPreflight(ctx, o.target, o.waitReadyMs, o.signal));
    if (note) say(`note: ${note}`);
  }
  if (o.apiCheck) {
    const why = await primaryApiCheck(ctx);
    if (why) throw new RefusedError(`${o.label} refused: ${why}; nothing was changed`);
  }
  await o.confirm?.();
  const executionId = await labelled(() => startActivation(ctx, plan, o.target, o.mode, o.comment));
  o.onStarted?.(executionId, plan.arn);
  say(
    `${o.label}: started execution ${executionId} of plan ${plan.name} (${o.mode}, activate ${o.target}) in ${o.target}`,
  );
  const follow = await followExecution(ctx, arcOf(ctx), {
    planArn: plan.arn,
    executionId,
    region: o.target,
    timeoutMs: o.timeoutMs,
    ...(o.pollMs ? { pollMs: o.pollMs } : {}),
    ...(o.stopAtApproval ? { stopAtApproval: true } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
  });
  const auroraSteps = new Set(
    (follow.execution?.plan?.workflows ?? [])
      .flatMap((w) => w.steps)
      .filter((s) => s.executionBlockType === 'AuroraGlobalDatabase')
      .map((s) => s.name),
  );
  const aurora = follow.execution?.stepStates.find(
    (s) => auroraSteps.has(s.name) && s.startTime && s.endTime,
  );
  const result: SwitchResult = {
    label: o.label,
    target: o.target,
    mode: o.mode,
    planArn: plan.arn,
    follow,
    ...(aurora
      ? { promotionMs: Date.parse(aurora.endTime as string) - Date.parse(aurora.startTime as string) }
      : {}),
  };
  if (follow.outcome === 'completed') {
    try {
      result.topology = await readTopology(ctx.clients.rds(o.target), ctx.names.globalClusterId);
    } catch (err) {
      result.topologyError = errorText(err);
    }
  }
  return result;
}

export function renderTopology(r: SwitchResult): string {
  const t = r.topology;
  if (!t) return r.topologyError ? `final topology: unknown (${r.topologyError})` : '';
  return [
    `global database ${t.globalClusterId}: ${t.status ?? 'unknown'} (read through ${r.target})`,
    table(
      ['  ROLE', 'CLUSTER', 'REGION', 'SYNC'],
      t.members.map((m) => [
        `  ${m.isWriter ? 'writer' : 'secondary'}`,
        m.clusterId,
        m.region,
        m.synchronizationStatus ?? '-',
      ]),
    ),
  ].join('\n');
}
