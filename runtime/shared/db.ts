import { Pool, type PoolClient, type PoolConfig } from 'pg';

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
/** 57014 query_canceled: `statement_timeout` fired (or the statement was cancelled). */
export const QUERY_CANCELED = '57014';

const errorCode = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};
const messageOf = (err: unknown): string => (err instanceof Error ? err.message : '');

/**
 * True for failures that mean "the database is not reachable right now" rather than "this statement is wrong":
 * socket errors, connect timeouts, the server shutting down or refusing connections, a connection lost
 * mid-query, node-postgres' own client-side query timeout.
 */
export function isConnectionError(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined) return /^(08|53|57P)/.test(state);
  const code = errorCode(err);
  if (code !== undefined && /^E[A-Z]+$/.test(code)) return true;
  return /timeout|terminat|Connection|connect/i.test(messageOf(err));
}

/** SQLSTATE 57014: the statement ran past `statement_timeout` (or was cancelled). */
export function isStatementTimeout(err: unknown): boolean {
  return sqlState(err) === QUERY_CANCELED;
}

/**
 * A wait that used up its budget: a statement timeout, a lock timeout (55P03), node-postgres' client-side
 * `query_timeout` ("Query read timeout") or connect timeout, a socket ETIMEDOUT. Repeating the work at once
 * would wait as long again.
 */
export function isDatabaseTimeout(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined) return state === QUERY_CANCELED || state === '55P03';
  if (errorCode(err) === 'ETIMEDOUT') return true;
  return /timeout/i.test(messageOf(err));
}

/**
 * Failures a later retry of the same request can get past, none of them the request's fault: the connection
 * (see isConnectionError), a timeout (isDatabaseTimeout), the server out of resources (53xxx), a serialization
 * failure or deadlock (40001, 40P01). The error boundary answers them with 503 and Retry-After, never 500.
 */
export function isTransientDatabaseError(err: unknown): boolean {
  if (isConnectionError(err) || isDatabaseTimeout(err)) return true;
  const state = sqlState(err);
  return state === '40001' || state === '40P01';
}

/**
 * Runs `fn`, and once more if its connection was lost (e.g. an idle pooled connection the server closed while
 * Lambda was frozen, a backend terminated, one cut by an Aurora failover). Not after a timeout: that already
 * spent the caller's budget, and a second wait would double it. Only for work that is safe to repeat: reads,
 * and writes made idempotent by a unique key.
 */
export async function retryOnConnectionLoss<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!isConnectionError(err) || isDatabaseTimeout(err)) throw err;
    return fn();
  }
}

export interface PgDatabaseOptions {
  /**
   * Called when a pooled connection fails outside a query's own error: an idle one (e.g. the server closed it
   * while Lambda was frozen) or one checked out by a transaction (its backend terminated, the network cut).
   * The failing statement still gets its own error; the connection is dropped from the pool either way.
   */
  onIdleError?: (err: Error) => void;
}

/**
 * A client from the pool with `onError` listening on it. The listener is attached in pool.connect's callback,
 * synchronously: the pool removes its own listener when it hands the client out, and a promise continuation
 * would leave a gap in which the rest of the same TCP chunk (a FATAL "terminating connection" right after the
 * connection became ready, say) is parsed and emitted with nobody listening.
 */
function checkout(pool: Pool, onError: (err: Error) => void): Promise<PoolClient> {
  return new Promise((resolve, reject) => {
    pool.connect((err, client) => {
      if (err || !client) {
        reject(err ?? new Error('the pool returned no client'));
        return;
      }
      client.on('error', onError);
      resolve(client);
    });
  });
}

export function createPgDatabase(config: PoolConfig, options: PgDatabaseOptions = {}): Database {
  const pool = new Pool(config);
  // node-postgres emits 'error' on a client whose connection fails; an EventEmitter without a listener turns
  // that into an uncaught exception that ends the process. The pool listens on its idle clients (and re-emits
  // here); a checked-out client is the holder's to listen on (transaction below). pool.query listens itself.
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
      let broken: Error | undefined;
      // A lost connection fails the statement in flight (its own error, thrown below) and also emits 'error'.
      const onError = (err: Error) => {
        broken = err;
        options.onIdleError?.(err);
      };
      const client = await checkout(pool, onError);
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
        if (!broken) {
          try {
            await client.query('ROLLBACK');
          } catch (rollbackError) {
            // A connection that cannot roll back is not reused.
            broken = rollbackError as Error;
          }
        }
        throw err;
      } finally {
        client.removeListener('error', onError);
        // A broken connection is destroyed, not returned to the pool; the pool opens a new one when needed.
        client.release(broken);
      }
    },
    async close(): Promise<void> {
      await pool.end();
    },
  };
}
