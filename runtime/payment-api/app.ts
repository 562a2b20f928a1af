import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { healthMethodNotAllowed, healthResponse } from '../health/app';
import type { Database } from '../shared/db';
import { createFenceGuard, DEFAULT_FENCE_CACHE_MS, type FenceGuard } from '../shared/fence';
import { HttpError, normalizeHeaders, resolveCorrelationId } from '../shared/http';
import { createLogger, errorFields, type Logger, type LogSink } from '../shared/logger';
import type { WritabilityProbe } from '../shared/writability';
import { createPayment } from './create-payment';
import { getPayment } from './get-payment';
import { parseCreatePayment } from './request';
import type { SideEffectTargets } from './side-effects';
import { DEFAULT_HEALTH_TIMEOUT_MS } from './env';

/**
 * The payment API Lambda: routing, correlation ids, error mapping and one structured log line per request.
 * It also answers GET /health (the deep check of health/), which API Gateway routes to this function, so a
 * broken payment function fails its own health check and Route 53 moves traffic away from it.
 * Dependencies are injected so tests and the local server can run the exact production code path.
 */
export interface PaymentApiDeps {
  db: Database;
  writability: WritabilityProbe;
  /** The regional write fence; default: a guard on `targets.controlTable` with the default cache bound. */
  fence?: FenceGuard;
  targets: SideEffectTargets;
  region: string;
  /** Overall deadline of GET /health (HEALTH_TIMEOUT_MS); 1000 ms by default. */
  healthTimeoutMs?: number;
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

type Route =
  | { name: 'POST /payments' }
  | { name: 'GET /payments/{id}'; id: string | undefined }
  | { name: 'GET /health'; head: boolean };

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
  if (event.resource === '/health' || path === '/health') {
    if (method === 'GET' || method === 'HEAD') {
      return { route: { name: 'GET /health', head: method === 'HEAD' }, label: 'GET /health' };
    }
    throw healthMethodNotAllowed();
  }
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
  if (matched.name === 'GET /payments/{id}') return getPayment(deps.db, matched.id, log);
  if (matched.name === 'GET /health') {
    const response = await healthResponse(
      {
        db: deps.db,
        dynamodb: deps.targets.ddb,
        s3: deps.targets.s3,
        // The control table is the DynamoDB table this region needs to take payments.
        idempotencyTable: deps.targets.controlTable,
        receiptsBucket: deps.targets.receiptsBucket,
        timeoutMs: deps.healthTimeoutMs ?? DEFAULT_HEALTH_TIMEOUT_MS,
        region: deps.region,
      },
      log,
    );
    if (matched.head) response.body = '';
    return { response };
  }
  const command = parseCreatePayment(event, normalizeHeaders(event));
  return createPayment(
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
  );
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
      if (err instanceof HttpError) {
        outcome = { response: err.toResponse() };
      } else {
        log.error('unhandled error', { route: label, ...errorFields(err) });
        outcome = { response: new HttpError(500, 'INTERNAL_ERROR', 'internal error').toResponse() };
      }
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
