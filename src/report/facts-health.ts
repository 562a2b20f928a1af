import { type Attrs, entries, lambdaByRef, list, type PlanStacks, wholeNumber } from './plan';

/** One health route of the primary's REST API and the function behind it. */
export interface RouteFact {
  path: string;
  functionName?: string;
  /** reserved_concurrent_executions of that function (its own share, and its ceiling). */
  reservedConcurrency?: number;
  /** The route requires SigV4 (the OpenAPI operation's security is the awsSigv4 scheme). */
  sigv4: boolean;
}

/**
 * The primary's health routes as deployed (design-11.md "Probe route"): the public GET /health and the signed
 * GET /health/probe the detectors call, the functions behind them and the WAF rules that keep floods off them.
 */
export interface HealthFacts {
  paymentFunction?: string;
  health?: RouteFact;
  probe?: RouteFact;
  waf: { probeRule: boolean; healthRateRule: boolean };
}

type Operation = Record<string, unknown> & {
  security?: Array<Record<string, unknown>>;
  'x-amazon-apigateway-integration'?: { uri?: unknown };
};
interface OpenApi {
  paths?: Record<string, Record<string, Operation>>;
  components?: { securitySchemes?: Record<string, { 'x-amazon-apigateway-authtype'?: string }> };
}

/** The Lambda function a Lambda-proxy integration URI invokes (a reference inside the URI, or an ARN). */
function integrationFunction(p: PlanStacks, uri: unknown) {
  const s = String(uri ?? '');
  const ref = /\$\{aws_lambda_function\.[^.}]+\.[a-z_]+\}/.exec(s)?.[0];
  if (ref) return lambdaByRef(p, 'primary', ref);
  const arn = /arn:aws[a-z-]*:lambda:[^/]+:function:[^/:]+/.exec(s)?.[0];
  return arn ? lambdaByRef(p, 'primary', arn) : undefined;
}

function route(p: PlanStacks, doc: OpenApi, path: string): RouteFact | undefined {
  const op = doc.paths?.[path]?.get;
  if (!op) return undefined;
  const fn = integrationFunction(p, op['x-amazon-apigateway-integration']?.uri);
  const schemes = doc.components?.securitySchemes ?? {};
  const sigv4 = (op.security ?? []).some((req) =>
    Object.keys(req).some((name) => schemes[name]?.['x-amazon-apigateway-authtype'] === 'awsSigv4'),
  );
  const reserved = wholeNumber(fn?.attrs.reserved_concurrent_executions);
  return {
    path,
    ...(fn ? { functionName: String(fn.attrs.function_name) } : {}),
    ...(reserved !== undefined ? { reservedConcurrency: reserved } : {}),
    sigv4,
  };
}

export function extractHealthFacts(p: PlanStacks): HealthFacts {
  const api = list(p.primary, 'aws_api_gateway_rest_api')[0];
  const doc = api ? (JSON.parse(String(api.body)) as OpenApi) : {};
  const payment = doc.paths?.['/payments']?.post;
  const paymentFn = payment
    ? integrationFunction(p, payment['x-amazon-apigateway-integration']?.uri)
    : undefined;
  const health = route(p, doc, '/health');
  const probe = route(p, doc, '/health/probe');
  // The WAF rules are found by what they match (a statement on /health/probe, a rate rule scoped to /health)
  // and count only when they block.
  const rules = entries(p.primary, 'aws_wafv2_web_acl').flatMap(
    ([, acl]) => (acl.rule as Attrs[] | undefined) ?? [],
  );
  const text = (r: Attrs) => JSON.stringify(r.statement ?? {});
  // Only a blocking rule keeps a flood off: `count` merely records the match and `allow` lets it through.
  const blocks = (r: Attrs) => (r.action as Attrs | undefined)?.block !== undefined;
  return {
    ...(paymentFn ? { paymentFunction: String(paymentFn.attrs.function_name) } : {}),
    ...(health ? { health } : {}),
    ...(probe ? { probe } : {}),
    waf: {
      probeRule: rules.some((r) => blocks(r) && text(r).includes('/health/probe')),
      healthRateRule: rules.some(
        (r) => blocks(r) && text(r).includes('rate_based_statement') && text(r).includes('/health'),
      ),
    },
  };
}
