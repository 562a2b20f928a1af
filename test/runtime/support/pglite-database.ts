import type { PGlite, Transaction } from '@electric-sql/pglite';
import type { Database, Queryable, QueryResult } from '../../../runtime/shared/db';

/**
 * The `Database` interface over PGlite (PostgreSQL compiled to WebAssembly, in process), used by the tests when
 * no PostgreSQL server is configured.
 *
 * PGlite has a single session, so a "scoped" handle emulates a separate connection by running every statement
 * in its own transaction that first applies the scope: `SET TRANSACTION READ ONLY` (what a session with
 * `default_transaction_read_only=on` does to each transaction) and/or `SET LOCAL ROLE`. PGlite runs one
 * transaction at a time, so scopes never leak between handles.
 */
export interface PgliteScope {
  readOnly?: boolean;
  role?: string;
}

type PgliteQueryable = Pick<Transaction, 'query' | 'exec'>;

function wrap(target: PgliteQueryable): Queryable {
  return {
    async query<R extends object>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await target.query<R>(text, params ? [...params] : undefined);
      return {
        rows: result.rows,
        rowCount: result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0),
      };
    },
    async exec(script: string): Promise<void> {
      await target.exec(script);
    },
  };
}

async function applyScope(tx: Transaction, scope: PgliteScope): Promise<void> {
  if (scope.readOnly) await tx.exec('SET TRANSACTION READ ONLY');
  if (scope.role) await tx.exec(`SET LOCAL ROLE "${scope.role.replace(/"/g, '""')}"`);
}

export function createPgliteDatabase(
  pg: PGlite,
  options: { scope?: PgliteScope; owned?: boolean } = {},
): Database {
  const scope = options.scope ?? {};
  const scoped = Boolean(scope.readOnly || scope.role);
  const transaction = <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> =>
    pg.transaction(async (tx) => {
      await applyScope(tx, scope);
      return fn(wrap(tx));
    });
  const direct = wrap(pg);
  return {
    query: <R extends object>(text: string, params?: readonly unknown[]) =>
      scoped ? transaction((tx) => tx.query<R>(text, params)) : direct.query<R>(text, params),
    exec: (script: string) => (scoped ? transaction((tx) => tx.exec(script)) : direct.exec(script)),
    transaction,
    async close(): Promise<void> {
      if (options.owned) await pg.close();
    },
  };
}
