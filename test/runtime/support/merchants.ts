import type { APIGatewayProxyEvent } from 'aws-lambda';
import { anonymousIdentity } from '../../../runtime/local/event';
import { DEFAULT_LOCAL_CREDENTIAL } from '../../../runtime/local/gateway';
import type { MerchantDirectory } from '../../../runtime/payment-api/merchants';

/**
 * Callers of the payment function in tests, bound to merchants as config `api.merchants` binds them: one IAM role
 * per merchant (`arn:aws:iam::123456789012:role/merchant-<id>`), reported by API Gateway as a session of the role.
 */
export const TEST_ACCOUNT = '123456789012';
/** The merchants the tests pay for; each has its own role in TEST_MERCHANTS. */
export const TEST_MERCHANT_IDS = ['merchant_42', 'merchant_other', 'm-1', 'm2', 'm3', 'm'] as const;
export const DEFAULT_TEST_MERCHANT = 'merchant_42';

export const roleOf = (merchantId: string): string =>
  `arn:aws:iam::${TEST_ACCOUNT}:role/merchant-${merchantId}`;

export const TEST_MERCHANTS: MerchantDirectory = Object.fromEntries(
  TEST_MERCHANT_IDS.map((id) => [roleOf(id), id]),
);

type Identity = APIGatewayProxyEvent['requestContext']['identity'];

/** What API Gateway reports for a request signed by a session of `roleArn` (any role, bound or not). */
export function roleSessionIdentity(roleArn: string, session = 'test-session'): Identity {
  const m = /^arn:aws:iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
  if (!m) throw new Error(`not a role ARN: ${roleArn}`);
  return {
    ...anonymousIdentity('127.0.0.1', 'vitest'),
    accessKey: 'ASIATESTCALLER000001',
    accountId: m[1] as string,
    caller: `AROATESTCALLER000001:${session}`,
    user: `AROATESTCALLER000001:${session}`,
    userArn: `arn:aws:sts::${m[1]}:assumed-role/${m[2]}/${session}`,
  };
}

/** The identity of `merchantId`'s own role (TEST_MERCHANTS). */
export const merchantIdentity = (merchantId: string): Identity => roleSessionIdentity(roleOf(merchantId));

/** The caller a well-behaved client of a body's merchant is: that merchant's role, else the default one's. */
export function callerFor(body: unknown): string {
  const id = (body as { merchantId?: unknown } | null)?.merchantId;
  return typeof id === 'string' && (TEST_MERCHANT_IDS as readonly string[]).includes(id)
    ? id
    : DEFAULT_TEST_MERCHANT;
}

/** The local server's merchants in tests: its default credential (runtime/local/gateway.ts) acts for merchant_42. */
export const LOCAL_CALLER_MERCHANTS: MerchantDirectory = {
  [DEFAULT_LOCAL_CREDENTIAL.principalArn]: DEFAULT_TEST_MERCHANT,
};
