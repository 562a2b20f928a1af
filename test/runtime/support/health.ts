import type { APIGatewayProxyResult } from 'aws-lambda';
import { createHealthHandler, type HealthRoute } from '../../../runtime/health/app';
import type { HealthDeps } from '../../../runtime/health/checks';
import { proxyEvent } from './events';

/** One answer of a health route, with the lines its function logged and how long it took. */
export interface HealthAnswer {
  res: APIGatewayProxyResult;
  body: Record<string, unknown>;
  elapsed: number;
  logs: Array<Record<string, unknown>>;
}

/** Calls `route` once, as API Gateway would, with `deps` as the function's dependencies. */
export async function callHealth(
  route: HealthRoute,
  deps: HealthDeps,
  method: 'GET' | 'HEAD' | 'POST' = 'GET',
): Promise<HealthAnswer> {
  const lines: string[] = [];
  const handler = createHealthHandler(route, async () => deps, {
    logSink: (line) => lines.push(line),
    region: deps.region,
  });
  const started = Date.now();
  const res = await handler(proxyEvent({ method, path: route, resource: route }));
  return {
    res,
    body: res.body ? (JSON.parse(res.body) as Record<string, unknown>) : {},
    elapsed: Date.now() - started,
    logs: lines.map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** The components of a probe answer, by name. */
export function componentsOf(answer: HealthAnswer): Record<string, { ok: boolean; reason?: string }> {
  const list = (answer.body.components ?? []) as Array<{ component: string; ok: boolean; reason?: string }>;
  return Object.fromEntries(list.map(({ component, ...rest }) => [component, rest]));
}
