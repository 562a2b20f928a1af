import { type DynamoDBDocumentClient, GetCommand, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { awsErrorName } from '../shared/aws';
import { isPaymentId } from '../shared/ids';
import type { CreatePaymentCommand } from './request';

/**
 * Idempotency-key reservations in the payment control table (DynamoDB, multi-Region strong consistency: the
 * same table as the write fence, runtime/shared/fence.ts). Before the ledger transaction, POST /payments
 * reserves `(merchant, key) -> payment id + request hash` with a conditional PutItem; the ledger row is written
 * under that id, and after the commit the reservation is marked committed by an UpdateItem conditional on the
 * same id. A write returns only once it is in two of the three Regions and conditions see the latest version
 * ("Item changes in an MRSC global table replica are synchronously replicated to at least one other Region
 * before the write operation returns a successful response", "Conditional writes always evaluate the condition
 * expression against the latest version of an item": V2globaltables_HowItWorks), so a reservation survives
 * the loss of either region (RPO 0) and two regions can never hand out two ids for one key.
 *
 * MRSC supports neither transactions nor TTL, so every step is one conditional write on one item, and
 * reservations are kept (like the ledger's unique key, which never expires either): about 400 bytes per
 * payment, stored in both replica regions.
 *
 * Item `pk = rsv#<merchantId>#<Idempotency-Key>`:
 * - always: `paymentId`, `requestHash` (SHA-256 of the canonical body), `state` (`pending` | `committed`),
 *   `reservedAt` (ISO 8601), `leaseToken`, `leaseRegion`, `leaseExpiresAt` (epoch ms);
 * - once committed: `createdAt` (the payment's, ISO 8601), `region` (where it was recorded), `amount`,
 *   `currency`, `committedAt`.
 * The lease (reservation-lease.ts) says a request is working on the key: a duplicate that sees an unexpired
 * lease answers 409 at once instead of waiting; an expired (or released) lease is taken over with a conditional
 * write, so at most one request continues a stalled payment, always under the reserved id.
 */
export const RESERVATION_PREFIX = 'rsv#';

/** Longest wait for one reservation call (its SDK attempts included); past it the POST answers 503. */
export const RESERVATION_TIMEOUT_MS = 1500;
/** Attempts when a write meets ReplicatedWriteConflictException ("can be retried", AWS says). */
const CONFLICT_ATTEMPTS = 3;

/**
 * The merchant whose key space an Idempotency-Key belongs to: the authenticated caller's (merchants.ts, bound in
 * app.ts), never the body's `merchantId` (issue #14; request.ts refuses a body naming another merchant anyway).
 */
export function keyOwner(command: CreatePaymentCommand): string {
  return command.merchantId;
}

/** `rsv#<merchantId>#<key>`: `#` can appear in neither a merchant id nor a key, so the triple is unambiguous. */
export function reservationKey(merchantId: string, idempotencyKey: string): string {
  return `${RESERVATION_PREFIX}${merchantId}#${idempotencyKey}`;
}

export interface Reservation {
  paymentId: string;
  requestHash: string;
  state: 'pending' | 'committed';
  reservedAt: string;
  leaseToken: string;
  leaseRegion: string;
  leaseExpiresAt: number;
  /** Set once committed. */
  createdAt?: Date;
  region?: string;
  amount?: number;
  currency?: string;
}

export interface ReservationStore {
  ddb: DynamoDBDocumentClient;
  table: string;
}

/** The reservation store did not answer (timeout, no quorum, throttling, an error): nothing can be decided. */
export class ReservationUnavailableError extends Error {
  constructor(
    readonly operation: string,
    readonly cause: unknown,
  ) {
    super(`reservation ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'ReservationUnavailableError';
  }
}

export function parseReservation(item: Record<string, unknown>): Reservation {
  const { paymentId, requestHash, state, reservedAt, leaseToken, leaseRegion, leaseExpiresAt } = item;
  if (typeof paymentId !== 'string' || !isPaymentId(paymentId))
    throw new Error('reservation without payment id');
  if (typeof requestHash !== 'string' || !/^[0-9a-f]{64}$/.test(requestHash))
    throw new Error('reservation without request hash');
  if (state !== 'pending' && state !== 'committed') throw new Error('reservation in an unknown state');
  const created = typeof item.createdAt === 'string' ? new Date(item.createdAt) : undefined;
  if (
    state === 'committed' &&
    (!created || Number.isNaN(created.getTime()) || typeof item.region !== 'string')
  )
    throw new Error('committed reservation without creation time or region');
  return {
    paymentId,
    requestHash,
    state,
    reservedAt: typeof reservedAt === 'string' ? reservedAt : '',
    leaseToken: typeof leaseToken === 'string' ? leaseToken : '',
    leaseRegion: typeof leaseRegion === 'string' ? leaseRegion : '',
    leaseExpiresAt: typeof leaseExpiresAt === 'number' ? leaseExpiresAt : 0,
    ...(created ? { createdAt: created } : {}),
    ...(typeof item.region === 'string' ? { region: item.region } : {}),
    ...(typeof item.amount === 'number' ? { amount: item.amount } : {}),
    ...(typeof item.currency === 'string' ? { currency: item.currency } : {}),
  };
}

export const conditionFailed = (err: unknown): boolean =>
  awsErrorName(err) === 'ConditionalCheckFailedException';

/** One call, bounded, retried while another region is writing the same item; other errors are unavailability. */
export async function call<T>(operation: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const signal = AbortSignal.timeout(RESERVATION_TIMEOUT_MS);
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(signal);
    } catch (err) {
      if (conditionFailed(err)) throw err;
      if (awsErrorName(err) === 'ReplicatedWriteConflictException' && attempt < CONFLICT_ATTEMPTS) {
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt + Math.random() * 20));
        continue;
      }
      throw new ReservationUnavailableError(operation, err);
    }
  }
}

/** The reservation of a key, from the latest committed version (strongly consistent). */
export async function readReservation(
  store: ReservationStore,
  merchantId: string,
  idempotencyKey: string,
): Promise<Reservation | undefined> {
  const out = await call('read', (abortSignal) =>
    store.ddb.send(
      new GetCommand({
        TableName: store.table,
        Key: { pk: reservationKey(merchantId, idempotencyKey) },
        ConsistentRead: true,
      }),
      { abortSignal },
    ),
  );
  if (!out.Item) return undefined;
  try {
    return parseReservation(out.Item);
  } catch (err) {
    throw new ReservationUnavailableError('read', err);
  }
}

/** What a committed reservation records: the payment as the ledger has it. */
export interface CommittedPayment {
  id: string;
  merchantId: string;
  idempotencyKey: string;
  requestHash: string;
  amount: number;
  currency: string;
  region: string;
  createdAt: Date;
}

/**
 * Marks the key's reservation committed with the payment's ledger facts. Conditional on the reservation
 * holding this payment's id; it is also written when the key has no reservation at all (a payment recorded
 * before reservations existed, or re-recorded by lost-write recovery), and may move a reservation from
 * `replacing` (a candidate id this request reserved) to the payment the ledger already holds for the key.
 * ConditionalCheckFailedException means the key is reserved for another payment: never overwritten.
 */
export async function commitReservation(
  store: ReservationStore,
  payment: CommittedPayment,
  options: { now: Date; replacing?: string },
): Promise<void> {
  const replacing = options.replacing !== undefined && options.replacing !== payment.id;
  await call('commit', (abortSignal) =>
    store.ddb.send(
      new UpdateCommand({
        TableName: store.table,
        Key: { pk: reservationKey(payment.merchantId, payment.idempotencyKey) },
        UpdateExpression:
          'SET paymentId = :id, requestHash = :hash, #state = :committed, createdAt = :createdAt, #region = :region, amount = :amount, currency = :currency, committedAt = :now',
        ConditionExpression: replacing
          ? 'attribute_not_exists(pk) OR paymentId = :id OR paymentId = :replacing'
          : 'attribute_not_exists(pk) OR paymentId = :id',
        ExpressionAttributeNames: { '#state': 'state', '#region': 'region' },
        ExpressionAttributeValues: {
          ':id': payment.id,
          ':hash': payment.requestHash,
          ':committed': 'committed',
          ':createdAt': payment.createdAt.toISOString(),
          ':region': payment.region,
          ':amount': payment.amount,
          ':currency': payment.currency,
          ':now': options.now.toISOString(),
          ...(replacing ? { ':replacing': options.replacing } : {}),
        },
      }),
      { abortSignal },
    ),
  );
}

/** Every reservation of the table, page by page (an eventually consistent Scan: for recovery reports only). */
export async function* scanReservations(
  store: ReservationStore,
  pageSize = 500,
): AsyncGenerator<Array<Reservation & { key: string }>> {
  let start: Record<string, unknown> | undefined;
  do {
    const page = await call('scan', (abortSignal) =>
      store.ddb.send(
        new ScanCommand({
          TableName: store.table,
          Limit: pageSize,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
        { abortSignal },
      ),
    );
    const items = (page.Items ?? []).filter((i) => String(i.pk).startsWith(RESERVATION_PREFIX));
    yield items.map((i) => ({ ...parseReservation(i), key: String(i.pk) }));
    start = page.LastEvaluatedKey;
  } while (start);
}
