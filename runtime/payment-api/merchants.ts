import type { APIGatewayProxyEvent } from 'aws-lambda';
import { MERCHANT_ID_PATTERN } from './schema';

/**
 * Merchant binding (issue #14): every payment request acts for exactly one merchant, the one its authenticated
 * IAM principal is bound to; the body's `merchantId` must name that merchant, and a payment of another merchant
 * is not found. The directory is one JSON object `{ "<IAM principal ARN>": "<merchantId>" }`, rendered by the
 * infrastructure from config `api.merchants` (plus the DR operator role, bound to CANARY_MERCHANT_ID) into the
 * function's MERCHANTS variable (env.ts); the REST API's resource policy denies every other principal the
 * payment routes (src/constructs/api-resource-policy.ts), so a request of an unbound principal is refused twice.
 *
 * A principal is an IAM role or an IAM user, named by its ARN: `arn:aws:iam::<account>:role/<path/>name` or
 * `arn:aws:iam::<account>:user/<path/>name`. For an IAM-authorized REST API call API Gateway reports the caller in
 * `requestContext.identity.userArn`, "the Amazon Resource Name (ARN) of the effective user identified after
 * authentication" (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
 * the user's ARN, or for a role the assumed-role session `arn:aws:sts::<account>:assumed-role/<name>/<session>`,
 * which carries neither the role's path nor anything a caller chooses but the session name. Role and user names are
 * unique in an account whatever their path, so both sides are compared as (account, kind, name).
 */
export type MerchantDirectory = Readonly<Record<string, string>>;

/** The merchant of the drill's canary payments (cli/lib/drill/canaries.ts sends it): the DR operator role's. */
export const CANARY_MERCHANT_ID = 'drill_canary';

/**
 * Most bindings config `api.merchants` takes: the directory travels in the Lambda environment, whose variables
 * together may hold 4 KB, and every principal is named again in the REST API's resource policy, at most 8192
 * characters ("Length, in characters, of API Gateway resource policy | 8192":
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-execution-service-limits-table.html).
 * 16 bindings of the longest names (a 64-character role name and merchant id, no path) take about 2.7 KB in
 * each; MAX_MERCHANTS_ENV_CHARS bounds the rendered directory whatever the paths, leaving the function's other
 * variables (about 0.7 KB) room.
 */
export const MAX_MERCHANT_BINDINGS = 16;
export const MAX_MERCHANTS_ENV_CHARS = 3000;

const IAM_PRINCIPAL = /^arn:aws:iam::(\d{12}):(role|user)\/(?:[\x21-\x7E]+\/)?([\w+=,.@-]{1,64})$/;
const ASSUMED_ROLE = /^arn:aws:sts::(\d{12}):assumed-role\/([\w+=,.@-]{1,64})\/[\w+=,.@-]{2,64}$/;

/** `<account>:<role|user>/<name>` of an IAM role or user ARN; undefined for anything else. */
export function principalKey(arn: string): string | undefined {
  const m = IAM_PRINCIPAL.exec(arn);
  return m ? `${m[1]}:${m[2]}/${m[3]}` : undefined;
}

/**
 * The same key of what API Gateway reports as `userArn`: an assumed-role session's ARN (a role signs only as one of
 * its sessions) or a user's ARN. Anything else (a role's own ARN, a federated user, the root user) binds nobody.
 */
export function callerKey(userArn: string): string | undefined {
  const session = ASSUMED_ROLE.exec(userArn);
  if (session) return `${session[1]}:role/${session[2]}`;
  const key = principalKey(userArn);
  return key?.includes(':user/') ? key : undefined;
}

/** Whether `arn` can be bound to a merchant (an IAM role or user ARN, no wildcard). */
export const isBindablePrincipal = (arn: string): boolean =>
  principalKey(arn) !== undefined && !arn.includes('*') && !arn.includes('?');

/**
 * Checks a directory: every key a bindable principal, every value a merchant id, and no principal named twice
 * (two ARNs of one role, with different paths, would otherwise bind one caller to two merchants).
 */
export function checkMerchantDirectory(directory: Record<string, unknown>): MerchantDirectory {
  const seen = new Map<string, string>();
  for (const [arn, merchantId] of Object.entries(directory)) {
    if (!isBindablePrincipal(arn)) throw new Error(`${arn} is not an IAM role or user ARN`);
    if (typeof merchantId !== 'string' || !MERCHANT_ID_PATTERN.test(merchantId))
      throw new Error(`the merchant id of ${arn} must be 1 to 64 letters, digits, _ or -`);
    const key = principalKey(arn) as string;
    const other = seen.get(key);
    if (other !== undefined) throw new Error(`${arn} and ${other} name the same principal`);
    seen.set(key, arn);
  }
  return directory as MerchantDirectory;
}

export function parseMerchantDirectory(raw: string): MerchantDirectory {
  let value: unknown;
  try {
    value = JSON.parse(raw) as unknown;
  } catch {
    throw new Error('must be a JSON object of principal ARN to merchant id');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('must be a JSON object of principal ARN to merchant id');
  return checkMerchantDirectory(value as Record<string, unknown>);
}

/**
 * The merchant the caller of an event acts for, or undefined when the event carries no IAM identity or its
 * principal is bound to none. Only the identity API Gateway put into the event is read, never a header.
 */
export function callerMerchant(
  identity: Pick<APIGatewayProxyEvent['requestContext']['identity'], 'userArn'> | undefined,
  directory: MerchantDirectory,
): string | undefined {
  const userArn = identity?.userArn;
  if (!userArn) return undefined;
  const key = callerKey(userArn);
  if (key === undefined) return undefined;
  for (const [arn, merchantId] of Object.entries(directory)) {
    if (principalKey(arn) === key) return merchantId;
  }
  return undefined;
}
