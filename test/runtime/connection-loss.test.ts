import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { type LocalClient, localClient, type PostOutcome, postPayment } from '../../runtime/local/client';
import { type LocalServer, startLocalServer } from '../../runtime/local/server';
import { PAYMENT_REQUEST_BUDGET_MS } from '../../runtime/payment-api/app';
import { createPgDatabase, type Database, isConnectionError } from '../../runtime/shared/db';
import { createResources, destroyResources, TEST_CREDENTIALS, testAws, uniqueNames } from './support/aws';
import { createMigratedTestDatabase, type TestDatabase, uniqueSuffix } from './support/database';
import { newKey, validPayment } from './support/events';
import { LOCAL_CALLER_MERCHANTS } from './support/merchants';

/**
 * Database connections lost under load, on a PostgreSQL server (PGlite has no backends to terminate): a
 * scratch database of this file, the local server over HTTP on loopback, and its backends terminated with
 * pg_terminate_backend while requests are in flight. Every request must be answered (201, or 503 with
 * Retry-After and a body) within its budget, the process must survive (an 'error' event without a listener
 * would be an uncaught exception, which fails the run), the pool must recover on its own, and retrying every
 * failure with its key must converge: one payment per key, none lost, none twice.
 */
const SERVER = Boolean(process.env.DATABASE_URL);
let tdb: TestDatabase;
const names = uniqueNames();
const aws = testAws(inject('motoUrl'));

beforeAll(async () => {
  if (!SERVER) return;
  tdb = await createMigratedTestDatabase();
  await createResources(aws, names);
});

afterAll(async () => {
  if (!SERVER) return;
  await destroyResources(aws, names);
  await tdb?.close();
});

/** Terminates this file's server connections of one application; returns how many. */
async function terminate(applicationName: string): Promise<number> {
  const { rows } = await tdb.db.query<{ n: string | number }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = $1`,
    [applicationName],
  );
  return Number(rows[0]?.n ?? 0);
}

function appPool(applicationName: string, extra: { statementTimeoutMs?: number } = {}) {
  const errors: Error[] = [];
  const db = createPgDatabase(
    {
      connectionString: tdb.url,
      application_name: applicationName,
      max: 10,
      connectionTimeoutMillis: 3000,
      statement_timeout: extra.statementTimeoutMs ?? 5000,
      query_timeout: (extra.statementTimeoutMs ?? 5000) + 1000,
    },
    { onIdleError: (err) => errors.push(err) },
  );
  return { db, errors };
}

async function serve(db: Database): Promise<{ server: LocalServer; client: LocalClient; logs: string[] }> {
  const logs: string[] = [];
  const server = await startLocalServer({
    port: 0,
    merchants: LOCAL_CALLER_MERCHANTS,
    database: db,
    awsEndpoint: inject('motoUrl'),
    credentials: TEST_CREDENTIALS,
    region: 'us-east-1',
    ...names,
    migrate: false,
    provision: false,
    logSink: (line) => logs.push(line),
    env: {},
  });
  return { server, client: localClient(server.url, { region: 'us-east-1' }), logs };
}

const post = (client: LocalClient, key: string, body: string): Promise<PostOutcome> =>
  postPayment(client, key, body, PAYMENT_REQUEST_BUDGET_MS + 5000);

describe.skipIf(!SERVER)('a database connection lost', () => {
  it('inside a transaction fails that transaction only; the process survives and the pool recovers', async () => {
    const app = `conn-loss-tx-${uniqueSuffix()}`;
    const { db, errors } = appPool(app);
    try {
      const failure = await db
        .transaction(async (tx) => {
          await tx.query('SELECT 1');
          // Between two statements (as while a flow awaits DynamoDB): the backend goes away.
          expect(await terminate(app)).toBe(1);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.query('SELECT 1');
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(isConnectionError(failure)).toBe(true);
      expect(errors.length).toBeGreaterThan(0);
      // The broken connection was dropped, not reused.
      const { rows } = await db.transaction((tx) => tx.query<{ ok: number }>('SELECT 1 AS ok'));
      expect(rows[0]?.ok).toBe(1);
    } finally {
      await db.close();
    }
  });

  it('under a load of 10 in flight: every request answered within its budget, none lost, none twice', async () => {
    const app = `conn-loss-load-${uniqueSuffix()}`;
    const { db } = appPool(app);
    const { server, client } = await serve(db);
    const sent: PostOutcome[] = [];
    let terminated = 0;
    try {
      let running = true;
      const killer = (async () => {
        for (let i = 0; i < 80 && running; i++) {
          terminated += await terminate(app);
          await new Promise((resolve) => setTimeout(resolve, 40));
        }
      })();
      const started = Date.now();
      let n = 0;
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          while (n < 300 && Date.now() - started < 15_000) {
            n++;
            sent.push(await post(client, newKey('loss'), JSON.stringify(validPayment({ amount: 100 + n }))));
          }
        }),
      );
      running = false;
      await killer;
      expect(terminated).toBeGreaterThan(0);
      for (const s of sent) {
        expect([201, 503], JSON.stringify(s)).toContain(s.status);
        if (s.status === 503) {
          expect(s.retryAfter, JSON.stringify(s)).toMatch(/^\d+$/);
          expect(['DATABASE_UNAVAILABLE', 'PAYMENT_INCOMPLETE', 'DEADLINE_EXCEEDED']).toContain(s.code);
        }
        expect(s.ms).toBeLessThan(PAYMENT_REQUEST_BUDGET_MS + 1000);
      }

      // The pool recovers by itself: fresh requests succeed.
      for (let i = 0; i < 10; i++) {
        expect((await post(client, newKey('after'), JSON.stringify(validPayment()))).status).toBe(201);
      }
      // Retrying every failure with its key converges (bounded: 5 rounds).
      let failed = sent.filter((s) => s.status !== 201);
      for (let round = 0; round < 5 && failed.length > 0; round++) {
        const again = await Promise.all(failed.map((s) => post(client, s.key, s.body)));
        for (const a of again) sent.push(a);
        failed = again.filter((a) => a.status !== 201);
      }
      expect(failed).toEqual([]);
      const keys = new Set(sent.map((s) => s.key));
      const { rows } = await tdb.db.query<{ key: string; n: string | number; entries: string | number }>(
        `SELECT p.idempotency_key AS key, count(DISTINCT p.id) AS n, count(e.*) AS entries
           FROM payments p LEFT JOIN ledger_entries e ON e.payment_id = p.id
          WHERE p.idempotency_key LIKE 'loss-%' GROUP BY p.idempotency_key`,
      );
      expect(rows.length).toBe(keys.size);
      for (const row of rows) {
        expect(Number(row.n)).toBe(1);
        expect(Number(row.entries)).toBe(2);
      }
      // Every 201 names the one row of its key.
      const byKey = new Map<string, Set<string>>();
      for (const s of sent.filter((x) => x.status === 201 && x.id)) {
        byKey.set(s.key, (byKey.get(s.key) ?? new Set()).add(s.id as string));
      }
      for (const ids of byKey.values()) expect(ids.size).toBe(1);
    } finally {
      await server.close();
      await db.close();
    }
  }, 120_000);

  it('a statement timeout answers 503 DATABASE_UNAVAILABLE with Retry-After, never 500', async () => {
    const app = `conn-loss-timeout-${uniqueSuffix()}`;
    const { db } = appPool(app, { statementTimeoutMs: 300 });
    const { server, client, logs } = await serve(db);
    try {
      const key = newKey('stmt');
      const body = JSON.stringify(validPayment({ amount: 777 }));
      // A lock held elsewhere makes the INSERT wait until statement_timeout cancels it (SQLSTATE 57014).
      let release: () => void = () => undefined;
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      let locked: () => void = () => undefined;
      const isLocked = new Promise<void>((resolve) => {
        locked = resolve;
      });
      const holder = tdb.db.transaction(async (tx) => {
        await tx.query('LOCK TABLE payments IN ACCESS EXCLUSIVE MODE');
        locked();
        await held;
      });
      await isLocked;
      const first = await post(client, key, body);
      release();
      await holder;
      expect(first).toMatchObject({ status: 503, code: 'DATABASE_UNAVAILABLE', retryAfter: '2' });
      expect(logs.some((l) => l.includes('"errorCode":"57014"') || l.includes('statement timeout'))).toBe(
        true,
      );
      expect((await post(client, key, body)).status).toBe(201);
    } finally {
      await server.close();
      await db.close();
    }
  });
});
