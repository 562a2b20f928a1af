import { type Env, intEnv, requireEnv } from './env';

/**
 * Names of the resources the service writes to, from the environment set by the infrastructure:
 * AWS_REGION, IDEMPOTENCY_TABLE, SESSIONS_TABLE, RECEIPTS_BUCKET, RECEIPTS_KMS_KEY_ARN.
 */
export interface ServiceConfig {
  region: string;
  idempotencyTable: string;
  sessionsTable: string;
  receiptsBucket: string;
  receiptsKmsKeyArn: string;
}

export function serviceConfigFromEnv(env: Env): ServiceConfig {
  return {
    region: requireEnv(env, 'AWS_REGION'),
    idempotencyTable: requireEnv(env, 'IDEMPOTENCY_TABLE'),
    sessionsTable: requireEnv(env, 'SESSIONS_TABLE'),
    receiptsBucket: requireEnv(env, 'RECEIPTS_BUCKET'),
    receiptsKmsKeyArn: requireEnv(env, 'RECEIPTS_KMS_KEY_ARN'),
  };
}

/**
 * Overall deadline of GET /health: HEALTH_TIMEOUT_MS, default 1000. Route 53 counts a check as failed unless
 * the 2xx arrives within 2 s of connecting; API Gateway and Lambda add their own latency on top of this.
 */
export const DEFAULT_HEALTH_TIMEOUT_MS = 1000;

export function healthTimeoutFromEnv(env: Env): number {
  return intEnv(env, 'HEALTH_TIMEOUT_MS', DEFAULT_HEALTH_TIMEOUT_MS, { min: 50, max: 30_000 });
}

/** How long a `SHOW transaction_read_only` answer is trusted: DB_READ_ONLY_CACHE_MS, default 2000, at most 10 s. */
export function writabilityTtlFromEnv(env: Env): number {
  return intEnv(env, 'DB_READ_ONLY_CACHE_MS', 2000, { min: 0, max: 10_000 });
}
