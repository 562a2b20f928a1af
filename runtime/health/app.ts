import type { APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';
import { HttpError, jsonResponse } from '../shared/http';
import type { Logger } from '../shared/logger';
import { checkHealth, type HealthDeps } from './checks';

/**
 * GET /health. 200 `{"status":"ok","region":...}` only when this region can take payments; otherwise 503
 * `{"status":"unavailable","region":...}`. The body never says which dependency failed or why (the endpoint
 * is public, for the Route 53 health checkers); the log does. Never cached. HEAD gets the same status.
 * Served by the payment function (payment-api/app.ts), so a broken payment function fails its own check.
 */
export const healthBodySchema = z.strictObject({
  status: z.enum(['ok', 'unavailable']),
  region: z.string(),
});

export type HealthBody = z.infer<typeof healthBodySchema>;

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
  const body: HealthBody = { status: report.healthy ? 'ok' : 'unavailable', region: deps.region };
  return jsonResponse(report.healthy ? 200 : 503, body);
}

export function healthMethodNotAllowed(): HttpError {
  return new HttpError(405, 'METHOD_NOT_ALLOWED', 'method not allowed on /health', undefined, {
    Allow: 'GET, HEAD',
  });
}
