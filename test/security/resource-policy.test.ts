import { describe, expect, it } from 'vitest';
import { CANARY_MERCHANT_ID, MAX_MERCHANT_BINDINGS } from '../../runtime/payment-api/merchants';
import { deploymentWarnings } from '../../src/config';
import { apiCallers, apiResourcePolicy } from '../../src/constructs/api-resource-policy';
import { resourceNames } from '../../src/resource-names';
import { resources, synthAll, testConfig, type TfJson } from '../support/synth';

/**
 * The resource policy of each regional REST API as synthesized (issue #14): the payment routes are denied to every
 * principal but exactly the configured merchants and the DR operator role, /health/probe to every principal but
 * exactly the two failover detectors (the failover stack's own detector roles), and /health stays open. And the
 * payment function's MERCHANTS is the same directory the policy names.
 */
const ACCOUNT_REF = '${data.aws_caller_identity.caller-identity.account_id}';
const MERCHANTS = [
  { merchantId: 'acme', principalArn: 'arn:aws:iam::111122223333:role/acme-payments' },
  { merchantId: 'globex', principalArn: 'arn:aws:iam::444455556666:user/globex/payments' },
  { merchantId: 'acme', principalArn: 'arn:aws:iam::111122223333:role/acme-batch' },
];

type Statement = {
  Sid?: string;
  Effect: string;
  Principal?: unknown;
  Action: string;
  Resource: string | string[];
  Condition?: Record<string, Record<string, string[]>>;
};

function apiPolicy(stack: TfJson): Statement[] {
  const [[, api]] = resources(stack, 'aws_api_gateway_rest_api') as [[string, Record<string, unknown>]];
  expect(api.policy, 'the policy travels in the body only (redeployed with it)').toBeUndefined();
  const body = JSON.parse(String(api.body)) as Record<string, { Statement: Statement[] }>;
  return body['x-amazon-apigateway-policy']?.Statement ?? [];
}

const principalsOf = (s: Statement | undefined) =>
  [...(s?.Condition?.ArnNotLike?.['aws:PrincipalArn'] ?? [])].sort();

describe('the REST API resource policy', () => {
  const config = testConfig({ api: { merchants: MERCHANTS } });
  const synth = synthAll(config);
  const names = resourceNames(config);
  const operator = `arn:aws:iam::${ACCOUNT_REF}:role/${names.operatorRole}`;
  // The detectors' roles as the failover stack creates them (each function's role carries its name).
  const detectorRoles = resources(synth.failover, 'aws_iam_role')
    .map(([, r]) => String(r.name))
    .filter((n) => n.startsWith(names.detectorFunction(names.secondaryRegion).replace(/[a-z0-9]+$/, '')))
    .map((n) => `arn:aws:iam::${ACCOUNT_REF}:role/${n}`)
    .sort();

  for (const region of ['primary', 'secondary'] as const) {
    it(`${region}: denies the payment routes to all but the bound merchants and the operator role`, () => {
      const statements = apiPolicy(synth[region]);
      const deny = statements.find((s) => s.Sid === 'PaymentRoutesBoundPrincipalsOnly');
      expect(deny).toMatchObject({
        Effect: 'Deny',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: ['execute-api:/*/*/payments', 'execute-api:/*/*/payments/*'],
      });
      expect(principalsOf(deny)).toEqual([...MERCHANTS.map((m) => m.principalArn), operator].sort());
    });

    it(`${region}: denies /health/probe to all but the failover detectors; /health stays open`, () => {
      const statements = apiPolicy(synth[region]);
      expect(detectorRoles).toHaveLength(2);
      const probe = statements.find((s) => s.Sid === 'ProbeRouteDetectorsOnly');
      expect(probe).toMatchObject({ Effect: 'Deny', Resource: ['execute-api:/*/*/health/probe'] });
      expect(principalsOf(probe)).toEqual(detectorRoles);
      // Nothing else is denied, and the one Allow (which the unauthenticated /health needs) covers every route.
      expect(statements.filter((s) => s.Effect === 'Deny')).toHaveLength(2);
      expect(statements.filter((s) => s.Effect === 'Allow')).toEqual([
        expect.objectContaining({ Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }),
      ]);
      const denied = statements.flatMap((s) => (s.Effect === 'Deny' ? [s.Resource].flat() : []));
      expect(denied.some((r) => /health(\*|$)/.test(r))).toBe(false);
    });

    it(`${region}: the payment function binds the same principals it is called by`, () => {
      const [[, fn]] = resources(synth[region], 'aws_lambda_function').filter(([, f]) =>
        String(f.function_name).includes('payment-api'),
      ) as [[string, Record<string, unknown>]];
      const raw = (fn.environment as { variables: Record<string, string> }).variables.MERCHANTS as string;
      expect(JSON.parse(raw)).toEqual({
        ...Object.fromEntries(MERCHANTS.map((m) => [m.principalArn, m.merchantId])),
        [operator]: CANARY_MERCHANT_ID,
      });
    });
  }

  it('with no merchants configured: only the canary merchant can pay, and synth warns', () => {
    const empty = testConfig();
    const statements = apiPolicy(synthAll(empty).primary);
    const deny = statements.find((s) => s.Sid === 'PaymentRoutesBoundPrincipalsOnly');
    expect(principalsOf(deny)).toEqual([operator]);
    expect(deploymentWarnings(empty).map((w) => w.id)).toContain('no-merchants');
    expect(deploymentWarnings(config).map((w) => w.id)).not.toContain('no-merchants');
  });

  it('fits API Gateway\u2019s 8192 characters with the most bindings of the longest names', () => {
    const longest = Array.from({ length: MAX_MERCHANT_BINDINGS }, (_, i) => ({
      merchantId: `${i}`.padStart(64, 'm'),
      principalArn: `arn:aws:iam::123456789012:role/${`${i}`.padStart(64, 'r')}`,
    }));
    const big = testConfig({ api: { merchants: longest } });
    const doc = apiResourcePolicy(apiCallers(resourceNames(big), '123456789012', big.api.merchants));
    expect(JSON.stringify(doc).length).toBeLessThan(8192);
  });

  it('refuses bindings that would bind one caller twice or take the canary merchant', () => {
    expect(() =>
      testConfig({ api: { merchants: [MERCHANTS[0], { ...MERCHANTS[0], merchantId: 'x' }] } }),
    ).toThrow(/already bound/);
    expect(() =>
      testConfig({
        api: { merchants: [{ merchantId: CANARY_MERCHANT_ID, principalArn: MERCHANTS[0].principalArn }] },
      }),
    ).toThrow(/canary/);
    expect(() =>
      testConfig({
        api: { merchants: [{ merchantId: 'x', principalArn: 'arn:aws:iam::111122223333:role/*' }] },
      }),
    ).toThrow(/IAM role or user ARN/);
  });
});
