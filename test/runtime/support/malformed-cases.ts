import { type PostOptions, validPayment } from './events';

/**
 * Malformed POST /payments requests and the answer each must get: status, error code and (for schema
 * failures) the offending field.
 */
export const token = (validPayment().paymentMethod as { token: string }).token;
const pm = { type: 'card_token', token };
const withoutField = (field: string) => {
  const body = validPayment();
  delete body[field];
  return body;
};
const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64');

export interface Case {
  name: string;
  request: PostOptions;
  status: number;
  code: string;
  field?: string;
}

export const cases: Case[] = [
  // Media type and size
  { name: 'no Content-Type', request: { contentType: null }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  { name: 'text/plain', request: { contentType: 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
  {
    name: 'charset other than utf-8',
    request: { contentType: 'application/json; charset=iso-8859-1' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'a JSON-like vendor media type',
    request: { contentType: 'application/json-patch+json' },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'gzip content encoding',
    request: { headers: { 'Content-Encoding': 'gzip' } },
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
  {
    name: 'body over 8 KiB',
    request: { body: validPayment({ description: 'x'.repeat(9_000) }) },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  {
    name: 'base64 body over 8 KiB once decoded',
    request: { rawBody: b64(' '.repeat(8_193)), isBase64Encoded: true },
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
  },
  // Headers
  {
    name: 'no Idempotency-Key',
    request: { idempotencyKey: null },
    status: 400,
    code: 'IDEMPOTENCY_KEY_REQUIRED',
  },
  {
    name: 'empty Idempotency-Key',
    request: { idempotencyKey: '' },
    status: 400,
    code: 'IDEMPOTENCY_KEY_REQUIRED',
  },
  {
    name: 'Idempotency-Key of 7 characters',
    request: { idempotencyKey: 'abcdefg' },
    status: 400,
    code: 'INVALID_IDEMPOTENCY_KEY',
  },
  {
    name: 'Idempotency-Key of 129 characters',
    request: { idempotencyKey: 'k'.repeat(129) },
    status: 400,
    code: 'INVALID_IDEMPOTENCY_KEY',
  },
  {
    name: 'Idempotency-Key with a space',
    request: { idempotencyKey: 'abc def ghi' },
    status: 400,
    code: 'INVALID_IDEMPOTENCY_KEY',
  },
  {
    name: 'two different Idempotency-Key values',
    request: {
      idempotencyKey: null,
      headers: { 'Content-Type': 'application/json' },
      multiValueHeaders: {
        'Content-Type': ['application/json'],
        'Idempotency-Key': ['key-aaaaaaaa', 'key-bbbbbbbb'],
      },
    },
    status: 400,
    code: 'INVALID_IDEMPOTENCY_KEY',
  },
  {
    name: 'malformed X-Session-Id',
    request: { sessionId: 'bad session' },
    status: 400,
    code: 'INVALID_SESSION_ID',
  },
  // Body encoding
  { name: 'truncated JSON', request: { rawBody: '{"amount": 12' }, status: 400, code: 'MALFORMED_JSON' },
  { name: 'empty body', request: { rawBody: null }, status: 400, code: 'MALFORMED_JSON' },
  { name: 'trailing comma', request: { rawBody: '{"amount": 1,}' }, status: 400, code: 'MALFORMED_JSON' },
  {
    name: 'invalid base64',
    request: { rawBody: 'not*base64!', isBase64Encoded: true },
    status: 400,
    code: 'MALFORMED_JSON',
  },
  {
    name: 'invalid UTF-8',
    request: { rawBody: b64(Buffer.from([0x7b, 0xff, 0xfe, 0x7d])), isBase64Encoded: true },
    status: 400,
    code: 'MALFORMED_JSON',
  },
  // Schema: shape
  { name: 'a JSON array', request: { rawBody: '[]' }, status: 400, code: 'VALIDATION_FAILED' },
  { name: 'JSON null', request: { rawBody: 'null' }, status: 400, code: 'VALIDATION_FAILED' },
  {
    name: 'unknown top-level property',
    request: { body: validPayment({ cardNumber: '4242424242424242' }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'cardNumber',
  },
  {
    name: '__proto__ property',
    request: { rawBody: JSON.stringify(validPayment()).replace(/^\{/, '{"__proto__":{"admin":true},') },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: '__proto__',
  },
  // amount
  {
    name: 'missing amount',
    request: { body: withoutField('amount') },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  {
    name: 'amount 0',
    request: { body: validPayment({ amount: 0 }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  {
    name: 'negative amount',
    request: { body: validPayment({ amount: -5 }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  {
    name: 'fractional amount',
    request: { body: validPayment({ amount: 12.5 }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  {
    name: 'amount as a string',
    request: { body: validPayment({ amount: '1234' }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  {
    name: 'amount null',
    request: { body: validPayment({ amount: null }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  {
    name: 'amount above 10^12',
    request: { body: validPayment({ amount: 1_000_000_000_001 }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  {
    name: 'amount 1e300',
    request: { rawBody: JSON.stringify(validPayment()).replace('1234', '1e300') },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'amount',
  },
  // currency
  {
    name: 'missing currency',
    request: { body: withoutField('currency') },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'currency',
  },
  {
    name: 'lower-case currency',
    request: { body: validPayment({ currency: 'usd' }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'currency',
  },
  {
    name: 'unsupported currency',
    request: { body: validPayment({ currency: 'XXX' }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'currency',
  },
  // merchantId
  {
    name: 'empty merchantId',
    request: { body: validPayment({ merchantId: '' }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'merchantId',
  },
  {
    name: 'merchantId with a space',
    request: { body: validPayment({ merchantId: 'acme corp' }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'merchantId',
  },
  {
    name: 'merchantId of 65 characters',
    request: { body: validPayment({ merchantId: 'm'.repeat(65) }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'merchantId',
  },
  // reference, description
  {
    name: 'reference of 129 characters',
    request: { body: validPayment({ reference: 'r'.repeat(129) }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'reference',
  },
  {
    name: 'reference with a newline',
    request: { body: validPayment({ reference: 'a\nb' }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'reference',
  },
  {
    name: 'empty reference',
    request: { body: validPayment({ reference: '' }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'reference',
  },
  {
    name: 'description of 257 characters',
    request: { body: validPayment({ description: 'd'.repeat(257) }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'description',
  },
  {
    name: 'description with a control character',
    request: { body: validPayment({ description: 'bell\u0007' }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'description',
  },
  // paymentMethod
  {
    name: 'missing paymentMethod',
    request: { body: withoutField('paymentMethod') },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'paymentMethod',
  },
  {
    name: 'paymentMethod type card',
    request: { body: validPayment({ paymentMethod: { ...pm, type: 'card' } }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'paymentMethod.type',
  },
  {
    name: 'raw card number instead of a token',
    request: { body: validPayment({ paymentMethod: { ...pm, token: '4242424242424242' } }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'paymentMethod.token',
  },
  {
    name: 'token too short',
    request: { body: validPayment({ paymentMethod: { ...pm, token: 'tok_1234567' } }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'paymentMethod.token',
  },
  {
    name: 'extra property in paymentMethod',
    request: { body: validPayment({ paymentMethod: { ...pm, cvv: '123' } }) },
    status: 400,
    code: 'VALIDATION_FAILED',
    field: 'paymentMethod.cvv',
  },
];
