import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { awsErrorName } from './aws-clients';

/**
 * The regional write fence: one "active region" item in the payment control table, a DynamoDB global table
 * with multi-Region strong consistency (MRSC: replicas in us-east-1 and us-east-2, witness in us-west-2).
 *
 * Why it holds across a partition (AWS, "Using DynamoDB global tables" → key facts about MRSC,
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/bp-global-table-design.html):
 * - "Strongly consistent read operations on any MRSC replica always return the latest version of an item.
 *   Conditional writes always evaluate the condition expression against the latest version of an item."
 * - "The local Region accepts all read and write operations as long as a second Region that hosts a replica or
 *   witness is available to establish quorum. If a second Region isn't available, the local Region can service
 *   only eventually consistent reads."
 * So an isolated region cannot read the fence strongly at all (its guard answers `unreachable` and it refuses
 * every write), and a region that can read it sees the latest activation.
 *
 * Writers: only the failover plan's custom-action step and drctl call `activateRegion` (the deployment creates
 * the first item, for the primary region, once and never rewrites it: src/constructs/control-table.ts).
 * Readers: the payment function before every write (`createFenceGuard`), and /health (`readFence`).
 *
 * Item: `pk = fence#active-region`, `activeRegion`, `epoch` (number, +1 per change), `updatedAt` (ISO 8601),
 * `updatedBy`, `reason` (optional). MRSC supports no transactions (V2globaltables_HowItWorks: "do not support
 * transaction operations"), so every change is one conditional PutItem on this one item.
 */
export const FENCE_KEY = 'fence#active-region';

export interface FenceState {
  activeRegion: string;
  epoch: number;
  updatedAt: string;
  updatedBy: string;
  reason?: string;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The fence item exists but does not have the documented shape: nobody may trust it (guards refuse). */
export class MalformedFenceError extends Error {
  constructor(detail: string) {
    super(`the fence item ${FENCE_KEY} is malformed: ${detail}`);
    this.name = 'MalformedFenceError';
  }
}

function parseFence(item: Record<string, unknown>): FenceState {
  const { activeRegion, epoch, updatedAt, updatedBy, reason } = item;
  if (typeof activeRegion !== 'string' || !REGION_PATTERN.test(activeRegion))
    throw new MalformedFenceError('activeRegion is not a region name');
  if (typeof epoch !== 'number' || !Number.isSafeInteger(epoch) || epoch < 1)
    throw new MalformedFenceError('epoch is not a positive integer');
  if (typeof updatedAt !== 'string' || Number.isNaN(Date.parse(updatedAt)))
    throw new MalformedFenceError('updatedAt is not a timestamp');
  if (typeof updatedBy !== 'string' || updatedBy === '') throw new MalformedFenceError('updatedBy is empty');
  if (reason !== undefined && typeof reason !== 'string') throw new MalformedFenceError('reason is not text');
  return { activeRegion, epoch, updatedAt, updatedBy, ...(reason !== undefined ? { reason } : {}) };
}

const sendOptions = (abortSignal?: AbortSignal) => (abortSignal ? { abortSignal } : undefined);

/**
 * The fence as the latest committed version says (a strongly consistent GetItem); undefined when no region was
 * ever activated. Throws on any error (no quorum, timeout, access) and on a malformed item.
 */
export async function readFence(
  ddb: DynamoDBDocumentClient,
  table: string,
  options: { abortSignal?: AbortSignal } = {},
): Promise<FenceState | undefined> {
  const out = await ddb.send(
    new GetCommand({ TableName: table, Key: { pk: FENCE_KEY }, ConsistentRead: true }),
    sendOptions(options.abortSignal),
  );
  return out.Item ? parseFence(out.Item) : undefined;
}

export interface ActivateRegionOptions {
  region: string;
  /** Who activates: the plan execution, or the operator running drctl. */
  by: string;
  reason: string;
  abortSignal?: AbortSignal;
  /** Clock for `updatedAt` (tests). */
  now?: () => Date;
}

/** Attempts of one activation when a concurrent write from another region conflicts (retry-safe, AWS says). */
const ACTIVATE_ATTEMPTS = 3;

/**
 * Makes `region` the active region: a conditional PutItem that sets it and increments `epoch`, conditional on
 * the epoch it read (or on the item not existing yet), so of concurrent activations exactly one wins per epoch.
 *
 * - `region` already active: nothing is written, `{ state, changed: false }`.
 * - Won: `{ state: <new state>, changed: true }`.
 * - Lost the race (ConditionalCheckFailedException): re-reads and reports the winner, `changed: false`; the
 *   caller compares `state.activeRegion` with the region it asked for.
 * - ReplicatedWriteConflictException ("A write operation fails with a ReplicatedWriteConflictException when it
 *   attempts to modify an item that is already being modified in another Region. [It] can be retried",
 *   V2globaltables_HowItWorks): read and try again, at most ACTIVATE_ATTEMPTS times, then the error.
 * Any other error (no quorum, timeout) is thrown: the caller does not know whether the fence moved.
 */
export async function activateRegion(
  ddb: DynamoDBDocumentClient,
  table: string,
  options: ActivateRegionOptions,
): Promise<{ state: FenceState; changed: boolean }> {
  if (!REGION_PATTERN.test(options.region)) throw new Error(`not a region name: ${options.region}`);
  if (options.by.trim() === '') throw new Error('activateRegion needs `by` (who activates)');
  const now = options.now ?? (() => new Date());
  for (let attempt = 1; ; attempt++) {
    const current = await readFence(ddb, table, options);
    if (current?.activeRegion === options.region) return { state: current, changed: false };
    const next: FenceState = {
      activeRegion: options.region,
      epoch: (current?.epoch ?? 0) + 1,
      updatedAt: now().toISOString(),
      updatedBy: options.by,
      ...(options.reason ? { reason: options.reason } : {}),
    };
    try {
      await ddb.send(
        new PutCommand({
          TableName: table,
          Item: { pk: FENCE_KEY, ...next },
          ...(current
            ? {
                ConditionExpression: '#epoch = :expected',
                ExpressionAttributeNames: { '#epoch': 'epoch' },
                ExpressionAttributeValues: { ':expected': current.epoch },
              }
            : { ConditionExpression: 'attribute_not_exists(pk)' }),
        }),
        sendOptions(options.abortSignal),
      );
      return { state: next, changed: true };
    } catch (err) {
      const name = awsErrorName(err);
      if (name === 'ConditionalCheckFailedException') {
        const winner = await readFence(ddb, table, options);
        if (!winner) throw err;
        return { state: winner, changed: false };
      }
      if (name !== 'ReplicatedWriteConflictException' || attempt >= ACTIVATE_ATTEMPTS) throw err;
    }
  }
}

/**
 * What the payment path asks before every write:
 * - `active`: the fence names this region (read with quorum);
 * - `not-active`: it names another region, or no region was ever activated;
 * - `unreachable`: the strongly consistent read failed (no quorum, timeout, any error) or the item is
 *   malformed. Refused like `not-active`: an isolated region must never write.
 */
export type FenceVerdict = 'active' | 'not-active' | 'unreachable';

export interface FenceCheck {
  verdict: FenceVerdict;
  /** The fence as read (absent when unreachable or never activated). */
  state?: FenceState;
  /** Why it is unreachable. */
  error?: unknown;
  /** True when the answer came from the cache (at most `cacheMs` old). */
  cached: boolean;
}

export interface FenceGuard {
  readonly region: string;
  /** Bound on the age of a cached answer, in ms. */
  readonly cacheMs: number;
  check(): Promise<FenceCheck>;
}

/**
 * Longest cache a guard accepts. The failover plan moves DNS after the fence step, and clients follow the
 * public name within its alias TTL (60 s): a region keeps trusting a stale `active` for at most this long,
 * well below that step. A request admitted just before the fence moved can still write until it ends (the
 * payment function's timeout, 12 s): the plan's steps after the fence must allow cacheMs + 12 s.
 */
export const FENCE_CACHE_MAX_MS = 5000;
/** Default cache bound of the payment function (FENCE_CACHE_MS). */
export const DEFAULT_FENCE_CACHE_MS = 1000;
/** Longest wait for the strongly consistent read; past it the region counts as unreachable. */
export const DEFAULT_FENCE_READ_TIMEOUT_MS = 800;

export interface FenceGuardOptions {
  ddb: DynamoDBDocumentClient;
  table: string;
  /** The region this guard protects (AWS_REGION of the function). */
  region: string;
  /** Answers `active` / `not-active` are reused for at most this long (0: every check reads). */
  cacheMs: number;
  /** Milliseconds clock (tests use a virtual one). */
  clock?: () => number;
  readTimeoutMs?: number;
}

/**
 * The guard of one region. An answer is cached from the moment its read *started* (the value was true at some
 * point after that), so a cached answer is never older than `cacheMs`; `unreachable` is never cached, and
 * concurrent checks share one read.
 */
export function createFenceGuard(o: FenceGuardOptions): FenceGuard {
  if (!Number.isInteger(o.cacheMs) || o.cacheMs < 0 || o.cacheMs > FENCE_CACHE_MAX_MS)
    throw new Error(`fence cache must be 0 to ${FENCE_CACHE_MAX_MS} ms, got ${o.cacheMs}`);
  const clock = o.clock ?? Date.now;
  const timeoutMs = o.readTimeoutMs ?? DEFAULT_FENCE_READ_TIMEOUT_MS;
  let cached: { check: FenceCheck; startedAt: number } | undefined;
  let inFlight: Promise<FenceCheck> | undefined;

  const read = async (): Promise<FenceCheck> => {
    const startedAt = clock();
    let check: FenceCheck;
    try {
      const state = await readFence(o.ddb, o.table, { abortSignal: AbortSignal.timeout(timeoutMs) });
      check = {
        verdict: state?.activeRegion === o.region ? 'active' : 'not-active',
        ...(state ? { state } : {}),
        cached: false,
      };
      cached = { check, startedAt };
    } catch (error) {
      cached = undefined;
      check = { verdict: 'unreachable', error, cached: false };
    }
    return check;
  };

  return {
    region: o.region,
    cacheMs: o.cacheMs,
    check(): Promise<FenceCheck> {
      if (cached && clock() - cached.startedAt < o.cacheMs)
        return Promise.resolve({ ...cached.check, cached: true });
      inFlight ??= read().finally(() => {
        inFlight = undefined;
      });
      return inFlight;
    },
  };
}
