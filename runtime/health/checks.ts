import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Queryable } from '../shared/db';
import { queryWritable } from '../shared/writability';

/**
 * Deep health of one region: can it accept payments right now?
 *
 * Runs in parallel, all under one deadline: the database answers `SELECT 1` and is writable (not an Aurora
 * secondary), the idempotency table answers a GetItem of a fixed key, and the receipts bucket answers HeadBucket.
 * Healthy only when every check passes. A check that has not answered by the deadline fails as "timeout"; its
 * request is aborted (AWS) or left to its own statement timeout (database).
 */
export interface HealthDeps {
  db: Queryable;
  dynamodb: DynamoDBDocumentClient;
  s3: S3Client;
  idempotencyTable: string;
  receiptsBucket: string;
  timeoutMs: number;
}

export type HealthComponent = 'database' | 'dynamodb' | 's3';

export interface ComponentResult {
  component: HealthComponent;
  ok: boolean;
  /** Why it failed: `timeout`, `read_only`, or the error's name. Logged, never returned to the caller. */
  reason?: string;
  latencyMs: number;
}

export interface HealthReport {
  healthy: boolean;
  components: ComponentResult[];
}

/** The fixed key read by the DynamoDB check; it does not need to exist. */
export const HEALTH_PROBE_KEY = '__health_probe__';

class TimeoutError extends Error {
  constructor() {
    super('health check timed out');
    this.name = 'TimeoutError';
  }
}

async function databaseCheck(db: Queryable): Promise<void> {
  const { rows } = await db.query<{ ok: number }>('SELECT 1 AS ok');
  if (Number(rows[0]?.ok) !== 1) throw new Error('unexpected answer to SELECT 1');
  if (!(await queryWritable(db)))
    throw Object.assign(new Error('database is read-only'), { name: 'read_only' });
}

function withDeadline(task: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(new TimeoutError());
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    task.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export async function checkHealth(deps: HealthDeps): Promise<HealthReport> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), deps.timeoutMs);
  const signal = controller.signal;
  const run = async (component: HealthComponent, task: () => Promise<unknown>): Promise<ComponentResult> => {
    const started = Date.now();
    try {
      await withDeadline(
        task().then(() => undefined),
        signal,
      );
      return { component, ok: true, latencyMs: Date.now() - started };
    } catch (err) {
      const reason = signal.aborted ? 'timeout' : err instanceof Error ? err.name : 'error';
      return { component, ok: false, reason, latencyMs: Date.now() - started };
    }
  };
  try {
    const components = await Promise.all([
      run('database', () => databaseCheck(deps.db)),
      run('dynamodb', () =>
        deps.dynamodb.send(
          new GetCommand({ TableName: deps.idempotencyTable, Key: { pk: HEALTH_PROBE_KEY } }),
          { abortSignal: signal },
        ),
      ),
      run('s3', () =>
        deps.s3.send(new HeadBucketCommand({ Bucket: deps.receiptsBucket }), { abortSignal: signal }),
      ),
    ]);
    return { healthy: components.every((c) => c.ok), components };
  } finally {
    clearTimeout(timer);
  }
}
