import { z } from 'zod';
import { SUPPORTED_CURRENCIES } from '../shared/currencies';

/**
 * The one definition of a payment request. The Lambda validates with `paymentRequestSchema`; the API Gateway
 * request validator uses `paymentRequestJsonSchema`, derived from it, so the two cannot drift apart.
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
    .regex(CARD_TOKEN_PATTERN, 'must be a card token (tok_ followed by 8 to 64 letters or digits)'),
});

export const paymentRequestSchema = z.strictObject({
  amount: z
    .number()
    .int('must be an integer number of minor units')
    .min(1, 'must be at least 1')
    .max(MAX_AMOUNT_MINOR_UNITS, `must be at most ${MAX_AMOUNT_MINOR_UNITS}`),
  currency: z.enum(SUPPORTED_CURRENCIES, 'must be a supported ISO 4217 currency code'),
  merchantId: z.string().regex(MERCHANT_ID_PATTERN, 'must be 1 to 64 letters, digits, _ or -'),
  reference: z.string().regex(REFERENCE_PATTERN, 'must be 1 to 128 printable ASCII characters').optional(),
  description: z
    .string()
    .max(256, 'must be at most 256 characters')
    .regex(DESCRIPTION_PATTERN, 'must not contain control characters')
    .optional(),
  paymentMethod: cardTokenPaymentMethodSchema,
});

export type PaymentRequest = z.infer<typeof paymentRequestSchema>;

/** A JSON Schema document: plain JSON values only. */
export type JsonSchema = { [key: string]: JsonValue };
type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** Keywords of JSON Schema draft 4 that API Gateway models support and that this schema may use. */
export const DRAFT4_KEYWORDS: ReadonlySet<string> = new Set([
  '$schema',
  'title',
  'description',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'enum',
  'pattern',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'minLength',
  'maxLength',
]);

function assertDraft4(node: JsonValue, path: string): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => assertDraft4(item, `${path}[${i}]`));
    return;
  }
  if (node === null || typeof node !== 'object') return;
  for (const [key, value] of Object.entries(node)) {
    if (!DRAFT4_KEYWORDS.has(key)) throw new Error(`JSON Schema keyword "${key}" at ${path} is not draft-04`);
    if (key === 'properties') {
      for (const [prop, schema] of Object.entries(value as Record<string, JsonValue>)) {
        assertDraft4(schema, `${path}.properties.${prop}`);
      }
    } else if (key !== 'enum' && key !== 'required') {
      assertDraft4(value, `${path}.${key}`);
    }
  }
}

/**
 * Draft-04 JSON Schema of a payment request, for an API Gateway model (embedded in the OpenAPI document).
 * zod 4 emits draft-04 natively (`exclusiveMinimum` as a boolean, `additionalProperties: false` for strict
 * objects); the result is checked to use only draft-04 keywords and given a title. Note: `maxLength` counts
 * code points in JSON Schema and UTF-16 units in JavaScript, so for text outside the Basic Multilingual
 * Plane the Lambda is the stricter of the two.
 */
function buildJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(paymentRequestSchema, { target: 'draft-04', io: 'input' }) as JsonSchema;
  const schema: JsonSchema = { ...generated, title: 'PaymentRequest' };
  assertDraft4(schema, '$');
  return schema;
}

export const paymentRequestJsonSchema: JsonSchema = buildJsonSchema();

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
export function describeIssue(error: z.ZodError, input: unknown): FieldError {
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
