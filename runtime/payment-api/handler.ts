import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { lazy } from '../shared/lazy';
import { createLogger } from '../shared/logger';
import { createPaymentApiHandler, fenceOf } from './app';
import { paymentApiDepsFromEnv } from './deps';
import { isScheduledEvent, reconcileIncompletePayments, type ReconcileResult } from './reconcile';

/**
 * Lambda entry point of the payment function: API Gateway proxy events (POST /payments, GET /payments/{id}) and, every few minutes, an EventBridge scheduled event that completes payments whose side
 * effects were left incomplete (reconcile.ts). The database pool and AWS clients are created on the first
 * invocation and reused by later ones.
 */
const deps = lazy(() => paymentApiDepsFromEnv(process.env));
const api = createPaymentApiHandler(deps);

export async function handler(
  event: APIGatewayProxyEvent | { source: string; 'detail-type': string },
  context?: Pick<Context, 'getRemainingTimeInMillis'>,
): Promise<APIGatewayProxyResult | ReconcileResult> {
  if (!isScheduledEvent(event)) return api(event as APIGatewayProxyEvent);
  const d = await deps();
  const log = createLogger({ service: 'payment-api', region: d.region, component: 'reconcile' });
  const deadline = context ? Date.now() + context.getRemainingTimeInMillis() : undefined;
  const result = await reconcileIncompletePayments(
    { ...d, fence: fenceOf(d), now: () => new Date(), ...(deadline !== undefined ? { deadline } : {}) },
    log,
  );
  log.info('reconcile finished', {
    reason:
      result.status === 'done'
        ? `${result.completed} completed, ${result.failed} still failing`
        : result.status,
    ...(result.status === 'done' ? { count: result.found } : {}),
  });
  return result;
}
