import { describe, expect, it } from 'vitest';
import { parseHealthEnv } from '../../runtime/health/env';
import { only, parsePolicy, resources, synthAll, testBundles } from '../support/synth';

/**
 * The health functions of each region as synthesized: their own functions with reserved concurrency (a /health
 * flood throttles only `health`), roles with exactly the calls the check makes, GET /health/probe behind IAM
 * authorization, and the web ACL rules that drop unsigned probes and rate-limit /health per IP.
 */
type Attrs = Record<string, unknown>;
const s = synthAll();
const REGIONS = [
  ['primary', 'use1', 'us-east-1'],
  ['secondary', 'use2', 'us-east-2'],
] as const;

const fnNamed = (id: 'primary' | 'secondary', name: string) =>
  only(s[id], 'aws_lambda_function', (f) => f.function_name === name);

describe('health functions', () => {
  it.each(REGIONS)(
    '%s: health (5) and probe (3) with reserved concurrency, payment function without',
    (id, code) => {
      const health = fnNamed(id, `payment-processing-health-test-${code}`);
      const probe = fnNamed(id, `payment-processing-health-probe-test-${code}`);
      expect(health.reserved_concurrent_executions).toBe(5);
      expect(probe.reserved_concurrent_executions).toBe(3);
      expect(
        fnNamed(id, `payment-processing-payment-api-test-${code}`).reserved_concurrent_executions,
      ).toBeUndefined();
      const b = testBundles();
      expect(health.source_code_hash).toBe(b.health.sha256);
      expect(probe.source_code_hash).toBe(b.probe.sha256);
      for (const f of [health, probe]) {
        expect(f).toMatchObject({
          runtime: 'nodejs24.x',
          architectures: ['arm64'],
          tracing_config: { mode: 'Active' },
        });
        expect((f.vpc_config as Attrs).subnet_ids).toHaveLength(3);
      }
    },
  );

  it.each(REGIONS)(
    "%s: reads its own cluster's writer and reader endpoints, the control table and bucket",
    (id) => {
      const [[clusterKey]] = resources(s[id], 'aws_rds_cluster');
      for (const name of ['health', 'health-probe']) {
        const f = only(s[id], 'aws_lambda_function', (x) =>
          String(x.function_name).startsWith(`payment-processing-${name}-test-`),
        );
        const env = (f.environment as { variables: Record<string, string> }).variables;
        expect(env).toEqual({
          DB_HOST: `\${replace(aws_rds_cluster.${clusterKey}.reader_endpoint, ".cluster-ro-", ".cluster-")}`,
          DB_READER_HOST: `\${aws_rds_cluster.${clusterKey}.reader_endpoint}`,
          DB_PORT: '5432',
          DB_NAME: 'payments',
          DB_USER: 'payments_app',
          DB_POOL_MAX: '2',
          NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
          CONTROL_TABLE: 'payment-processing-payment-control-test',
          RECEIPTS_BUCKET: expect.stringMatching(/^\$\{aws_s3_bucket\.receipts_bucket_\w+\.bucket\}$/),
          HEALTH_TIMEOUT_MS: '1000',
        });
        expect(parseHealthEnv({ ...env, AWS_REGION: 'us-east-1' }).healthTimeoutMs).toBe(1000);
      }
    },
  );

  it.each(REGIONS)(
    '%s: each role allows exactly GetItem, HeadBucket (s3:ListBucket) and IAM database auth',
    (id, _code, region) => {
      for (const name of ['health', 'probe']) {
        const role = only(s[id], 'aws_iam_role_policy', (p) =>
          String(p.role).includes(`payment-service_health-service_${name}_role`),
        );
        const st = parsePolicy(role.policy).Statement;
        expect(st.map((x) => [x.Sid, x.Action])).toEqual([
          ['OwnLogs', ['logs:CreateLogStream', 'logs:PutLogEvents']],
          ['XRayTraces', ['xray:PutTraceSegments', 'xray:PutTelemetryRecords']],
          ['PaymentControlTableRead', 'dynamodb:GetItem'],
          ['TablesKey', ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey']],
          ['ReceiptsBucketHead', 's3:ListBucket'],
          ['LedgerIamAuth', 'rds-db:connect'],
        ]);
        const bySid = Object.fromEntries(st.map((x) => [x.Sid, x]));
        expect(bySid.PaymentControlTableRead.Resource).toBe(
          `arn:aws:dynamodb:${region}:\${data.aws_caller_identity.caller-identity.account_id}:table/payment-processing-payment-control-test`,
        );
        expect(bySid.TablesKey.Condition).toEqual({
          StringEquals: { 'kms:ViaService': `dynamodb.${region}.amazonaws.com` },
        });
        expect(bySid.ReceiptsBucketHead.Resource).toMatch(/^\$\{aws_s3_bucket\.receipts_bucket_\w+\.arn\}$/);
        expect(bySid.LedgerIamAuth.Resource).toMatch(
          new RegExp(`^arn:aws:rds-db:${region}:.+:dbuser:.+/payments_app$`),
        );
        expect(String(role.role)).toContain(name);
      }
    },
  );
});

describe('health function alarms', () => {
  it.each(REGIONS)(
    '%s: throttles (a flood, a starved probe), errors and duration of each, to the alert topic',
    (id, code) => {
      for (const short of ['health', 'probe']) {
        const fnName =
          short === 'health'
            ? `payment-processing-health-test-${code}`
            : `payment-processing-health-probe-test-${code}`;
        const throttles = only(
          s[id],
          'aws_cloudwatch_metric_alarm',
          (a) => a.alarm_name === `payment-processing-${short}-throttles-test-${code}`,
        );
        expect(throttles).toMatchObject({
          namespace: 'AWS/Lambda',
          metric_name: 'Throttles',
          dimensions: { FunctionName: fnName },
          threshold: 0,
          alarm_actions: [expect.stringContaining('aws_sns_topic')],
        });
        for (const kind of ['errors', 'duration-p99']) {
          expect(
            resources(s[id], 'aws_cloudwatch_metric_alarm').filter(
              ([, a]) => a.alarm_name === `payment-processing-${short}-${kind}-test-${code}`,
            ),
          ).toHaveLength(1);
        }
      }
    },
  );
});

describe('GET /health/probe', () => {
  it.each(REGIONS)(
    '%s: IAM (SigV4) authorization, validated parameters, the probe function behind it',
    (id) => {
      const doc = JSON.parse(String(only(s[id], 'aws_api_gateway_rest_api').body)) as {
        paths: Record<string, Record<string, Attrs>>;
      };
      const get = doc.paths['/health/probe']?.get as Attrs;
      expect(get.security).toEqual([{ sigv4: [] }]);
      expect(get['x-amazon-apigateway-request-validator']).toBe('params');
      expect(String((get['x-amazon-apigateway-integration'] as Attrs).uri)).toMatch(
        /^\$\{aws_lambda_function\.payment-service_health-service_probe_function_\w+\.invoke_arn\}$/,
      );
      expect(doc.paths['/health']?.get?.security).toEqual([]);
    },
  );
});

describe('web ACL health rules', () => {
  const rules = (id: 'primary' | 'secondary') => only(s[id], 'aws_wafv2_web_acl').rule as Attrs[];

  it.each(REGIONS)(
    '%s: blocks /health/probe (exact path) without a SigV4 Authorization header, first',
    (id) => {
      const [first] = rules(id);
      expect(first).toMatchObject({ name: 'probe-unsigned', priority: 0, action: { block: {} } });
      expect(first?.statement).toEqual({
        and_statement: {
          statement: [
            {
              byte_match_statement: {
                field_to_match: { uri_path: {} },
                positional_constraint: 'EXACTLY',
                search_string: '/health/probe',
                text_transformation: [{ priority: 0, type: 'NONE' }],
              },
            },
            {
              not_statement: {
                statement: {
                  byte_match_statement: {
                    field_to_match: { single_header: { name: 'authorization' } },
                    positional_constraint: 'STARTS_WITH',
                    search_string: 'AWS4-HMAC-SHA256 ',
                    text_transformation: [{ priority: 0, type: 'NONE' }],
                  },
                },
              },
            },
          ],
        },
      });
      expect(first?.visibility_config ?? first?.visibilityConfig).toBeDefined();
    },
  );

  it.each(REGIONS)(
    '%s: limits /health per IP to 100 requests in 5 minutes, apart from the API-wide limit',
    (id) => {
      const rate = rules(id).find((r) => r.name === 'health-rate-per-ip') as Attrs;
      expect(rate.action).toEqual({ block: {} });
      expect(rate.statement).toEqual({
        rate_based_statement: {
          limit: 100,
          aggregate_key_type: 'IP',
          scope_down_statement: {
            byte_match_statement: {
              field_to_match: { uri_path: {} },
              positional_constraint: 'EXACTLY',
              search_string: '/health',
              text_transformation: [{ priority: 0, type: 'NONE' }],
            },
          },
        },
      });
      const priorities = rules(id).map((r) => r.priority as number);
      expect(new Set(priorities).size).toBe(priorities.length);
    },
  );
});
