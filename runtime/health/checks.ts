import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  type Database,
  type Queryable,
  QUERY_CANCELED,
  READ_ONLY_SQL_TRANSACTION,
  sqlState,
} from '../shared/db';
import { readFence } from '../shared/fence';
import { queryWritable } from '../shared/writability';

/**
 * Deep health of one region, all under one deadline (`timeoutMs`).
 *
 * - Role: `active` when this check found the region's own cluster writable through its writer endpoint
 *   (`SHOW transaction_read_only` is `off`) AND the write fence (the payment control table's fence item, read
 *   with strong consistency: runtime/shared/fence.ts) names this region; `passive` otherwise. An Aurora global
 *   database secondary runs read-only and its writer endpoint is inactive (runtime/shared/writability.ts); a
 *   fenced region (the plan activated the other region, or this one cannot reach the fence's quorum) may still
 *   find its cluster writable after an unplanned failover, and reports `passive` all the same: its payment
 *   function refuses every write there (REGION_NOT_ACTIVE), and so does the check, which then commits nothing.
 * - Active: the check commits the heartbeat, an upsert of this region's one row of `health_heartbeat`
 *   (migration 002), in a transaction whose `statement_timeout` is what is left of the deadline. A commit path
 *   that blocks (a lock, a paused or lagging commit, a full disk, a cluster going read-only) fails the check, as
 *   it would fail every payment: reading alone would not notice.
 * - Passive: `SELECT 1` through the reader endpoint; nothing is written.
 * - Both: the payment control table answers the strongly consistent fence read (its `dynamodb` component; a
 *   region cut off from the quorum fails it), the receipts bucket a HeadBucket.
 *
 * Healthy only when every component checked passes. A component that has not answered by the deadline fails
 * as `timeout`; its AWS request is aborted, its SQL statement ended by its own statement timeout.
 */
export interface HealthDeps {
  /** The region's writer endpoint: writability and the heartbeat. */
  db: Database;
  /** The region's reader endpoint, read in the passive role (default: `db`). */
  readerDb?: Queryable;
  dynamodb: DynamoDBDocumentClient;
  s3: S3Client;
  controlTable: string;
  receiptsBucket: string;
  /** Whose heartbeat row is written. */
  region: string;
  timeoutMs: number;
}

export type HealthComponent = 'database' | 'heartbeat' | 'dynamodb' | 's3';
export type HealthRole = 'active' | 'passive';

export interface ComponentResult {
  component: HealthComponent;
  ok: boolean;
  /**
   * Why it failed: `timeout` (the deadline), `statement_timeout`, `lock_timeout`, `read_only`, `schema_pending`
   * (the heartbeat table or its grant is missing: migrations have not run yet), an AWS error name or a
   * connection error code.
   */
  reason?: string;
  latencyMs: number;
}

export interface HealthReport {
  healthy: boolean;
  role: HealthRole;
  components: ComponentResult[];
}

/** 42P01 undefined_table, 42501 insufficient_privilege: the heartbeat table or its grant is not there yet. */
const SCHEMA_PENDING_STATES = new Set(['42P01', '42501']);

/** The upsert: one row per region, updated in place (no growth). */
export const HEARTBEAT_UPSERT = `INSERT INTO health_heartbeat (region, beat_at) VALUES ($1, now())
  ON CONFLICT (region) DO UPDATE SET beat_at = EXCLUDED.beat_at`;

class DeadlineError extends Error {
  constructor() {
    super('health check timed out');
    this.name = 'DeadlineError';
  }
}

/** A short, non-identifying name for a failure (logged, and returned by the authenticated probe only). */
export function reasonOf(err: unknown): string {
  const state = sqlState(err);
  if (state !== undefined) {
    if (SCHEMA_PENDING_STATES.has(state)) return 'schema_pending';
    if (state === QUERY_CANCELED) return 'statement_timeout';
    if (state === '55P03') return 'lock_timeout';
    if (state === READ_ONLY_SQL_TRANSACTION) return 'read_only';
    return `sqlstate_${state}`;
  }
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
  if (err instanceof Error && /^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(err.name) && err.name !== 'Error') {
    return err.name;
  }
  return 'error';
}

/**
 * Commits the heartbeat within `timeoutMs`: `set_config(..., true)` is `SET LOCAL`, so the bound holds for this
 * transaction's statements, COMMIT included, and the pooled connection keeps its own setting afterwards.
 * PostgreSQL: "statement_timeout: Abort any statement that takes more than the specified amount of time"
 * (https://www.postgresql.org/docs/current/runtime-config-client.html); `SET LOCAL` "effects last only till the
 * end of the current transaction" (https://www.postgresql.org/docs/current/sql-set.html).
 */
export async function commitHeartbeat(db: Database, region: string, timeoutMs: number): Promise<void> {
  const bound = String(Math.max(1, Math.floor(timeoutMs)));
  await db.transaction(async (tx) => {
    await tx.query("SELECT set_config('statement_timeout', $1, true)", [bound]);
    const { rowCount } = await tx.query(HEARTBEAT_UPSERT, [region]);
    if (rowCount !== 1) throw new Error(`heartbeat upsert touched ${rowCount} rows`);
  });
}

async function selectOne(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ ok: number }>('SELECT 1 AS ok');
  if (Number(rows[0]?.ok) !== 1) throw new Error('unexpected answer to SELECT 1');
}

function withDeadline<T>(task: () => Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeadlineError());
    // Nothing starts after the deadline: above all no transaction.
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    task()
      .then(resolve, reject)
      .finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const controller = new AbortController();
  const deadline = Date.now() + deps.timeoutMs;
  const timer = setTimeout(() => controller.abort(), deps.timeoutMs);
  const signal = controller.signal;
  const run = async <T>(
    component: HealthComponent,
    task: () => Promise<T>,
  ): Promise<{ result: ComponentResult; value?: T }> => {
    const started = Date.now();
    try {
      const value = await withDeadline(task, signal);
      return { result: { component, ok: true, latencyMs: Date.now() - started }, value };
    } catch (err) {
      const reason = signal.aborted ? 'timeout' : reasonOf(err);
      return { result: { component, ok: false, reason, latencyMs: Date.now() - started } };
    }
  };

  // The fence read starts at once, beside the writability check; the heartbeat waits for it (a fenced region
  // must not write, not even its heartbeat).
  const fence = run('dynamodb', () => readFence(deps.dynamodb, deps.controlTable, { abortSignal: signal }));
  const databasePath = async (): Promise<{ role: HealthRole; results: ComponentResult[] }> => {
    const writable = await run('database', () => queryWritable(deps.db));
    if (writable.value === true) {
      const f = await fence;
      if (f.value?.activeRegion !== deps.region) return { role: 'passive', results: [writable.result] };
      const beat = await run('heartbeat', () => commitHeartbeat(deps.db, deps.region, deadline - Date.now()));
      return { role: 'active', results: [writable.result, beat.result] };
    }
    if (!writable.result.ok) return { role: 'passive', results: [writable.result] };
    const read = await run('database', () => selectOne(deps.readerDb ?? deps.db));
    return { role: 'passive', results: [read.result] };
  };

  try {
    const [database, dynamodb, s3] = await Promise.all([
      databasePath(),
      fence,
      run('s3', () =>
        deps.s3.send(new HeadBucketCommand({ Bucket: deps.receiptsBucket }), { abortSignal: signal }),
      ),
    ]);
    const components = [...database.results, dynamodb.result, s3.result];
    return { healthy: components.every((c) => c.ok), role: database.role, components };
  } finally {
    clearTimeout(timer);
  }
}
