import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type HeaderMap, HttpError, singleHeader } from '../shared/http';
import { isPaymentId } from '../shared/ids';
import { merchantForbidden } from './errors';
import { describeIssue, type PaymentRequest, paymentRequestSchema } from './schema';

/**
 * Turns a `POST /payments` event into a validated command, or throws the `HttpError` that answers it.
 * Checks run from the cheapest to the most expensive: size, media type, headers, JSON, schema.
 */
/**
 * 8 KiB, the body size the WAF's AWS managed common rule set (SizeRestrictions_BODY) lets through: the API
 * in front of this function accepts nothing larger, so the function answers the same way locally.
 */
export const MAX_BODY_BYTES = 8 * 1024;

export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;
export const SESSION_ID_PATTERN = /^[A-Za-z0-9_.:-]{8,128}$/;

export interface CreatePaymentCommand {
  /**
   * The merchant the authenticated caller acts for (merchants.ts), which the body's `merchantId` must name: the
   * payment is recorded for it and its Idempotency-Key is scoped to it, never to what a body claims.
   */
  merchantId: string;
  idempotencyKey: string;
  sessionId?: string;
  payment: PaymentRequest;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBody(event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>): Buffer {
  const raw = event.body ?? '';
  if (!event.isBase64Encoded) {
    if (Buffer.byteLength(raw, 'utf8') > MAX_BODY_BYTES) throw payloadTooLarge();
    return Buffer.from(raw, 'utf8');
  }
  // Four base64 characters carry three bytes: reject oversized bodies before decoding them.
  if (raw.length > Math.ceil(MAX_BODY_BYTES / 3) * 4) throw payloadTooLarge();
  if (raw.length % 4 !== 0 || !BASE64.test(raw)) {
    throw new HttpError(400, 'MALFORMED_JSON', 'request body is not valid base64');
  }
  const bytes = Buffer.from(raw, 'base64');
  if (bytes.length > MAX_BODY_BYTES) throw payloadTooLarge();
  return bytes;
}

function payloadTooLarge(): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `request body must be at most ${MAX_BODY_BYTES} bytes`);
}

/** `application/json`, optionally with `charset=utf-8`; nothing else, and no content coding. */
function checkMediaType(headers: HeaderMap): void {
  const unsupported = (message: string) => new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', message);
  const contentType = singleHeader(headers, 'content-type');
  if (contentType.kind !== 'one') throw unsupported('Content-Type must be application/json');
  const [mediaType, ...params] = contentType.value.split(';').map((part) => part.trim());
  if (mediaType?.toLowerCase() !== 'application/json')
    throw unsupported('Content-Type must be application/json');
  for (const param of params) {
    const [name, value] = param.split('=').map((part) => part?.trim().toLowerCase());
    const charset = value?.replace(/^"(.*)"$/, '$1');
    if (name !== 'charset' || (charset !== 'utf-8' && charset !== 'utf8')) {
      throw unsupported('only the charset=utf-8 parameter is supported');
    }
  }
  const encoding = singleHeader(headers, 'content-encoding');
  if (
    encoding.kind === 'conflicting' ||
    (encoding.kind === 'one' && encoding.value.toLowerCase() !== 'identity')
  ) {
    throw unsupported('compressed request bodies are not supported');
  }
}

function readIdempotencyKey(headers: HeaderMap): string {
  const header = singleHeader(headers, 'idempotency-key');
  if (header.kind === 'absent' || (header.kind === 'one' && header.value === '')) {
    throw new HttpError(400, 'IDEMPOTENCY_KEY_REQUIRED', 'the Idempotency-Key header is required');
  }
  if (header.kind === 'conflicting' || !IDEMPOTENCY_KEY_PATTERN.test(header.value)) {
    throw new HttpError(
      400,
      'INVALID_IDEMPOTENCY_KEY',
      'Idempotency-Key must be one value of 8 to 128 characters from A-Z a-z 0-9 _ . : -',
    );
  }
  return header.value;
}

function readSessionId(headers: HeaderMap): string | undefined {
  const header = singleHeader(headers, 'x-session-id');
  if (header.kind === 'absent') return undefined;
  if (header.kind === 'conflicting' || !SESSION_ID_PATTERN.test(header.value)) {
    throw new HttpError(
      400,
      'INVALID_SESSION_ID',
      'X-Session-Id must be one value of 8 to 128 characters from A-Z a-z 0-9 _ . : -',
    );
  }
  return header.value;
}

function parseJson(bytes: Buffer): unknown {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'request body is not valid UTF-8');
  }
  if (text.trim() === '') throw new HttpError(400, 'MALFORMED_JSON', 'request body is empty');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'request body is not valid JSON');
  }
}

/** `callerMerchant`: the merchant the authenticated caller is bound to; a body naming another one is 403. */
export function parseCreatePayment(
  event: Pick<APIGatewayProxyEvent, 'body' | 'isBase64Encoded'>,
  headers: HeaderMap,
  callerMerchant: string,
): CreatePaymentCommand {
  const bytes = decodeBody(event);
  checkMediaType(headers);
  const idempotencyKey = readIdempotencyKey(headers);
  const sessionId = readSessionId(headers);
  const input = parseJson(bytes);
  const result = paymentRequestSchema.safeParse(input);
  if (!result.success) {
    const { field, message } = describeIssue(result.error, input);
    throw new HttpError(400, 'VALIDATION_FAILED', field ? `${field} ${message}` : message, field);
  }
  if (result.data.merchantId !== callerMerchant) throw merchantForbidden();
  return { merchantId: callerMerchant, idempotencyKey, sessionId, payment: result.data };
}

export function parsePaymentId(raw: string | undefined): string {
  if (raw === undefined || !isPaymentId(raw)) {
    throw new HttpError(
      400,
      'INVALID_PAYMENT_ID',
      'payment id must look like pay_ followed by 26 characters',
      'id',
    );
  }
  return raw;
}
