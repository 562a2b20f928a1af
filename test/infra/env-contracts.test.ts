import { describe, expect, it } from 'vitest';
import { ENV_CONTRACTS } from '../../runtime/contracts';
import { parseFenceActionEnv } from '../../runtime/fence-action/env';
import { parseHealthEnv } from '../../runtime/health/env';
import { parsePaymentApiEnv } from '../../runtime/payment-api/env';
import { LAMBDA_FUNCTION_IDS, type LambdaFunctionId } from '../../src/bundling/functions';
import { environmentOf } from '../../src/report/facts';
import { regionOf, type Synthesized, synthAll, testBundles, testConfig, type TfJson } from '../support/synth';

/**
 * Every synthesized function's environment parses with its own contract (runtime/contracts.ts), the one its
 * handler uses: a variable the infrastructure renders wrongly, or forgets, fails here instead of at the
 * function's first cold start.
 */
const ACCOUNT = '123456789012';

/** Terraform references resolved the way AWS would: topic ARNs from the topic's name, others a placeholder. */
function resolved(stack: TfJson, region: string, env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [
      k,
      // The deploying account (data.aws_caller_identity), as in the operator role's ARN of MERCHANTS.
      v
        .replace(/\$\{data\.aws_caller_identity\.[^.}]+\.account_id\}/g, ACCOUNT)
        .replace(
          /\$\{([a-z0-9_]+)\.([^.}]+)\.([a-z_]+)\}/g,
          (_m, type: string, key: string, attr: string) => {
            const name = stack.resource?.[type]?.[key]?.name;
            if (type === 'aws_sns_topic' && attr === 'arn')
              return `arn:aws:sns:${region}:${ACCOUNT}:${String(name)}`;
            return `resolved-${type}-${attr}`;
          },
        ),
    ]),
  );
}

function deployedFunctions(s: Synthesized) {
  const byHash = new Map(Object.values(testBundles()).map((b) => [b.sha256, b.id]));
  const out: Array<{ stack: string; id: LambdaFunctionId | undefined; env: Record<string, string> }> = [];
  for (const [stackId, stack] of Object.entries(s)) {
    for (const fn of Object.values(stack.resource?.aws_lambda_function ?? {})) {
      const region = regionOf(stack, fn);
      out.push({
        stack: stackId,
        id: byHash.get(String(fn.source_code_hash)),
        env: { ...resolved(stack, region, environmentOf(fn)), AWS_REGION: region },
      });
    }
  }
  return out;
}

describe('environment contracts', () => {
  it('name one contract per function the app bundles', () => {
    expect(Object.keys(ENV_CONTRACTS).sort()).toEqual([...LAMBDA_FUNCTION_IDS].sort());
  });

  for (const mode of ['automatic', 'manual'] as const) {
    it(`parse every synthesized function's environment with its contract (${mode} mode)`, () => {
      const fns = deployedFunctions(synthAll(testConfig({ failover: { mode } })));
      // Both regions deploy the payment, migration, fence and two health functions; the secondary adds the relay;
      // the failover stack deploys one detector per vantage point (us-east-2 and the witness region).
      expect(fns.map((f) => f.id).sort()).toEqual(
        [
          'alert-relay',
          'detector',
          'detector',
          'fence-action',
          'fence-action',
          'health',
          'health',
          'probe',
          'probe',
          'migrate',
          'migrate',
          'payment-api',
          'payment-api',
        ].sort(),
      );
      for (const f of fns) {
        const contract = ENV_CONTRACTS[f.id as LambdaFunctionId];
        expect(() => contract.parse(f.env), `${f.stack} ${f.id}`).not.toThrow();
        // Nothing is rendered that the function does not declare (and so never reads).
        const undeclared = Object.keys(f.env).filter((name) => !contract.variables.includes(name));
        expect(undeclared, `${f.stack} ${f.id}`).toEqual([]);
      }
    });
  }

  it('carry the configured settings and the declared defaults to the functions', () => {
    const fns = deployedFunctions(synthAll(testConfig()));
    for (const fence of fns.filter((f) => f.id === 'fence-action')) {
      expect(parseFenceActionEnv(fence.env)).toEqual({
        region: ({ primary: 'us-east-1', secondary: 'us-east-2' } as Record<string, string>)[fence.stack],
        controlTable: 'payment-processing-payment-control-test',
      });
    }
    const payment = parsePaymentApiEnv(fns.find((f) => f.id === 'payment-api')?.env ?? {});
    expect(payment).toMatchObject({ dbPort: 5432, dbUser: 'payments_app' });
    for (const id of ['health', 'probe'] as const) {
      const health = parseHealthEnv(fns.find((f) => f.id === id)?.env ?? {});
      expect(health, id).toMatchObject({
        healthTimeoutMs: 1000,
        dbPort: 5432,
        dbUser: 'payments_app',
        poolMax: 2,
      });
    }
  });
});
