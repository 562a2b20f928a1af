import { randomUUID } from 'node:crypto';
import { GetCallerIdentityCommand } from '@aws-sdk/client-sts';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Region } from '../../src/config';
import { LeaseLock, LOCK_KEY } from '../../runtime/failover/lock';
import { awsErrorName } from '../../runtime/shared/aws-clients';
import { createOpenLogger, type LogSink } from '../../runtime/shared/logger';
import { bestEffort, type Notifier, snsNotifier } from '../../runtime/failover/notify';
import {
  DEFAULT_POLL_INTERVAL_MS,
  type OrchestrationRequest,
  type OrchestrationResult,
  type OrchestratorAction,
  type OrchestratorSettings,
  orchestrate,
  type ProgressEvent,
  targetOf,
} from '../../runtime/failover/orchestrator';
import { DEFAULT_RETRY_POLICY } from '../../runtime/failover/retry';
import { lastRunRecorder } from '../../runtime/failover/state-store';
import type { GlobalTopology } from '../../runtime/failover/topology';
import type { CommandContext } from './context';
import { OperationError, UsageError } from './errors';
import { errorText } from './reading';
import { elapsedTag } from './format';

/**
 * The operator's way into the shared orchestrator (runtime/failover/orchestrator.ts), in process: RDS calls go
 * to the region being promoted, the lock lives in the secondary region's state table, notifications go to the
 * secondary region's alert topic. Progress is printed to stderr, one line per poll with the elapsed time.
 */
export interface RunOptions {
  action: OrchestratorAction;
  allowDataLoss?: boolean;
  reason?: string;
  promotionTimeoutMs: number;
  preconditionWaitMs: number;
  pollIntervalMs?: number;
  failbackReadiness?: (topology: GlobalTopology) => Promise<string | undefined>;
  signal?: AbortSignal;
  /** Where progress lines go (stderr by default). */
  progress?: (line: string) => void;
}

/** Warnings and errors of the orchestrator's JSON log, as short lines for a person. */
function humanSink(write: (line: string) => void): LogSink {
  return (line) => {
    try {
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.level !== 'warn' && entry.level !== 'error') return;
      const cause = entry.errorName
        ? ` (${String(entry.errorName)}: ${String(entry.errorMessage ?? '')})`
        : '';
      const detail = entry.detail ? `: ${String(entry.detail)}` : '';
      write(`${String(entry.level)}: ${String(entry.message)}${detail}${cause}`);
    } catch {
      write(line);
    }
  };
}

export async function callerIdentity(
  ctx: CommandContext,
  region: Region,
): Promise<{ account?: string; arn?: string }> {
  try {
    const out = await ctx.clients.sts(region).send(new GetCallerIdentityCommand({}));
    return { account: out.Account, arn: out.Arn };
  } catch {
    return {};
  }
}

export function orchestratorSettings(ctx: CommandContext, o: RunOptions): OrchestratorSettings {
  const n = ctx.names;
  return {
    environment: n.environment,
    globalClusterId: n.globalClusterId,
    primaryClusterId: n.clusterId(n.primaryRegion),
    secondaryClusterId: n.clusterId(n.secondaryRegion),
    primaryRegion: n.primaryRegion,
    secondaryRegion: n.secondaryRegion,
    promotionTimeoutMs: o.promotionTimeoutMs,
    pollIntervalMs: o.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS,
    preconditionWaitMs: o.preconditionWaitMs,
    retry: DEFAULT_RETRY_POLICY,
  };
}

/**
 * The DR state table (the lock) must answer before anything is attempted: without it a mistyped --env would
 * fail on the lock with DynamoDB's bare "ResourceNotFoundException: Requested resource not found", and a
 * secondary region that does not answer would fail there too, later. Either way nothing has changed yet.
 */
async function assertStateTable(ctx: CommandContext, signal?: AbortSignal): Promise<void> {
  const { stateTable, secondaryRegion, environment } = ctx.names;
  try {
    await ctx.clients
      .ddb(secondaryRegion)
      .send(new GetCommand({ TableName: stateTable, Key: { pk: LOCK_KEY } }), { abortSignal: signal });
  } catch (err) {
    if (awsErrorName(err) === 'ResourceNotFoundException') {
      throw new UsageError(
        `environment "${environment}" not found: state table ${stateTable} (${secondaryRegion}) does not exist; check --env and --config (or deploy it); nothing was changed`,
      );
    }
    if (awsErrorName(err) === 'AbortError') throw err;
    throw new OperationError(
      `the DR state table ${stateTable} (${secondaryRegion}) could not be read, so the lock cannot be taken (${errorText(err)}); nothing was changed`,
    );
  }
}

export async function runOrchestration(ctx: CommandContext, o: RunOptions): Promise<OrchestrationResult> {
  await assertStateTable(ctx, o.signal);
  const settings = orchestratorSettings(ctx, o);
  const secondary = ctx.names.secondaryRegion;
  const target = targetOf(o.action, settings);
  const print = o.progress ?? ((line: string) => ctx.io.stderr.write(`${line}\n`));
  const identity = await callerIdentity(ctx, secondary);
  const log = createOpenLogger(
    { service: 'drctl' },
    { sink: humanSink(print), now: () => ctx.deps.clock.now() },
  );
  let notifier: Notifier;
  if (identity.account) {
    notifier = bestEffort(
      snsNotifier(ctx.clients.sns(secondary), ctx.names.alertTopicArn(secondary, identity.account)),
      log,
    );
  } else {
    print('warning: the account id could not be read (STS); no notifications will be sent');
    notifier = { publish: async () => undefined };
  }
  const ddb = ctx.clients.ddb(secondary);
  const request: OrchestrationRequest = {
    action: o.action,
    requestedBy: identity.arn ? `${identity.arn} (${ctx.deps.operator})` : ctx.deps.operator,
    ...(o.reason ? { reason: o.reason } : {}),
    ...(o.allowDataLoss ? { allowDataLoss: true } : {}),
  };
  print(`${o.action}: promoting ${target.clusterId} in ${target.region} (RDS endpoint of ${target.region})`);
  return orchestrate(request, settings, {
    rds: ctx.clients.rds(target.region),
    lock: new LeaseLock({
      ddb,
      table: ctx.names.stateTable,
      owner: `drctl:${ctx.deps.operator}:${randomUUID()}`,
      clock: ctx.deps.clock,
    }),
    notifier,
    clock: ctx.deps.clock,
    log,
    random: ctx.deps.random,
    onProgress: (e: ProgressEvent) => print(`${elapsedTag(e.elapsedMs)} ${e.message}`),
    ...(o.failbackReadiness ? { failbackReadiness: o.failbackReadiness } : {}),
    recordRun: lastRunRecorder(ddb, ctx.names.stateTable),
    ...(o.signal ? { signal: o.signal } : {}),
  });
}
