import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { Clock } from './clock';

/**
 * A lease lock in the DR state table, so that only one promotion runs at a time whoever starts it (watchdog,
 * orchestrator function, an operator's drctl).
 *
 * Acquire is a conditional PutItem that succeeds only when no lock item exists or the existing lease has
 * expired, so a holder that crashed blocks others for at most one lease. The holder renews the lease while it
 * works and deletes the item when done (conditionally on still owning it). `leaseExpiresAtMs` drives the
 * condition; `expiresAt` (epoch seconds, one hour later) only lets DynamoDB TTL clean up forgotten items, since
 * TTL deletion is lazy and never part of the lock logic.
 */
export const LOCK_KEY = 'orchestrator#lock';
export const DEFAULT_LEASE_MS = 120_000;

export interface LockHolder {
  owner: string;
  operation: string;
  acquiredAt: string;
  leaseExpiresAtMs: number;
}

export type AcquireResult = { acquired: true } | { acquired: false; holder?: LockHolder };

export interface DistributedLock {
  readonly owner: string;
  acquire(operation: string): Promise<AcquireResult>;
  /** Extends the lease; false when the lease was lost (expired and taken over). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
  /** The current holder, if any. */
  holder(): Promise<LockHolder | undefined>;
}

export interface LeaseLockOptions {
  ddb: DynamoDBDocumentClient;
  table: string;
  owner: string;
  clock: Clock;
  leaseMs?: number;
  key?: string;
}

const isConditionFailure = (err: unknown): boolean =>
  err instanceof Error && err.name === 'ConditionalCheckFailedException';

export class LeaseLock implements DistributedLock {
  readonly owner: string;
  private readonly leaseMs: number;
  private readonly key: string;

  constructor(private readonly options: LeaseLockOptions) {
    this.owner = options.owner;
    this.leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.key = options.key ?? LOCK_KEY;
    if (this.leaseMs < 1000) throw new Error('lock lease must be at least 1000 ms');
  }

  private expiry(now: number): { leaseExpiresAtMs: number; expiresAt: number } {
    const leaseExpiresAtMs = now + this.leaseMs;
    return { leaseExpiresAtMs, expiresAt: Math.ceil(leaseExpiresAtMs / 1000) + 3600 };
  }

  async acquire(operation: string): Promise<AcquireResult> {
    const now = this.options.clock.now();
    try {
      await this.options.ddb.send(
        new PutCommand({
          TableName: this.options.table,
          Item: {
            pk: this.key,
            owner: this.owner,
            operation,
            acquiredAt: new Date(now).toISOString(),
            ...this.expiry(now),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR leaseExpiresAtMs < :now',
          ExpressionAttributeValues: { ':now': now },
        }),
      );
      return { acquired: true };
    } catch (err) {
      if (!isConditionFailure(err)) throw err;
      return { acquired: false, holder: await this.holder() };
    }
  }

  /** The current holder, if any (a strongly consistent read). */
  async holder(): Promise<LockHolder | undefined> {
    const { Item } = await this.options.ddb.send(
      new GetCommand({ TableName: this.options.table, Key: { pk: this.key }, ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return {
      owner: String(Item.owner),
      operation: String(Item.operation),
      acquiredAt: String(Item.acquiredAt),
      leaseExpiresAtMs: Number(Item.leaseExpiresAtMs),
    };
  }

  async renew(): Promise<boolean> {
    const now = this.options.clock.now();
    const { leaseExpiresAtMs, expiresAt } = this.expiry(now);
    try {
      await this.options.ddb.send(
        new UpdateCommand({
          TableName: this.options.table,
          Key: { pk: this.key },
          UpdateExpression: 'SET leaseExpiresAtMs = :lease, expiresAt = :ttl',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':lease': leaseExpiresAtMs, ':ttl': expiresAt, ':owner': this.owner },
        }),
      );
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  }

  async release(): Promise<void> {
    try {
      await this.options.ddb.send(
        new DeleteCommand({
          TableName: this.options.table,
          Key: { pk: this.key },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': this.owner },
        }),
      );
    } catch (err) {
      // Someone else holds it now (our lease expired and was taken over): nothing of ours to release.
      if (!isConditionFailure(err)) throw err;
    }
  }
}
