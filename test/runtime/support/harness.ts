import {
  createPaymentApiHandler,
  type PaymentApiDeps,
  type ProxyHandler,
} from '../../../runtime/payment-api/app';
import type { Database } from '../../../runtime/shared/db';
import { createFenceGuard } from '../../../runtime/shared/fence';
import { createWritabilityProbe } from '../../../runtime/shared/writability';
import {
  createResources,
  destroyResources,
  listKeys,
  type ResourceNames,
  scanAll,
  type TestAws,
  testAws,
  uniqueNames,
} from './aws';
import { createMigratedTestDatabase, type TestDatabase } from './database';
import { TEST_MERCHANTS } from './merchants';

/**
 * Everything one test file needs to run the payment API for real: a fresh migrated database, its own DynamoDB
 * tables and S3 bucket in moto, the handler wired to them, and captured log lines.
 */
export interface Counts {
  payments: number;
  ledgerEntries: number;
  /** Reservations (`rsv#` items) in the control table; the fence item is not counted. */
  reservations: number;
  sessionItems: number;
  receipts: number;
}

export interface PaymentHarness {
  tdb: TestDatabase;
  aws: TestAws;
  names: ResourceNames;
  region: string;
  logs: string[];
  deps: PaymentApiDeps;
  handler: ProxyHandler;
  handlerWith(overrides: Partial<PaymentApiDeps>): ProxyHandler;
  /**
   * The handler of another region writing into `db` (a promoted ledger), with its own fence guard on the same
   * (moto) control table: the moto table stands for the replicated MRSC table both regions read.
   */
  handlerIn(region: string, db: Database): ProxyHandler;
  counts(db?: Database): Promise<Counts>;
  close(): Promise<void>;
}

export async function countRows(db: Database): Promise<{ payments: number; ledgerEntries: number }> {
  const { rows } = await db.query<{ payments: string | number; ledger: string | number }>(
    'SELECT (SELECT count(*) FROM payments) AS payments, (SELECT count(*) FROM ledger_entries) AS ledger',
  );
  return { payments: Number(rows[0]?.payments), ledgerEntries: Number(rows[0]?.ledger) };
}

/** Payments whose side effects are not recorded as complete. */
export async function countIncomplete(db: Database): Promise<number> {
  const { rows } = await db.query<{ n: string | number }>(
    'SELECT count(*) AS n FROM payments WHERE side_effects_completed_at IS NULL',
  );
  return Number(rows[0]?.n);
}

export async function createPaymentHarness(
  motoUrl: string,
  options: { region?: string; createBucket?: boolean; createTables?: boolean } = {},
): Promise<PaymentHarness> {
  const region = options.region ?? 'us-east-1';
  const tdb = await createMigratedTestDatabase();
  const aws = testAws(motoUrl, region);
  const names = uniqueNames(region);
  await createResources(aws, names, {
    bucket: options.createBucket ?? true,
    tables: options.createTables ?? true,
  });
  const logs: string[] = [];
  const deps: PaymentApiDeps = {
    db: tdb.db,
    writability: createWritabilityProbe(tdb.db),
    fence: createFenceGuard({ ddb: aws.documents, table: names.controlTable, region, cacheMs: 0 }),
    targets: { ddb: aws.documents, s3: aws.s3, ...names },
    region,
    merchants: TEST_MERCHANTS,
    logSink: (line) => logs.push(line),
  };
  const handlerWith = (overrides: Partial<PaymentApiDeps>) =>
    createPaymentApiHandler(async () => ({ ...deps, ...overrides }), deps.logSink);
  return {
    tdb,
    aws,
    names,
    region,
    logs,
    deps,
    handler: handlerWith({}),
    handlerWith,
    handlerIn: (r, db) =>
      handlerWith({
        db,
        writability: createWritabilityProbe(db),
        fence: createFenceGuard({ ddb: aws.documents, table: names.controlTable, region: r, cacheMs: 0 }),
        region: r,
      }),
    async counts(db = tdb.db) {
      const rows = await countRows(db);
      const safeScan = (table: string) =>
        scanAll(aws, table).then(
          (items) => items.length,
          () => 0,
        );
      const safeList = () =>
        listKeys(aws, names.receiptsBucket).then(
          (keys) => keys.length,
          () => 0,
        );
      return {
        ...rows,
        reservations: await scanAll(aws, names.controlTable).then(
          (items) => items.filter((i) => String(i.pk).startsWith('rsv#')).length,
          () => 0,
        ),
        sessionItems: await safeScan(names.sessionsTable),
        receipts: await safeList(),
      };
    },
    async close() {
      await destroyResources(aws, names);
      await tdb.close();
    },
  };
}
