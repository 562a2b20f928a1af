/**
 * Structured JSON logs: one line per event on stdout, which Lambda forwards to CloudWatch Logs unchanged.
 *
 * Only the fields declared in `LogFields` can be logged, so a request body, a payment method token, an
 * Authorization header or a secret has no field to travel in. As a second line of defence every string
 * value is scrubbed of anything shaped like a card token before it is written.
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
  applied?: string[];
  count?: number;
  url?: string;
}

export type LogSink = (line: string) => void;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

export const stdoutSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

const TOKEN_PATTERN = /tok_[A-Za-z0-9]+/g;
const MAX_STRING = 512;

function scrub(value: string): string {
  const cleaned = value.replace(TOKEN_PATTERN, 'tok_[redacted]');
  return cleaned.length > MAX_STRING ? `${cleaned.slice(0, MAX_STRING)}...` : cleaned;
}

function sanitize(fields: LogFields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (typeof value === 'string') out[key] = scrub(value);
    else if (Array.isArray(value)) out[key] = value.map((v) => (typeof v === 'string' ? scrub(v) : v));
    else out[key] = value;
  }
  return out;
}

export function createLogger(base: LogFields = {}, sink: LogSink = stdoutSink): Logger {
  const write = (level: LogLevel, message: string, fields?: LogFields): void => {
    const entry = {
      level,
      message: scrub(message),
      timestamp: new Date().toISOString(),
      ...sanitize(base),
      ...sanitize(fields ?? {}),
    };
    sink(JSON.stringify(entry));
  };
  return {
    debug: (message, fields) => write('debug', message, fields),
    info: (message, fields) => write('info', message, fields),
    warn: (message, fields) => write('warn', message, fields),
    error: (message, fields) => write('error', message, fields),
    child: (fields) => createLogger({ ...base, ...fields }, sink),
  };
}

/** Safe, bounded description of an error for a log line: its class, code (SQLSTATE or AWS error) and message. */
export function errorFields(err: unknown): Pick<LogFields, 'errorName' | 'errorCode' | 'errorMessage'> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return {
      errorName: err.name,
      errorCode: typeof code === 'string' ? code : undefined,
      errorMessage: err.message,
    };
  }
  return { errorName: typeof err, errorMessage: String(err) };
}
