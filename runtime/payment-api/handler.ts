import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { lazy } from '../shared/lazy';
import { createLogger } from '../shared/logger';
import { createPaymentApiHandler } from './app';
import { paymentApiDepsFromEnv } from './deps';
import { isScheduledEvent, reconcileIncompletePayments, type ReconcileResult } from './reconcile';

/**
 * Lambda entry point of the payment function: API Gateway proxy events (POST /payments, GET /payments/{id},
 * GET /health) and, every few minutes, an EventBridge scheduled event that completes payments whose side
 * effects were left incomplete (reconcile.ts). The database pool and AWS clients are created on the first
 * invocation and reused by later ones.
 */
const deps = lazy(() => paymentApiDepsFromEnv(process.env));
const api = createPaymentApiHandler(deps);

export async function handler(
  event: APIGatewayProxyEvent | { source: string; 'detail-type': string },
): Promise<APIGatewayProxyResult | ReconcileResult> {
  if (!isScheduledEvent(event)) return api(event as APIGatewayProxyEvent);
  const d = await deps();
  const log = createLogger({ service: 'payment-api', region: d.region, component: 'reconcile' });
  const result = await reconcileIncompletePayments({ ...d, now: () => new Date() }, log);
  log.info('reconcile finished', {
    reason:
      result.status === 'done'
        ? `${result.completed} completed, ${result.failed} still failing`
        : result.status,
    ...(result.status === 'done' ? { count: result.found } : {}),
  });
  return result;
}
