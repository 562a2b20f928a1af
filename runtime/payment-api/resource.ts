import { formatMinorUnits } from '../shared/currencies';
import type { PaymentRecord } from './payments-repo';

/**
 * Representations of a payment. Both are pure functions of the stored row, so a replay, a GET and a retried
 * receipt upload all produce byte-identical output for the same payment.
 */
export interface PaymentResource {
  id: string;
  status: 'accepted';
  amount: number;
  currency: string;
  merchantId: string;
  reference: string | null;
  createdAt: string;
  /** The region that recorded the payment. */
  region: string;
}

export function toPaymentResource(payment: PaymentRecord): PaymentResource {
  return {
    id: payment.id,
    status: payment.status,
    amount: payment.amount,
    currency: payment.currency,
    merchantId: payment.merchantId,
    reference: payment.reference,
    createdAt: payment.createdAt.toISOString(),
    region: payment.region,
  };
}

/** The receipt stored in S3. Carries no payment method token. */
export interface Receipt {
  schemaVersion: 1;
  paymentId: string;
  merchantId: string;
  amount: number;
  currency: string;
  amountFormatted: string;
  reference: string | null;
  description: string | null;
  paymentMethodType: string;
  status: string;
  region: string;
  createdAt: string;
}

export function toReceipt(payment: PaymentRecord): Receipt {
  return {
    schemaVersion: 1,
    paymentId: payment.id,
    merchantId: payment.merchantId,
    amount: payment.amount,
    currency: payment.currency,
    amountFormatted: formatMinorUnits(payment.amount, payment.currency),
    reference: payment.reference,
    description: payment.description,
    paymentMethodType: payment.paymentMethodType,
    status: payment.status,
    region: payment.region,
    createdAt: payment.createdAt.toISOString(),
  };
}

/** `receipts/YYYY/MM/DD/<paymentId>.json`, the date being the payment's creation date in UTC. */
export function receiptKey(payment: Pick<PaymentRecord, 'id' | 'createdAt'>): string {
  const iso = payment.createdAt.toISOString();
  return `receipts/${iso.slice(0, 4)}/${iso.slice(5, 7)}/${iso.slice(8, 10)}/${payment.id}.json`;
}

/**
 * Partition key of an idempotency record: keys are scoped to the merchant (as the ledger's unique constraint
 * is). `#` can appear in neither a merchant id nor a key, so the pair is unambiguous.
 */
export function idempotencyRecordKey(merchantId: string, idempotencyKey: string): string {
  return `${merchantId}#${idempotencyKey}`;
}
