import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { HealthDeps } from '../../runtime/health/checks';
import { commitHeartbeat } from '../../runtime/health/checks';
import type { Database } from '../../runtime/shared/db';
import { ensureAppRole } from '../../runtime/shared/app-role';
import { activateRegion } from '../../runtime/shared/fence';
import {
  createResources,
  destroyResources,
  type ResourceNames,
  type TestAws,
  testAws,
  uniqueNames,
} from './support/aws';
import {
  createMigratedTestDatabase,
  createTestDatabase,
  type TestDatabase,
  uniqueSuffix,
} from './support/database';
import { callHealth, componentsOf } from './support/health';

/**
 * The commit path: in the active region the check commits one heartbeat row (updated in place, never a second
 * row per region) within its bound, and fails when the commit blocks; a read-only database is the passive role,
 * healthy when its reads answer; a schema without the heartbeat table or its grant is `schema_pending`. Against
 * PostgreSQL (DATABASE_URL) or PGlite; holding a row lock from another connection needs a server.
 */
const server = process.env.DATABASE_URL !== undefined;
let tdb: TestDatabase;
let aws: TestAws;
let names: ResourceNames;
const extra: TestDatabase[] = [];

beforeAll(async () => {
  tdb = await createMigratedTestDatabase();
  aws = testAws(inject('motoUrl'));
  names = uniqueNames();
  await createResources(aws, names);
  await activate('us-east-1');
});

/** Moves the write fence, as the Region switch plan's fence step does. */
const activate = (region: string) =>
  activateRegion(aws.documents, names.controlTable, { region, by: 'test', reason: 'health-heartbeat test' });

afterAll(async () => {
  for (const t of extra) await t.close();
  await destroyResources(aws, names);
  await tdb.close();
});

function deps(db: Database, overrides: Partial<HealthDeps> = {}): HealthDeps {
  return {
    db,
    dynamodb: aws.documents,
    s3: aws.s3,
    controlTable: names.controlTable,
    receiptsBucket: names.receiptsBucket,
    region: 'us-east-1',
    timeoutMs: 3000,
    ...overrides,
  };
}

async function heartbeatRows(db: Database) {
  const { rows } = await db.query<{ region: string; beat_at: Date }>(
    'SELECT region, beat_at FROM health_heartbeat ORDER BY region',
  );
  return rows;
}

describe('active region (the local cluster is writable)', () => {
  it('commits the heartbeat: one row per region, updated in place on every check', async () => {
    const first = await callHealth('/health/probe', deps(tdb.db));
    expect(first.res.statusCode).toBe(200);
    expect(first.body).toMatchObject({ status: 'ok', region: 'us-east-1', role: 'active' });
    expect(componentsOf(first)).toEqual({
      database: { ok: true },
      heartbeat: { ok: true },
      dynamodb: { ok: true },
      s3: { ok: true },
    });
    const [row1] = await heartbeatRows(tdb.db);
    expect(row1?.region).toBe('us-east-1');

    await new Promise((done) => setTimeout(done, 20));
    const second = await callHealth('/health', deps(tdb.db));
    expect(second.res.body).toBe('{"status":"ok","region":"us-east-1","role":"active"}');
    const rows = await heartbeatRows(tdb.db);
    expect(rows).toHaveLength(1);
    expect(rows[0]?.beat_at.getTime()).toBeGreaterThan(row1?.beat_at.getTime() ?? Infinity);

    // The other region's row (written while it was active) is its own; it never adds rows for this one.
    await activate('us-east-2');
    await callHealth('/health', deps(tdb.db, { region: 'us-east-2' }));
    expect((await heartbeatRows(tdb.db)).map((r) => r.region)).toEqual(['us-east-1', 'us-east-2']);

    // Fenced (the fence names us-east-2) with its cluster still writable, as after an unplanned failover:
    // us-east-1 reports passive and commits nothing, not even its heartbeat.
    const before = (await heartbeatRows(tdb.db)).find((r) => r.region === 'us-east-1')?.beat_at.getTime();
    const fenced = await callHealth('/health/probe', deps(tdb.db));
    expect(fenced.body).toMatchObject({ status: 'ok', region: 'us-east-1', role: 'passive' });
    expect(componentsOf(fenced)).toEqual({
      database: { ok: true },
      dynamodb: { ok: true },
      s3: { ok: true },
    });
    expect((await heartbeatRows(tdb.db)).find((r) => r.region === 'us-east-1')?.beat_at.getTime()).toBe(
      before,
    );
    await activate('us-east-1');
  });

  // A server only: PGlite has one session, so there is no pooled connection to compare with.
  it.runIf(server)(
    'leaves the pooled session its own statement timeout (the bound is SET LOCAL)',
    async () => {
      await commitHeartbeat(tdb.db, 'us-east-1', 250);
      const { rows } = await tdb.db.query<{ statement_timeout: string }>('SHOW statement_timeout');
      expect(rows[0]?.statement_timeout).not.toBe('250ms');
    },
  );

  it.runIf(server)(
    'fails within the bound when the commit blocks (the row is locked elsewhere)',
    async () => {
      await commitHeartbeat(tdb.db, 'us-east-1', 1000);
      const holder = tdb.open();
      let release: () => void = () => undefined;
      const released = new Promise<void>((done) => {
        release = done;
      });
      let locked: () => void = () => undefined;
      const isLocked = new Promise<void>((done) => {
        locked = done;
      });
      const holding = holder.transaction(async (tx) => {
        await tx.query("SELECT 1 FROM health_heartbeat WHERE region = 'us-east-1' FOR UPDATE");
        locked();
        await released;
      });
      try {
        await isLocked;
        const blocked = await callHealth('/health/probe', deps(tdb.db, { timeoutMs: 400 }));
        expect(blocked.res.statusCode).toBe(503);
        expect(blocked.body).toMatchObject({ status: 'unavailable', role: 'active' });
        expect(['timeout', 'statement_timeout']).toContain(componentsOf(blocked).heartbeat?.reason);
        expect(componentsOf(blocked).database).toEqual({ ok: true });
        expect(blocked.elapsed).toBeLessThan(1500);
        // The server ended the waiting upsert itself (its statement timeout), so no backend is left waiting on the
        // lock after the check answered, and the pooled connection came back.
        await new Promise((done) => setTimeout(done, 300));
        const { rows } = await holder.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity
          WHERE datname = current_database() AND query LIKE 'INSERT INTO health_heartbeat%' AND state = 'active'`,
        );
        expect(Number(rows[0]?.n)).toBe(0);
        const publicAnswer = await callHealth('/health', deps(tdb.db, { timeoutMs: 400 }));
        expect(publicAnswer.res.body).toBe('{"status":"unavailable","region":"us-east-1","role":"active"}');
      } finally {
        release();
        await holding;
      }
      const after = await callHealth('/health/probe', deps(tdb.db));
      expect(after.res.statusCode).toBe(200);
    },
  );

  it('is schema_pending before the migrations ran (no heartbeat table, SQLSTATE 42P01)', async () => {
    const empty = await createTestDatabase();
    extra.push(empty);
    const answer = await callHealth('/health/probe', deps(empty.db));
    expect(answer.res.statusCode).toBe(503);
    expect(answer.body).toMatchObject({ role: 'active' });
    expect(componentsOf(answer).heartbeat).toEqual({ ok: false, reason: 'schema_pending' });
  });

  it('works with exactly the application role grants, and is schema_pending without them (42501)', async () => {
    const role = `payments_app_${uniqueSuffix()}`;
    tdb.trackRole(role);
    await ensureAppRole(tdb.db, role);
    const app = tdb.open({ role });
    // Its own heartbeat row: the fence names us-west-2 for this test.
    await activate('us-west-2');
    const granted = await callHealth('/health/probe', deps(app, { region: 'us-west-2' }));
    expect(componentsOf(granted).heartbeat).toEqual({ ok: true });
    // Twice: the second is the ON CONFLICT DO UPDATE path (UPDATE privilege).
    expect(
      componentsOf(await callHealth('/health/probe', deps(app, { region: 'us-west-2' }))).heartbeat,
    ).toEqual({ ok: true });
    await tdb.db.exec(`REVOKE UPDATE ON TABLE health_heartbeat FROM "${role}"`);
    const revoked = await callHealth('/health/probe', deps(app, { region: 'us-west-2' }));
    expect(componentsOf(revoked).heartbeat).toEqual({ ok: false, reason: 'schema_pending' });
    // ensureAppRole converges the grants again.
    await ensureAppRole(tdb.db, role);
    const again = await callHealth('/health/probe', deps(app, { region: 'us-west-2' }));
    expect(componentsOf(again).heartbeat).toEqual({ ok: true });
    await activate('us-east-1');
  });
});

describe('passive region (a read-only database: an Aurora secondary)', () => {
  it('answers 200 with role passive when its reads work, and writes nothing', async () => {
    const before = await heartbeatRows(tdb.db);
    const readOnly = tdb.open({ readOnly: true });
    const probe = await callHealth('/health/probe', deps(readOnly, { region: 'us-east-2' }));
    expect(probe.res.statusCode).toBe(200);
    expect(probe.body).toMatchObject({ status: 'ok', region: 'us-east-2', role: 'passive' });
    expect(componentsOf(probe)).toEqual({ database: { ok: true }, dynamodb: { ok: true }, s3: { ok: true } });
    const open = await callHealth('/health', deps(readOnly, { region: 'us-east-2' }));
    expect(open.res.body).toBe('{"status":"ok","region":"us-east-2","role":"passive"}');
    expect(await heartbeatRows(tdb.db)).toEqual(before);
  });

  it('reads through the reader endpoint when the writer endpoint does not resolve', async () => {
    const unresolved = Object.assign(new Error('getaddrinfo ENOTFOUND writer.example'), {
      code: 'ENOTFOUND',
    });
    const inactiveWriter: Database = {
      query: () => Promise.reject(unresolved),
      exec: () => Promise.reject(unresolved),
      transaction: () => Promise.reject(unresolved),
      close: async () => undefined,
    };
    const answer = await callHealth(
      '/health/probe',
      deps(inactiveWriter, { readerDb: tdb.open({ readOnly: true }), region: 'us-east-2' }),
    );
    expect(answer.res.statusCode).toBe(200);
    expect(answer.body).toMatchObject({ role: 'passive' });
    expect(componentsOf(answer).database).toEqual({ ok: true });
  });

  it('answers 503 (still passive) when its reader does not answer', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' });
    const reader = { query: () => Promise.reject(down), exec: () => Promise.reject(down) };
    const answer = await callHealth(
      '/health/probe',
      deps(tdb.open({ readOnly: true }), { readerDb: reader, region: 'us-east-2' }),
    );
    expect(answer.res.statusCode).toBe(503);
    expect(answer.body).toMatchObject({ status: 'unavailable', role: 'passive' });
    expect(componentsOf(answer).database).toEqual({ ok: false, reason: 'ECONNREFUSED' });
  });
});
