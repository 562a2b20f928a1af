import { lazy } from '../shared/lazy';
import { createHealthHandler } from './app';
import { healthDepsFromEnv } from './deps';

/** Lambda entry point for GET /health (API Gateway REST API, proxy integration). Clients are reused. */
export const handler = createHealthHandler(lazy(() => healthDepsFromEnv(process.env)));
