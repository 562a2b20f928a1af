import { randomBytes } from 'node:crypto';
import { PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  call,
  conditionFailed,
  readReservation,
  type Reservation,
  reservationKey,
  type ReservationStore,
  ReservationUnavailableError,
} from './reservations';

/**
 * Reserving a key and the lease on it (the item model is in reservations.ts). A fresh reservation is held by
 * its request for LEASE_MS; a duplicate that sees the lease unexpired answers 409 at once; a request that
 * fails gives the lease up; an expired or released lease is taken over by exactly one duplicate (conditional
 * on the lease token it saw), which finishes the payment under the reserved id.
 */

/**
 * How long a request holds a fresh reservation: longer than the payment function's timeout (12 s), so a lease
 * only expires once its request is certainly gone, plus a margin for clock skew between regions.
 */
export const LEASE_MS = 15_000;

const newLeaseToken = (): string => randomBytes(12).toString('hex');

export interface ReserveInput {
  merchantId: string;
  idempotencyKey: string;
  /** The id this request would give the payment. */
  paymentId: string;
  requestHash: string;
  region: string;
  now: Date;
}

/**
 * Reserves the key for a new payment id, or returns the reservation that already holds it. `won` is also true
 * when the holder carries this request's own candidate id (an SDK retry of our own write that had succeeded).
 */
export async function reserve(
  store: ReservationStore,
  r: ReserveInput,
): Promise<{ won: boolean; reservation: Reservation }> {
  const reservation: Reservation = {
    paymentId: r.paymentId,
    requestHash: r.requestHash,
    state: 'pending',
    reservedAt: r.now.toISOString(),
    leaseToken: newLeaseToken(),
    leaseRegion: r.region,
    leaseExpiresAt: r.now.getTime() + LEASE_MS,
  };
  try {
    await call('reserve', (abortSignal) =>
      store.ddb.send(
        new PutCommand({
          TableName: store.table,
          Item: { pk: reservationKey(r.merchantId, r.idempotencyKey), ...reservation },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
        { abortSignal },
      ),
    );
    return { won: true, reservation };
  } catch (err) {
    if (!conditionFailed(err)) throw err;
  }
  const holder = await readReservation(store, r.merchantId, r.idempotencyKey);
  if (!holder) throw new ReservationUnavailableError('reserve', new Error('reservation vanished'));
  return { won: holder.paymentId === r.paymentId, reservation: holder };
}

/** One conditional UpdateItem of a key's reservation: false when its condition failed. */
async function conditionalUpdate(
  store: ReservationStore,
  key: { merchantId: string; idempotencyKey: string },
  operation: string,
  update: Pick<UpdateCommandInput, 'UpdateExpression' | 'ConditionExpression' | 'ExpressionAttributeValues'>,
): Promise<boolean> {
  try {
    await call(operation, (abortSignal) =>
      store.ddb.send(
        new UpdateCommand({
          TableName: store.table,
          Key: { pk: reservationKey(key.merchantId, key.idempotencyKey) },
          ...update,
        }),
        { abortSignal },
      ),
    );
    return true;
  } catch (err) {
    if (conditionFailed(err)) return false;
    throw err;
  }
}

/** True while the request holding the lease may still be working on the payment. */
export const leaseActive = (r: Reservation, now: Date): boolean => r.leaseExpiresAt > now.getTime();

/**
 * Takes over an expired lease (the request that held it is gone or gave up). Conditional on the lease token
 * seen, so of several duplicates exactly one continues; undefined when another took it first.
 */
export async function takeOver(
  store: ReservationStore,
  key: { merchantId: string; idempotencyKey: string },
  seen: Reservation,
  region: string,
  now: Date,
): Promise<Reservation | undefined> {
  const next = {
    ...seen,
    leaseToken: newLeaseToken(),
    leaseRegion: region,
    leaseExpiresAt: now.getTime() + LEASE_MS,
  };
  const taken = await conditionalUpdate(store, key, 'take over', {
    UpdateExpression: 'SET leaseToken = :token, leaseRegion = :region, leaseExpiresAt = :until',
    ConditionExpression: 'paymentId = :id AND leaseToken = :seen',
    ExpressionAttributeValues: {
      ':token': next.leaseToken,
      ':region': region,
      ':until': next.leaseExpiresAt,
      ':id': seen.paymentId,
      ':seen': seen.leaseToken,
    },
  });
  return taken ? next : undefined;
}

/**
 * Gives the lease up after a failure, so the client's retry continues at once instead of answering 409 until
 * the lease expires. Best effort: a lease that cannot be released simply expires.
 */
export async function releaseLease(
  store: ReservationStore,
  key: { merchantId: string; idempotencyKey: string },
  held: Reservation,
): Promise<void> {
  try {
    await conditionalUpdate(store, key, 'release', {
      UpdateExpression: 'SET leaseExpiresAt = :zero',
      ConditionExpression: 'leaseToken = :token',
      ExpressionAttributeValues: { ':zero': 0, ':token': held.leaseToken },
    });
  } catch {
    // Expires on its own.
  }
}
