import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Database, Queryable } from './db';

/**
 * Schema migrations: `NNN_name.sql` files applied in version order.
 *
 * - Everything runs in ONE transaction holding `pg_advisory_xact_lock(MIGRATION_LOCK_KEY)`, so concurrent
 *   runners (two deployments, a retried Lambda) queue behind each other and the second finds nothing to do;
 *   a failing migration leaves the schema exactly as it was. Migration files must therefore be transactional
 *   (no `CREATE INDEX CONCURRENTLY`).
 * - `schema_migrations` records each applied version with the SHA-256 of its file (line endings normalised).
 * - Refuses to run when an applied file's checksum changed, when an applied version has no file, or when a
 *   new file sorts before the newest applied one: history is append-only.
 */
export interface Migration {
  version: number;
  name: string;
  filename: string;
  sql: string;
  checksum: string;
}

export interface MigrationResult {
  applied: string[];
  alreadyApplied: number;
}

export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

/** Arbitrary but fixed key of the advisory lock that serialises migration runners (and role setup). */
export const MIGRATION_LOCK_KEY = 7_261_004_211;

const FILE_PATTERN = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

/**
 * The directory holding the `.sql` files: MIGRATIONS_DIR when set; otherwise `migrations/` next to the running
 * file (a Lambda bundle ships them there) or `runtime/migrations` in the source tree.
 */
export function defaultMigrationsDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (env.MIGRATIONS_DIR) return resolve(env.MIGRATIONS_DIR);
  const candidates = [join(__dirname, 'migrations'), join(__dirname, '..', 'migrations')];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new MigrationError(`no migrations directory found (looked in ${candidates.join(', ')})`);
  return found;
}

export function loadMigrations(dir: string): Migration[] {
  const migrations: Migration[] = [];
  for (const filename of readdirSync(dir).sort()) {
    if (!filename.endsWith('.sql')) continue;
    const match = FILE_PATTERN.exec(filename);
    if (!match) throw new MigrationError(`migration file name must look like 001_name.sql: ${filename}`);
    const sql = readFileSync(join(dir, filename), 'utf8');
    migrations.push({
      version: Number(match[1]),
      name: match[2] as string,
      filename,
      sql,
      checksum: checksumOf(sql),
    });
  }
  migrations.sort((a, b) => a.version - b.version);
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i]?.version === migrations[i - 1]?.version) {
      throw new MigrationError(`two migration files share version ${migrations[i]?.version}`);
    }
  }
  return migrations;
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function pendingMigrations(tx: Queryable, migrations: Migration[]): Promise<Migration[]> {
  const { rows } = await tx.query<AppliedRow>(
    'SELECT version, name, checksum FROM schema_migrations ORDER BY version',
  );
  const byVersion = new Map(migrations.map((m) => [m.version, m]));
  for (const row of rows) {
    const file = byVersion.get(Number(row.version));
    if (!file) {
      throw new MigrationError(
        `applied migration ${row.version} (${row.name}) has no file: refusing to continue`,
      );
    }
    if (file.checksum !== row.checksum) {
      throw new MigrationError(`migration ${file.filename} changed after it was applied (checksum mismatch)`);
    }
  }
  const newest = rows.reduce((max, row) => Math.max(max, Number(row.version)), 0);
  const applied = new Set(rows.map((row) => Number(row.version)));
  const pending = migrations.filter((m) => !applied.has(m.version));
  const early = pending.find((m) => m.version < newest);
  if (early) {
    throw new MigrationError(
      `migration ${early.filename} sorts before applied version ${newest}: out of order`,
    );
  }
  return pending;
}

/**
 * The migrations not applied yet, read without writing anything (for a read-only database, where
 * runMigrations cannot run): all of them when `schema_migrations` does not exist. The same history checks
 * as runMigrations apply.
 */
export async function unappliedMigrations(db: Queryable, migrations: Migration[]): Promise<Migration[]> {
  const { rows } = await db.query<{ exists: boolean }>(
    "SELECT to_regclass('schema_migrations') IS NOT NULL AS exists",
  );
  if (!rows[0]?.exists) return migrations;
  return pendingMigrations(db, migrations);
}

export async function runMigrations(db: Database, migrations: Migration[]): Promise<MigrationResult> {
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version integer PRIMARY KEY,
      name text NOT NULL,
      checksum char(64) NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    const pending = await pendingMigrations(tx, migrations);
    for (const migration of pending) {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        migration.checksum,
      ]);
    }
    return { applied: pending.map((m) => m.filename), alreadyApplied: migrations.length - pending.length };
  });
}
