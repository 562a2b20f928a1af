import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { paymentRequestJsonSchema } from '../../runtime/payment-api/json-schema';
import { API_ROUTES, GATEWAY_RESPONSES } from '../../runtime/payment-api/routes';
import { paymentOpenApi, publishedOpenApi } from '../../src/api/openapi';
import { OPERATIONS } from '../../src/api/responses';
import { apiResourcePolicy } from '../../src/constructs/api-resource-policy';

/**
 * The published document and the deployed body come from one definition; this holds the published one to
 * the code: every error code it shows is one the function or API Gateway sends, and every code the function
 * sends is shown under the status it is sent with.
 */
const ROOT = resolve(__dirname, '../..');
type Doc = {
  paths: Record<string, Record<string, Record<string, unknown>>>;
  components: Record<string, unknown>;
};
const published = publishedOpenApi() as unknown as Doc;
const gateway = paymentOpenApi({
  title: 't',
  invokeArns: { 'payment-api': 'arn:invoke', health: 'arn:invoke-health', probe: 'arn:invoke-probe' },
  policy: apiResourcePolicy({ merchants: {}, probers: [] }),
}) as unknown as Doc;

function runtimeSources(dir = join(ROOT, 'runtime')): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'local' ? [] : runtimeSources(path);
    return path.endsWith('.ts') ? [readFileSync(path, 'utf8')] : [];
  });
}

/** `new HttpError(<status>, '<CODE>'` in the function's code: the status each code is sent with. */
function codesSentByFunction(): Map<string, Set<number>> {
  const sent = new Map<string, Set<number>>();
  for (const text of runtimeSources()) {
    for (const m of text.matchAll(/new HttpError\(\s*(\d{3}),\s*'([A-Z_]+)'/g)) {
      const set = sent.get(m[2] as string) ?? new Set<number>();
      set.add(Number(m[1]));
      sent.set(m[2] as string, set);
    }
  }
  return sent;
}

describe('the published OpenAPI document', () => {
  it('is the committed docs/openapi.json (npm run openapi)', () => {
    const committed = readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8');
    expect(committed).toBe(`${JSON.stringify(publishedOpenApi(), null, 2)}\n`);
  });

  it('has the deployed routes, methods and parameters, and no API Gateway extension', () => {
    expect(JSON.stringify(published)).not.toContain('x-amazon-apigateway');
    for (const route of API_ROUTES) {
      const method = route.method.toLowerCase();
      const pub = published.paths[route.resource]?.[method];
      const gw = gateway.paths[route.resource]?.[method];
      expect(pub, `${route.method} ${route.resource}`).toBeDefined();
      expect(pub?.security).toEqual(gw?.security);
      expect(Object.keys(pub?.responses as object).sort()).toEqual(
        Object.keys(gw?.responses as object).sort(),
      );
      const required = (op: Record<string, unknown> | undefined) =>
        ((op?.parameters ?? []) as Array<{ name: string; in: string; required: boolean; schema: unknown }>)
          .filter((p) => p.required)
          .map((p) => ({ name: p.name, in: p.in, schema: p.schema }));
      expect(required(pub)).toEqual(required(gw));
    }
    expect((published.components.schemas as Record<string, unknown>).PaymentRequest).toEqual(
      paymentRequestJsonSchema,
    );
  });

  it('uses the payment id pattern the function enforces (GET /payments/0 is a 400, not a 404)', () => {
    const id = (
      published.paths['/payments/{id}']?.get?.parameters as Array<{ schema: { pattern: string } }>
    )[0];
    const pattern = new RegExp(id?.schema.pattern ?? '');
    expect(pattern.test('0')).toBe(false);
    expect(pattern.test('pay_01M8RBK5ZTCQ5ZXWXDFNHYCNC3')).toBe(true);
  });

  it('shows every error code the function sends, under the status it sends it with', () => {
    const shown = new Map<string, Set<number>>();
    for (const op of Object.values(OPERATIONS)) {
      for (const [status, spec] of Object.entries(op.responses)) {
        for (const example of Object.values(spec.examples ?? {})) {
          const code = (example.value as { error?: { code?: string } }).error?.code;
          if (code) shown.set(code, (shown.get(code) ?? new Set()).add(Number(status)));
        }
      }
    }
    const sent = codesSentByFunction();
    // Routing errors the deployed API never lets reach the function: unknown routes are answered by API
    // Gateway (401); 405 is the answer to methods a route does not list (described in info).
    const notPerOperation = new Set(['ROUTE_NOT_FOUND', 'METHOD_NOT_ALLOWED']);
    for (const [code, statuses] of sent) {
      if (notPerOperation.has(code)) continue;
      for (const status of statuses) expect(shown.get(code), `${code} ${status}`).toContain(status);
    }
    const gatewayCodes = new Set<string>(Object.values(GATEWAY_RESPONSES).map((r) => r.code));
    for (const code of shown.keys()) {
      expect(sent.has(code) || gatewayCodes.has(code), code).toBe(true);
    }
    expect(sent.size).toBeGreaterThan(10);
  });
});
