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

/** The identity API Gateway reports for a SigV4-signed request of `credential`'s principal. */
export function signedIdentity(
  credential: LocalCredential,
  base: APIGatewayProxyEvent['requestContext']['identity'],
): APIGatewayProxyEvent['requestContext']['identity'] {
  const account = /^arn:aws:(?:iam|sts)::(\d{12}):/.exec(credential.principalArn)?.[1] ?? null;
  return {
    ...base,
    accessKey: credential.accessKeyId,
    accountId: account,
    caller: credential.principalArn,
    user: credential.principalArn,
    userArn: credential.principalArn,
  };
}
