import { describe, expect, it } from 'vitest';
import { paymentRequestJsonSchema } from '../../runtime/payment-api/json-schema';
import { only, parsePolicy, regionOf, resources, synthAll, testBundles, testConfig } from '../support/synth';

type Attrs = Record<string, unknown>;
const s = synthAll();
const fn = (id: 'primary' | 'secondary', suffix: string) =>
  only(s[id], 'aws_lambda_function', (f) =>
    String(f.function_name).startsWith(`payment-processing-${suffix}-test-`),
  );

describe('payment service Lambdas', () => {
  it.each([
    ['primary', 'use1'],
    ['secondary', 'use2'],
  ] as const)('%s: Node.js 22 on arm64, VPC-attached, CMK env, X-Ray, deterministic code', (id, code) => {
    const vpcFunctions = resources(s[id], 'aws_lambda_function').filter(
      ([, f]) => f.vpc_config !== undefined,
    );
    expect(vpcFunctions.map(([, f]) => f.function_name).sort()).toEqual([
      `payment-processing-migrate-test-${code}`,
      `payment-processing-payment-api-test-${code}`,
    ]);
    for (const name of ['payment-api', 'migrate']) {
      const f = fn(id, name);
      expect(f).toMatchObject({
        function_name: `payment-processing-${name}-test-${code}`,
        runtime: 'nodejs22.x',
        architectures: ['arm64'],
        handler: 'index.handler',
        kms_key_arn: '${data.aws_kms_key.data-key.arn}',
        tracing_config: { mode: 'Active' },
      });
      expect(f.reserved_concurrent_executions).toBeUndefined();
      const vpc = f.vpc_config as Attrs;
      expect(vpc.subnet_ids).toHaveLength(3);
      expect(vpc.security_group_ids).toEqual([expect.stringContaining('security-groups_lambda')]);
      expect(String(f.filename)).toMatch(/^assets\/.+\.zip$/);
    }
    const b = testBundles();
    expect(fn(id, 'payment-api').source_code_hash).toBe(b['payment-api'].sha256);
    expect(fn(id, 'migrate').source_code_hash).toBe(b.migrate.sha256);
  });

  it('points each region at its own endpoints, tables, bucket and key', () => {
    for (const [id, code] of [
      ['primary', 'use1'],
      ['secondary', 'use2'],
    ] as const) {
      const env = (fn(id, 'payment-api').environment as { variables: Record<string, string> }).variables;
      expect(env).toMatchObject({
        DB_HOST: expect.stringMatching(/^\$\{aws_rds_cluster\.ledger_cluster_\w+\.endpoint\}$/),
        DB_NAME: 'payments',
        DB_USER: 'payments_app',
        CONTROL_TABLE: 'payment-processing-payment-control-test',
        FENCE_CACHE_MS: '1000',
        SESSIONS_TABLE: 'payment-processing-sessions-test',
        RECEIPTS_BUCKET: expect.stringMatching(/^\$\{aws_s3_bucket\.receipts_bucket_\w+\.bucket\}$/),
        RECEIPTS_KMS_KEY_ARN: '${data.aws_kms_key.data-key.arn}',
        DR_ROLE: id,
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
        HEALTH_TIMEOUT_MS: '1000',
      });
      expect(JSON.stringify(env)).not.toMatch(/password|secret_string/i);
      expect(String(fn(id, 'payment-api').function_name)).toMatch(new RegExp(`-${code}$`));
    }
    const migrateEnv = (fn('secondary', 'migrate').environment as { variables: Record<string, string> })
      .variables;
    expect(migrateEnv.DB_SECRET_ARN).toBe('payment-processing-ledger-master-test');
  });

  it('logs each function to its own CMK-encrypted log group with retention, in JSON', () => {
    const f = fn('primary', 'payment-api');
    expect(f.logging_config).toMatchObject({
      log_format: 'JSON',
      log_group: expect.stringContaining('aws_cloudwatch_log_group'),
    });
    const group = only(
      s.primary,
      'aws_cloudwatch_log_group',
      (g) => g.name === '/aws/lambda/payment-processing-payment-api-test-use1',
    );
    expect(group).toMatchObject({ retention_in_days: 365, kms_key_id: '${data.aws_kms_key.ops-key.arn}' });
  });

  it('scopes the payment role to the named tables, receipts prefix, key (through S3) and database user', () => {
    const role = only(s.primary, 'aws_iam_role_policy', (p) =>
      String(p.role).includes('payment-service_payment_role'),
    );
    const st = parsePolicy(role.policy).Statement;
    const bySid = Object.fromEntries(st.map((x) => [x.Sid, x]));
    expect(bySid.OwnLogs.Resource).toMatch(/^\$\{aws_cloudwatch_log_group\..+\.arn\}:log-stream:\*$/);
    // Exactly the calls the code makes: GetItem/PutItem/UpdateItem on the control table, PutItem on sessions.
    expect(bySid.PaymentControlTable.Resource).toBe(
      'arn:aws:dynamodb:us-east-1:${data.aws_caller_identity.caller-identity.account_id}:table/payment-processing-payment-control-test',
    );
    expect(bySid.PaymentControlTable.Action).toEqual([
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
    ]);
    expect(bySid.Sessions).toEqual({
      Sid: 'Sessions',
      Effect: 'Allow',
      Action: 'dynamodb:PutItem',
      Resource:
        'arn:aws:dynamodb:us-east-1:${data.aws_caller_identity.caller-identity.account_id}:table/payment-processing-sessions-test',
    });
    expect(bySid.Receipts.Resource).toMatch(/^\$\{aws_s3_bucket\.receipts_bucket_\w+\.arn\}\/receipts\/\*$/);
    expect(bySid.HealthProbeBucket).toMatchObject({
      Action: 's3:ListBucket',
      Resource: expect.stringMatching(/receipts_bucket_\w+\.arn\}$/),
    });
    expect(bySid.ReceiptsKey).toMatchObject({
      Resource: '${data.aws_kms_key.data-key.arn}',
      Condition: { StringEquals: { 'kms:ViaService': 's3.us-east-1.amazonaws.com' } },
    });
    // The tables use the data CMK: DynamoDB checks the caller's own permission on it.
    expect(bySid.TablesKey).toMatchObject({
      Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:DescribeKey'],
      Resource: '${data.aws_kms_key.data-key.arn}',
      Condition: { StringEquals: { 'kms:ViaService': 'dynamodb.us-east-1.amazonaws.com' } },
    });
    const secondaryRole = only(s.secondary, 'aws_iam_role_policy', (p) =>
      String(p.role).includes('payment-service_payment_role'),
    );
    const secondaryTablesKey = parsePolicy(secondaryRole.policy).Statement.find((x) => x.Sid === 'TablesKey');
    expect(secondaryTablesKey?.Condition).toEqual({
      StringEquals: { 'kms:ViaService': 'dynamodb.us-east-2.amazonaws.com' },
    });
    expect(bySid.LedgerIamAuth.Resource).toMatch(
      /^arn:aws:rds-db:us-east-1:\$\{data\.aws_caller_identity\.caller-identity\.account_id\}:dbuser:\$\{aws_rds_cluster\.ledger_cluster_\w+\.cluster_resource_id\}\/payments_app$/,
    );
    const migrate = only(s.secondary, 'aws_iam_role_policy', (p) =>
      String(p.role).includes('payment-service_migrate_role'),
    );
    const ms = Object.fromEntries(parsePolicy(migrate.policy).Statement.map((x) => [x.Sid, x]));
    expect(ms.MasterSecret.Resource).toBe(
      'arn:aws:secretsmanager:us-east-2:${data.aws_caller_identity.caller-identity.account_id}:secret:payment-processing-ledger-master-test-??????',
    );
  });
});

describe('REST API', () => {
  const api = only(s.primary, 'aws_api_gateway_rest_api');
  const doc = JSON.parse(String(api.body)) as {
    paths: Record<string, Record<string, Attrs>>;
    components: { schemas: Record<string, unknown>; securitySchemes: Record<string, Attrs> };
  };

  it('is regional, defined by one OpenAPI document, reachable only through the custom domain', () => {
    expect(api).toMatchObject({
      name: 'payment-processing-api-test-use1',
      endpoint_configuration: { types: ['REGIONAL'] },
      disable_execute_api_endpoint: true,
      fail_on_warnings: true,
    });
    expect(Object.keys(doc.paths).sort()).toEqual(['/health', '/payments', '/payments/{id}']);
    const secondaryDoc = JSON.parse(String(only(s.secondary, 'aws_api_gateway_rest_api').body)) as typeof doc;
    expect(Object.keys(secondaryDoc.paths)).toEqual(Object.keys(doc.paths));
  });

  it('requires SigV4 on the payment routes and leaves /health open', () => {
    expect(doc.components.securitySchemes.sigv4['x-amazon-apigateway-authtype']).toBe('awsSigv4');
    expect(doc.paths['/payments'].post.security).toEqual([{ sigv4: [] }]);
    expect(doc.paths['/payments/{id}'].get.security).toEqual([{ sigv4: [] }]);
    expect(doc.paths['/health'].get.security).toEqual([]);
  });

  it('validates POST bodies with the same JSON Schema the Lambda uses, and requires Idempotency-Key', () => {
    expect(doc.components.schemas.PaymentRequest).toEqual(paymentRequestJsonSchema);
    const post = doc.paths['/payments'].post;
    expect(post['x-amazon-apigateway-request-validator']).toBe('body-and-params');
    expect(post.parameters).toEqual([
      expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true }),
    ]);
  });

  it('integrates every route, /health included, with the payment Lambda (a broken function fails /health)', () => {
    const integration = (path: string, method: string) =>
      doc.paths[path][method]['x-amazon-apigateway-integration'] as Attrs;
    expect(integration('/payments', 'post')).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST' });
    expect(String(integration('/payments', 'post').uri)).toContain('payment-service_payment_function');
    expect(integration('/health', 'get').uri).toBe(integration('/payments', 'post').uri);
    expect(integration('/payments/{id}', 'get').uri).toBe(integration('/payments', 'post').uri);
    const perms = resources(s.primary, 'aws_lambda_permission')
      .map(([, p]) => p)
      .filter((p) => p.principal === 'apigateway.amazonaws.com');
    for (const p of perms) expect(String(p.function_name)).toContain('payment-service_payment_function');
    const permissions = perms.map((p) => p.source_arn);
    expect(permissions.sort()).toEqual([
      // <execution_arn>/<stage>/<METHOD>/<path>: without the stage segment API Gateway may not invoke. Any
      // method: the function answers 405 to those the route does not serve.
      expect.stringMatching(/execution_arn\}\/\*\/\*\/health$/),
      expect.stringMatching(/execution_arn\}\/\*\/\*\/payments\*$/),
    ]);
    // Every other method of each resource reaches the function too (405 with Allow), with the same auth.
    for (const [path, auth] of [
      ['/payments', [{ sigv4: [] }]],
      ['/payments/{id}', [{ sigv4: [] }]],
      ['/health', []],
    ] as const) {
      const any = doc.paths[path]['x-amazon-apigateway-any-method'] as Attrs;
      expect(any.security, path).toEqual(auth);
      expect((any['x-amazon-apigateway-integration'] as Attrs).uri).toBe(
        integration('/payments', 'post').uri,
      );
    }
  });

  it('runs the reconcile of incomplete payments in the payment function on a schedule, in both regions', () => {
    for (const id of ['primary', 'secondary'] as const) {
      const rule = only(s[id], 'aws_cloudwatch_event_rule', (r) => String(r.name).includes('reconcile'));
      expect(rule.schedule_expression).toBe('rate(5 minutes)');
      const target = only(s[id], 'aws_cloudwatch_event_target', (t) => t.target_id === 'reconcile');
      expect(String(target.arn)).toContain('payment-service_payment_function');
      const perm = only(
        s[id],
        'aws_lambda_permission',
        (p) =>
          p.principal === 'events.amazonaws.com' &&
          String(p.function_name).includes('payment-service_payment_function'),
      );
      expect(String(perm.source_arn)).toContain('reconcile-schedule');
      const retries = only(s[id], 'aws_lambda_function_event_invoke_config', (c) =>
        String(c.function_name).includes('payment-service_payment_function'),
      );
      expect(retries).toMatchObject({ maximum_retry_attempts: 0, maximum_event_age_in_seconds: 300 });
    }
  });

  it('answers gateway errors with fixed {"error": {code, message}} bodies that echo nothing', () => {
    const responses = (doc as unknown as { 'x-amazon-apigateway-gateway-responses': Record<string, Attrs> })[
      'x-amazon-apigateway-gateway-responses'
    ];
    expect(Object.keys(responses)).toEqual(
      expect.arrayContaining([
        'BAD_REQUEST_BODY',
        'MISSING_AUTHENTICATION_TOKEN',
        'DEFAULT_4XX',
        'DEFAULT_5XX',
      ]),
    );
    for (const [type, response] of Object.entries(responses)) {
      const template = (response.responseTemplates as Record<string, string>)['application/json'];
      // Only the enum-valued responseType may be interpolated; everything else is fixed text.
      const probe = template.replaceAll('$context.error.responseType', 'X');
      expect(probe, type).not.toContain('$');
      expect(JSON.parse(probe), type).toMatchObject({
        error: { code: expect.any(String), message: expect.any(String) },
      });
    }
    // No credentials: 401 with the SigV4 challenge (refused credentials stay 403).
    expect(responses.MISSING_AUTHENTICATION_TOKEN).toMatchObject({
      statusCode: 401,
      responseParameters: { 'gatewayresponse.header.WWW-Authenticate': "'AWS4-HMAC-SHA256'" },
    });
    expect(responses.INVALID_SIGNATURE?.statusCode).toBe(403);
  });

  it('creates the execution log group itself (CMK, retention) before logging is switched on', () => {
    const group = only(s.primary, 'aws_cloudwatch_log_group', (g) =>
      String(g.name).startsWith('API-Gateway-Execution-Logs_'),
    );
    expect(group).toMatchObject({
      name: expect.stringMatching(
        /^API-Gateway-Execution-Logs_\$\{aws_api_gateway_rest_api\.\S+\.id\}\/prod$/,
      ),
      kms_key_id: expect.stringContaining('ops-key'),
      retention_in_days: expect.any(Number),
    });
    const stage = only(s.primary, 'aws_api_gateway_stage');
    const settings = only(s.primary, 'aws_api_gateway_method_settings');
    for (const r of [stage, settings]) {
      const deps = r.depends_on as string[];
      expect(deps).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_api_gateway_account\./)]));
      expect(deps.some((d) => d.includes('execution-logs'))).toBe(true);
    }
    const account = only(s.primary, 'aws_api_gateway_account');
    expect(account.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy_attachment\./)]);
  });

  it('has a stage with CMK access logs, X-Ray, throttling and metrics, and no caching', () => {
    const stage = only(s.primary, 'aws_api_gateway_stage');
    expect(stage).toMatchObject({ stage_name: 'prod', xray_tracing_enabled: true });
    const log = stage.access_log_settings as Attrs;
    expect(log.destination_arn).toMatch(/aws_cloudwatch_log_group\.payment-service_api_access-logs/);
    expect(JSON.parse(String(log.format))).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
    });
    expect(only(s.primary, 'aws_api_gateway_method_settings').settings).toMatchObject({
      metrics_enabled: true,
      throttling_rate_limit: 100,
      throttling_burst_limit: 200,
      caching_enabled: false,
      data_trace_enabled: false,
    });
    const t = synthAll(testConfig({ api: { throttleRateLimit: 50, throttleBurstLimit: 80 } }));
    expect(only(t.secondary, 'aws_api_gateway_method_settings').settings).toMatchObject({
      throttling_rate_limit: 50,
      throttling_burst_limit: 80,
    });
  });

  it('protects each stage with a WAF web ACL: managed rule groups, a rate limit and redacted logs', () => {
    const acl = only(s.primary, 'aws_wafv2_web_acl');
    const rules = acl.rule as Array<Attrs>;
    expect(rules.map((r) => r.name)).toEqual([
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesAnonymousIpList',
      'rate-limit-per-ip',
    ]);
    expect(rules[4].statement).toEqual({ rate_based_statement: { limit: 2000, aggregate_key_type: 'IP' } });
    expect(JSON.stringify(rules[3].statement)).toContain('HostingProviderIPList');
    expect(only(s.primary, 'aws_wafv2_web_acl_association').resource_arn).toMatch(
      /aws_api_gateway_stage\..+\.arn/,
    );
    const logging = only(s.primary, 'aws_wafv2_web_acl_logging_configuration');
    expect(logging.redacted_fields).toEqual([{ single_header: { name: 'authorization' } }]);
    expect(
      only(s.primary, 'aws_cloudwatch_log_group', (g) => String(g.name).startsWith('aws-waf-logs-'))
        .kms_key_id,
    ).toBe('${data.aws_kms_key.ops-key.arn}');
  });
});

describe('custom domain and DNS failover', () => {
  it.each([
    ['primary', 'use1'],
    ['secondary', 'use2'],
  ] as const)(
    '%s: ACM certificate validated by DNS, TLS 1.2 regional domains, base path mappings',
    (id, code) => {
      const cert = only(s[id], 'aws_acm_certificate');
      expect(cert).toMatchObject({
        domain_name: 'payments.example.com',
        subject_alternative_names: [`payments-${code}.example.com`],
        validation_method: 'DNS',
      });
      expect(regionOf(s[id], cert)).toBe(id === 'primary' ? 'us-east-1' : 'us-east-2');
      const validation = only(s[id], 'aws_route53_record', (r) => r.for_each !== undefined);
      expect(validation).toMatchObject({ zone_id: 'Z0TEST0000000000000', allow_overwrite: true, ttl: 300 });
      const domains = resources(s[id], 'aws_api_gateway_domain_name').map(([, d]) => d);
      expect(domains.map((d) => d.domain_name).sort()).toEqual([
        `payments-${code}.example.com`,
        'payments.example.com',
      ]);
      for (const d of domains) {
        expect(d).toMatchObject({
          security_policy: 'TLS_1_2',
          endpoint_configuration: { types: ['REGIONAL'] },
        });
        expect(d.regional_certificate_arn).toMatch(/aws_acm_certificate_validation\..+\.certificate_arn/);
      }
      expect(resources(s[id], 'aws_api_gateway_base_path_mapping')).toHaveLength(2);
    },
  );

  it('health-checks the primary /health over HTTPS on its own name, fast enough for a quick failover', () => {
    const hc = only(s.primary, 'aws_route53_health_check');
    expect(hc).toMatchObject({
      type: 'HTTPS',
      fqdn: 'payments-use1.example.com',
      port: 443,
      resource_path: '/health',
      enable_sni: true,
      request_interval: 10,
      failure_threshold: 3,
      tags: { Name: 'payment-processing-primary-health-test' },
    });
    expect(resources(s.secondary, 'aws_route53_health_check')).toHaveLength(0);
    const t = synthAll(
      testConfig({ failover: { healthCheckIntervalSeconds: 30, healthCheckFailureThreshold: 2 } }),
    );
    expect(only(t.primary, 'aws_route53_health_check')).toMatchObject({
      request_interval: 30,
      failure_threshold: 2,
    });
  });

  it('checks a path and method that the API serves openly (GET /health without auth)', () => {
    const hc = only(s.primary, 'aws_route53_health_check');
    const doc = JSON.parse(String(only(s.primary, 'aws_api_gateway_rest_api').body)) as {
      paths: Record<string, Record<string, Attrs>>;
    };
    const route = doc.paths[String(hc.resource_path)];
    expect(route).toBeDefined();
    expect(route.get).toBeDefined(); // Route 53 HTTPS checks send GET
    expect(route.get.security).toEqual([]);
  });

  it('serves the public name through PRIMARY (health-checked) and SECONDARY failover aliases', () => {
    const rec = (id: 'primary' | 'secondary') =>
      only(s[id], 'aws_route53_record', (r) => r.failover_routing_policy !== undefined);
    expect(rec('primary')).toMatchObject({
      name: 'payments.example.com',
      type: 'A',
      failover_routing_policy: { type: 'PRIMARY' },
      set_identifier: 'primary-us-east-1',
      health_check_id: expect.stringMatching(/aws_route53_health_check\..+\.id/),
      alias: { evaluate_target_health: true },
    });
    expect(rec('secondary')).toMatchObject({
      failover_routing_policy: { type: 'SECONDARY' },
      alias: { evaluate_target_health: true },
    });
    expect(rec('secondary').health_check_id).toBeUndefined();
    for (const id of ['primary', 'secondary'] as const) {
      expect(String((rec(id).alias as Attrs).name)).toMatch(
        /aws_api_gateway_domain_name\.api-domain_public-domain_\w+\.regional_domain_name/,
      );
    }
  });

  it('alarms on the health check in us-east-1 (where its metric lives) with alarm and OK actions', () => {
    const alarm = only(
      s.primary,
      'aws_cloudwatch_metric_alarm',
      (a) => a.metric_name === 'HealthCheckStatus',
    );
    expect(alarm).toMatchObject({
      namespace: 'AWS/Route53',
      comparison_operator: 'LessThanThreshold',
      threshold: 1,
    });
    expect(regionOf(s.primary, alarm)).toBe('us-east-1');
    expect((alarm.dimensions as Attrs).HealthCheckId).toMatch(/aws_route53_health_check/);
    expect(alarm.alarm_actions).toEqual([expect.stringMatching(/aws_sns_topic\.alerts_topic_\w+\.arn/)]);
    expect(alarm.ok_actions).toEqual(alarm.alarm_actions);
  });
});
