import { lazy } from '../shared/lazy';
import { createHealthHandler } from './app';
import { healthDepsFromEnv } from './deps';

/**
 * Lambda entry point of the `health` function: the public GET /health (status, region, role only). Its own
 * function with its own reserved concurrency (src/constructs/health-service.ts), so a flood of this open route
 * throttles this function alone. Pools and clients are created on the first invocation and reused.
 */
export const handler = createHealthHandler(
  '/health',
  lazy(async () => healthDepsFromEnv(process.env, 'health')),
);
