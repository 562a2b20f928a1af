import type { Database, Queryable } from '../shared/db';
import type { CurrencyCode } from '../shared/currencies';

/** Data access for payments and their ledger entries. */
export interface PaymentRecord {
  id: string;
  idempotencyKey: string;
  requestHash: string;
  amount: number;
  currency: CurrencyCode;
  merchantId: string;
  reference: string | null;
  description: string | null;
  paymentMethodType: 'card_token';
  status: 'accepted';
  region: string;
  createdAt: Date;
  sideEffectsCompletedAt: Date | null;
}

export interface NewPayment {
  id: string;
  idempotencyKey: string;
  requestHash: string;
  amount: number;
  currency: CurrencyCode;
  merchantId: string;
  reference?: string;
  description?: string;
  paymentMethodToken: string;
  region: string;
  /** Set only when re-recording a payment first recorded elsewhere (see create-payment.ts). */
  createdAt?: Date;
}

interface PaymentRow {
  id: string;
  idempotency_key: string;
  request_hash: string;
  amount: string | number | bigint;
  currency: string;
  merchant_id: string;
  reference: string | null;
  description: string | null;
  payment_method_type: string;
  status: string;
  region: string;
  created_at: Date | string;
  side_effects_completed_at: Date | string | null;
}

const COLUMNS = `id, idempotency_key, request_hash, amount, currency, merchant_id, reference, description,
  payment_method_type, status, region, created_at, side_effects_completed_at`;

/** Ledger accounts: the card network owes us the funds (debit); we owe them to the merchant (credit). */
export const CLEARING_ACCOUNT = 'card_clearing';
export const merchantPayableAccount = (merchantId: string): string => `merchant_payable:${merchantId}`;

function toDate(value: Date | string): Date {
  return value instanceof Date ? value : new Date(value);
}

function toRecord(row: PaymentRow): PaymentRecord {
  // bigint columns arrive as strings (node-postgres) or numbers (PGlite); amounts are at most 10^12, well
  // inside the exactly representable integer range.
  const amount = Number(row.amount);
  if (!Number.isSafeInteger(amount)) throw new Error('payment amount out of range');
  return {
    id: row.id,
    idempotencyKey: row.idempotency_key,
    requestHash: row.request_hash,
    amount,
    currency: row.currency as CurrencyCode,
    merchantId: row.merchant_id,
    reference: row.reference,
    description: row.description,
    paymentMethodType: row.payment_method_type as 'card_token',
    status: row.status as 'accepted',
    region: row.region,
    createdAt: toDate(row.created_at),
    sideEffectsCompletedAt:
      row.side_effects_completed_at === null ? null : toDate(row.side_effects_completed_at),
  };
}

async function insertLedgerEntries(tx: Queryable, payment: PaymentRecord): Promise<void> {
  await tx.query(
    `INSERT INTO ledger_entries (payment_id, entry_type, account, amount, currency, created_at)
     VALUES ($1, 'debit', $2, $3, $4, $6), ($1, 'credit', $5, $7, $4, $6)`,
    [
      payment.id,
      CLEARING_ACCOUNT,
      payment.amount,
      payment.currency,
      merchantPayableAccount(payment.merchantId),
      payment.createdAt,
      -payment.amount,
    ],
  );
}

/**
 * Inserts the payment and its two ledger entries in one transaction, unless a payment with the same
 * idempotency key exists for the merchant. The unique constraint on (merchant_id, idempotency_key) decides
 * between concurrent requests:
 * `ON CONFLICT DO NOTHING` makes every loser wait for the winner's commit and then insert nothing; the loser
 * then reads the winner's row (READ COMMITTED: the next statement sees the committed row).
 */
export async function insertPaymentOnce(
  db: Database,
  payment: NewPayment,
): Promise<{ record: PaymentRecord; created: boolean }> {
  return db.transaction(async (tx) => {
    const inserted = await tx.query<PaymentRow>(
      `INSERT INTO payments (id, idempotency_key, request_hash, amount, currency, merchant_id, reference,
         description, payment_method_type, payment_method_token, status, region, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'card_token', $9, 'accepted', $10,
         COALESCE($11::timestamptz, date_trunc('milliseconds', now())))
       ON CONFLICT (merchant_id, idempotency_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        payment.id,
        payment.idempotencyKey,
        payment.requestHash,
        payment.amount,
        payment.currency,
        payment.merchantId,
        payment.reference ?? null,
        payment.description ?? null,
        payment.paymentMethodToken,
        payment.region,
        payment.createdAt ?? null,
      ],
    );
    const row = inserted.rows[0];
    if (row) {
      const record = toRecord(row);
      await insertLedgerEntries(tx, record);
      return { record, created: true };
    }
    const existing = await tx.query<PaymentRow>(
      `SELECT ${COLUMNS} FROM payments WHERE merchant_id = $1 AND idempotency_key = $2`,
      [payment.merchantId, payment.idempotencyKey],
    );
    const found = existing.rows[0];
    if (!found) throw new Error('idempotency key conflicted but no payment holds it');
    return { record: toRecord(found), created: false };
  });
}

export async function findPayment(db: Queryable, id: string): Promise<PaymentRecord | undefined> {
  const { rows } = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE id = $1`, [id]);
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/**
 * A payment of one merchant: another merchant's payment is not found, the same answer as a payment that does not
 * exist, so a caller learns nothing of ids that are not its merchant's (GET /payments/{id}).
 */
export async function findMerchantPayment(
  db: Queryable,
  id: string,
  merchantId: string,
): Promise<PaymentRecord | undefined> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT ${COLUMNS} FROM payments WHERE id = $1 AND merchant_id = $2`,
    [id, merchantId],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/**
 * Payments whose side effects were never completed (the client got 503 PAYMENT_INCOMPLETE and did not retry,
 * or the function stopped after the commit), older than `olderThanMs` by the database clock so that requests
 * still in flight are left to finish themselves. Oldest first; served by payments_side_effects_pending_idx.
 */
export async function findIncompletePayments(
  db: Queryable,
  olderThanMs: number,
  limit: number,
): Promise<PaymentRecord[]> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT ${COLUMNS} FROM payments
     WHERE side_effects_completed_at IS NULL
       AND created_at < clock_timestamp() - make_interval(secs => $1::double precision / 1000)
     ORDER BY created_at
     LIMIT $2`,
    [olderThanMs, limit],
  );
  return rows.map(toRecord);
}

/** Records that the receipt and DynamoDB records exist. Only the first call changes the row. */
export async function markSideEffectsCompleted(db: Queryable, id: string): Promise<void> {
  await db.query(
    `UPDATE payments SET side_effects_completed_at = now()
     WHERE id = $1 AND side_effects_completed_at IS NULL`,
    [id],
  );
}

/** Payments by id (any number; one query). */
export async function findPaymentsByIds(
  db: Queryable,
  ids: readonly string[],
): Promise<Map<string, PaymentRecord>> {
  if (ids.length === 0) return new Map();
  const { rows } = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE id = ANY($1::text[])`, [
    [...ids],
  ]);
  return new Map(rows.map((r) => [r.id, toRecord(r)]));
}

/** The payment a merchant's Idempotency-Key names in this ledger, if any. */
export async function findPaymentByKey(
  db: Queryable,
  merchantId: string,
  idempotencyKey: string,
): Promise<PaymentRecord | undefined> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT ${COLUMNS} FROM payments WHERE merchant_id = $1 AND idempotency_key = $2`,
    [merchantId, idempotencyKey],
  );
  return rows[0] ? toRecord(rows[0]) : undefined;
}

/** A payment with everything needed to record it again elsewhere (its payment method token included). */
export interface FullPayment extends PaymentRecord {
  paymentMethodToken: string;
}

/**
 * Up to `limit` payments with ids greater than `afterId`, in id order (payment ids sort by creation time),
 * created at or after `since` when given: keyset pages for lost-write recovery (runtime/recovery/).
 */
export async function listPaymentsAfter(
  db: Queryable,
  afterId: string,
  limit: number,
  since?: Date,
): Promise<FullPayment[]> {
  const { rows } = await db.query<PaymentRow & { payment_method_token: string }>(
    `SELECT ${COLUMNS}, payment_method_token FROM payments
     WHERE id > $1 AND ($3::timestamptz IS NULL OR created_at >= $3::timestamptz)
     ORDER BY id
     LIMIT $2`,
    [afterId, limit, since ?? null],
  );
  return rows.map((r) => ({ ...toRecord(r), paymentMethodToken: r.payment_method_token }));
}
