import { randomBytes } from 'node:crypto';
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { isExampleDns } from '../../src/config';
import { readTopology } from '../lib/topology';
import {
  assertCanConfirm,
  callerIdentity,
  type CommandContext,
  confirm,
  requireCredentials,
} from '../lib/context';
import {
  DEFAULT_TARGETS,
  type DrillMethod,
  type DrillReport,
  type DrillRun,
  type DrillSettings,
  reportOf,
  restoreSummary,
  runDrill,
  STORES,
} from '../lib/drill';
import { writeDrillReport } from '../lib/drill-report';
import {
  CliError,
  EXIT_FAILED,
  EXIT_INTERRUPTED,
  EXIT_OK,
  EXIT_USAGE,
  OperationError,
  UsageError,
} from '../lib/errors';
import { onInterrupts } from '../lib/interrupts';
import { duration } from '../lib/format';
import { runSwitch } from '../lib/switch';
import { sigV4Signer } from '../lib/sigv4';

export interface DrillOptions {
  canaries: number;
  method: DrillMethod;
  out?: string;
  canaryInterval: number;
  observeTimeout: number;
  rtoTimeout: number;
  strict?: boolean;
}

/** `20300101T000000Z` */
const compactTime = (ms: number): string =>
  new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export function summarizeDrill(r: DrillReport): string {
  const lines = [
    `drill ${r.runId} (${r.method}): ${r.passed ? 'PASSED' : 'FAILED'}${r.passed && !r.strictPassed ? ' (stricter design targets missed)' : ''}`,
    `  RTO ${r.failover.rtoMs === null ? 'not observed' : duration(r.failover.rtoMs)}; RPO ${STORES.map(
      (s) => `${s} ${r.rpo[s].observedMs === null ? 'not observed' : duration(r.rpo[s].observedMs)}`,
    ).join(', ')}`,
    ...r.targets.map(
      (t) => `  ${t.pass ? 'pass' : 'FAIL'}  ${t.description}${t.strict ? ' (design target)' : ''}`,
    ),
    ...r.errors.map((e) => `  error: ${e}`),
  ];
  return lines.join('\n');
}

export { EXIT_INTERRUPTED };

/**
 * Checks before anything happens that the report can be written to `dir`: an existing directory must be
 * writable and hold no report yet; a new one must be creatable (its nearest existing parent writable).
 */
export function checkReportDir(dir: string): void {
  const fail = (why: string) => {
    throw new UsageError(`--out ${dir}: ${why}`);
  };
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) fail('exists and is not a directory');
    for (const f of ['report.md', 'report.json'])
      if (existsSync(join(dir, f))) fail(`already holds a drill report (${f}); choose another directory`);
  }
  let probe = dir;
  while (!existsSync(probe)) {
    const parent = dirname(probe);
    if (parent === probe) fail('no existing parent directory');
    probe = parent;
  }
  if (!statSync(probe).isDirectory()) fail(`${probe} is not a directory`);
  try {
    accessSync(probe, constants.W_OK);
  } catch {
    fail(`${probe} is not writable`);
  }
}

/** The lines printed when the operator abandons the restore (second interrupt). */
export function abandonMessage(run: DrillRun, files: { markdown: string; json: string } | string): string[] {
  const { restored, notRestored } = restoreSummary(run);
  return [
    'second interrupt: the restore is abandoned.',
    ...restored.map((l) => `  restored: ${l}`),
    ...notRestored.map((l) => `  NOT restored: ${l}`),
    typeof files === 'string'
      ? `  the partial report could not be written: ${files}`
      : `  partial report: ${files.markdown}\n                  ${files.json}`,
  ];
}

export async function drillCommand(ctx: CommandContext, o: DrillOptions): Promise<number> {
  const now = ctx.deps.clock.now();
  const outDir = resolve(o.out ?? `reports/drill-${compactTime(now)}`);
  checkReportDir(outDir);
  if (isExampleDns(ctx.config)) {
    throw new UsageError(
      'drill needs the deployed DNS zone: set HOSTED_ZONE_NAME and HOSTED_ZONE_ID (or dns in the config file)',
    );
  }
  assertCanConfirm(ctx, 'drill');
  await requireCredentials(ctx);
  const n = ctx.names;
  const primary = n.primaryRegion;
  const secondary = n.secondaryRegion;
  const identity = await callerIdentity(ctx, secondary);
  if (!identity.account)
    throw new OperationError(`could not read the account id through STS in ${secondary}`);

  const runId = `${compactTime(now)}-${randomBytes(2).toString('hex')}`;
  await confirm(
    ctx,
    'drill',
    `Game day on ${n.environment}: ${o.canaries} canary payments through ${n.publicApiHost}, then a switchover to ${secondary} and a failback. Payments are briefly paused during the switch.`,
  );

  const settings: DrillSettings = {
    environment: n.environment,
    runId,
    method: o.method,
    primaryRegion: primary,
    secondaryRegion: secondary,
    primaryClusterId: n.clusterId(primary),
    publicHost: n.publicApiHost,
    secondaryApiHost: n.regionalApiHost(secondary),
    idempotencyTable: n.idempotencyTable,
    secondaryReceiptsBucket: n.receiptsBucket(secondary, identity.account),
    canaries: o.canaries,
    canaryIntervalMs: o.canaryInterval,
    observePollMs: 250,
    observeTimeoutMs: o.observeTimeout * 1000,
    rtoPollMs: 1000,
    rtoTimeoutMs: o.rtoTimeout * 1000,
    restoreTimeoutMs: 30 * 60_000,
    requestTimeoutMs: 5000,
    targets: DEFAULT_TARGETS,
  };

  const controller = new AbortController();
  let current: DrillRun | undefined;
  const stopListening = onInterrupts({
    first: () => {
      ctx.io.stderr.write(
        'interrupt: ending the drill and restoring the environment; a second interrupt abandons the restore\n',
      );
      controller.abort();
    },
    second: () => {
      if (current) {
        let files: { markdown: string; json: string } | string;
        try {
          files = writeDrillReport(outDir, reportOf(current, ctx.deps.clock.now()));
        } catch (err) {
          files = err instanceof Error ? err.message : String(err);
        }
        for (const line of abandonMessage(current, files)) ctx.io.stderr.write(`${line}\n`);
      } else {
        ctx.io.stderr.write('second interrupt: the drill had not started; nothing was changed\n');
      }
      (ctx.deps.exit ?? process.exit)(EXIT_INTERRUPTED);
    },
  });
  let report: DrillReport;
  try {
    report = await runDrill(
      settings,
      {
        clock: ctx.deps.clock,
        http: ctx.deps.http,
        // Credentials come through the secondary region's STS: the drill must survive losing the primary.
        sign: sigV4Signer(
          () => ctx.clients.credentials(secondary),
          () => ctx.deps.clock.now(),
        ),
        ddbSecondary: ctx.clients.ddb(secondary),
        s3Secondary: ctx.clients.s3(secondary),
        readTopology: () => readTopology(ctx.clients.rds(secondary), n.globalClusterId),
        switchRegion: async (action, opts) => {
          const started = ctx.deps.clock.now();
          // An interrupt before the execution starts stops it from starting; once started, the drill waits for
          // it to end (the failback cannot start while it runs, and cancelling a switchover midway is no restore).
          const inner = new AbortController();
          let executionId: string | undefined;
          opts.signal?.addEventListener(
            'abort',
            () => {
              if (!executionId) inner.abort();
              else
                ctx.io.stderr.write(
                  `interrupt: waiting for execution ${executionId} to end, then restoring\n`,
                );
            },
            { once: true },
          );
          try {
            const r = await runSwitch(ctx, {
              onStarted: (id) => {
                executionId = id;
              },
              label: action,
              target: action === 'switchover' ? secondary : primary,
              mode: 'graceful',
              comment: `drctl drill ${runId}: ${action}`,
              waitReadyMs: opts.waitReadyMs,
              timeoutMs: 30 * 60_000,
              signal: inner.signal,
            });
            return {
              outcome: r.follow.outcome,
              message: r.follow.message,
              elapsedMs: ctx.deps.clock.now() - started,
              executionId: r.follow.executionId,
              ...(r.promotionMs !== undefined ? { promotionMs: r.promotionMs } : {}),
            };
          } catch (err) {
            // Refused or not started: recorded as the drill's outcome, nothing more was changed.
            if (!(err instanceof CliError)) throw err;
            return { outcome: 'refused', message: err.message, elapsedMs: ctx.deps.clock.now() - started };
          }
        },
        progress: (line) => ctx.io.stderr.write(`${line}\n`),
        signal: controller.signal,
      },
      (run) => {
        current = run;
      },
    );
  } finally {
    stopListening();
  }

  const files = writeDrillReport(outDir, report);
  if (ctx.json) {
    ctx.io.stdout.write(`${JSON.stringify({ ...report, files }, null, 2)}\n`);
  } else {
    ctx.io.stdout.write(`${summarizeDrill(report)}\n  report: ${files.markdown}\n          ${files.json}\n`);
  }
  if (!report.restore.restoredAt && report.failover.startedAt) {
    ctx.io.stderr.write(
      `the environment may not be restored: check "drctl status" and run "drctl failback" if ${secondary} still writes\n`,
    );
  }
  // A refusal in preflight changed nothing: exit 2, like every refusal.
  if (report.refused) return EXIT_USAGE;
  return report.passed && (!o.strict || report.strictPassed) ? EXIT_OK : EXIT_FAILED;
}
