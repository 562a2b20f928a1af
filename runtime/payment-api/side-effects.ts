import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { awsErrorName, awsHttpStatus } from '../shared/aws';
import type { PaymentRecord } from './payments-repo';
import { commitReservation } from './reservations';
import { receiptKey, toReceipt } from './resource';

/**
 * The writes that follow a committed payment. Each one is idempotent, so running it again after a partial
 * failure (or concurrently, for duplicate requests) converges on the same state:
 * - receipt: deterministic content, `If-None-Match: *` (an existing receipt is left alone, 412 is success);
 * - reservation commit: the key's reservation in the control table is marked committed with the payment's
 *   ledger facts, conditional on it holding this payment's id (reservations.ts), never overwriting another;
 * - session record: conditional on not moving `lastPaymentId` back to an older payment.
 */
export interface SideEffectTargets {
  ddb: DynamoDBDocumentClient;
  s3: S3Client;
  /** The payment control table (reservations and the write fence; DynamoDB MRSC). */
  controlTable: string;
  sessionsTable: string;
  receiptsBucket: string;
  receiptsKmsKeyArn: string;
}

export const SESSION_TTL_SECONDS = 30 * 60;

export interface SideEffectFailure {
  component: 'receipt' | 'reservation' | 'session_record';
  error: unknown;
}

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

export async function putReceipt(targets: SideEffectTargets, payment: PaymentRecord): Promise<void> {
  const command = new PutObjectCommand({
    Bucket: targets.receiptsBucket,
    Key: receiptKey(payment),
    Body: JSON.stringify(toReceipt(payment)),
    ContentType: 'application/json',
    ServerSideEncryption: 'aws:kms',
    SSEKMSKeyId: targets.receiptsKmsKeyArn,
    BucketKeyEnabled: true,
    IfNoneMatch: '*',
  });
  for (let attempt = 1; ; attempt++) {
    try {
      await targets.s3.send(command);
      return;
    } catch (err) {
      const status = awsHttpStatus(err);
      // 412: the receipt is already there (an earlier attempt or a concurrent duplicate wrote it).
      if (status === 412 || awsErrorName(err) === 'PreconditionFailed') return;
      // 409: a concurrent conditional write of the same key is in flight; it settles quickly.
      if (status === 409 && attempt < 3) {
        await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
        continue;
      }
      throw err;
    }
  }
}

export async function putSessionRecord(
  targets: SideEffectTargets,
  sessionId: string,
  payment: PaymentRecord,
  servingRegion: string,
  now: Date,
): Promise<void> {
  try {
    await targets.ddb.send(
      new PutCommand({
        TableName: targets.sessionsTable,
        Item: {
          pk: sessionId,
          lastPaymentId: payment.id,
          lastPaymentCreatedAt: payment.createdAt.toISOString(),
          region: servingRegion,
          updatedAt: now.toISOString(),
          expiresAt: epochSeconds(now) + SESSION_TTL_SECONDS,
        },
        ConditionExpression: 'attribute_not_exists(pk) OR lastPaymentCreatedAt <= :createdAt',
        ExpressionAttributeValues: { ':createdAt': payment.createdAt.toISOString() },
      }),
    );
  } catch (err) {
    // The session already points at a newer payment: nothing to do.
    if (awsErrorName(err) === 'ConditionalCheckFailedException') return;
    throw err;
  }
}

/**
 * Runs every side effect (in parallel: they are independent) and reports the ones that failed. All are
 * attempted even when one fails, so a retry has as little left to do as possible.
 */
export async function completeSideEffects(
  targets: SideEffectTargets,
  payment: PaymentRecord,
  session: { sessionId?: string; servingRegion: string; now: Date; replacing?: string },
): Promise<SideEffectFailure[]> {
  const reservation = commitReservation({ ddb: targets.ddb, table: targets.controlTable }, payment, {
    now: session.now,
    ...(session.replacing !== undefined ? { replacing: session.replacing } : {}),
  });
  const tasks: Array<[SideEffectFailure['component'], Promise<void>]> = [
    ['receipt', putReceipt(targets, payment)],
    ['reservation', reservation],
  ];
  if (session.sessionId) {
    tasks.push([
      'session_record',
      putSessionRecord(targets, session.sessionId, payment, session.servingRegion, session.now),
    ]);
  }
  const settled = await Promise.allSettled(tasks.map(([, task]) => task));
  const failures: SideEffectFailure[] = [];
  settled.forEach((outcome, i) => {
    const component = tasks[i]?.[0];
    if (outcome.status === 'rejected' && component) failures.push({ component, error: outcome.reason });
  });
  return failures;
}
