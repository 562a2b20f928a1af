import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { awsErrorName, awsHttpStatus } from '../shared/aws';
import { isPaymentId } from '../shared/ids';
import type { PaymentRecord } from './payments-repo';
import { idempotencyRecordKey, type PaymentResource, receiptKey, toReceipt } from './resource';

/**
 * The writes that follow a committed payment. Each one is idempotent, so running it again after a partial
 * failure (or concurrently, for duplicate requests) converges on the same state:
 * - receipt: deterministic content, `If-None-Match: *` (an existing receipt is left alone, 412 is success);
 * - idempotency record: deterministic content (timestamps come from the payment), plain overwrite;
 * - session record: conditional on not moving `lastPaymentId` back to an older payment.
 */
export interface SideEffectTargets {
  ddb: DynamoDBDocumentClient;
  s3: S3Client;
  idempotencyTable: string;
  sessionsTable: string;
  receiptsBucket: string;
  receiptsKmsKeyArn: string;
}

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
/** How long POST waits for the idempotency record before letting the ledger decide alone. */
export const IDEMPOTENCY_PREREAD_TIMEOUT_MS = 1000;
export const SESSION_TTL_SECONDS = 30 * 60;

export interface SideEffectFailure {
  component: 'receipt' | 'idempotency_record' | 'session_record';
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

export async function putIdempotencyRecord(
  targets: SideEffectTargets,
  payment: PaymentRecord,
  response: { status: number; body: PaymentResource },
): Promise<void> {
  await targets.ddb.send(
    new PutCommand({
      TableName: targets.idempotencyTable,
      Item: {
        pk: idempotencyRecordKey(payment.merchantId, payment.idempotencyKey),
        requestHash: payment.requestHash,
        paymentId: payment.id,
        responseStatus: response.status,
        responseBody: JSON.stringify(response.body),
        region: payment.region,
        createdAt: payment.createdAt.toISOString(),
        expiresAt: epochSeconds(payment.createdAt) + IDEMPOTENCY_TTL_SECONDS,
      },
    }),
  );
}

/** What the idempotency record says about the payment first recorded for a key. */
export interface RecordedPayment {
  paymentId: string;
  requestHash: string;
  region: string;
  createdAt: Date;
}

/**
 * Reads the idempotency record of `key` in this region's replica (a global table: it arrives from the other
 * region within about a second). Undefined when there is none or it is malformed.
 */
export async function readIdempotencyRecord(
  targets: SideEffectTargets,
  merchantId: string,
  key: string,
): Promise<RecordedPayment | undefined> {
  const { Item: item } = await targets.ddb.send(
    new GetCommand({
      TableName: targets.idempotencyTable,
      Key: { pk: idempotencyRecordKey(merchantId, key) },
      ConsistentRead: true,
    }),
    // Bounded on its own: in a DynamoDB brownout the POST must still answer before the function times out.
    { abortSignal: AbortSignal.timeout(IDEMPOTENCY_PREREAD_TIMEOUT_MS) },
  );
  if (!item) return undefined;
  const { paymentId, requestHash, region, createdAt } = item as Record<string, unknown>;
  if (typeof paymentId !== 'string' || !isPaymentId(paymentId) || typeof requestHash !== 'string')
    return undefined;
  if (typeof region !== 'string' || typeof createdAt !== 'string') return undefined;
  const created = new Date(createdAt);
  if (Number.isNaN(created.getTime())) return undefined;
  return { paymentId, requestHash, region, createdAt: created };
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
  response: { status: number; body: PaymentResource },
  session: { sessionId?: string; servingRegion: string; now: Date },
): Promise<SideEffectFailure[]> {
  const tasks: Array<[SideEffectFailure['component'], Promise<void>]> = [
    ['receipt', putReceipt(targets, payment)],
    ['idempotency_record', putIdempotencyRecord(targets, payment, response)],
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
