import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { HttpError, jsonResponse, normalizeHeaders, resolveCorrelationId } from '../shared/http';
import { createOpenLogger, errorFields, type LogSink } from '../shared/logger';
import { checkHealth, type HealthDeps, type HealthReport } from './checks';

/**
 * The two health routes, each served by its own function so that a flood of one cannot starve the other or
 * the payment function (src/constructs/health-service.ts):
 *
 * - `GET /health` (public status): 200 `{"status":"ok","region","role"}` when the check
 *   passes, otherwise 503 `{"status":"unavailable","region","role"}`. Nothing else: the endpoint is open, so
 *   the body never says which dependency failed or why; the log does.
 * - `GET /health/probe` (SigV4 only, for the failover detectors): the same statuses and fields, plus
 *   `components`, each with `ok` and, when it failed, a short `reason` (`timeout`, `schema_pending`, ...).
 *
 * `role` is `active` only when this check found the region's cluster writable; a check that could not tell (the
 * writer did not answer) reports `passive` with its 503. Never cached; HEAD gets the same status without a body;
 * any other method 405. Any failure of the function itself (its configuration, say) answers 503, never 500: the
 * region is not healthy.
 */
export const healthBodySchema = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  region: z.string(),
  role: z.enum(['active', 'passive']),
});

export const probeBodySchema = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  region: z.string(),
  role: z.enum(['active', 'passive']),
  components: z.array(
    z.strictObject({
      component: z.enum(['database', 'heartbeat', 'dynamodb', 's3']),
      ok: z.boolean(),
      reason: z.optional(z.string()),
    }),
  ),
});

export type HealthBody = z.infer<typeof healthBodySchema>;
export type ProbeBody = z.infer<typeof probeBodySchema>;

/** Which of the two routes a function serves. */
export type HealthRoute = '/health' | '/health/probe';

export function healthBody(report: HealthReport, region: string): HealthBody {
  return { status: report.healthy ? 'ok' : 'unavailable', region, role: report.role };
}

export function probeBody(report: HealthReport, region: string): ProbeBody {
  return {
    ...healthBody(report, region),
    components: report.components.map(({ component, ok, reason }) => ({
      component,
      ok,
      ...(ok || reason === undefined ? {} : { reason }),
    })),
  };
}

export type HealthHandler = (event: APIGatewayProxyEvent) => Promise<APIGatewayProxyResult>;

/** The handler of `route`, with its dependencies created on first use (and reused) by `getDeps`. */
export function createHealthHandler(
  route: HealthRoute,
  getDeps: () => Promise<HealthDeps>,
  options: { logSink?: LogSink; region?: string } = {},
): HealthHandler {
  const service = route === '/health' ? 'health' : 'probe';
  return async (event) => {
    let region = options.region ?? process.env.AWS_REGION ?? 'unknown';
    const correlationId = resolveCorrelationId(normalizeHeaders(event), event.requestContext?.requestId);
    // Open fields: the health functions handle no payment data, and their lines name the role they found.
    const log = createOpenLogger({ service, region, correlationId }, { sink: options.logSink });
    const method = event.httpMethod?.toUpperCase() ?? '';
    let response: APIGatewayProxyResult;
    let role: string | undefined;
    if (method !== 'GET' && method !== 'HEAD') {
      response = new HttpError(405, 'METHOD_NOT_ALLOWED', `method not allowed on ${route}`, undefined, {
        Allow: 'GET, HEAD',
      }).toResponse();
    } else {
      try {
        const deps = await getDeps();
        region = deps.region;
        const report = await checkHealth(deps);
        role = report.role;
        for (const c of report.components.filter((x) => !x.ok)) {
          log.error('health check failed', {
            component: c.component,
            reason: c.reason,
            latencyMs: c.latencyMs,
          });
        }
        const body = route === '/health' ? healthBody(report, region) : probeBody(report, region);
        response = jsonResponse(report.healthy ? 200 : 503, body);
      } catch (err) {
        log.error('health check could not run', errorFields(err));
        const body: HealthBody = { status: 'unavailable', region, role: 'passive' };
        response = jsonResponse(503, body);
      }
      if (method === 'HEAD') response.body = '';
    }
    response.headers = {
      ...response.headers,
      'X-Correlation-Id': correlationId,
      'X-Served-By-Region': region,
    };
    log.info('request completed', { route: `${method} ${route}`, status: response.statusCode, role });
    return response;
  };
}
