import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { Database } from '../../../runtime/shared/db';
import { loadMigrations, runMigrations } from '../../../runtime/shared/migrations';
import { createScratchDatabase } from '../../../scripts/dev/scratch-database';
import { createPgliteDatabase, type PgliteScope } from './pglite-database';

/**
 * A fresh, empty database for one test file.
 *
 * With DATABASE_URL set (CI, or a local server), a new database `payments_t_<random>` is created on that server
 * through an admin connection and dropped (with its connections) by `close()`, so test files running in
 * parallel never see each other's data. Without it, an in-process PGlite instance is used.
 */
export interface TestDatabase {
  kind: 'postgres' | 'pglite';
  /** Superuser handle on the fresh database. */
  db: Database;
  /** Another handle: a read-only session and/or one logged in as `role`. Closed by `close()`. */
  open(scope?: PgliteScope): Database;
  /** A role created by the test (roles are cluster-wide on a server): dropped by `close()`. */
  trackRole(role: string): void;
  /** Connection string of the fresh database (server only). */
  url?: string;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = resolve(__dirname, '../../../runtime/migrations');

export function uniqueSuffix(): string {
  return randomBytes(6).toString('hex');
}

async function createServerDatabase(adminUrl: string): Promise<TestDatabase> {
  return { kind: 'postgres', ...(await createScratchDatabase(adminUrl)) };
}

async function createPgliteTestDatabase(): Promise<TestDatabase> {
  const pg = await PGlite.create();
  return {
    kind: 'pglite',
    db: createPgliteDatabase(pg),
    open: (scope = {}) => createPgliteDatabase(pg, { scope }),
    trackRole: () => undefined,
    async close() {
      await pg.close();
    },
  };
}

export function createTestDatabase(): Promise<TestDatabase> {
  const url = process.env.DATABASE_URL;
  return url ? createServerDatabase(url) : createPgliteTestDatabase();
}

/** A fresh database with the service's migrations applied. */
export async function createMigratedTestDatabase(): Promise<TestDatabase> {
  const tdb = await createTestDatabase();
  await runMigrations(tdb.db, loadMigrations(MIGRATIONS_DIR));
  return tdb;
}
