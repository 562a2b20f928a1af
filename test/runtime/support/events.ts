import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { anonymousIdentity } from '../../../runtime/local/event';
import { callerFor, DEFAULT_TEST_MERCHANT, merchantIdentity } from './merchants';

/** API Gateway REST API (v1) proxy events as the payment and health Lambdas receive them. */
export function newKey(prefix = 'key'): string {
  return `${prefix}-${randomBytes(8).toString('hex')}`;
}

export function validPayment(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    amount: 1234,
    currency: 'USD',
    merchantId: 'merchant_42',
    reference: 'order-1001',
    description: 'Two coffees',
    paymentMethod: { type: 'card_token', token: 'tok_4242abcdEFGH4242' },
    ...overrides,
  };
}

export interface EventOptions {
  method?: string;
  path?: string;
  resource?: string;
  body?: string | null;
  isBase64Encoded?: boolean;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  pathParameters?: Record<string, string> | null;
  requestId?: string;
  /**
   * Who signed the request, as API Gateway reports it: a merchant id (its role in TEST_MERCHANTS), a full
   * identity, or null for an unsigned request. Default: DEFAULT_TEST_MERCHANT's role.
   */
  caller?: string | APIGatewayProxyEvent['requestContext']['identity'] | null;
}

function identityOf(caller: EventOptions['caller']): APIGatewayProxyEvent['requestContext']['identity'] {
  if (caller === null) return anonymousIdentity('127.0.0.1', 'vitest');
  if (caller === undefined) return merchantIdentity(DEFAULT_TEST_MERCHANT);
  return typeof caller === 'string' ? merchantIdentity(caller) : caller;
}

export function proxyEvent(options: EventOptions = {}): APIGatewayProxyEvent {
  const method = options.method ?? 'GET';
  const path = options.path ?? '/';
  const resource = options.resource ?? path;
  const headers = options.headers ?? {};
  const multiValueHeaders =
    options.multiValueHeaders ?? Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]]));
  return {
    resource,
    path,
    httpMethod: method,
    headers,
    multiValueHeaders,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: options.pathParameters ?? null,
    stageVariables: null,
    body: options.body ?? null,
    isBase64Encoded: options.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'test',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: method,
      identity: identityOf(options.caller),
      path,
      stage: 'test',
      requestId: options.requestId ?? randomUUID(),
      requestTimeEpoch: Date.now(),
      resourceId: 'test',
      resourcePath: resource,
    },
  };
}

export interface PostOptions {
  body?: unknown;
  rawBody?: string | null;
  idempotencyKey?: string | null;
  contentType?: string | null;
  sessionId?: string;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
  isBase64Encoded?: boolean;
  /** Default: the role of the body's merchant when it is one of TEST_MERCHANT_IDS (merchants.ts `callerFor`). */
  caller?: EventOptions['caller'];
}

export function postPaymentEvent(options: PostOptions = {}): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  if (options.contentType !== null) headers['Content-Type'] = options.contentType ?? 'application/json';
  if (options.idempotencyKey !== null) headers['Idempotency-Key'] = options.idempotencyKey ?? newKey();
  if (options.sessionId) headers['X-Session-Id'] = options.sessionId;
  Object.assign(headers, options.headers ?? {});
  const payload = options.body ?? validPayment();
  const body = options.rawBody !== undefined ? options.rawBody : JSON.stringify(payload);
  return proxyEvent({
    caller: options.caller !== undefined ? options.caller : callerFor(options.rawBody ? null : payload),
    method: 'POST',
    path: '/payments',
    resource: '/payments',
    body,
    isBase64Encoded: options.isBase64Encoded,
    headers,
    multiValueHeaders: options.multiValueHeaders,
  });
}

export function getPaymentEvent(
  id: string,
  headers: Record<string, string> = {},
  caller?: EventOptions['caller'],
): APIGatewayProxyEvent {
  return proxyEvent({
    caller,
    method: 'GET',
    path: `/payments/${encodeURIComponent(id)}`,
    resource: '/payments/{id}',
    pathParameters: { id },
    headers,
  });
}

export function healthEvent(): APIGatewayProxyEvent {
  return proxyEvent({ method: 'GET', path: '/health', resource: '/health' });
}

export function parseBody<T = Record<string, unknown>>(result: { body: string }): T {
  return JSON.parse(result.body) as T;
}
