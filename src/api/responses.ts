import {
  DATABASE_RETRY_AFTER_SECONDS,
  IDEMPOTENCY_RETRY_AFTER_SECONDS,
  IN_PROGRESS_RETRY_AFTER_SECONDS,
  INCOMPLETE_RETRY_AFTER_SECONDS,
  NOT_ACTIVE_RETRY_AFTER_SECONDS,
  READ_ONLY_RETRY_AFTER_SECONDS,
} from '../../runtime/payment-api/errors';
import { DEADLINE_RETRY_AFTER_SECONDS, PAYMENT_REQUEST_BUDGET_MS } from '../../runtime/payment-api/app';
import { MAX_BODY_BYTES } from '../../runtime/payment-api/request';
import { PAYMENT_ID_PATTERN } from '../../runtime/shared/ids';
import type { ApiRoute } from '../../runtime/payment-api/routes';
import { GATEWAY_RESPONSES } from '../../runtime/payment-api/routes';

/**
 * Every status each operation can answer, who answers it (the function or API Gateway on its own), with the
 * headers and examples the published document shows. test/contract/ holds the document to the local server
 * with schemathesis; test/api/openapi.test.ts holds each error code named here to the code that sends it.
 */
export type ResponseHeaderName =
  | 'WWW-Authenticate'
  | 'Location'
  | 'Idempotent-Replayed'
  | 'Retry-After'
  | 'X-Served-By-Region'
  | 'X-Correlation-Id';

export const RESPONSE_HEADERS: Record<ResponseHeaderName, { description: string; schema: object }> = {
  'WWW-Authenticate': {
    description: 'The authentication scheme to use: `AWS4-HMAC-SHA256` (SigV4)',
    schema: { type: 'string', enum: ['AWS4-HMAC-SHA256'] },
  },
  Location: {
    description: 'Path of the payment: `/payments/{id}`',
    schema: { type: 'string', pattern: `^/payments/${PAYMENT_ID_PATTERN.source.replace(/^\^/, '')}` },
  },
  'Idempotent-Replayed': {
    description: 'Present (`true`) when this is the stored answer to an earlier request with the same key',
    schema: { type: 'string', enum: ['true'] },
  },
  'Retry-After': {
    description: 'Seconds to wait before retrying the same request (same Idempotency-Key and body)',
    schema: { type: 'string', pattern: '^[0-9]+$' },
  },
  'X-Served-By-Region': {
    description: 'The AWS region whose function (payment or health) answered',
    schema: { type: 'string' },
  },
  'X-Correlation-Id': {
    description: 'The caller\u2019s X-Correlation-Id when well formed, otherwise the request id',
    schema: { type: 'string' },
  },
};

type Example = { summary: string; value: unknown };

export interface ResponseSpec {
  description: string;
  schema: 'Payment' | 'Health' | 'HealthProbe' | 'Error';
  headers?: ResponseHeaderName[];
  /** Headers always present on this status. */
  requiredHeaders?: ResponseHeaderName[];
  examples?: Record<string, Example>;
  links?: Record<string, unknown>;
}

const FUNCTION_HEADERS: ResponseHeaderName[] = ['X-Served-By-Region', 'X-Correlation-Id'];

const error = (code: string, message: string, field?: string): Example => ({
  summary: code,
  value: { error: { code, message, ...(field ? { field } : {}) } },
});

const gateway = (...types: Array<keyof typeof GATEWAY_RESPONSES>): Record<string, Example> =>
  Object.fromEntries(
    types.map((t) => {
      const r = GATEWAY_RESPONSES[t];
      return [
        r.code,
        { summary: `${r.code} (API Gateway)`, value: { error: { code: r.code, message: r.message } } },
      ];
    }),
  );

const PAYMENT_EXAMPLE = {
  id: 'pay_01M8RBK5ZTCQ5ZXWXDFNHYCNC3',
  status: 'accepted',
  amount: 1250,
  currency: 'USD',
  merchantId: 'm_123',
  reference: 'order-42',
  createdAt: '2026-12-01T08:29:59.163Z',
  region: 'us-east-1',
};

const unauthenticated: ResponseSpec = {
  description: 'Not signed: refused by API Gateway before the function runs (sign with SigV4)',
  schema: 'Error',
  headers: ['WWW-Authenticate'],
  requiredHeaders: ['WWW-Authenticate'],
  examples: gateway('MISSING_AUTHENTICATION_TOKEN'),
};
const forbidden: ResponseSpec = {
  description:
    'Refused by API Gateway: bad or expired signature, caller not allowed, or blocked by the web application firewall',
  schema: 'Error',
  examples: gateway('INVALID_SIGNATURE', 'EXPIRED_TOKEN', 'ACCESS_DENIED', 'WAF_FILTERED'),
};
/**
 * 403 of a payment route: API Gateway's (signature, resource policy, WAF) or the function's merchant binding
 * (runtime/payment-api/merchants.ts), which carries the function's headers.
 */
const paymentForbidden = (bodyMerchant: boolean): ResponseSpec => ({
  description: `Refused by API Gateway (bad or expired signature, a principal the resource policy does not allow, the web application firewall) or by the function: the signing principal is bound to no merchant${bodyMerchant ? ', or the body names a merchant other than the one it is bound to (nothing is written)' : ''}`,
  schema: 'Error',
  headers: FUNCTION_HEADERS,
  examples: {
    ...gateway('INVALID_SIGNATURE', 'EXPIRED_TOKEN', 'ACCESS_DENIED', 'WAF_FILTERED'),
    MERCHANT_NOT_BOUND: error('MERCHANT_NOT_BOUND', 'the calling principal is not bound to a merchant'),
    ...(bodyMerchant
      ? {
          MERCHANT_FORBIDDEN: error(
            'MERCHANT_FORBIDDEN',
            'the calling principal may not act for this merchant',
            'merchantId',
          ),
        }
      : {}),
  },
});
const throttled: ResponseSpec = {
  description: 'Throttled by API Gateway (stage limits); retry with backoff',
  schema: 'Error',
  examples: gateway('THROTTLED'),
};
const internal: ResponseSpec = {
  description: 'Unexpected failure; nothing is half-written (retry with the same Idempotency-Key)',
  schema: 'Error',
  headers: FUNCTION_HEADERS,
  examples: { INTERNAL_ERROR: error('INTERNAL_ERROR', 'internal error') },
};
const databaseUnavailable = error('DATABASE_UNAVAILABLE', 'the payment store is unavailable; retry later');
const deadlineExceeded = error(
  'DEADLINE_EXCEEDED',
  `the request did not complete within ${PAYMENT_REQUEST_BUDGET_MS} ms; retry the same request (with the same Idempotency-Key)`,
);

/** 503 of both health routes; also what a health function answers when it cannot run the check at all. */
const healthUnavailable = (schema: 'Health' | 'HealthProbe'): ResponseSpec => ({
  description: 'This region cannot serve in its role now',
  schema,
  headers: FUNCTION_HEADERS,
  requiredHeaders: FUNCTION_HEADERS,
  examples: {
    unavailable: {
      summary: 'Unavailable',
      value: { status: 'unavailable', region: 'us-east-1', role: 'active' },
    },
  },
});

export interface OperationSpec {
  summary: string;
  description: string;
  responses: Record<string, ResponseSpec>;
  requestExamples?: Record<string, Example>;
}

export const OPERATIONS: Record<ApiRoute['operationId'], OperationSpec> = {
  createPayment: {
    summary: 'Create a payment (idempotent)',
    description:
      'Records the payment in the ledger and answers 201 with it. A retry with the same Idempotency-Key and body answers the original 201 with `Idempotent-Replayed: true`, also after a regional failover.',
    requestExamples: {
      card: {
        summary: 'A card-token payment of 12.50 USD',
        value: {
          amount: 1250,
          currency: 'USD',
          merchantId: 'm_123',
          reference: 'order-42',
          paymentMethod: { type: 'card_token', token: 'tok_4242abcd4242' },
        },
      },
    },
    responses: {
      '201': {
        description: 'Payment accepted, or the original answer to a replay of the same request',
        schema: 'Payment',
        headers: ['Location', 'Idempotent-Replayed', ...FUNCTION_HEADERS],
        requiredHeaders: ['Location', ...FUNCTION_HEADERS],
        examples: { accepted: { summary: 'Accepted', value: PAYMENT_EXAMPLE } },
        links: {
          getPayment: {
            operationId: 'getPayment',
            parameters: { id: '$response.body#/id' },
            description: 'The payment just created',
          },
        },
      },
      '400': {
        description: 'Invalid request: body, Idempotency-Key or X-Session-Id',
        schema: 'Error',
        examples: {
          VALIDATION_FAILED: error('VALIDATION_FAILED', 'amount must be at least 1', 'amount'),
          MALFORMED_JSON: error('MALFORMED_JSON', 'request body is not valid JSON'),
          IDEMPOTENCY_KEY_REQUIRED: error(
            'IDEMPOTENCY_KEY_REQUIRED',
            'the Idempotency-Key header is required',
          ),
          INVALID_IDEMPOTENCY_KEY: error(
            'INVALID_IDEMPOTENCY_KEY',
            'Idempotency-Key must be one value of 8 to 128 characters from A-Z a-z 0-9 _ . : -',
          ),
          INVALID_SESSION_ID: error(
            'INVALID_SESSION_ID',
            'X-Session-Id must be one value of 8 to 128 characters from A-Z a-z 0-9 _ . : -',
          ),
          ...gateway('BAD_REQUEST_BODY', 'BAD_REQUEST_PARAMETERS'),
        },
      },
      '401': unauthenticated,
      '403': paymentForbidden(true),
      '409': {
        description: `A request with this Idempotency-Key and body is still being processed (IETF Idempotency-Key draft); retry after Retry-After (${IN_PROGRESS_RETRY_AFTER_SECONDS} s) with the same key and body`,
        schema: 'Error',
        headers: ['Retry-After', ...FUNCTION_HEADERS],
        requiredHeaders: ['Retry-After', ...FUNCTION_HEADERS],
        examples: {
          IDEMPOTENCY_REQUEST_IN_PROGRESS: error(
            'IDEMPOTENCY_REQUEST_IN_PROGRESS',
            'a request with this Idempotency-Key is still being processed; retry after Retry-After',
          ),
        },
      },
      '413': {
        description: `Body larger than ${MAX_BODY_BYTES} bytes`,
        schema: 'Error',
        examples: {
          PAYLOAD_TOO_LARGE: error(
            'PAYLOAD_TOO_LARGE',
            `request body must be at most ${MAX_BODY_BYTES} bytes`,
          ),
        },
      },
      '415': {
        description:
          'Content-Type is not application/json (charset utf-8 at most), or the body is compressed',
        schema: 'Error',
        headers: FUNCTION_HEADERS,
        examples: {
          UNSUPPORTED_MEDIA_TYPE: error('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/json'),
        },
      },
      '422': {
        description:
          'The Idempotency-Key was already used with a different body (IETF Idempotency-Key draft); nothing was written',
        schema: 'Error',
        headers: FUNCTION_HEADERS,
        examples: {
          IDEMPOTENCY_KEY_REUSED: error(
            'IDEMPOTENCY_KEY_REUSED',
            'this Idempotency-Key was already used with a different request body',
          ),
        },
      },
      '429': throttled,
      '500': internal,
      '503': {
        description: `This region cannot take the payment now; retry after Retry-After with the same Idempotency-Key and body (REGION_NOT_ACTIVE ${NOT_ACTIVE_RETRY_AFTER_SECONDS} s: the regional write fence names another region or cannot be read with quorum; REGION_READ_ONLY ${READ_ONLY_RETRY_AFTER_SECONDS} s; IDEMPOTENCY_UNAVAILABLE ${IDEMPOTENCY_RETRY_AFTER_SECONDS} s: the key could not be reserved or checked, no payment was created; DATABASE_UNAVAILABLE ${DATABASE_RETRY_AFTER_SECONDS} s, also when a statement timed out; PAYMENT_INCOMPLETE ${INCOMPLETE_RETRY_AFTER_SECONDS} s: recorded, completed by the retry; DEADLINE_EXCEEDED ${DEADLINE_RETRY_AFTER_SECONDS} s: dependencies too slow to answer within ${PAYMENT_REQUEST_BUDGET_MS / 1000} s, the retry finishes what was started)`,
        schema: 'Error',
        headers: ['Retry-After', ...FUNCTION_HEADERS],
        requiredHeaders: ['Retry-After', ...FUNCTION_HEADERS],
        examples: {
          REGION_NOT_ACTIVE: error(
            'REGION_NOT_ACTIVE',
            'this region is not the active payment region; retry later through the public name',
          ),
          REGION_READ_ONLY: error(
            'REGION_READ_ONLY',
            'this region is not accepting payments at the moment; retry later',
          ),
          IDEMPOTENCY_UNAVAILABLE: error(
            'IDEMPOTENCY_UNAVAILABLE',
            'the Idempotency-Key cannot be checked right now; retry the same request later',
          ),
          DATABASE_UNAVAILABLE: databaseUnavailable,
          PAYMENT_INCOMPLETE: error(
            'PAYMENT_INCOMPLETE',
            'the payment was recorded but could not be completed; retry the same request with the same Idempotency-Key',
          ),
          DEADLINE_EXCEEDED: deadlineExceeded,
        },
      },
    },
  },
  getPayment: {
    summary: 'Read a payment',
    description: 'A read: answered in either region, including the standby one.',
    responses: {
      '200': {
        description: 'The payment',
        schema: 'Payment',
        headers: FUNCTION_HEADERS,
        requiredHeaders: FUNCTION_HEADERS,
        examples: { payment: { summary: 'A payment', value: PAYMENT_EXAMPLE } },
      },
      '400': {
        description: 'Not a payment id',
        schema: 'Error',
        headers: FUNCTION_HEADERS,
        examples: {
          INVALID_PAYMENT_ID: error(
            'INVALID_PAYMENT_ID',
            'payment id must look like pay_ followed by 26 characters',
            'id',
          ),
        },
      },
      '401': unauthenticated,
      '403': paymentForbidden(false),
      '404': {
        description:
          'No payment of the caller\u2019s merchant has this id (a payment of another merchant is answered the same way)',
        schema: 'Error',
        headers: FUNCTION_HEADERS,
        examples: { PAYMENT_NOT_FOUND: error('PAYMENT_NOT_FOUND', 'no payment has this id') },
      },
      '429': throttled,
      '500': internal,
      '503': {
        description: 'The payment store is unavailable or too slow; retry after Retry-After',
        schema: 'Error',
        headers: ['Retry-After', ...FUNCTION_HEADERS],
        requiredHeaders: ['Retry-After', ...FUNCTION_HEADERS],
        examples: { DATABASE_UNAVAILABLE: databaseUnavailable, DEADLINE_EXCEEDED: deadlineExceeded },
      },
    },
  },
  health: {
    summary: 'Deep health of this region (public)',
    description:
      'Open (no signature), for the Route 53 health checkers; served by a function of its own, so a flood of it throttles nothing else. 200 when this region can serve in its role: `active` (its cluster is writable here) when a one-row heartbeat commits, `passive` (a read-only secondary) when its reader answers; in both, the payment control table and the receipts bucket answer, all within the health deadline. The body never says which dependency failed.',
    responses: {
      '200': {
        description: 'This region can serve in its role',
        schema: 'Health',
        headers: FUNCTION_HEADERS,
        requiredHeaders: FUNCTION_HEADERS,
        examples: {
          active: {
            summary: 'Active, healthy',
            value: { status: 'ok', region: 'us-east-1', role: 'active' },
          },
          passive: {
            summary: 'Passive, healthy',
            value: { status: 'ok', region: 'us-east-2', role: 'passive' },
          },
        },
      },
      '403': {
        description: 'Blocked by the web application firewall (per-IP rate limit of /health)',
        schema: 'Error',
        examples: gateway('WAF_FILTERED'),
      },
      '429': throttled,
      '503': healthUnavailable('Health'),
    },
  },
  healthProbe: {
    summary: 'Deep health of this region, with each component (SigV4)',
    description:
      'The same check as GET /health, for the failover detectors: SigV4-signed requests only (the web application firewall drops requests without a SigV4 Authorization header before they reach API Gateway), served by a function of its own. The body adds each component checked with its result and, when it failed, a short reason (`timeout`, `statement_timeout`, `lock_timeout`, `read_only`, `schema_pending`, an AWS error name).',
    responses: {
      '200': {
        description: 'This region can serve in its role',
        schema: 'HealthProbe',
        headers: FUNCTION_HEADERS,
        requiredHeaders: FUNCTION_HEADERS,
        examples: {
          active: {
            summary: 'Active, healthy',
            value: {
              status: 'ok',
              region: 'us-east-1',
              role: 'active',
              components: [
                { component: 'database', ok: true },
                { component: 'heartbeat', ok: true },
                { component: 'dynamodb', ok: true },
                { component: 's3', ok: true },
              ],
            },
          },
        },
      },
      '401': unauthenticated,
      '403': forbidden,
      '429': throttled,
      '503': {
        ...healthUnavailable('HealthProbe'),
        examples: {
          commitBlocked: {
            summary: 'Active, the heartbeat did not commit in time',
            value: {
              status: 'unavailable',
              region: 'us-east-1',
              role: 'active',
              components: [
                { component: 'database', ok: true },
                { component: 'heartbeat', ok: false, reason: 'statement_timeout' },
                { component: 'dynamodb', ok: true },
                { component: 's3', ok: true },
              ],
            },
          },
        },
      },
    },
  },
};
