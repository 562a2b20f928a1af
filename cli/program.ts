import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { drillCommand } from './commands/drill';
import {
  approveCommand,
  type ApproveOptions,
  cancelCommand,
  watchCommand,
  type WatchOptions,
} from './commands/execution';
import { recoverLostWritesCommand, type RecoverLostWritesOptions } from './commands/recover-lost-writes';
import { statusCommand } from './commands/status';
import { switchCommand, type SwitchCommandOptions } from './commands/switch';
import { FOLLOW_DEFAULT_TIMEOUT_S } from './lib/follow';
import type { SwitchLabel } from './lib/switch';
import { type CliDeps, type CommandContext, type GlobalOptions, resolveContext } from './lib/context';
import { CliError, EXIT_FAILED, EXIT_USAGE, oneLine } from './lib/errors';

/**
 * drctl: the operator CLI of the payments disaster-recovery setup. `runCli` parses arguments with commander
 * (errors made single-line, exit codes mapped: 0 ok, 1 failed, 2 bad arguments or refused) and runs one
 * command with the injected dependencies; it never calls process.exit, so tests drive it in process.
 */
const COMMANDS = 'status, switchover, failover, failback, approve, cancel, watch, drill, recover-lost-writes';

function integer(name: string, min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value))
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    const n = Number(value);
    if (n < min || n > max)
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}.`);
    return n;
  };
}

/**
 * `--method`: switchover only. The inversion of the primary health check is gone: the Region switch plan
 * creates and owns the DNS health checks, so inverting one would fight the plan and move DNS without the
 * database and the write fence.
 */
function drillMethod(value: string): 'switchover' {
  if (value === 'switchover') return value;
  if (value === 'health-check-inversion')
    throw new InvalidArgumentError(
      'the Region switch plan owns the DNS health checks (inverting one fights the plan and moves DNS without the database and the write fence); drill with --method switchover.',
    );
  throw new InvalidArgumentError('Allowed choices are switchover.');
}

export function buildProgram(deps: CliDeps, setExit: (code: number) => void, errBuffer: string[]): Command {
  const program = new Command('drctl');
  program
    .description('Operator CLI of the payments disaster-recovery setup (primary and secondary region).')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => deps.io.stdout.write(text),
      writeErr: (text) => errBuffer.push(text),
      outputError: (text) => deps.io.stderr.write(`drctl: ${oneLine(text)}\n`),
    })
    .showSuggestionAfterError(true)
    .helpCommand(false)
    .option('--env <suffix>', 'environment suffix (default: $ENVIRONMENT_SUFFIX, else dev)')
    .option('--config <file>', 'configuration file (default: config/<suffix>.json when it exists)')
    .option('--endpoint-url <url>', 'send every AWS call to this endpoint (a local emulator)')
    .option('--json', 'machine-readable output on stdout')
    .option('--yes', 'do not ask for confirmation (needed for mutating commands without a terminal)');

  const context = (cmd: Command): CommandContext =>
    resolveContext(cmd.optsWithGlobals<GlobalOptions>(), deps);
  const run =
    (fn: (ctx: CommandContext, cmd: Command) => Promise<number>) =>
    async (...args: unknown[]) => {
      const cmd = args[args.length - 1] as Command;
      setExit(await fn(context(cmd), cmd));
    };

  program
    .command('status')
    .description(
      'both regions: writer, replication lag, alarms, Region switch plan, its DNS health checks and latest execution',
    )
    .action(run((ctx) => statusCommand(ctx)));

  const timeout = (cmd: Command, fallback: number) =>
    cmd.option(
      '--timeout <seconds>',
      'longest time drctl follows the execution (it goes on in AWS after that)',
      integer('--timeout', 60, 3600),
      fallback,
    );
  const switching = (name: SwitchLabel, description: string) => {
    const cmd = timeout(program.command(name).description(description), FOLLOW_DEFAULT_TIMEOUT_S)
      .option('--reason <text>', 'recorded as the comment of the plan execution')
      .option('--no-wait', 'stop following (exit 4) when a step waits for a manual approval')
      .option('--cancel-on-interrupt', 'Ctrl-C cancels the execution instead of only no longer following it');
    if (name === 'switchover')
      cmd.option('--to <region>', 'the region to activate (default: the secondary region)');
    if (name !== 'failover') {
      cmd.option(
        '--wait-ready <seconds>',
        'wait this long for the target cluster to be in sync before refusing',
        integer('--wait-ready', 0, 3600),
        0,
      );
    }
    if (name === 'failover') {
      cmd.option('--allow-data-loss', 'required: acknowledge that writes not yet replicated are lost');
    }
    if (name === 'failback') {
      cmd.option('--skip-api-check', 'do not require the primary region API to answer before failback');
    }
    cmd.action(run((ctx, c) => switchCommand(ctx, name, c.opts<SwitchCommandOptions>())));
  };
  switching(
    'switchover',
    'planned switch to the secondary region (graceful, no data loss); --to for the way back',
  );
  switching('failover', 'unplanned failover to the secondary region (ungraceful); needs --allow-data-loss');
  switching('failback', 'planned switch back to the primary region once it is rebuilt (graceful)');

  program
    .command('approve')
    .description('approve (or --decline) the step of an execution that waits for a manual approval')
    .option('--execution <id>', 'the execution (default: the plan\u2019s active execution)')
    .option('--step <name>', 'the step (default: the one waiting for approval)')
    .option('--decline', 'decline instead: Region switch cancels the execution')
    .option('--comment <text>', 'recorded with the approval')
    .action(run((ctx, c) => approveCommand(ctx, c.opts<ApproveOptions>())));
  timeout(
    program
      .command('cancel')
      .description('cancel an execution of the Region switch plan and follow it until it has ended')
      .option('--execution <id>', 'the execution (default: the plan\u2019s active execution)')
      .option('--comment <text>', 'recorded with the cancellation'),
    300,
  ).action(run((ctx, c) => cancelCommand(ctx, c.opts<WatchOptions & { comment?: string }>())));
  timeout(
    program
      .command('watch')
      .description('follow an execution of the Region switch plan (default: the active or latest one)')
      .option('--execution <id>', 'the execution to follow'),
    FOLLOW_DEFAULT_TIMEOUT_S,
  ).action(run((ctx, c) => watchCommand(ctx, c.opts<WatchOptions>())));

  program
    .command('drill')
    .description('game day: canary payments, observed RPO, failover, observed RTO, restore, report')
    .option('--canaries <n>', 'canary payments to send', integer('--canaries', 1, 100), 5)
    .addOption(
      new Option('--method <method>', 'how to fail over: switchover (an execution of the Region switch plan)')
        .argParser(drillMethod)
        .default('switchover'),
    )
    .option('--out <dir>', 'report directory (default: reports/drill-<timestamp>)')
    .option(
      '--canary-interval <ms>',
      'pause between canaries',
      integer('--canary-interval', 100, 60_000),
      1000,
    )
    .option(
      '--observe-timeout <seconds>',
      'longest wait for a canary in the secondary region',
      integer('--observe-timeout', 10, 3600),
      900,
    )
    .option(
      '--rto-timeout <seconds>',
      'longest wait for the public name to fail over',
      integer('--rto-timeout', 60, 7200),
      1800,
    )
    .option('--strict', 'also fail (exit 1) when the stricter design targets are missed')
    .action(
      run((ctx, c) =>
        drillCommand(
          ctx,
          c.opts<{
            canaries: number;
            method: 'switchover';
            out?: string;
            canaryInterval: number;
            observeTimeout: number;
            rtoTimeout: number;
            strict?: boolean;
          }>(),
        ),
      ),
    );

  program
    .command('recover-lost-writes')
    .description(
      'after an unplanned failover: restore the old primary\u2019s failover snapshot and re-record the payments the promoted ledger lost',
    )
    .option('--from-region <region>', 'the old primary region (default: the configured primary)')
    .option(
      '--snapshot <id>',
      'the snapshot to restore (default: the newest rds:unplanned-global-failover-*)',
    )
    .option('--dry-run', 'compare and report only; write nothing into the promoted ledger')
    .option('--since <time>', 'only payments created at or after this ISO 8601 time')
    .option('--keep-cluster', 'keep the temporary cluster after the run')
    .option('--source-url <url>', 'connect to the restored ledger with this URL (e.g. through a tunnel)')
    .option('--target-url <url>', 'connect to the promoted ledger with this URL (e.g. through a tunnel)')
    .option('--ca-bundle <file>', 'PEM file with the RDS certificate authorities (TLS is always verified)')
    .option('--no-reservation-scan', 'skip the scan for committed reservations missing from both ledgers')
    .option(
      '--timeout <seconds>',
      'longest wait for each snapshot, cluster or instance',
      integer('--timeout', 60, 14_400),
      3600,
    )
    .action(run((ctx, c) => recoverLostWritesCommand(ctx, c.opts<RecoverLostWritesOptions>())));

  return program;
}

export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  const errBuffer: string[] = [];
  let exitCode = 0;
  const program = buildProgram(
    deps,
    (code) => {
      exitCode = code;
    },
    errBuffer,
  );
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.help') {
        // No command given: commander prints the whole help on stderr; one line is enough.
        deps.io.stderr.write(`drctl: error: missing command (one of ${COMMANDS}); see "drctl --help"\n`);
        return EXIT_USAGE;
      }
      for (const text of errBuffer) deps.io.stderr.write(text);
      return EXIT_USAGE;
    }
    if (err instanceof CliError) {
      deps.io.stderr.write(`drctl: ${oneLine(err.message)}\n`);
      return err.exitCode;
    }
    const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    deps.io.stderr.write(`drctl: error: ${oneLine(text)}\n`);
    return EXIT_FAILED;
  }
}
