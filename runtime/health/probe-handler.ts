import { lazy } from '../shared/lazy';
import { createHealthHandler } from './app';
import { healthDepsFromEnv } from './deps';

/**
 * Lambda entry point of the `probe` function: GET /health/probe, SigV4 only (API Gateway IAM authorization), the
 * signal the failover detectors read: the same check as GET /health, with each component's result. Its own
 * function and reserved concurrency (src/constructs/health-service.ts): a flood of the open /health never
 * reaches it.
 */
export const handler = createHealthHandler(
  '/health/probe',
  lazy(async () => healthDepsFromEnv(process.env, 'probe')),
);
