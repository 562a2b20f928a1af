import { awsHttpStatus } from './aws-clients';

/**
 * Structured JSON logs of every function: one line per event on stdout, which Lambda forwards to CloudWatch
 * Logs unchanged.
 *
 * The payment path logs only the fields declared in `LogFields`, so a request body, a payment method token,
 * an Authorization header or a secret has no field to travel in. The failover functions and drctl log open
 * fields (`OpenLogFields`: scalars and string lists, e.g. a decision's phase and streaks). Either way, as a
 * second line of defence, every string is scrubbed of anything shaped like a card token and bounded in
 * length, so an unexpected error message can neither leak a token nor flood the log.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface LogFields {
  region?: string;
  service?: string;
  correlationId?: string;
  requestId?: string;
  route?: string;
  method?: string;
  status?: number;
  latencyMs?: number;
  paymentId?: string;
  replayed?: boolean;
  component?: string;
  reason?: string;
  errorName?: string;
  errorCode?: string;
  errorMessage?: string;
  httpStatus?: number;
  applied?: string[];
  count?: number;
  url?: string;
}

export type LogValue = string | number | boolean | null | undefined | readonly string[];
/** Fields of the failover functions' and drctl's log lines. */
export type OpenLogFields = Readonly<Record<string, LogValue>>;

export type LogSink = (line: string) => void;

export interface Logger<F extends object = LogFields> {
  debug(message: string, fields?: F): void;
  info(message: string, fields?: F): void;
  warn(message: string, fields?: F): void;
  error(message: string, fields?: F): void;
  child(fields: F): Logger<F>;
}

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** A sink that drops everything (drctl prints its own progress; tests that do not read the log). */
export const silentSink: LogSink = () => undefined;

const TOKEN_PATTERN = /tok_[A-Za-z0-9]+/g;
const MAX_STRING = 1024;

function scrub(value: string): string {
  const cleaned = value.replace(TOKEN_PATTERN, 'tok_[redacted]');
  return cleaned.length > MAX_STRING ? `${cleaned.slice(0, MAX_STRING)}...` : cleaned;
}

function sanitize(fields: object): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'string') out[key] = scrub(value);
    else if (Array.isArray(value))
      out[key] = value.map((v: unknown) => (typeof v === 'string' ? scrub(v) : v));
    else out[key] = value;
  }
  return out;
}

export interface LoggerOptions {
  sink?: LogSink;
  /** The clock of the timestamps (a simulated one in tests and drills). */
  now?: () => number;
}

function makeLogger<F extends object>(base: F, o: Required<LoggerOptions>): Logger<F> {
  const write = (level: LogLevel, message: string, fields?: F): void => {
    o.sink(
      JSON.stringify({
        level,
        message: scrub(message),
        timestamp: new Date(o.now()).toISOString(),
        ...sanitize(base),
        ...sanitize(fields ?? {}),
      }),
    );
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => makeLogger({ ...base, ...fields }, o),
  };
}

/** The payment path's logger: closed fields. */
export function createLogger(base: LogFields = {}, sink: LogSink = stdoutSink): Logger<LogFields> {
  return makeLogger(base, { sink, now: Date.now });
}

/** The failover functions' and drctl's logger: open fields, the same scrubbing and bounds. */
export function createOpenLogger(
  base: OpenLogFields = {},
  options: LoggerOptions = {},
): Logger<OpenLogFields> {
  return makeLogger(base, { sink: options.sink ?? stdoutSink, now: options.now ?? Date.now });
}

/**
 * Safe, bounded description of an error for a log line or a notification: its class, code (SQLSTATE or AWS
 * error code) and HTTP status when it has them, and its message.
 */
export function errorFields(
  err: unknown,
): Required<Pick<LogFields, 'errorName' | 'errorMessage'>> & Pick<LogFields, 'errorCode' | 'httpStatus'> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const status = awsHttpStatus(err);
    return {
      errorName: err.name,
      ...(typeof code === 'string' ? { errorCode: code } : {}),
      errorMessage: scrub(err.message),
      ...(status !== undefined ? { httpStatus: status } : {}),
    };
  }
  return { errorName: typeof err, errorMessage: scrub(String(err)) };
}

export type OpenLogger = Logger<OpenLogFields>;
