import { isExampleDns, type Region } from '../../src/config';
import { AbortError } from '../../runtime/shared/clock';
import { assertCanConfirm, type CommandContext, confirm, requireCredentials } from '../lib/context';
import { EXIT_INTERRUPTED, UsageError } from '../lib/errors';
import { cliFallback, FOLLOW_EXIT, renderFollow } from '../lib/follow';
import { onInterrupts } from '../lib/interrupts';
import { arcOf } from '../lib/plan';
import { errorText } from '../lib/reading';
import { renderTopology, runSwitch, type SwitchLabel } from '../lib/switch';

/**
 * `switchover` (graceful, to the secondary region or back with `--to`), `failover --allow-data-loss`
 * (ungraceful, to the secondary region) and `failback` (graceful, back to the primary region once it is
 * rebuilt): each starts an `activate` execution of the Region switch plan in the Region it activates and
 * follows it to its end (lib/switch.ts). Ctrl-C stops following and leaves the execution running, unless
 * `--cancel-on-interrupt`; a second Ctrl-C ends drctl at once.
 */
export interface SwitchCommandOptions {
  to?: string;
  allowDataLoss?: boolean;
  timeout: number;
  waitReady?: number;
  reason?: string;
  skipApiCheck?: boolean;
  wait: boolean;
  cancelOnInterrupt?: boolean;
}

const DESCRIPTIONS: Record<SwitchLabel, string> = {
  switchover: 'graceful: Aurora switches over with full replication, no data loss; writes pause briefly',
  failover:
    'UNGRACEFUL, DATA LOSS ALLOWED: Aurora fails over; writes not yet replicated to the target region are lost',
  failback: 'graceful: back to the primary region with full replication, no data loss',
};

export async function switchCommand(
  ctx: CommandContext,
  label: SwitchLabel,
  o: SwitchCommandOptions,
): Promise<number> {
  const n = ctx.names;
  if (label === 'failover' && o.allowDataLoss !== true) {
    throw new UsageError(
      'failover refused: an unplanned failover loses writes not yet replicated; pass --allow-data-loss (or use "switchover" for a planned move)',
    );
  }
  const regions: readonly string[] = [n.primaryRegion, n.secondaryRegion];
  if (o.to !== undefined && !regions.includes(o.to)) {
    throw new UsageError(`--to ${o.to}: must be ${regions.join(' or ')}`);
  }
  const target = (label === 'failback' ? n.primaryRegion : (o.to ?? n.secondaryRegion)) as Region;
  const apiCheck = label === 'failback' && !o.skipApiCheck;
  if (apiCheck && isExampleDns(ctx.config)) {
    // Failback must see the primary region's API answer first; with the example zone there is no API to ask.
    throw new UsageError(
      `failback refused: the configuration names the example DNS zone (${ctx.config.dns.zoneName}), so the primary API cannot be checked; set dns.zoneName and dns.zoneId (HOSTED_ZONE_NAME, HOSTED_ZONE_ID) to the deployed zone, or pass --skip-api-check`,
    );
  }
  assertCanConfirm(ctx, label);
  await requireCredentials(ctx);
  if (label === 'failback' && o.skipApiCheck) {
    ctx.io.stderr.write('warning: --skip-api-check: the primary API is not checked before failback\n');
  }

  const mode = label === 'failover' ? 'ungraceful' : 'graceful';
  const controller = new AbortController();
  let started: { id: string; planArn: string } | undefined;
  const stopListening = onInterrupts({
    first: () => {
      if (started && o.cancelOnInterrupt) {
        ctx.io.stderr.write(
          `interrupt: cancelling execution ${started.id}; a second interrupt stops drctl at once\n`,
        );
        const { id, planArn } = started;
        arcOf(ctx)
          .cancelPlanExecution(target, { planArn, executionId: id, comment: `drctl ${label}: interrupted` })
          .catch((err: unknown) => ctx.io.stderr.write(`cancel failed: ${errorText(err)}\n`));
        return;
      }
      ctx.io.stderr.write(
        started
          ? `interrupt: no longer following execution ${started.id}; it goes on in AWS (follow: drctl watch, cancel: drctl cancel)\n`
          : 'interrupt: stopping before anything is started\n',
      );
      controller.abort();
    },
    second: () => {
      ctx.io.stderr.write(
        started
          ? `second interrupt: drctl stops now; execution ${started.id} goes on in AWS: ${cliFallback(started.planArn, started.id, target).at(-1)}\n`
          : 'second interrupt: drctl stops now; no execution was started\n',
      );
      (ctx.deps.exit ?? process.exit)(EXIT_INTERRUPTED);
    },
  });
  try {
    const result = await runSwitch(ctx, {
      label,
      target,
      mode,
      comment: o.reason ?? `drctl ${label} by ${ctx.deps.operator}`,
      waitReadyMs: (o.waitReady ?? 0) * 1000,
      timeoutMs: o.timeout * 1000,
      stopAtApproval: !o.wait,
      apiCheck,
      signal: controller.signal,
      confirm: () =>
        confirm(
          ctx,
          label,
          `${label} of environment ${n.environment}: activate ${target} with plan ${n.regionSwitchPlan}.\n${DESCRIPTIONS[label]}.`,
        ),
      onStarted: (id, planArn) => {
        started = { id, planArn };
      },
    });
    if (ctx.json) {
      ctx.io.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    } else {
      ctx.io.stdout.write(`${renderFollow(label, result.follow, result.planArn)}\n`);
      const topology = renderTopology(result);
      if (topology) ctx.io.stdout.write(`${topology}\n`);
    }
    if (result.follow.outcome !== 'completed') {
      ctx.io.stderr.write(`${label} ${result.follow.outcome}: ${result.follow.message}\n`);
    }
    return FOLLOW_EXIT[result.follow.outcome];
  } catch (err) {
    if (err instanceof AbortError || (controller.signal.aborted && !started)) {
      ctx.io.stderr.write(`${label} interrupted before an execution was started; nothing was changed\n`);
      return EXIT_INTERRUPTED;
    }
    throw err;
  } finally {
    stopListening();
  }
}
