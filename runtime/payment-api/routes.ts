/**
 * The routes of the payment API, as API Gateway exposes them: the one table both the OpenAPI document
 * (src/api/openapi.ts) and the local stand-in for API Gateway (runtime/local/gateway.ts) are built from.
 * Every resource also takes any other method (`x-amazon-apigateway-any-method`), routed to the route's
 * function, which answers 405 with `Allow`; so an unsupported method gets the same answer from the deployed
 * API and from the local server.
 *
 * Three functions serve them: the payment function the payment routes, and each health route a function of
 * its own (runtime/health/), so a flood of the open /health throttles only the `health` function, never
 * payments nor the SigV4-only /health/probe the failover detectors read.
 */
export type RouteAuth = 'iam' | 'none';

/** The scheme of a SigV4 `Authorization` header (and of the challenge an unsigned request gets). */
export const SIGV4_SCHEME = 'AWS4-HMAC-SHA256';

/** The Lambda function behind a route (function ids of src/bundling/functions.ts). */
export type RouteFunction = 'payment-api' | 'health' | 'probe';

export interface ApiRoute {
  /** API Gateway resource path template. */
  resource: '/payments' | '/payments/{id}' | '/health' | '/health/probe';
  method: 'GET' | 'POST';
  operationId: 'createPayment' | 'getPayment' | 'health' | 'healthProbe';
  function: RouteFunction;
  /** `iam`: SigV4-signed requests only (API Gateway IAM authorization); `none`: open. */
  auth: RouteAuth;
  /** Header parameters API Gateway requires before it calls the function (request validator). */
  requiredHeaders: readonly string[];
}

export const API_ROUTES: readonly ApiRoute[] = [
  {
    resource: '/payments',
    method: 'POST',
    operationId: 'createPayment',
    function: 'payment-api',
    auth: 'iam',
    requiredHeaders: ['Idempotency-Key'],
  },
  {
    resource: '/payments/{id}',
    method: 'GET',
    operationId: 'getPayment',
    function: 'payment-api',
    auth: 'iam',
    requiredHeaders: [],
  },
  {
    resource: '/health',
    method: 'GET',
    operationId: 'health',
    function: 'health',
    auth: 'none',
    requiredHeaders: [],
  },
  {
    resource: '/health/probe',
    method: 'GET',
    operationId: 'healthProbe',
    function: 'probe',
    auth: 'iam',
    requiredHeaders: [],
  },
];

/** The route table entry of a resource template (each resource has one documented method). */
export function routeOf(resource: string): ApiRoute | undefined {
  return API_ROUTES.find((r) => r.resource === resource);
}

/** The resource template a request path belongs to, with its path parameters; undefined for no route. */
export function matchResource(
  path: string,
): { resource: ApiRoute['resource']; pathParameters: Record<string, string> | null } | undefined {
  if (path === '/payments') return { resource: '/payments', pathParameters: null };
  if (path === '/health') return { resource: '/health', pathParameters: null };
  if (path === '/health/probe') return { resource: '/health/probe', pathParameters: null };
  const item = /^\/payments\/([^/]+)$/.exec(path);
  if (!item) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(item[1] as string);
  } catch {
    id = item[1] as string;
  }
  return { resource: '/payments/{id}', pathParameters: { id } };
}

/**
 * The answers API Gateway gives on its own, before or instead of calling the function, with fixed bodies in
 * the function's `{"error": {code, message}}` shape. Fixed messages only: `$context.error.validationErrorString`
 * echoes submitted values (possibly card data) and is not JSON-escaped, and messageString can name IAM
 * principals. The function, which validates the same schema, is where a field-level message comes from.
 */
export const GATEWAY_RESPONSES = {
  BAD_REQUEST_BODY: {
    status: 400,
    code: 'VALIDATION_FAILED',
    message: 'request body does not match the PaymentRequest schema',
  },
  BAD_REQUEST_PARAMETERS: {
    status: 400,
    code: 'INVALID_PARAMETERS',
    message:
      'a required header or path parameter is missing or malformed (Idempotency-Key: 8 to 128 of A-Z a-z 0-9 _ . : -)',
  },
  // REST APIs answer an unsigned request to an IAM route and an unknown route alike. 401 with a challenge
  // rather than API Gateway's default 403: the request carries no credentials (RFC 9110, 15.5.2), which
  // clients and the contract test tell apart from credentials that were refused (403).
  MISSING_AUTHENTICATION_TOKEN: {
    status: 401,
    code: 'MISSING_AUTHENTICATION',
    message: 'request is not signed (SigV4) or no such route',
    headers: { 'WWW-Authenticate': SIGV4_SCHEME },
  },
  INVALID_SIGNATURE: { status: 403, code: 'INVALID_SIGNATURE', message: 'request signature does not match' },
  EXPIRED_TOKEN: { status: 403, code: 'EXPIRED_TOKEN', message: 'security token has expired' },
  ACCESS_DENIED: { status: 403, code: 'FORBIDDEN', message: 'caller is not allowed to call this route' },
  WAF_FILTERED: {
    status: 403,
    code: 'REQUEST_BLOCKED',
    message: 'request blocked by the web application firewall',
  },
  REQUEST_TOO_LARGE: { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'request is too large' },
  THROTTLED: { status: 429, code: 'THROTTLED', message: 'too many requests' },
} as const;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSES;

/** Headers a gateway response adds, if any. */
export const gatewayResponseHeaders = (type: GatewayResponseType): Record<string, string> => {
  const r = GATEWAY_RESPONSES[type];
  return 'headers' in r ? r.headers : {};
};

/** The body API Gateway sends for `type`. */
export const gatewayResponseBody = (type: GatewayResponseType): string => {
  const { code, message } = GATEWAY_RESPONSES[type];
  return JSON.stringify({ error: { code, message } });
};
