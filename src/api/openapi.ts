import { paymentRequestJsonSchema, responseJsonSchemas } from '../../runtime/payment-api/json-schema';
import {
  API_ROUTES,
  type ApiRoute,
  type RouteFunction,
  GATEWAY_RESPONSES,
  type GatewayResponseType,
  gatewayResponseHeaders,
} from '../../runtime/payment-api/routes';
import {
  IDEMPOTENCY_KEY_PATTERN,
  MAX_BODY_BYTES,
  SESSION_ID_PATTERN,
} from '../../runtime/payment-api/request';
import { PAYMENT_ID_PATTERN } from '../../runtime/shared/ids';
import type { PolicyDocument } from '../iam';
import { OPERATIONS, type ResponseSpec, RESPONSE_HEADERS } from './responses';

/**
 * The one OpenAPI 3.0 document of the payment API, in two renderings of the same definition:
 * - `paymentOpenApi`: the body of the REST API in both regions (routes, IAM (SigV4) authorization on the
 *   payment routes and /health/probe, an open /health, request validation with the same JSON Schema the Lambda validates with,
 *   gateway responses, Lambda proxy integrations). Responses carry descriptions only: under a proxy
 *   integration API Gateway ignores method response models, and OpenAPI-only keywords (`nullable`, `format`)
 *   do not belong in its draft-04 models (`failOnWarnings` would turn an import warning into a failed apply).
 * - `publishedOpenApi`: what clients read (docs/openapi.json, `npm run openapi`): the same routes and
 *   parameters with every response's schema, headers and examples, and no `x-amazon-apigateway-*` extension.
 */
export interface GatewayOpenApiProps {
  title: string;
  /** Invoke ARN (API Gateway integration URI) of each function behind a route (routes.ts `function`). */
  invokeArns: Record<RouteFunction, string>;
  /** The REST API's resource policy (src/constructs/api-resource-policy.ts), imported with the body. */
  policy: PolicyDocument;
}

const lambdaProxy = (invokeArn: string) => ({
  type: 'aws_proxy',
  httpMethod: 'POST',
  uri: invokeArn,
  passthroughBehavior: 'when_no_match',
  timeoutInMillis: 15000,
});

/** A gateway response with a fixed status and a fixed `{"error": {code, message}}` body. */
function gatewayResponses(): Record<string, unknown> {
  const fixed = Object.fromEntries(
    Object.entries(GATEWAY_RESPONSES).map(([type, r]) => {
      const headers = Object.entries(gatewayResponseHeaders(type as GatewayResponseType));
      return [
        type,
        {
          statusCode: r.status,
          // Static header values are single-quoted string literals in gateway response parameters.
          ...(headers.length > 0
            ? {
                responseParameters: Object.fromEntries(
                  headers.map(([name, value]) => [`gatewayresponse.header.${name}`, `'${value}'`]),
                ),
              }
            : {}),
          responseTemplates: {
            'application/json': JSON.stringify({ error: { code: r.code, message: r.message } }),
          },
        },
      ];
    }),
  );
  return {
    ...fixed,
    // Any other gateway error keeps the {"error": ...} shape; responseType is an enum name (safe to echo).
    DEFAULT_4XX: {
      responseTemplates: {
        'application/json':
          '{"error":{"code":"$context.error.responseType","message":"request refused by the API gateway"}}',
      },
    },
    DEFAULT_5XX: {
      responseTemplates: {
        'application/json':
          '{"error":{"code":"$context.error.responseType","message":"the API gateway could not complete the request"}}',
      },
    },
  };
}

function parameters(route: ApiRoute, target: 'gateway' | 'published'): Record<string, unknown>[] {
  const described = (text: string) => (target === 'published' ? { description: text } : {});
  if (route.operationId === 'createPayment') {
    return [
      {
        name: 'Idempotency-Key',
        in: 'header',
        required: true,
        ...described(
          'Client-chosen key of this payment, unique per merchant. A retry with the same key and body gets the original response; the same key with another body is refused.',
        ),
        schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN.source },
        ...(target === 'published' ? { example: 'order-42-attempt-1' } : {}),
      },
      ...(target === 'published'
        ? [
            {
              name: 'X-Session-Id',
              in: 'header',
              required: false,
              description:
                'Optional session the payment belongs to (recorded as the session\u2019s last payment).',
              schema: { type: 'string', pattern: SESSION_ID_PATTERN.source },
            },
            {
              name: 'X-Correlation-Id',
              in: 'header',
              required: false,
              description:
                'Echoed back and logged when it is 1 to 128 of A-Z a-z 0-9 . _ : -; any other value is ignored (never an error) and the request id is used instead.',
              schema: { type: 'string' },
            },
          ]
        : []),
    ];
  }
  if (route.operationId === 'getPayment') {
    return [
      {
        name: 'id',
        in: 'path',
        required: true,
        ...described('The payment id returned by POST /payments (`pay_` and a 26-character ULID).'),
        schema: { type: 'string', pattern: PAYMENT_ID_PATTERN.source },
      },
    ];
  }
  return [];
}

function response(spec: ResponseSpec, target: 'gateway' | 'published'): Record<string, unknown> {
  if (target === 'gateway') return { description: spec.description };
  const headers = Object.fromEntries(
    (spec.headers ?? []).map((name) => [
      name,
      { ...RESPONSE_HEADERS[name], required: (spec.requiredHeaders ?? []).includes(name) },
    ]),
  );
  return {
    description: spec.description,
    ...(Object.keys(headers).length > 0 ? { headers } : {}),
    content: {
      'application/json': {
        schema: { $ref: `#/components/schemas/${spec.schema}` },
        ...(spec.examples ? { examples: spec.examples } : {}),
      },
    },
    ...(spec.links ? { links: spec.links } : {}),
  };
}

function operation(
  route: ApiRoute,
  target: 'gateway' | 'published',
  invokeArns?: Record<RouteFunction, string>,
) {
  const op = OPERATIONS[route.operationId];
  const security = route.auth === 'iam' ? [{ sigv4: [] }] : [];
  const params = parameters(route, target);
  const body = route.operationId === 'createPayment';
  return {
    operationId: route.operationId,
    ...(target === 'published' ? { summary: op.summary, description: op.description } : {}),
    security,
    ...(target === 'gateway'
      ? { 'x-amazon-apigateway-request-validator': body ? 'body-and-params' : 'params' }
      : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { $ref: '#/components/schemas/PaymentRequest' },
                ...(target === 'published' ? { examples: OPERATIONS.createPayment.requestExamples } : {}),
              },
            },
          },
        }
      : {}),
    responses: Object.fromEntries(
      Object.entries(op.responses).map(([status, spec]) => [status, response(spec, target)]),
    ),
    ...(invokeArns ? { 'x-amazon-apigateway-integration': lambdaProxy(invokeArns[route.function]) } : {}),
  };
}

function paths(
  target: 'gateway' | 'published',
  invokeArns?: Record<RouteFunction, string>,
): Record<string, unknown> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const item = (out[route.resource] ??= {});
    item[route.method.toLowerCase()] = operation(route, target, invokeArns);
    if (target === 'gateway' && invokeArns) {
      // Every other method reaches the function too, which answers 405 with Allow (see routes.ts).
      item['x-amazon-apigateway-any-method'] = {
        security: route.auth === 'iam' ? [{ sigv4: [] }] : [],
        ...(route.resource === '/payments/{id}' ? { parameters: parameters(route, 'gateway') } : {}),
        responses: { '405': { description: 'Method not allowed (the Allow header lists the methods)' } },
        'x-amazon-apigateway-integration': lambdaProxy(invokeArns[route.function]),
      };
    }
  }
  return out;
}

const sigv4Scheme = (target: 'gateway' | 'published') => ({
  type: 'apiKey',
  name: 'Authorization',
  in: 'header',
  ...(target === 'gateway'
    ? { 'x-amazon-apigateway-authtype': 'awsSigv4' }
    : {
        description:
          'AWS Signature Version 4 (IAM authorization): sign each request with the caller\u2019s AWS credentials for service `execute-api` and the region of the API that answers (us-east-1 normally, us-east-2 after a failover), including the `host` and `x-amz-date` headers. The caller\u2019s IAM principal decides the merchant it may act for.',
      }),
});

/** The REST API body deployed in both regions. */
export function paymentOpenApi(p: GatewayOpenApiProps): Record<string, unknown> {
  return {
    openapi: '3.0.1',
    info: {
      title: p.title,
      version: '1.0.0',
      description: 'Payment API (active-passive across two regions)',
    },
    'x-amazon-apigateway-request-validators': {
      'body-and-params': { validateRequestBody: true, validateRequestParameters: true },
      params: { validateRequestBody: false, validateRequestParameters: true },
    },
    'x-amazon-apigateway-gateway-responses': gatewayResponses(),
    'x-amazon-apigateway-policy': p.policy,
    paths: paths('gateway', p.invokeArns),
    components: {
      securitySchemes: { sigv4: sigv4Scheme('gateway') },
      schemas: { PaymentRequest: paymentRequestJsonSchema },
    },
  };
}

/** The published contract (docs/openapi.json). */
export function publishedOpenApi(): Record<string, unknown> {
  return {
    openapi: '3.0.1',
    info: {
      title: 'payments-dr payment API',
      version: '1.0.0',
      description: [
        'The payment API, deployed identically in us-east-1 (active) and us-east-2 (standby) behind one failover name.',
        '',
        `Payment routes and /health/probe need SigV4-signed requests (see the \`sigv4\` scheme). Request bodies are JSON (\`Content-Type: application/json\`), at most ${MAX_BODY_BYTES} bytes. Every error is \`{"error": {"code", "message", "field"?}}\`; \`code\` is machine-readable.`,
        '',
        'Responses of the functions behind the routes carry `X-Served-By-Region` and `X-Correlation-Id`; answers API Gateway gives on its own (403 unsigned or blocked, 429 throttled, 413 too large, some 400s) do not. A method a route does not list is answered 405 with `Allow`.',
        '',
        'Retry a 503 (and a 429) after `Retry-After` seconds with the same Idempotency-Key and body: it never creates a second payment.',
      ].join('\n'),
    },
    servers: [
      {
        url: 'https://{apiHost}',
        variables: {
          apiHost: {
            default: 'payments.example.com',
            description: 'The failover name `<dns.apiLabel>.<dns.zoneName>` of the environment',
          },
        },
      },
    ],
    paths: paths('published'),
    components: {
      securitySchemes: { sigv4: sigv4Scheme('published') },
      schemas: { PaymentRequest: paymentRequestJsonSchema, ...responseJsonSchemas },
    },
  };
}
