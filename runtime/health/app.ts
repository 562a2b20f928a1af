import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { HttpError, jsonResponse, normalizeHeaders, resolveCorrelationId } from '../shared/http';
import { createLogger, errorFields, type Logger, type LogSink } from '../shared/logger';
import { checkHealth, type HealthDeps } from './checks';

/**
 * GET /health. 200 `{"status":"ok","region":...}` only when this region can take payments; otherwise 503
 * `{"status":"unavailable","region":...}`. The body never says which dependency failed or why (the endpoint
 * is public, for the Route 53 health checkers); the log does. Never cached. HEAD gets the same status.
 */
export interface HealthAppDeps extends HealthDeps {
  region: string;
  logSink?: LogSink;
}

/** Runs the checks and renders the answer; failures are logged, one line per failing component. */
export async function healthResponse(
  deps: HealthDeps & { region: string },
  log: Logger,
): Promise<APIGatewayProxyResult> {
  const report = await checkHealth(deps);
  for (const component of report.components.filter((c) => !c.ok)) {
    log.error('health check failed', {
      component: component.component,
      reason: component.reason,
      latencyMs: component.latencyMs,
    });
  }
  return jsonResponse(report.healthy ? 200 : 503, {
    status: report.healthy ? 'ok' : 'unavailable',
    region: deps.region,
  });
}

export function healthMethodNotAllowed(): HttpError {
  return new HttpError(405, 'METHOD_NOT_ALLOWED', 'method not allowed on /health', undefined, {
    Allow: 'GET, HEAD',
  });
}

export function createHealthHandler(
  getDeps: () => Promise<HealthAppDeps>,
  fallbackSink?: LogSink,
): (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult> {
  return async (event) => {
    const started = Date.now();
    const correlationId = resolveCorrelationId(normalizeHeaders(event), event.requestContext?.requestId);
    const region = process.env.AWS_REGION ?? 'unknown';
    let log = createLogger({ service: 'health', region, correlationId }, fallbackSink);
    let response: APIGatewayProxyResult;
    const method = event.httpMethod?.toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') {
      response = healthMethodNotAllowed().toResponse();
    } else {
      try {
        const deps = await getDeps();
        log = createLogger(
          { service: 'health', region: deps.region, correlationId },
          deps.logSink ?? fallbackSink,
        );
        response = await healthResponse(deps, log);
      } catch (err) {
        log.error('health check could not run', errorFields(err));
        response = jsonResponse(503, { status: 'unavailable', region });
      }
    }
    response.headers = {
      ...response.headers,
      'Cache-Control': 'no-store',
      'X-Correlation-Id': correlationId,
    };
    if (method === 'HEAD') response.body = '';
    log.info('request completed', {
      route: 'GET /health',
      method: event.httpMethod,
      status: response.statusCode,
      latencyMs: Date.now() - started,
    });
    return response;
  };
}
