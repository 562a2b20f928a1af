import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import * as z from 'zod/mini';

/** Request headers with lower-cased names; every value a header was sent with, in order, without repeats. */
export type HeaderMap = ReadonlyMap<string, readonly string[]>;

/**
 * Merges `headers` and `multiValueHeaders` of a v1 proxy event under lower-cased names (HTTP header names are
 * case-insensitive; API Gateway keeps the client's spelling).
 */
export function normalizeHeaders(
  event: Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'>,
): HeaderMap {
  const out = new Map<string, string[]>();
  const add = (name: string, value: string | undefined): void => {
    if (value === undefined) return;
    const key = name.toLowerCase();
    const values = out.get(key) ?? [];
    if (!values.includes(value)) values.push(value);
    out.set(key, values);
  };
  for (const [name, values] of Object.entries(event.multiValueHeaders ?? {})) {
    for (const value of values ?? []) add(name, value);
  }
  for (const [name, value] of Object.entries(event.headers ?? {})) add(name, value);
  return out;
}

export type SingleHeader = { kind: 'absent' } | { kind: 'one'; value: string } | { kind: 'conflicting' };

/** A header that must carry exactly one value: sending it twice with different values is an error, not a choice. */
export function singleHeader(headers: HeaderMap, name: string): SingleHeader {
  const values = headers.get(name.toLowerCase());
  if (!values || values.length === 0) return { kind: 'absent' };
  if (values.length > 1) return { kind: 'conflicting' };
  return { kind: 'one', value: values[0] as string };
}

export type ResponseHeaders = Record<string, string>;

const BASE_HEADERS: ResponseHeaders = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function jsonResponse(
  status: number,
  body: unknown,
  headers: ResponseHeaders = {},
): APIGatewayProxyResult {
  return { statusCode: status, headers: { ...BASE_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** The body of every error the function (and API Gateway, through its gateway responses) answers with. */
export const errorBodySchema = z.strictObject({
  error: z.strictObject({
    /** Machine-readable, e.g. VALIDATION_FAILED, IDEMPOTENCY_KEY_REUSED, REGION_READ_ONLY. */
    code: z.string().check(z.regex(/^[A-Z][A-Z0-9_]*$/)),
    message: z.string(),
    /** The offending field (`paymentMethod.token`) when one field is to blame. */
    field: z.optional(z.string()),
  }),
});

export type ErrorBody = z.infer<typeof errorBodySchema>;

/** A failure that maps to one HTTP error response; thrown by request parsing and the flows. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
    readonly headers: ResponseHeaders = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }

  toResponse(): APIGatewayProxyResult {
    const body: ErrorBody = { error: { code: this.code, message: this.message } };
    if (this.field !== undefined) body.error.field = this.field;
    return jsonResponse(this.status, body, this.headers);
  }
}

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `X-Correlation-Id` when it is well formed, otherwise API Gateway's request id (or a fresh one). */
export function resolveCorrelationId(headers: HeaderMap, requestId: string | undefined): string {
  const header = singleHeader(headers, 'x-correlation-id');
  if (header.kind === 'one' && CORRELATION_ID.test(header.value)) return header.value;
  return requestId && CORRELATION_ID.test(requestId) ? requestId : randomUUID();
}
