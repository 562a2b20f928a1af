import { paymentRequestJsonSchema } from '../../runtime/payment-api/json-schema';

export interface OpenApiProps {
  title: string;
  /** Invoke ARN (API Gateway integration URI) of the payment function, which serves every route. */
  paymentFunctionInvokeArn: string;
}

const IDEMPOTENCY_KEY_PATTERN = '^[A-Za-z0-9_.:-]{8,128}$';
const PAYMENT_ID_PATTERN = '^[A-Za-z0-9_-]{1,64}$';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, field: { type: 'string' } },
    },
  },
};

/** A gateway response with a fixed status and a fixed `{"error": {code, message}}` body. */
function gatewayError(statusCode: number, code: string, message: string): Record<string, unknown> {
  return {
    statusCode,
    responseTemplates: { 'application/json': JSON.stringify({ error: { code, message } }) },
  };
}

const lambdaProxy = (invokeArn: string) => ({
  type: 'aws_proxy',
  httpMethod: 'POST',
  uri: invokeArn,
  passthroughBehavior: 'when_no_match',
  timeoutInMillis: 15000,
});

/**
 * The one OpenAPI 3.0 document of the payment API: routes, IAM (SigV4) authorization on the payment routes,
 * an open /health, request validation with the same JSON Schema the Lambda validates with, and Lambda proxy
 * integrations. Deployed identically in both regions.
 */
export function paymentOpenApi(p: OpenApiProps): Record<string, unknown> {
  const jsonError = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
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
    // Gateway responses use fixed messages only: $context.error.validationErrorString echoes submitted
    // values (possibly card data) and is not JSON-escaped, and messageString can name IAM principals. The
    // Lambda, which validates the same schema, is where a field-level message comes from.
    'x-amazon-apigateway-gateway-responses': {
      BAD_REQUEST_BODY: gatewayError(
        400,
        'VALIDATION_FAILED',
        'request body does not match the PaymentRequest schema',
      ),
      BAD_REQUEST_PARAMETERS: gatewayError(
        400,
        'INVALID_PARAMETERS',
        'a required header or path parameter is missing or malformed (Idempotency-Key: 8 to 128 of A-Z a-z 0-9 _ . : -)',
      ),
      // REST APIs answer an unsigned request to an IAM route and an unknown route alike.
      MISSING_AUTHENTICATION_TOKEN: gatewayError(
        403,
        'MISSING_AUTHENTICATION',
        'request is not signed (SigV4) or no such route',
      ),
      INVALID_SIGNATURE: gatewayError(403, 'INVALID_SIGNATURE', 'request signature does not match'),
      EXPIRED_TOKEN: gatewayError(403, 'EXPIRED_TOKEN', 'security token has expired'),
      ACCESS_DENIED: gatewayError(403, 'FORBIDDEN', 'caller is not allowed to call this route'),
      WAF_FILTERED: gatewayError(403, 'REQUEST_BLOCKED', 'request blocked by the web application firewall'),
      REQUEST_TOO_LARGE: gatewayError(413, 'PAYLOAD_TOO_LARGE', 'request is too large'),
      THROTTLED: gatewayError(429, 'THROTTLED', 'too many requests'),
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
    },
    paths: {
      '/payments': {
        post: {
          operationId: 'createPayment',
          security: [{ sigv4: [] }],
          'x-amazon-apigateway-request-validator': 'body-and-params',
          parameters: [
            {
              name: 'Idempotency-Key',
              in: 'header',
              required: true,
              schema: { type: 'string', pattern: IDEMPOTENCY_KEY_PATTERN },
            },
          ],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/PaymentRequest' } } },
          },
          responses: {
            '201': { description: 'Payment accepted (or the original response on an idempotent replay)' },
            '400': jsonError('Invalid request'),
            '409': jsonError('Idempotency-Key reused with a different body'),
            '503': jsonError('This region cannot accept payments now (read-only); retry after Retry-After'),
          },
          'x-amazon-apigateway-integration': lambdaProxy(p.paymentFunctionInvokeArn),
        },
      },
      '/payments/{id}': {
        get: {
          operationId: 'getPayment',
          security: [{ sigv4: [] }],
          'x-amazon-apigateway-request-validator': 'params',
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              schema: { type: 'string', pattern: PAYMENT_ID_PATTERN },
            },
          ],
          responses: { '200': { description: 'The payment' }, '404': jsonError('Unknown payment') },
          'x-amazon-apigateway-integration': lambdaProxy(p.paymentFunctionInvokeArn),
        },
      },
      '/health': {
        get: {
          operationId: 'health',
          security: [],
          responses: {
            '200': { description: 'This region can accept payments' },
            '503': { description: 'This region cannot accept payments' },
          },
          'x-amazon-apigateway-integration': lambdaProxy(p.paymentFunctionInvokeArn),
        },
      },
    },
    components: {
      securitySchemes: {
        sigv4: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'awsSigv4',
        },
      },
      schemas: { PaymentRequest: paymentRequestJsonSchema, Error: errorSchema },
    },
  };
}
