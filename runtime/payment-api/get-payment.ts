import type { APIGatewayProxyResult } from 'aws-lambda';
import { isConnectionError, type Queryable, retryOnConnectionLoss } from '../shared/db';
import { HttpError, jsonResponse } from '../shared/http';
import { errorFields, type Logger } from '../shared/logger';
import { databaseUnavailable } from './errors';
import { findMerchantPayment } from './payments-repo';
import { parsePaymentId } from './request';
import { toPaymentResource } from './resource';

/**
 * GET /payments/{id}: a read, so it also works in a read-only (secondary) region. Only a payment of the caller's
 * merchant is found: another merchant's is 404 PAYMENT_NOT_FOUND, exactly like an id nobody has (no existence
 * oracle).
 */
export async function getPayment(
  db: Queryable,
  rawId: string | undefined,
  merchantId: string,
  log: Logger,
): Promise<{ response: APIGatewayProxyResult; paymentId: string }> {
  const id = parsePaymentId(rawId);
  let payment;
  try {
    payment = await retryOnConnectionLoss(() => findMerchantPayment(db, id, merchantId));
  } catch (err) {
    if (isConnectionError(err)) {
      log.error('database unavailable while reading a payment', {
        component: 'database',
        ...errorFields(err),
      });
      throw databaseUnavailable();
    }
    throw err;
  }
  if (!payment) throw new HttpError(404, 'PAYMENT_NOT_FOUND', 'no payment has this id');
  return { response: jsonResponse(200, toPaymentResource(payment)), paymentId: id };
}
