/**
 * Structured JSON logs of the failover functions: one line per event on stdout (Lambda forwards it to
 * CloudWatch Logs unchanged). Values are scalars or string lists only; strings are bounded in length so an
 * unexpected error message cannot flood the log.
 */
export type LogValue = string | number | boolean | null | undefined | readonly string[];
export type LogFields = Readonly<Record<string, LogValue>>;
export type LogSink = (line: string) => void;

export interface FailoverLogger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): FailoverLogger;
}

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** A sink that drops everything (the CLI prints its own progress instead). */
export const silentSink: LogSink = () => undefined;

const MAX_STRING = 1024;

function bound(value: string): string {
  return value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}...` : value;
}

function clean(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'string') out[key] = bound(value);
    else if (Array.isArray(value)) out[key] = value.map((v: string) => bound(v));
    else out[key] = value;
  }
  return out;
}

export function createFailoverLogger(
  base: LogFields = {},
  sink: LogSink = stdoutSink,
  now: () => number = Date.now,
): FailoverLogger {
  const write = (level: 'info' | 'warn' | 'error', message: string, fields?: LogFields): void => {
    sink(
      JSON.stringify({
        level,
        message: bound(message),
        timestamp: new Date(now()).toISOString(),
        ...clean(base),
        ...clean(fields ?? {}),
      }),
    );
  };
  return {
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createFailoverLogger({ ...base, ...fields }, sink, now),
  };
}

/** Name, AWS error code / HTTP status and message of an error, for a log line or a notification. */
export function describeError(err: unknown): {
  errorName: string;
  errorMessage: string;
  httpStatus?: number;
} {
  if (err instanceof Error) {
    const status = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
    return {
      errorName: err.name,
      errorMessage: bound(err.message),
      ...(typeof status === 'number' ? { httpStatus: status } : {}),
    };
  }
  return { errorName: typeof err, errorMessage: bound(String(err)) };
}
