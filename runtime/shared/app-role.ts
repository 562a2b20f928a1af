import type { Database, Queryable } from './db';
import { MIGRATION_LOCK_KEY } from './migrations';

/**
 * The application's database role and its grants, made to converge on every run (safe to repeat):
 *
 * - the role exists and can log in (no password: on Aurora it authenticates with IAM tokens, through
 *   `rds_iam`, which is granted when that role exists);
 * - CONNECT on the database, USAGE on schema `public`;
 * - exactly SELECT and INSERT on `payments` and `ledger_entries`, plus UPDATE of the single column
 *   `payments.side_effects_completed_at` (the POST flow records there that the receipt and DynamoDB records
 *   were written; triggers forbid any other change), and SELECT, INSERT and UPDATE on `health_heartbeat` (the
 *   deep health check's one-row upsert, `INSERT ... ON CONFLICT DO UPDATE`). Anything else granted earlier is
 *   revoked in the same transaction, so the role never has a moment without its grants;
 * - nobody but the owner may create objects in `public` (PostgreSQL 14, Aurora's version, still lets PUBLIC do so).
 *
 * Runs under the migration advisory lock, in one transaction.
 */
export interface AppRoleResult {
  role: string;
  created: boolean;
  rdsIamGranted: boolean;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const APP_TABLES = ['payments', 'ledger_entries'] as const;
/** The heartbeat of the deep health check (migration 002). */
const HEARTBEAT_TABLE = 'health_heartbeat';

function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

async function roleExists(tx: Queryable, role: string): Promise<boolean> {
  const { rows } = await tx.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
  return rows.length > 0;
}

export async function ensureAppRole(db: Database, role: string): Promise<AppRoleResult> {
  if (!ROLE_NAME.test(role)) throw new Error(`invalid role name: ${role}`);
  const r = quoteIdent(role);
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const existed = await roleExists(tx, role);
    if (!existed) {
      // Roles are cluster-wide and the advisory lock is per database: tolerate a concurrent creator.
      await tx.exec(`DO $$ BEGIN
        CREATE ROLE ${r} LOGIN;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
      END $$`);
    }
    const { rows } = await tx.query<{ db: string }>('SELECT current_database() AS db');
    const database = quoteIdent(rows[0]?.db ?? '');
    const tables = APP_TABLES.map(quoteIdent).join(', ');
    await tx.exec(`
      GRANT CONNECT ON DATABASE ${database} TO ${r};
      REVOKE CREATE ON SCHEMA public FROM PUBLIC;
      GRANT USAGE ON SCHEMA public TO ${r};
      REVOKE ALL ON TABLE ${tables} FROM ${r};
      GRANT SELECT, INSERT ON TABLE ${tables} TO ${r};
      GRANT UPDATE (side_effects_completed_at) ON TABLE payments TO ${r};
      REVOKE ALL ON TABLE ${quoteIdent(HEARTBEAT_TABLE)} FROM ${r};
      GRANT SELECT, INSERT, UPDATE ON TABLE ${quoteIdent(HEARTBEAT_TABLE)} TO ${r};
    `);
    const rdsIam = await roleExists(tx, 'rds_iam');
    if (rdsIam) await tx.exec(`GRANT rds_iam TO ${r}`);
    return { role, created: !existed, rdsIamGranted: rdsIam };
  });
}
