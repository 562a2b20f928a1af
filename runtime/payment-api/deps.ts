import { createDocumentClient, createS3Client } from '../shared/aws';
import { createPgDatabase } from '../shared/db';
import { poolConfig } from '../shared/db-config';
import type { Env } from '../shared/env';
import { createFenceGuard } from '../shared/fence';
import { createLogger, errorFields } from '../shared/logger';
import { createWritabilityProbe } from '../shared/writability';
import type { PaymentApiDeps } from './app';
import { parsePaymentApiEnv } from './env';

/** Production wiring of the payment API from its environment contract (runtime/payment-api/env.ts). */
export function paymentApiDepsFromEnv(env: Env): PaymentApiDeps {
  const s = parsePaymentApiEnv(env);
  const log = createLogger({ service: 'payment-api', region: s.region });
  const db = createPgDatabase(poolConfig(s, { applicationName: 'payment-api' }), {
    onIdleError: (err) =>
      log.warn('idle database connection failed', { component: 'database', ...errorFields(err) }),
  });
  const aws = { region: s.region, ...(s.endpoint ? { endpoint: s.endpoint } : {}) };
  const ddb = createDocumentClient(aws);
  return {
    db,
    writability: createWritabilityProbe(db, { ttlMs: s.readOnlyCacheMs }),
    fence: createFenceGuard({ ddb, table: s.controlTable, region: s.region, cacheMs: s.fenceCacheMs }),
    targets: {
      ddb,
      s3: createS3Client(aws),
      controlTable: s.controlTable,
      sessionsTable: s.sessionsTable,
      receiptsBucket: s.receiptsBucket,
      receiptsKmsKeyArn: s.receiptsKmsKeyArn,
    },
    region: s.region,
    merchants: s.merchants,
  };
}
