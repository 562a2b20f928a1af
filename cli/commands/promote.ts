import { isExampleDns } from '../../src/config';
import type { OrchestrationResult, OrchestratorAction } from '../../runtime/failover/orchestrator';
import { targetOf } from '../../runtime/failover/orchestrator';
import type { GlobalTopology } from '../../runtime/failover/topology';
import { assertCanConfirm, type CommandContext, confirm, requireCredentials } from '../lib/context';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from '../lib/errors';
import { duration, table } from '../lib/format';
import { jsonBody } from '../lib/http';
import { orchestratorSettings, runOrchestration } from '../lib/orchestration';

/**
 * `switchover` (planned, to the secondary region), `failover --allow-data-loss` (unplanned, to the secondary
 * region) and `failback` (planned, back to the primary region): the shared orchestrator in process.
 */
export interface PromoteOptions {
  allowDataLoss?: boolean;
  timeout: number;
  waitReady: number;
  reason?: string;
  skipApiCheck?: boolean;
}

export function exitCodeOf(result: OrchestrationResult): number {
  switch (result.outcome) {
    case 'completed':
    case 'noop':
      return EXIT_OK;
    case 'refused':
      return EXIT_USAGE;
    default:
      return EXIT_FAILED;
  }
}

const DESCRIPTIONS: Record<OrchestratorAction, string> = {
  switchover: 'planned switchover: waits for full replication, no data loss; writes pause for about a minute',
  failover:
    'UNPLANNED FAILOVER with data loss allowed: writes not yet replicated to the secondary region are lost',
  failback: 'planned switchover back to the primary region: waits for full replication, no data loss',
};

export function renderTopology(t: GlobalTopology | undefined): string {
  if (!t) return 'final topology: unknown';
  return [
    `global database ${t.globalClusterId}: ${t.status ?? 'unknown'}`,
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

/** The primary region's API must answer its /health (200, or 503 while read-only) naming its region. */
function primaryApiCheck(ctx: CommandContext): (t: GlobalTopology) => Promise<string | undefined> {
  const region = ctx.names.primaryRegion;
  const url = `https://${ctx.names.regionalApiHost(region)}/health`;
  return async () => {
    try {
      const res = await ctx.deps.http.request({ method: 'GET', url, timeoutMs: 5000 });
      const body = jsonBody(res);
      if ((res.status === 200 || res.status === 503) && body?.region === region) return undefined;
      return `the ${region} API answered ${url} with HTTP ${res.status}${body?.region ? ` from ${String(body.region)}` : ''}; it must answer from ${region} before failback`;
    } catch (err) {
      return `the ${region} API does not answer on ${url} (${err instanceof Error ? err.message : String(err)}); it must before failback`;
    }
  };
}

export async function promoteCommand(
  ctx: CommandContext,
  action: OrchestratorAction,
  options: PromoteOptions,
): Promise<number> {
  if (action === 'failover' && options.allowDataLoss !== true) {
    throw new UsageError(
      'failover refused: an unplanned failover loses writes not yet replicated; pass --allow-data-loss (or use "switchover" for a planned move)',
    );
  }
  if (action === 'failback' && !options.skipApiCheck && isExampleDns(ctx.config)) {
    // Failback must see the primary region's API answer first; with the example zone there is no API to ask.
    throw new UsageError(
      `failback refused: the configuration names the example DNS zone (${ctx.config.dns.zoneName}), so the primary API cannot be checked; set dns.zoneName and dns.zoneId (HOSTED_ZONE_NAME, HOSTED_ZONE_ID) to the deployed zone, or pass --skip-api-check`,
    );
  }
  assertCanConfirm(ctx, action);
  await requireCredentials(ctx);
  const target = targetOf(
    action,
    orchestratorSettings(ctx, { action, promotionTimeoutMs: 0, preconditionWaitMs: 0 }),
  );
  await confirm(
    ctx,
    action,
    `${action} of ${ctx.names.globalClusterId} (environment ${ctx.names.environment}): make ${target.clusterId} in ${target.region} the writer.\n${DESCRIPTIONS[action]}.`,
  );

  let failbackReadiness: ((t: GlobalTopology) => Promise<string | undefined>) | undefined;
  if (action === 'failback') {
    if (options.skipApiCheck) {
      ctx.io.stderr.write('warning: --skip-api-check: the primary API is not checked before failback\n');
    } else {
      failbackReadiness = primaryApiCheck(ctx);
    }
  }

  const controller = new AbortController();
  const onSignal = () => {
    ctx.io.stderr.write('interrupt: stopping after the current step (the lock is released)\n');
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  let result: OrchestrationResult;
  try {
    result = await runOrchestration(ctx, {
      action,
      allowDataLoss: options.allowDataLoss === true,
      ...(options.reason ? { reason: options.reason } : {}),
      promotionTimeoutMs: options.timeout * 1000,
      preconditionWaitMs: options.waitReady * 1000,
      ...(failbackReadiness ? { failbackReadiness } : {}),
      signal: controller.signal,
    });
  } finally {
    process.removeListener('SIGINT', onSignal);
  }

  if (ctx.json) {
    ctx.io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    const timing =
      result.promotionMs !== undefined
        ? ` (writer after ${duration(result.promotionMs)}, total ${duration(result.elapsedMs)})`
        : ` (${duration(result.elapsedMs)})`;
    ctx.io.stdout.write(`${action} ${result.outcome}: ${result.message}${timing}\n`);
    ctx.io.stdout.write(`${renderTopology(result.topology)}\n`);
  }
  if (result.outcome !== 'completed' && result.outcome !== 'noop') {
    ctx.io.stderr.write(`${action} ${result.outcome}: ${result.message.replace(/\s+/g, ' ')}\n`);
  }
  return exitCodeOf(result);
}
