import { describe, expect, it } from 'vitest';
import { parsePolicy, resources, synthAll } from '../support/synth';

/**
 * Issue #14 items 4, 5, 7: the gateway endpoints reach only this account's named buckets and tables, WAF redacts the
 * credential and identifier headers, the custom domains use a TLS 1.2+ policy without CBC suites.
 */
const ACCOUNT = '${data.aws_caller_identity.caller-identity.account_id}';
const s = synthAll();

describe('gateway endpoint policies', () => {
  it.each(['primary', 'secondary'] as const)('%s: S3 and DynamoDB endpoints name only this account', (id) => {
    const region = id === 'primary' ? 'us-east-1' : 'us-east-2';
    const byService = Object.fromEntries(
      resources(s[id], 'aws_vpc_endpoint')
        .filter(([, e]) => e.vpc_endpoint_type === 'Gateway')
        .map(([, e]) => [String(e.service_name).split('.').pop(), parsePolicy(e.policy).Statement]),
    );
    expect(Object.keys(byService).sort()).toEqual(['dynamodb', 's3']);
    const buckets = ['use1', 'use2'].map(
      (c) => `arn:aws:s3:::payment-processing-receipts-test-${c}-${ACCOUNT}`,
    );
    const tables = ['payment-control', 'sessions'].map(
      (t) => `arn:aws:dynamodb:${region}:${ACCOUNT}:table/payment-processing-${t}-test`,
    );
    const expected = {
      s3: {
        resources: buckets.flatMap((b) => [b, `${b}/*`]),
        actions: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
      },
      dynamodb: {
        resources: tables,
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      },
    };
    for (const [service, statements] of Object.entries(byService)) {
      const want = expected[service as 's3' | 'dynamodb'];
      expect(statements).toHaveLength(1);
      const st = (statements as Array<Record<string, unknown>>)[0];
      expect(st.Effect).toBe('Allow');
      expect(st.Resource).toEqual(want.resources);
      expect(st.Action).toEqual(want.actions);
      expect(st.Condition).toEqual({
        StringEquals: { 'aws:ResourceAccount': ACCOUNT, 'aws:PrincipalAccount': ACCOUNT },
      });
      // Every resource is an ARN of this account (bucket names carry the account id) and no wildcard service-wide.
      for (const r of want.resources) expect(r).toContain(ACCOUNT);
    }
  });
});

describe('WAF logging', () => {
  it.each(['primary', 'secondary'] as const)(
    '%s: redacts the four credential and identifier headers',
    (id) => {
      const [[, logging]] = resources(s[id], 'aws_wafv2_web_acl_logging_configuration');
      const headers = (logging.redacted_fields as Array<{ single_header: { name: string } }>).map(
        (f) => f.single_header.name,
      );
      expect(headers.sort()).toEqual([
        'authorization',
        'idempotency-key',
        'x-amz-security-token',
        'x-session-id',
      ]);
      expect(headers.length).toBeLessThanOrEqual(100);
    },
  );
});

describe('custom domain TLS', () => {
  it.each(['primary', 'secondary'] as const)('%s: TLS 1.2+ without CBC suites, strict access mode', (id) => {
    const domains = resources(s[id], 'aws_api_gateway_domain_name').map(([, d]) => d);
    expect(domains).toHaveLength(2);
    for (const d of domains) {
      expect(d).toMatchObject({
        security_policy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
        endpoint_access_mode: 'STRICT',
        endpoint_configuration: { types: ['REGIONAL'] },
      });
    }
  });
});
