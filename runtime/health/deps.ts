import { awsOptionsFromEnv, createDocumentClient, createS3Client } from '../shared/aws';
import { createPgDatabase } from '../shared/db';
import { poolConfigFromEnv } from '../shared/db-config';
import type { Env } from '../shared/env';
import { createLogger, errorFields } from '../shared/logger';
import { healthConfigFromEnv } from '../shared/service-config';
import type { HealthAppDeps } from './app';

/**
 * Production wiring of the health check. Environment variables read: AWS_REGION, IDEMPOTENCY_TABLE,
 * RECEIPTS_BUCKET, HEALTH_TIMEOUT_MS (default 2000), AWS_ENDPOINT_URL (optional) and the database settings of
 * db-config.ts. AWS calls make a single attempt: the check must answer within its deadline.
 */
export function healthDepsFromEnv(env: Env): HealthAppDeps {
  const config = healthConfigFromEnv(env);
  const log = createLogger({ service: 'health', region: config.region });
  const db = createPgDatabase(
    poolConfigFromEnv({ ...env, DB_POOL_MAX: env.DB_POOL_MAX ?? '2' }, { applicationName: 'health' }),
    {
      onIdleError: (err) =>
        log.warn('idle database connection failed', { component: 'database', ...errorFields(err) }),
    },
  );
  const aws = { ...awsOptionsFromEnv(env), maxAttempts: 1, requestTimeoutMs: config.timeoutMs };
  return {
    db,
    dynamodb: createDocumentClient(aws),
    s3: createS3Client(aws),
    idempotencyTable: config.idempotencyTable,
    receiptsBucket: config.receiptsBucket,
    timeoutMs: config.timeoutMs,
    region: config.region,
  };
}
