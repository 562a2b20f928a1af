import { lazy } from '../shared/lazy';
import { createPaymentApiHandler } from './app';
import { paymentApiDepsFromEnv } from './deps';

/**
 * Lambda entry point for POST /payments and GET /payments/{id} (API Gateway REST API, proxy integration).
 * The database pool and AWS clients are created on the first invocation and reused by later ones.
 */
export const handler = createPaymentApiHandler(lazy(() => paymentApiDepsFromEnv(process.env)));
