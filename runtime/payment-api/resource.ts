import * as z from 'zod/mini';
import { formatMinorUnits, SUPPORTED_CURRENCIES } from '../shared/currencies';
import { PAYMENT_ID_PATTERN } from '../shared/ids';
import type { PaymentRecord } from './payments-repo';
import { reservationKey } from './reservations';
import { MAX_AMOUNT_MINOR_UNITS, MERCHANT_ID_PATTERN, REFERENCE_PATTERN } from './schema';

/**
 * Representations of a payment. Both are pure functions of the stored row, so a replay, a GET and a retried
 * receipt upload all produce byte-identical output for the same payment.
 *
 * `paymentResourceSchema` is the one definition of the payment as the API returns it (201 and 200): the type
 * below is inferred from it and the OpenAPI document publishes it (runtime/payment-api/json-schema.ts).
 */
export const paymentResourceSchema = z.strictObject({
  id: z.string().check(z.regex(PAYMENT_ID_PATTERN)),
  status: z.literal('accepted'),
  amount: z.number().check(z.int(), z.minimum(1), z.maximum(MAX_AMOUNT_MINOR_UNITS)),
  currency: z.enum(SUPPORTED_CURRENCIES),
  merchantId: z.string().check(z.regex(MERCHANT_ID_PATTERN)),
  reference: z.nullable(z.string().check(z.regex(REFERENCE_PATTERN))),
  /** ISO 8601 UTC, millisecond precision. */
  createdAt: z.iso.datetime(),
  /** The region that recorded the payment (after a failover, not necessarily the one that answers). */
  region: z.string().check(z.regex(/^[a-z]{2}-[a-z]+-\d$/)),
});

export type PaymentResource = z.infer<typeof paymentResourceSchema>;

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
 * The key of a payment's record in the payment control table: its reservation (reservations.ts).
 * @deprecated use `reservationKey`; kept for drctl's drill observation (cli/lib/drill/observe.ts).
 */
export const idempotencyRecordKey = reservationKey;
