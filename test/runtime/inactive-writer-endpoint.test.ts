import { Socket } from 'node:net';
import type { LookupFunction } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createPgDatabase } from '../../runtime/shared/db';
import { createWritabilityProbe, isUnresolvedHost, queryWritable } from '../../runtime/shared/writability';

/**
 * The us-east-2 functions connect to their own cluster's writer endpoint, which is "inactive" while the cluster is
 * a global database secondary and, per field reports, does not resolve. What pg hands back then must read as
 * "not writable" (the secondary's answer), never as a crash or a write. The failing name resolution is made by the
 * socket itself (no DNS server, no network): a socket whose lookup answers ENOTFOUND as getaddrinfo does.
 */
const HOST = 'payment-processing-ledger-test-use2.cluster-c0example.us-east-2.rds.amazonaws.com';

class UnresolvedHostSocket extends Socket {
  override connect(...args: unknown[]): this {
    const [port, host] = args as [number, string];
    const lookup: LookupFunction = (hostname, _options, callback) =>
      process.nextTick(() =>
        callback(
          Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
            code: 'ENOTFOUND',
            syscall: 'getaddrinfo',
            hostname,
          }),
          '',
          0,
        ),
      );
    return super.connect({ port, host, lookup });
  }
}

const unresolvable = () =>
  createPgDatabase({
    host: HOST,
    port: 5432,
    user: 'payments_app',
    database: 'payments',
    connectionTimeoutMillis: 2000,
    max: 1,
    stream: () => new UnresolvedHostSocket(),
  });

describe('an inactive (unresolvable) writer endpoint', () => {
  it('reads as not writable through a real pg pool, the same answer as a read-only secondary', async () => {
    const db = unresolvable();
    try {
      await expect(db.query('SELECT 1')).rejects.toSatisfy(isUnresolvedHost);
      expect(await queryWritable(db)).toBe(false);
      const probe = createWritabilityProbe(db);
      expect(await probe.isWritable()).toBe(false);
    } finally {
      await db.close();
    }
  });

  it('keeps every other connection failure an error (unavailable is not the same claim as read-only)', async () => {
    const refused = {
      query: () => Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    };
    await expect(queryWritable(refused as never)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(isUnresolvedHost({ code: 'EAI_AGAIN' })).toBe(false);
    expect(isUnresolvedHost(null)).toBe(false);
  });
});
