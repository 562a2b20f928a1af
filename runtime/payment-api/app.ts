import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type Database, isTransientDatabaseError, READ_ONLY_SQL_TRANSACTION, sqlState } from '../shared/db';
import { createFenceGuard, DEFAULT_FENCE_CACHE_MS, type FenceGuard } from '../shared/fence';
import { HttpError, normalizeHeaders, resolveCorrelationId } from '../shared/http';
import { createLogger, errorFields, type Logger, type LogSink } from '../shared/logger';
import type { WritabilityProbe } from '../shared/writability';
import { createPayment } from './create-payment';
import { callerNotBound, databaseUnavailable, regionReadOnly } from './errors';
import { getPayment } from './get-payment';
import { callerMerchant, type MerchantDirectory } from './merchants';
import { parseCreatePayment } from './request';
import type { SideEffectTargets } from './side-effects';

/**
 * The payment API Lambda: routing, correlation ids, error mapping and one structured log line per request.
 * GET /health and /health/probe are not its routes: each has a function of its own (runtime/health/), so a
 * flood of the open /health cannot throttle payments. Dependencies are injected so tests and the local server can run the exact production code path.
 *
 * The error boundary (below) answers every failure with a JSON body: a database that is unreachable, timed
 * out or lost its connection 503 DATABASE_UNAVAILABLE, a read-only one 503 REGION_READ_ONLY (both with
 * Retry-After), whatever flow met it; only a genuine bug is 500. And every request is answered within its
 * budget (PAYMENT_REQUEST_BUDGET_MS): a request still running then gets 503 DEADLINE_EXCEEDED with
 * Retry-After, so the caller gets an answer with a body before the Lambda timeout cuts it off with none.
 * The abandoned work is safe to leave: every step of a payment is idempotent and a retry with the same key
 * finishes it (create-payment.ts).
 */
/**
 * How long one request may take, end to end. Below the payment function's 12 s Lambda timeout with room for
 * the runtime, and above the slowest bounded path (each AWS call 5 s, BUDGETS.paymentApi; each statement 6 s,
 * db-config.ts), so it only ends requests that met several slow dependencies in a row.
 */
export const PAYMENT_REQUEST_BUDGET_MS = 10_000;
export const DEADLINE_RETRY_AFTER_SECONDS = 1;
export interface PaymentApiDeps {
  db: Database;
  writability: WritabilityProbe;
  /** The regional write fence; default: a guard on `targets.controlTable` with the default cache bound. */
  fence?: FenceGuard;
  targets: SideEffectTargets;
  region: string;
  /** Which merchant each calling IAM principal acts for (merchants.ts; MERCHANTS in production). */
  merchants: MerchantDirectory;
  /** End-to-end budget of one request (PAYMENT_REQUEST_BUDGET_MS unless a test narrows it). */
  requestBudgetMs?: number;
  logSink?: LogSink;
  now?: () => Date;
}

const defaultGuards = new WeakMap<PaymentApiDeps, FenceGuard>();

/** The deps' fence guard (one per deps object, so its cache lives as long as they do). */
export function fenceOf(deps: PaymentApiDeps): FenceGuard {
  if (deps.fence) return deps.fence;
  let guard = defaultGuards.get(deps);
  if (!guard) {
    guard = createFenceGuard({
      ddb: deps.targets.ddb,
      table: deps.targets.controlTable,
      region: deps.region,
      cacheMs: DEFAULT_FENCE_CACHE_MS,
    });
    defaultGuards.set(deps, guard);
  }
  return guard;
}

export type ProxyHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

type Route = { name: 'POST /payments' } | { name: 'GET /payments/{id}'; id: string | undefined };

const PAYMENT_PATH = /^\/payments\/([^/]+)\/?$/;

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** Matches the API Gateway resource template first, the raw path second (local server, tests). */
function route(event: APIGatewayProxyEvent): { route: Route; label: string } {
  const method = event.httpMethod?.toUpperCase() ?? '';
  const path = event.path ?? '';
  const isCollection = event.resource === '/payments' || /^\/payments\/?$/.test(path);
  const itemMatch = PAYMENT_PATH.exec(path);
  const isItem = event.resource === '/payments/{id}' || itemMatch !== null;
  if (isCollection) {
    if (method === 'POST') return { route: { name: 'POST /payments' }, label: 'POST /payments' };
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'method not allowed on /payments', undefined, {
      Allow: 'POST',
    });
  }
  if (isItem) {
    if (method === 'GET') {
      const raw = event.pathParameters?.id ?? (itemMatch ? decodeSegment(itemMatch[1] as string) : undefined);
      return { route: { name: 'GET /payments/{id}', id: raw }, label: 'GET /payments/{id}' };
    }
    throw new HttpError(405, 'METHOD_NOT_ALLOWED', 'method not allowed on /payments/{id}', undefined, {
      Allow: 'GET',
    });
  }
  throw new HttpError(404, 'ROUTE_NOT_FOUND', 'no such route');
}

async function dispatch(
  deps: PaymentApiDeps,
  event: APIGatewayProxyEvent,
  log: Logger,
  onRoute: (label: string) => void,
): Promise<{ response: APIGatewayProxyResult; paymentId?: string; replayed?: boolean }> {
  const { route: matched, label } = route(event);
  onRoute(label);
  const bounded = <T>(work: Promise<T>): Promise<T> =>
    withinBudget(work, deps.requestBudgetMs ?? PAYMENT_REQUEST_BUDGET_MS, (err) =>
      log.warn('request failed after its budget was spent', { route: label, ...errorFields(err) }),
    );
  // Merchant binding: the caller's IAM identity, as API Gateway reports it, decides the merchant; before anything
  // else is read, so an unbound caller learns nothing (not even whether its body is valid).
  const merchantId = callerMerchant(event.requestContext?.identity, deps.merchants);
  if (merchantId === undefined) {
    log.warn('caller bound to no merchant', { route: label, component: 'auth' });
    throw callerNotBound();
  }
  if (matched.name === 'GET /payments/{id}') return bounded(getPayment(deps.db, matched.id, merchantId, log));
  const command = parseCreatePayment(event, normalizeHeaders(event), merchantId);
  return bounded(
    createPayment(
      {
        db: deps.db,
        writability: deps.writability,
        fence: fenceOf(deps),
        targets: deps.targets,
        region: deps.region,
        now: deps.now ?? (() => new Date()),
      },
      command,
      log,
    ),
  );
}

export function deadlineExceeded(budgetMs: number): HttpError {
  return new HttpError(
    503,
    'DEADLINE_EXCEEDED',
    `the request did not complete within ${budgetMs} ms; retry the same request (with the same Idempotency-Key)`,
    undefined,
    { 'Retry-After': String(DEADLINE_RETRY_AFTER_SECONDS) },
  );
}

/** Resolves or rejects like `work`, or rejects with DEADLINE_EXCEEDED at `budgetMs`, whichever comes first. */
function withinBudget<T>(work: Promise<T>, budgetMs: number, onLate: (err: unknown) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(deadlineExceeded(budgetMs));
    }, budgetMs);
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        if (late) onLate(err);
        else reject(err);
      },
    );
  });
}

/** Maps what a flow threw to an answer: its own HttpError, a database condition, or 500. */
function errorResponse(err: unknown, log: Logger, label: string): APIGatewayProxyResult {
  if (err instanceof HttpError) {
    if (err.code === 'DEADLINE_EXCEEDED') log.error('request budget spent', { route: label });
    return err.toResponse();
  }
  if (sqlState(err) === READ_ONLY_SQL_TRANSACTION) {
    log.warn('write refused by a read-only database', {
      route: label,
      component: 'database',
      ...errorFields(err),
    });
    return regionReadOnly().toResponse();
  }
  if (isTransientDatabaseError(err)) {
    log.error('database unavailable', { route: label, component: 'database', ...errorFields(err) });
    return databaseUnavailable().toResponse();
  }
  log.error('unhandled error', { route: label, ...errorFields(err) });
  return new HttpError(500, 'INTERNAL_ERROR', 'internal error').toResponse();
}

export function createPaymentApiHandler(
  getDeps: () => Promise<PaymentApiDeps>,
  fallbackSink?: LogSink,
): ProxyHandler {
  return async (event) => {
    const started = process.hrtime.bigint();
    const headers = normalizeHeaders(event);
    const correlationId = resolveCorrelationId(headers, event.requestContext?.requestId);
    let label = `${event.httpMethod ?? '?'} ${event.path ?? '?'}`;
    let log = createLogger(
      { service: 'payment-api', region: process.env.AWS_REGION, correlationId },
      fallbackSink,
    );
    let outcome: { response: APIGatewayProxyResult; paymentId?: string; replayed?: boolean };
    let servingRegion = process.env.AWS_REGION ?? 'unknown';
    try {
      const deps = await getDeps();
      servingRegion = deps.region;
      log = createLogger(
        { service: 'payment-api', region: deps.region, correlationId },
        deps.logSink ?? fallbackSink,
      );
      outcome = await dispatch(deps, event, log, (matched) => {
        label = matched;
      });
    } catch (err) {
      outcome = { response: errorResponse(err, log, label) };
    }
    const response = outcome.response;
    // Every answer names the region that served it (the body's `region` is where a payment was recorded,
    // which differs after a failover).
    response.headers = {
      ...response.headers,
      'X-Correlation-Id': correlationId,
      'X-Served-By-Region': servingRegion,
    };
    const status = response.statusCode;
    const latencyMs = Number(process.hrtime.bigint() - started) / 1e6;
    const fields = {
      route: label,
      method: event.httpMethod,
      status,
      latencyMs: Math.round(latencyMs * 100) / 100,
      paymentId: outcome.paymentId,
      replayed: outcome.replayed,
    };
    if (status >= 500) log.error('request completed', fields);
    else if (status >= 400) log.warn('request completed', fields);
    else log.info('request completed', fields);
    return response;
  };
}
