import { createDocumentClient, createS3Client } from '../shared/aws';
import { createPgDatabase } from '../shared/db';
import { poolConfig } from '../shared/db-config';
import type { Env } from '../shared/env';
import { createOpenLogger, errorFields } from '../shared/logger';
import type { HealthDeps } from './checks';
import { parseHealthEnv } from './env';

/**
 * Production wiring of a health function from its environment contract (runtime/health/env.ts): one pool on
 * the writer endpoint (writability, heartbeat), one on the reader endpoint (the passive region's read), both
 * with the payment function's bounds, and the AWS clients.
 */
export function healthDepsFromEnv(env: Env, service: 'health' | 'probe'): HealthDeps {
  const s = parseHealthEnv(env);
  const log = createOpenLogger({ service, region: s.region });
  const onIdleError = (err: Error) =>
    log.warn('idle database connection failed', { component: 'database', ...errorFields(err) });
  const db = createPgDatabase(poolConfig(s, { applicationName: service }), { onIdleError });
  const readerDb = s.databaseUrl
    ? db
    : createPgDatabase(poolConfig({ ...s, dbHost: s.dbReaderHost }, { applicationName: service }), {
        onIdleError,
      });
  const aws = { region: s.region, ...(s.endpoint ? { endpoint: s.endpoint } : {}) };
  return {
    db,
    readerDb,
    dynamodb: createDocumentClient(aws),
    s3: createS3Client(aws),
    controlTable: s.controlTable,
    receiptsBucket: s.receiptsBucket,
    region: s.region,
    timeoutMs: s.healthTimeoutMs,
  };
}
