import type { Queryable } from './db';

/**
 * True for Node's error when a host name does not resolve (getaddrinfo ENOTFOUND), as pg passes it on.
 */
export function isUnresolvedHost(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'ENOTFOUND';
}

/**
 * Whether the local database accepts writes. An Aurora global database secondary cluster runs every session
 * with `transaction_read_only = on` until it is promoted, so this tells a region that may take payments from one
 * that must refuse them.
 *
 * The functions connect to their own cluster's writer (cluster) endpoint, which while the cluster is a secondary
 * is "inactive" ("The inactive state applies to an endpoint that can't be used for a certain kind of cluster, such
 * as a writer endpoint for a read-only secondary cluster in a global database": RDS API, DBClusterEndpoint); field
 * reports show it not resolving at all ("no such host", gravitational/teleport#16079). A name that does not
 * resolve therefore means "this cluster has no writer here": not writable, the same answer as a read-only session,
 * so POST answers 503 REGION_READ_ONLY, the reconcile and the migration skip, and nothing is written. Any other
 * connection error stays an error (the database is unavailable, which is not the same claim).
 */
export async function queryWritable(db: Queryable): Promise<boolean> {
  let rows: Array<{ transaction_read_only: string }>;
  try {
    ({ rows } = await db.query<{ transaction_read_only: string }>('SHOW transaction_read_only'));
  } catch (err) {
    if (isUnresolvedHost(err)) return false;
    throw err;
  }
  const value = rows[0]?.transaction_read_only;
  if (value !== 'on' && value !== 'off') throw new Error('unexpected answer to SHOW transaction_read_only');
  return value === 'off';
}

export interface WritabilityProbe {
  /** Cached for at most `ttlMs`; errors are not cached. */
  isWritable(): Promise<boolean>;
  /** Forget the cached answer (e.g. after a write failed with SQLSTATE 25006). */
  invalidate(): void;
}

export function createWritabilityProbe(
  db: Queryable,
  options: { ttlMs?: number; now?: () => number } = {},
): WritabilityProbe {
  const ttlMs = options.ttlMs ?? 2000;
  const now = options.now ?? Date.now;
  let cached: { value: boolean; at: number } | undefined;
  let inFlight: Promise<boolean> | undefined;
  return {
    isWritable(): Promise<boolean> {
      if (cached && now() - cached.at < ttlMs) return Promise.resolve(cached.value);
      if (!inFlight) {
        inFlight = queryWritable(db)
          .then((value) => {
            cached = { value, at: now() };
            return value;
          })
          .finally(() => {
            inFlight = undefined;
          });
      }
      return inFlight;
    },
    invalidate(): void {
      cached = undefined;
    },
  };
}
