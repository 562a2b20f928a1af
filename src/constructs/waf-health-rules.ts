import type { Wafv2WebAclRule, Wafv2WebAclRuleVisibilityConfig } from '@cdktn/provider-aws/lib/wafv2-web-acl';
import { type ApiRoute, SIGV4_SCHEME } from '../../runtime/payment-api/routes';

/**
 * The web ACL rules that keep the health routes apart (src/constructs/payment-api.ts places them):
 *
 * - `probe-unsigned`: BLOCK a request for /health/probe whose `authorization` header does not start with
 *   `AWS4-HMAC-SHA256 `, the form every SigV4 header has ("Authorization: AWS4-HMAC-SHA256 Credential=...",
 *   IAM User Guide, "Authentication methods":
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-authentication-methods.html). A request
 *   without the header matches too: "if a web request doesn't have the request component that's specified in
 *   the rule statement, AWS WAF evaluates the request as not matching" (AWS WAF Developer Guide, "Request
 *   components": https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields-list.html), so
 *   the NOT matches and the request is blocked. Both custom domains map the stage at their root (no base path,
 *   api-domain.ts), so the URI path clients send, which WAF inspects, is the resource path itself. A flood of unsigned probes therefore ends at WAF, before API
 *   Gateway's IAM authorizer, its throttles or the probe function; a signed flood still needs credentials the
 *   API accepts. The path is matched EXACTLY, with no text transformation: the probe is one resource without
 *   sub-resources, API Gateway's paths are case-sensitive, and a prefix or a normalised match could also catch
 *   paths that are not the probe (a future /health/probe-x would inherit a rule written for another route).
 *   Any other spelling of the path is not the probe route and never reaches its function. The header name is
 *   lower case, as AWS WAF's field name is not case sensitive ("The name isn't case sensitive": API Reference,
 *   SingleHeader, https://docs.aws.amazon.com/waf/latest/APIReference/API_SingleHeader.html).
 * - `health-rate-per-ip`: a per-IP rate limit on the public /health alone, far below the API-wide one. Route
 *   53's checkers each send one request per interval ("Each Route 53 health checker makes requests at this
 *   interval", API Reference, HealthCheckConfig RequestInterval:
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html): at most 30 per 5 minutes
 *   at the 10 s interval, so the limit never blocks them while a few flooding IPs are cut off early. The scope-down
 *   statement makes the rule count only /health requests (API Reference, RateBasedStatement ScopeDownStatement:
 *   https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html). Rate-based statements
 *   cannot be nested, so this is a rule of its own.
 *
 * Statements are the provider's raw blocks (the binding types them `any`); nesting stays within the 3 levels the
 * provider supports ("Although the statement block is recursive, currently only 3 levels are supported":
 * registry docs of aws_wafv2_web_acl, hashicorp/aws 6.66.0).
 */
const PROBE_PATH: ApiRoute['resource'] = '/health/probe';
const HEALTH_PATH: ApiRoute['resource'] = '/health';

/** Per-IP requests per 5 minutes to /health before WAF blocks the IP (over 3x a Route 53 checker's 30). */
export const HEALTH_RATE_LIMIT_PER_5_MIN = 100;

type Visibility = (metricName: string) => Wafv2WebAclRuleVisibilityConfig;

const NO_TRANSFORMATION = [{ priority: 0, type: 'NONE' }];

const pathIs = (path: string) => ({
  byte_match_statement: {
    field_to_match: { uri_path: {} },
    positional_constraint: 'EXACTLY',
    search_string: path,
    text_transformation: NO_TRANSFORMATION,
  },
});

export function probeUnsignedRule(priority: number, visibility: Visibility): Wafv2WebAclRule {
  return {
    name: 'probe-unsigned',
    priority,
    action: { block: {} },
    statement: {
      and_statement: {
        statement: [
          pathIs(PROBE_PATH),
          {
            not_statement: {
              statement: {
                byte_match_statement: {
                  field_to_match: { single_header: { name: 'authorization' } },
                  positional_constraint: 'STARTS_WITH',
                  search_string: `${SIGV4_SCHEME} `,
                  text_transformation: NO_TRANSFORMATION,
                },
              },
            },
          },
        ],
      },
    },
    visibilityConfig: visibility('probe-unsigned'),
  };
}

export function healthRateRule(
  priority: number,
  limitPer5Min: number,
  visibility: Visibility,
): Wafv2WebAclRule {
  return {
    name: 'health-rate-per-ip',
    priority,
    action: { block: {} },
    statement: {
      rate_based_statement: {
        limit: limitPer5Min,
        aggregate_key_type: 'IP',
        scope_down_statement: pathIs(HEALTH_PATH),
      },
    },
    visibilityConfig: visibility('health-rate-per-ip'),
  };
}
