import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { createPgDatabase, type Database } from '../../runtime/shared/db';

/**
 * A fresh, empty database `<prefix>_<random>` on a PostgreSQL server, created through an admin connection and
 * dropped (with its connections and the roles it tracks) by `close()`. Shared by the tests (one per test
 * file, so files running in parallel never see each other's data) and the benchmarks (which never write into
 * the server's own databases).
 */
export interface ScratchDatabase {
  db: Database;
  /** Another handle, optionally read-only and/or logged in as `role`. Closed by `close()`. */
  open(scope?: { readOnly?: boolean; role?: string }): Database;
  /** A role created by the caller (roles are cluster-wide on a server): dropped by `close()`. */
  trackRole(role: string): void;
  url: string;
  close(): Promise<void>;
}

export async function createScratchDatabase(
  adminUrl: string,
  prefix = 'payments_t',
): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new Client({ connectionString: adminUrl });
  // A client without an 'error' listener ends the process when its connection drops (a server restart).
  admin.on('error', () => undefined);
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handles: Database[] = [];
  const roles: string[] = [];
  const open: ScratchDatabase['open'] = (scope = {}) => {
    const target = new URL(url.toString());
    if (scope.role) target.username = scope.role;
    const handle = createPgDatabase({
      connectionString: target.toString(),
      max: 10,
      connectionTimeoutMillis: 5000,
      ...(scope.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    });
    handles.push(handle);
    return handle;
  };
  return {
    db: open(),
    open,
    url: url.toString(),
    trackRole: (role) => roles.push(role),
    async close() {
      await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      for (const role of roles) await admin.query(`DROP ROLE IF EXISTS "${role}"`);
      await admin.end();
    },
  };
}
