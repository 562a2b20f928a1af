import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import {
  API_ROUTES,
  type ApiRoute,
  type GatewayResponseType,
  gatewayResponseBody,
  gatewayResponseHeaders,
  GATEWAY_RESPONSES,
} from '../payment-api/routes';
import { type LocalCredential, type SignedRequest, verifySigV4 } from './sigv4-verify';

/**
 * What API Gateway decides before the payment function runs, for the local server: the route (an unknown
 * path is 401 MISSING_AUTHENTICATION, as the REST API answers), IAM authorization of the payment routes
 * (SigV4 verified against local credentials; the signer's principal becomes `requestContext.identity`, as
 * API Gateway reports it), and the required request headers. Request bodies are validated by the function,
 * against the same schema API Gateway's model is generated from (the gateway's own 400 has a fixed message).
 */
export interface GatewayDecision {
  /** Set when API Gateway answers on its own. */
  response?: APIGatewayProxyResult;
  /** The caller identity to put into the event (IAM routes), when the request was let through. */
  identity?: LocalCredential;
}

/** The credential every local run accepts unless told otherwise (documented in runtime/README.md). */
export const DEFAULT_LOCAL_CREDENTIAL: LocalCredential = {
  accessKeyId: 'AKIALOCALPAYMENTS001',
  secretAccessKey: 'local-payments-secret-not-for-aws',
  principalArn: 'arn:aws:iam::000000000000:role/payments-local-caller',
};

/** The merchant DEFAULT_LOCAL_CREDENTIAL acts for unless MERCHANTS says otherwise (the published examples'). */
export const LOCAL_MERCHANT_ID = 'm_123';
export const DEFAULT_LOCAL_MERCHANTS: Readonly<Record<string, string>> = {
  [DEFAULT_LOCAL_CREDENTIAL.principalArn]: LOCAL_MERCHANT_ID,
};

export function gatewayResponse(type: GatewayResponseType): APIGatewayProxyResult {
  return {
    statusCode: GATEWAY_RESPONSES[type].status,
    headers: { 'Content-Type': 'application/json', ...gatewayResponseHeaders(type) },
    body: gatewayResponseBody(type),
  };
}

function routeFor(resource: string, method: string): ApiRoute | undefined {
  const routes = API_ROUTES.filter((r) => r.resource === resource);
  // Other methods of a known resource take the route's authorization (x-amazon-apigateway-any-method).
  return routes.find((r) => r.method === method) ?? routes[0];
}

export function decide(
  event: Pick<APIGatewayProxyEvent, 'resource' | 'httpMethod' | 'headers'>,
  request: SignedRequest,
  options: { credentials: readonly LocalCredential[]; region: string; nowMs: number },
): GatewayDecision {
  const route = routeFor(event.resource, event.httpMethod.toUpperCase());
  if (!route) return { response: gatewayResponse('MISSING_AUTHENTICATION_TOKEN') };
  let identity: LocalCredential | undefined;
  if (route.auth === 'iam') {
    const verdict = verifySigV4(request, options.credentials, {
      region: options.region,
      nowMs: options.nowMs,
    });
    if (!verdict.ok) {
      return {
        response: gatewayResponse(
          verdict.reason === 'missing' ? 'MISSING_AUTHENTICATION_TOKEN' : 'INVALID_SIGNATURE',
        ),
      };
    }
    identity = verdict.credential;
  }
  if (route.method === event.httpMethod.toUpperCase()) {
    for (const name of route.requiredHeaders) {
      if (!request.headers[name.toLowerCase()])
        return { response: gatewayResponse('BAD_REQUEST_PARAMETERS') };
    }
  }
  return identity ? { identity } : {};
}

/** The session name of the local callers' role sessions (what an SDK caller's AssumeRole would choose). */
export const LOCAL_SESSION_NAME = 'local-session';

/**
 * The identity API Gateway reports for a SigV4-signed request of `credential`'s principal. A role signs with the
 * credentials of one of its sessions, so API Gateway reports the session: `userArn`
 * `arn:aws:sts::<account>:assumed-role/<role name>/<session>` (no role path) and `caller`/`user`
 * `<role id>:<session>`; a user is reported by its own ARN. The payment function maps either to the principal
 * it is bound to (runtime/payment-api/merchants.ts), so the local runs exercise the same mapping as AWS.
 */
export function signedIdentity(
  credential: LocalCredential,
  base: APIGatewayProxyEvent['requestContext']['identity'],
): APIGatewayProxyEvent['requestContext']['identity'] {
  const m = /^arn:aws:(?:iam|sts)::(\d{12}):(role|user)\/(?:.*\/)?([^/]+)$/.exec(credential.principalArn);
  const account = m?.[1] ?? null;
  const session = m?.[2] === 'role';
  const userArn = session
    ? `arn:aws:sts::${account}:assumed-role/${m?.[3]}/${LOCAL_SESSION_NAME}`
    : credential.principalArn;
  const caller = session ? `${credential.accessKeyId}:${LOCAL_SESSION_NAME}` : credential.accessKeyId;
  return {
    ...base,
    accessKey: credential.accessKeyId,
    accountId: account,
    caller,
    user: caller,
    userArn,
  };
}
