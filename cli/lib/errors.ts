/**
 * Exit codes of drctl: 0 success, 1 the operation failed (for `status`: nothing could be read), 2 bad
 * arguments, configuration or environment, or a refusal (nothing was changed), 3 (`status` only) a report was
 * printed and it is degraded, 4 a Region switch execution was started or followed and has not ended: it waits
 * for a manual approval (`--no-wait`) or drctl stopped following it (`--timeout`); it goes on in AWS. 130 an
 * interrupt (Ctrl-C) ended the command. Every error a command throws is one of these, with a one-line message.
 */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
export const EXIT_DEGRADED = 3;
export const EXIT_WAITING = 4;
/** 128 + SIGINT, as a shell reports an interrupted command. */
export const EXIT_INTERRUPTED = 130;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Bad arguments or configuration. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

/** The command declined to act (no confirmation, unmet precondition); nothing was changed. */
export class RefusedError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'RefusedError';
  }
}

/** The operation was attempted and did not succeed. */
export class OperationError extends CliError {
  constructor(message: string) {
    super(message, EXIT_FAILED);
    this.name = 'OperationError';
  }
}

/** Collapses any text to a single line (messages from commander, AWS errors, ...). */
export function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}
