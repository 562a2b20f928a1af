import { Pool, type PoolConfig } from 'pg';

/**
 * The small database interface the service is written against. Two implementations exist: `createPgDatabase`
 * (node-postgres pool; production, local development, CI) and a PGlite one used by the tests when no
 * PostgreSQL server is configured. SQL is plain PostgreSQL with `$n` parameters.
 */
export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /** One statement with `$1`-style parameters. */
  query<R extends object = Record<string, unknown>>(
    text: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  /** A script of one or more statements without parameters (migrations). */
  exec(script: string): Promise<void>;
}

export interface Database extends Queryable {
  /** Runs `fn` in one transaction on one connection: COMMIT when it resolves, ROLLBACK when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** SQLSTATE of a PostgreSQL error (both drivers expose it as `code`), if `err` is one. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/** 25006: a write was attempted in a read-only transaction (an Aurora secondary, or a read-only session). */
export const READ_ONLY_SQL_TRANSACTION = '25006';

/**
 * True for failures that mean "the database is not reachable right now" rather than "this statement is wrong":
 * socket errors, connect timeouts, the server shutting down or refusing connections.
 */
export function isConnectionError(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined) return /^(08|53|57P)/.test(state);
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true;
  const message = err instanceof Error ? err.message : '';
  return /timeout|terminat|Connection|connect/i.test(message);
}

/**
 * Runs `fn`, and once more if it failed because the connection was lost (e.g. an idle pooled connection the
 * server closed while Lambda was frozen, or one cut by an Aurora failover). Only for work that is safe to
 * repeat: reads, and writes made idempotent by a unique key.
 */
export async function retryOnConnectionLoss<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isConnectionError(err)) throw err;
    return fn();
  }
}

export interface PgDatabaseOptions {
  /** Called when an idle pooled connection fails (e.g. the server closed it while Lambda was frozen). */
  onIdleError?: (err: Error) => void;
}

export function createPgDatabase(config: PoolConfig, options: PgDatabaseOptions = {}): Database {
  const pool = new Pool(config);
  // Without a listener an idle connection dropped by the server would crash the process.
  pool.on('error', (err) => options.onIdleError?.(err));
  return {
    async query<R extends object>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
      const result = await pool.query<R>(text, params ? [...params] : undefined);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string): Promise<void> {
      await pool.query(script);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<R extends object>(text: string, params?: readonly unknown[]): Promise<QueryResult<R>> {
            const result = await client.query<R>(text, params ? [...params] : undefined);
            return { rows: result.rows, rowCount: result.rowCount ?? 0 };
          },
          async exec(script: string): Promise<void> {
            await client.query(script);
          },
        };
        const value = await fn(tx);
        await client.query('COMMIT');
        return value;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackError) {
          // A connection that cannot roll back is not reused.
          broken = rollbackError as Error;
        }
        throw err;
      } finally {
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
