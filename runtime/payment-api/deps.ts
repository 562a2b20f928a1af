import { createDocumentClient, createS3Client, awsOptionsFromEnv } from '../shared/aws';
import { createPgDatabase } from '../shared/db';
import { poolConfigFromEnv } from '../shared/db-config';
import type { Env } from '../shared/env';
import { createLogger, errorFields } from '../shared/logger';
import { healthTimeoutFromEnv, serviceConfigFromEnv, writabilityTtlFromEnv } from '../shared/service-config';
import { createWritabilityProbe } from '../shared/writability';
import type { PaymentApiDeps } from './app';

/**
 * Production wiring of the payment API from the environment. Environment variables read:
 * AWS_REGION, IDEMPOTENCY_TABLE, SESSIONS_TABLE, RECEIPTS_BUCKET, RECEIPTS_KMS_KEY_ARN, AWS_ENDPOINT_URL
 * (optional), DB_READ_ONLY_CACHE_MS (optional), HEALTH_TIMEOUT_MS (optional, for GET /health), and the database settings of db-config.ts (DATABASE_URL or
 * DB_HOST, DB_PORT, DB_NAME, DB_USER, DB_CA_BUNDLE_PATH, DB_POOL_MAX, DB_CONNECT_TIMEOUT_MS,
 * DB_STATEMENT_TIMEOUT_MS).
 */
export function paymentApiDepsFromEnv(env: Env): PaymentApiDeps {
  const config = serviceConfigFromEnv(env);
  const log = createLogger({ service: 'payment-api', region: config.region });
  const db = createPgDatabase(poolConfigFromEnv(env, { applicationName: 'payment-api' }), {
    onIdleError: (err) =>
      log.warn('idle database connection failed', { component: 'database', ...errorFields(err) }),
  });
  const aws = awsOptionsFromEnv(env);
  return {
    db,
    writability: createWritabilityProbe(db, { ttlMs: writabilityTtlFromEnv(env) }),
    targets: {
      ddb: createDocumentClient(aws),
      s3: createS3Client(aws),
      idempotencyTable: config.idempotencyTable,
      sessionsTable: config.sessionsTable,
      receiptsBucket: config.receiptsBucket,
      receiptsKmsKeyArn: config.receiptsKmsKeyArn,
    },
    region: config.region,
    healthTimeoutMs: healthTimeoutFromEnv(env),
  };
}
