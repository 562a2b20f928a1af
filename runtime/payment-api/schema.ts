import * as z from 'zod/mini';
import { SUPPORTED_CURRENCIES } from '../shared/currencies';

/**
 * The one definition of a payment request. The Lambda validates with `paymentRequestSchema`; the API Gateway
 * request validator uses `paymentRequestJsonSchema` (json-schema.ts, derived from it at synth time), so the two
 * cannot drift apart. Written with `zod/mini`, whose functions tree-shake: the Lambda bundle carries ~20 KB of
 * zod instead of ~450 KB with the chaining API, which also shortens the cold start.
 *
 * Every pattern is written so that JavaScript and Java (API Gateway's validator) read it the same way:
 * ASCII classes and `\xNN` escapes only, no flags, no Unicode property escapes.
 */
export const MAX_AMOUNT_MINOR_UNITS = 1_000_000_000_000;

export const MERCHANT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Printable ASCII (space to tilde), 1 to 128 characters. */
export const REFERENCE_PATTERN = /^[\x20-\x7E]{1,128}$/;
/** Any text without control characters (C0 controls and DEL). */
// eslint-disable-next-line no-control-regex -- matching control characters is the point of this pattern
export const DESCRIPTION_PATTERN = /^[^\x00-\x1F\x7F]*$/;
/** An opaque token issued by the card vault: raw card numbers are never accepted. */
export const CARD_TOKEN_PATTERN = /^tok_[A-Za-z0-9]{8,64}$/;

export const cardTokenPaymentMethodSchema = z.strictObject({
  type: z.literal('card_token'),
  token: z
    .string()
    .check(z.regex(CARD_TOKEN_PATTERN, 'must be a card token (tok_ followed by 8 to 64 letters or digits)')),
});

export const paymentRequestSchema = z.strictObject({
  amount: z
    .number()
    .check(
      z.int('must be an integer number of minor units'),
      z.minimum(1, 'must be at least 1'),
      z.maximum(MAX_AMOUNT_MINOR_UNITS, `must be at most ${MAX_AMOUNT_MINOR_UNITS}`),
    ),
  currency: z.enum(SUPPORTED_CURRENCIES, 'must be a supported ISO 4217 currency code'),
  merchantId: z.string().check(z.regex(MERCHANT_ID_PATTERN, 'must be 1 to 64 letters, digits, _ or -')),
  reference: z.optional(
    z.string().check(z.regex(REFERENCE_PATTERN, 'must be 1 to 128 printable ASCII characters')),
  ),
  description: z.optional(
    z
      .string()
      .check(
        z.maxLength(256, 'must be at most 256 characters'),
        z.regex(DESCRIPTION_PATTERN, 'must not contain control characters'),
      ),
  ),
  paymentMethod: cardTokenPaymentMethodSchema,
});

export type PaymentRequest = z.infer<typeof paymentRequestSchema>;

export interface FieldError {
  field?: string;
  message: string;
}

function hasPath(input: unknown, path: readonly PropertyKey[]): boolean {
  let node: unknown = input;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.prototype.hasOwnProperty.call(node, key))
      return false;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return true;
}

/**
 * The first validation problem of `input`, as a field path (`paymentMethod.token`) and a message that never
 * echoes the submitted value.
 */
export function describeIssue(error: z.core.$ZodError, input: unknown): FieldError {
  const issue = error.issues[0];
  if (!issue) return { message: 'invalid request body' };
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    return { field: [...issue.path.map(String), key].join('.'), message: 'unknown property' };
  }
  const field = issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  if (field !== undefined && !hasPath(input, issue.path)) return { field, message: 'is required' };
  if (issue.code === 'invalid_type') {
    if (field === undefined) return { message: 'request body must be a JSON object' };
    if (issue.expected === 'int') return { field, message: 'must be an integer number of minor units' };
    return { field, message: `must be of type ${issue.expected}` };
  }
  if (issue.code === 'invalid_value' && field === 'paymentMethod.type') {
    return { field, message: 'must be "card_token"' };
  }
  return { field, message: issue.message };
}
