import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localClient, postPayment } from '../../runtime/local/client';
import { type LocalServerOptions, PROVISION_RECHECK_MS, startLocalServer } from '../../runtime/local/server';
import { runMigrations, loadMigrations } from '../../runtime/shared/migrations';
import { type MotoHandle, startMoto } from '../../scripts/dev/moto-server';
import { TEST_CREDENTIALS, uniqueNames } from './support/aws';
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase } from './support/database';
import { newKey, validPayment } from './support/events';
import { LOCAL_CALLER_MERCHANTS } from './support/merchants';

/**
 * The local server survives what a developer's machine does to it: the emulator restarted (its tables and
 * bucket gone) and a read-only database (a standby). This file starts its own moto process, so it can stop it
 * and start a fresh one on the same port; the shared one is never touched.
 */
let tdb: TestDatabase;
let moto: MotoHandle | undefined;

beforeAll(async () => {
  tdb = await createTestDatabase();
});

afterAll(async () => {
  await moto?.stop();
  await tdb?.close();
});

const post = (url: string, key: string) =>
  postPayment(localClient(url, { region: 'us-east-1' }), key, JSON.stringify(validPayment()));

/** The local server on a free port with this file's database handle and fresh resource names. */
const serve = (options: Partial<LocalServerOptions>) =>
  startLocalServer({
    port: 0,
    merchants: LOCAL_CALLER_MERCHANTS,
    database: tdb.db,
    credentials: TEST_CREDENTIALS,
    region: 'us-east-1',
    ...uniqueNames(),
    logSink: () => undefined,
    env: {},
    ...options,
  });

describe('local server', () => {
  it('sets the emulator up again after it was restarted and lost its state', async () => {
    moto = await startMoto();
    const port = Number(new URL(moto.url).port);
    const server = await serve({ awsEndpoint: moto.url });
    try {
      expect((await post(server.url, newKey('before'))).status).toBe(201);
      await moto.stop();
      moto = await startMoto({ port });
      // The first request meets the empty emulator: an error answer with a body, never a crash.
      const key = newKey('restart');
      const first = await post(server.url, key);
      // (The control table is gone: the key cannot be reserved, or the fence cannot be read.)
      expect(first.status).toBe(503);
      expect(['IDEMPOTENCY_UNAVAILABLE', 'REGION_NOT_ACTIVE']).toContain(first.code);
      // Retrying with the same key converges once the server has provisioned again (bounded wait).
      let last = first;
      const deadline = Date.now() + 10 * PROVISION_RECHECK_MS + 30_000;
      for (let i = 0; i < 60 && last.status !== 201 && Date.now() < deadline; i++) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        last = await post(server.url, key);
      }
      expect(last.status).toBe(201);
      const health = await localClient(server.url, { region: 'us-east-1' })({
        method: 'GET',
        path: '/health',
        unsigned: true,
      });
      expect(health.status).toBe(200);
    } finally {
      await server.close();
    }
  }, 90_000);

  it('starts against a read-only database whose migrations are applied, and answers POST 503 REGION_READ_ONLY', async () => {
    await runMigrations(tdb.db, loadMigrations(MIGRATIONS_DIR));
    const readOnly = tdb.open({ readOnly: true });
    // Provisioned: the fence names this region, so what refuses the write is the read-only database.
    const server = await serve({ database: readOnly, awsEndpoint: moto?.url });
    try {
      const r = await post(server.url, newKey('ro'));
      expect(r).toMatchObject({ status: 503, code: 'REGION_READ_ONLY' });
    } finally {
      await server.close();
    }
  });

  it('refuses to start against a read-only database with migrations not applied, naming them', async () => {
    const empty = await createTestDatabase();
    try {
      await expect(
        startLocalServer({
          port: 0,
          merchants: LOCAL_CALLER_MERCHANTS,
          database: empty.open({ readOnly: true }),
          provision: false,
          region: 'us-east-1',
          logSink: () => undefined,
          env: {},
        }),
      ).rejects.toThrow(/read-only and \d+ migration\(s\) are not applied \(001_payments_ledger\.sql/);
    } finally {
      await empty.close();
    }
  });
});
