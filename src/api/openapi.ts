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
    'x-amazon-apigateway-gateway-responses': {
      BAD_REQUEST_BODY: {
        statusCode: 400,
        responseTemplates: {
          'application/json':
            '{"error":{"code":"VALIDATION_FAILED","message":"$context.error.validationErrorString"}}',
        },
      },
      BAD_REQUEST_PARAMETERS: {
        statusCode: 400,
        responseTemplates: {
          'application/json':
            '{"error":{"code":"INVALID_PARAMETERS","message":"$context.error.validationErrorString"}}',
        },
      },
      MISSING_AUTHENTICATION_TOKEN: {
        statusCode: 404,
        responseTemplates: {
          'application/json': '{"error":{"code":"ROUTE_NOT_FOUND","message":"no such route"}}',
        },
      },
      ACCESS_DENIED: {
        statusCode: 403,
        responseTemplates: {
          'application/json': '{"error":{"code":"FORBIDDEN","message":"$context.error.messageString"}}',
        },
      },
      THROTTLED: {
        statusCode: 429,
        responseTemplates: {
          'application/json': '{"error":{"code":"THROTTLED","message":"too many requests"}}',
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
