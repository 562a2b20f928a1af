import { inject } from 'vitest';
import { type LocalClient, localClient } from '../../../runtime/local/client';
import type { LocalCredential } from '../../../runtime/local/sigv4-verify';
import { type LocalServer, startLocalServer } from '../../../runtime/local/server';
import { destroyResources, scanAll, TEST_CREDENTIALS, testAws, uniqueNames } from './aws';
import { createTestDatabase, type TestDatabase } from './database';
import { newKey, validPayment } from './events';

/**
 * The local server with several signers, as API Gateway would see them: `alice` and `bob` each bound to a merchant
 * of their own (alice by a role with a path, bob by an IAM user), `mallory` a valid signer bound to none. Every
 * request is SigV4-signed with the caller's local credential; the identity reaches the function only from the
 * signature, as in AWS.
 */
export const ACCOUNT = '000000000000';
const credential = (name: string, principalArn: string): LocalCredential => ({
  accessKeyId: `AKIALOCAL${name.toUpperCase().padEnd(11, 'X')}`,
  secretAccessKey: `local-secret-of-${name}`,
  principalArn,
});
export const CALLERS = {
  alice: credential('alice', `arn:aws:iam::${ACCOUNT}:role/merchants/alice-payments`),
  bob: credential('bob', `arn:aws:iam::${ACCOUNT}:user/bob-payments`),
  mallory: credential('mallory', `arn:aws:iam::${ACCOUNT}:role/mallory-payments`),
} as const;
export type CallerName = keyof typeof CALLERS;
export const MERCHANT_OF = { alice: 'm_alice', bob: 'm_bob' } as const;

export interface MerchantServer {
  server: LocalServer;
  tdb: TestDatabase;
  as(caller: CallerName): LocalClient;
  post(
    caller: CallerName,
    merchantId: string,
    key?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  get(caller: CallerName, id: string): Promise<{ status: number; body: Record<string, unknown> }>;
  paymentCount(): Promise<number>;
  reservationKeys(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startMerchantServer(): Promise<MerchantServer> {
  const tdb = await createTestDatabase();
  const names = uniqueNames();
  const aws = testAws(inject('motoUrl'));
  const server = await startLocalServer({
    port: 0,
    ...(tdb.kind === 'postgres' ? { databaseUrl: tdb.url } : { database: tdb.db }),
    awsEndpoint: inject('motoUrl'),
    credentials: TEST_CREDENTIALS,
    region: 'us-east-1',
    ...names,
    callers: Object.values(CALLERS),
    merchants: {
      [CALLERS.alice.principalArn]: MERCHANT_OF.alice,
      [CALLERS.bob.principalArn]: MERCHANT_OF.bob,
    },
    logSink: () => undefined,
    env: {},
  });
  const clients = Object.fromEntries(
    Object.entries(CALLERS).map(([name, c]) => [
      name,
      localClient(server.url, { region: 'us-east-1', credential: c }),
    ]),
  ) as Record<CallerName, LocalClient>;
  const json = async (res: Response) => ({
    status: res.status,
    body: (await res.json().catch(() => ({}))) as Record<string, unknown>,
  });
  return {
    server,
    tdb,
    as: (caller) => clients[caller],
    post: async (caller, merchantId, key = newKey('bind')) =>
      json(
        await clients[caller]({
          method: 'POST',
          path: '/payments',
          headers: { 'content-type': 'application/json', 'idempotency-key': key },
          body: JSON.stringify(validPayment({ merchantId })),
        }),
      ),
    get: async (caller, id) =>
      json(await clients[caller]({ method: 'GET', path: `/payments/${encodeURIComponent(id)}` })),
    paymentCount: async () => {
      const { rows } = await tdb.db.query<{ n: string | number }>('SELECT count(*) AS n FROM payments');
      return Number(rows[0]?.n);
    },
    reservationKeys: async () =>
      (await scanAll(aws, names.controlTable))
        .map((i) => String(i.pk))
        .filter((pk) => pk.startsWith('rsv#'))
        .sort(),
    close: async () => {
      await server.close();
      await destroyResources(aws, names);
      await tdb.close();
    },
  };
}
