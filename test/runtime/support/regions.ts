import { createPaymentApiHandler, type ProxyHandler } from '../../../runtime/payment-api/app';
import type { Database } from '../../../runtime/shared/db';
import { activateRegion, createFenceGuard, type FenceGuard } from '../../../runtime/shared/fence';
import { createWritabilityProbe } from '../../../runtime/shared/writability';
import { MrscDouble } from '../../support/mrsc-double';
import type { PaymentHarness } from './harness';

/**
 * Two regions of the payment service around one payment control table modelled by the MRSC double (replicas
 * us-east-1 and us-east-2, witness us-west-2). Each region has its own payment handler, its own view of the
 * table (a document client of its region) and a ledger: the harness's database for us-east-1, and for
 * us-east-2 either the same (a global database writer both reach) or its own (a promoted secondary, or a
 * split brain). Sessions and receipts stay in moto.
 */
export type RegionName = 'us-east-1' | 'us-east-2';

export interface TwoRegions {
  mrsc: MrscDouble;
  table: string;
  handler(region: RegionName): ProxyHandler;
  db(region: RegionName): Database;
  logs: string[];
  activate(region: RegionName, from?: RegionName): Promise<void>;
}

/** A guard that always says active: to show what the reservations alone guarantee without the fence. */
export const noFence = (region: string): FenceGuard => ({
  region,
  cacheMs: 0,
  check: async () => ({ verdict: 'active', cached: false }),
});

export async function twoRegions(
  h: PaymentHarness,
  options: { secondLedger?: Database; fence?: 'mrsc' | 'none' } = {},
): Promise<TwoRegions> {
  const table = h.names.controlTable;
  const mrsc = new MrscDouble([table]);
  const logs: string[] = [];
  const dbs: Record<RegionName, Database> = {
    'us-east-1': h.tdb.db,
    'us-east-2': options.secondLedger ?? h.tdb.db,
  };
  const handlers = {} as Record<RegionName, ProxyHandler>;
  for (const region of ['us-east-1', 'us-east-2'] as const) {
    const ddb = mrsc.client(region, h.aws.documents);
    const fence =
      options.fence === 'none' ? noFence(region) : createFenceGuard({ ddb, table, region, cacheMs: 0 });
    const deps = {
      db: dbs[region],
      writability: createWritabilityProbe(dbs[region]),
      fence,
      targets: { ...h.deps.targets, ddb },
      region,
      merchants: h.deps.merchants,
      logSink: (line: string) => logs.push(line),
    };
    handlers[region] = createPaymentApiHandler(async () => deps, deps.logSink);
  }
  const activate = async (region: RegionName, from: RegionName = region) => {
    await activateRegion(mrsc.client(from), table, { region, by: 'test', reason: 'test' });
  };
  await activate('us-east-1');
  return { mrsc, table, handler: (r) => handlers[r], db: (r) => dbs[r], logs, activate };
}
