import type { Queryable } from './db';

/**
 * Whether the local database accepts writes. An Aurora global database secondary cluster runs every session
 * with `transaction_read_only = on` until it is promoted, so this tells a region that may take payments from one
 * that must refuse them.
 */
export async function queryWritable(db: Queryable): Promise<boolean> {
  const { rows } = await db.query<{ transaction_read_only: string }>('SHOW transaction_read_only');
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
