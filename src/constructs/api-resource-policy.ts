import { CANARY_MERCHANT_ID, type MerchantDirectory } from '../../runtime/payment-api/merchants';
import type { Config } from '../config';
import { arn } from '../grants';
import type { PolicyDocument, PolicyStatement } from '../iam';
import type { ResourceNames } from '../resource-names';

/**
 * Who may call each route of a regional REST API (issue #14, merchant binding), as the API's resource policy.
 *
 * Why a Deny: for IAM authorization "if the caller and the API owner are in the same account, then either the
 * user policies or the resource policy must explicitly allow the caller to proceed", and an explicit deny in the
 * resource policy wins over any allow (Table A; https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html).
 * So an Allow naming the merchants would restrict nothing: any principal of the account whose own policy allows
 * execute-api:Invoke would still get in. Each IAM route therefore denies every principal not named for it, by
 * `aws:PrincipalArn` (for a role "the ARN of the role", not of its session; "Anonymous requests do not include
 * this key", so they are denied too; ARN operators are the recommended ones:
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
 * A condition rather than a Principal element, so naming a role that does not exist yet (the detectors live in the
 * failover stack, merchants' roles in their own accounts) never fails an apply.
 *
 * The Allow for every principal is what the open GET /health needs: without authorization "evaluation of the
 * policy involves seeking an explicit allow" (same page), and it is what lets a merchant's role of another
 * account in (cross-account calls need the resource policy's allow as well as the caller's own policy). The
 * Denies bound it on the IAM routes:
 * - payment routes (POST /payments, GET /payments/{id}, any other method of them): the bound principals only,
 *   config `api.merchants` plus the DR operator role, whose drill canaries act for CANARY_MERCHANT_ID;
 * - GET /health/probe: the failover detectors only (one per vantage point: the secondary region and the witness).
 * `execute-api:/...` is expanded by API Gateway to the API's own ARN on import (x-amazon-apigateway-policy:
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/openapi-extensions-policy.html), so the same
 * document serves both regions and needs no API id (and no AWS credentials at synth).
 */
export interface ApiCallers {
  /** The payment routes' callers, each bound to one merchant (the payment function's MERCHANTS). */
  merchants: MerchantDirectory;
  /** The principals allowed GET /health/probe. */
  probers: string[];
}

export function apiCallers(
  names: ResourceNames,
  accountId: string,
  merchants: Config['api']['merchants'],
): ApiCallers {
  const operatorRoleArn = arn.iamRole(accountId, names.operatorRole);
  for (const m of merchants) {
    if (m.principalArn.endsWith(`:role/${names.operatorRole}`))
      throw new Error(
        `api.merchants: ${m.principalArn} is the DR operator role, bound to ${CANARY_MERCHANT_ID}`,
      );
  }
  return {
    merchants: {
      ...Object.fromEntries(merchants.map((m) => [m.principalArn, m.merchantId])),
      [operatorRoleArn]: CANARY_MERCHANT_ID,
    },
    probers: names.detectorRegions.map((v) => arn.iamRole(accountId, names.detectorFunction(v))),
  };
}

/** `execute-api:/<stage>/<method>/<path>` of a route path, any stage and method. */
const route = (path: string): string => `execute-api:/*/*/${path}`;
export const PAYMENT_ROUTE_RESOURCES = [route('payments'), route('payments/*')];
export const PROBE_ROUTE_RESOURCES = [route('health/probe')];

const denyAllBut = (sid: string, resources: string[], principals: string[]): PolicyStatement => ({
  Sid: sid,
  Effect: 'Deny',
  Principal: '*',
  Action: 'execute-api:Invoke',
  Resource: resources,
  Condition: { ArnNotLike: { 'aws:PrincipalArn': principals } },
});

export function apiResourcePolicy(callers: ApiCallers): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'InvokeWithinTheDenies',
        Effect: 'Allow',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
      },
      denyAllBut('PaymentRoutesBoundPrincipalsOnly', PAYMENT_ROUTE_RESOURCES, Object.keys(callers.merchants)),
      denyAllBut('ProbeRouteDetectorsOnly', PROBE_ROUTE_RESOURCES, callers.probers),
    ],
  };
}
