import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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
  ] as const)('%s: Node.js 24 on arm64, VPC-attached, CMK env, X-Ray, deterministic code', (id, code) => {
    const vpcFunctions = resources(s[id], 'aws_lambda_function').filter(
      ([, f]) => f.vpc_config !== undefined,
    );
    expect(vpcFunctions.map(([, f]) => f.function_name).sort()).toEqual([
      `payment-processing-health-probe-test-${code}`,
      `payment-processing-health-test-${code}`,
      `payment-processing-migrate-test-${code}`,
      `payment-processing-payment-api-test-${code}`,
    ]);
    for (const name of ['payment-api', 'migrate']) {
      const f = fn(id, name);
      expect(f).toMatchObject({
        function_name: `payment-processing-${name}-test-${code}`,
        runtime: 'nodejs24.x',
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

  it.each(['primary', 'secondary'] as const)(
    "%s: writes through its own cluster's writer endpoint, derived from the reader endpoint every member has",
    (id) => {
      // Aurora gives a global database secondary no Endpoint (provider #14219), so the cluster's endpoint
      // attribute could be empty in us-east-2 and stay so after a promotion; the writer endpoint's name is fixed
      // per cluster and is the reader endpoint's with cluster- for cluster-ro-.
      const [[clusterKey]] = resources(s[id], 'aws_rds_cluster');
      const derived = `\${replace(aws_rds_cluster.${clusterKey}.reader_endpoint, ".cluster-ro-", ".cluster-")}`;
      for (const name of ['payment-api', 'migrate']) {
        const env = (fn(id, name).environment as { variables: Record<string, string> }).variables;
        expect(env.DB_HOST, name).toBe(derived);
        // Never the global writer endpoint, which points into the other region while that one writes.
        expect(env.DB_HOST, name).not.toMatch(/global|\.endpoint\}/);
      }
      expect(s[id].output?.ledger_writer_endpoint?.value).toBe(derived);
      // What Terraform's replace() makes of AWS's documented endpoint shapes.
      const reader = 'mydbcluster.cluster-ro-c7tj4example.us-east-2.rds.amazonaws.com';
      expect(reader.split('.cluster-ro-').join('.cluster-')).toBe(
        'mydbcluster.cluster-c7tj4example.us-east-2.rds.amazonaws.com',
      );
    },
  );

  it('points each region at its own endpoints, tables, bucket and key', () => {
    for (const [id, code] of [
      ['primary', 'use1'],
      ['secondary', 'use2'],
    ] as const) {
      const env = (fn(id, 'payment-api').environment as { variables: Record<string, string> }).variables;
      expect(env).toMatchObject({
        DB_HOST: expect.stringMatching(
          /^\$\{replace\(aws_rds_cluster\.ledger_cluster_\w+\.reader_endpoint, "\.cluster-ro-", "\.cluster-"\)\}$/,
        ),
        DB_NAME: 'payments',
        DB_USER: 'payments_app',
        CONTROL_TABLE: 'payment-processing-payment-control-test',
        FENCE_CACHE_MS: '1000',
        SESSIONS_TABLE: 'payment-processing-sessions-test',
        RECEIPTS_BUCKET: expect.stringMatching(/^\$\{aws_s3_bucket\.receipts_bucket_\w+\.bucket\}$/),
        RECEIPTS_KMS_KEY_ARN: '${data.aws_kms_key.data-key.arn}',
        DR_ROLE: id,
        NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem',
      });
      // GET /health has functions of its own (test/infra/health-service.test.ts).
      expect(env.HEALTH_TIMEOUT_MS).toBeUndefined();
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
    // HeadBucket was the payment function's only for /health, which has functions of its own now.
    expect(bySid.HealthProbeBucket).toBeUndefined();
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
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/health',
      '/health/probe',
      '/payments',
      '/payments/{id}',
    ]);
    const secondaryDoc = JSON.parse(String(only(s.secondary, 'aws_api_gateway_rest_api').body)) as typeof doc;
    expect(Object.keys(secondaryDoc.paths)).toEqual(Object.keys(doc.paths));
  });

  it.each(['primary', 'secondary'] as const)(
    '%s: redeploys when the rendered body changes: Terraform hashes the body it sends, tokens resolved',
    (id) => {
      const [[apiKey]] = resources(s[id], 'aws_api_gateway_rest_api');
      const deployment = only(s[id], 'aws_api_gateway_deployment');
      // Terraform evaluates the hash over the resolved body (with the real invoke ARN); a hash taken at synth time
      // would be a hex literal computed over unresolved token text.
      expect(deployment.triggers).toEqual({
        redeployment: `\${sha256(aws_api_gateway_rest_api.${apiKey}.body)}`,
      });
      expect(deployment.lifecycle).toEqual({ create_before_destroy: true });
      // The body carries the integration as a reference, so a replaced function changes what is hashed.
      const body = String(only(s[id], 'aws_api_gateway_rest_api').body);
      expect(body).toMatch(/\$\{aws_lambda_function\.payment-service_payment_function_\w+\.invoke_arn\}/);
      expect(body).not.toMatch(/TfToken|TOKEN\./);
    },
  );

  it('requires SigV4 on the payment routes and /health/probe, and leaves /health open', () => {
    expect(doc.components.securitySchemes.sigv4['x-amazon-apigateway-authtype']).toBe('awsSigv4');
    expect(doc.paths['/payments'].post.security).toEqual([{ sigv4: [] }]);
    expect(doc.paths['/payments/{id}'].get.security).toEqual([{ sigv4: [] }]);
    expect(doc.paths['/health/probe'].get.security).toEqual([{ sigv4: [] }]);
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

  it('integrates the payment routes with the payment Lambda, each health route with its own function', () => {
    const integration = (path: string, method: string) =>
      doc.paths[path][method]['x-amazon-apigateway-integration'] as Attrs;
    expect(integration('/payments', 'post')).toMatchObject({ type: 'aws_proxy', httpMethod: 'POST' });
    expect(String(integration('/payments', 'post').uri)).toContain('payment-service_payment_function');
    expect(integration('/payments/{id}', 'get').uri).toBe(integration('/payments', 'post').uri);
    expect(String(integration('/health', 'get').uri)).toContain(
      'payment-service_health-service_health_function',
    );
    expect(String(integration('/health/probe', 'get').uri)).toContain(
      'payment-service_health-service_probe_function',
    );
    const perms = resources(s.primary, 'aws_lambda_permission')
      .map(([, p]) => p)
      .filter((p) => p.principal === 'apigateway.amazonaws.com');
    const byArn = Object.fromEntries(
      perms.map((p) => [String(p.source_arn).replace(/^.*execution_arn\}/, ''), p]),
    );
    // <execution_arn>/<stage>/<METHOD>/<path>: without the stage segment API Gateway may not invoke. Any method:
    // the function answers 405 to those the route does not serve. Each function only for its own path.
    expect(Object.keys(byArn).sort()).toEqual(['/*/*/health', '/*/*/health/probe', '/*/*/payments*']);
    expect(String(byArn['/*/*/payments*']?.function_name)).toContain('payment-service_payment_function');
    expect(String(byArn['/*/*/health']?.function_name)).toContain(
      'payment-service_health-service_health_function',
    );
    expect(String(byArn['/*/*/health/probe']?.function_name)).toContain(
      'payment-service_health-service_probe_function',
    );
    // Every other method of each resource reaches the route's function too (405 with Allow), with the same auth.
    for (const [path, auth, method] of [
      ['/payments', [{ sigv4: [] }], 'post'],
      ['/payments/{id}', [{ sigv4: [] }], 'get'],
      ['/health', [], 'get'],
      ['/health/probe', [{ sigv4: [] }], 'get'],
    ] as const) {
      const any = doc.paths[path]['x-amazon-apigateway-any-method'] as Attrs;
      expect(any.security, path).toEqual(auth);
      expect((any['x-amazon-apigateway-integration'] as Attrs).uri).toBe(integration(path, method).uri);
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
      expect(deps.some((d) => d.includes('execution-logs'))).toBe(true);
    }
  });

  it('leaves the account-wide API Gateway CloudWatch role alone by default (bootstrap script sets it)', () => {
    // One setting per region for the whole account: owning it would overwrite other APIs' role on apply and, since
    // hashicorp/aws 6.0, reset it for every REST API of the region on destroy.
    for (const id of ['primary', 'secondary'] as const) {
      expect(resources(s[id], 'aws_api_gateway_account'), id).toEqual([]);
      expect(
        resources(s[id], 'aws_iam_role').filter(([, r]) => String(r.name).includes('apigateway-logs')),
      ).toEqual([]);
    }
    const script = readFileSync(join(__dirname, '../../scripts/bootstrap-account.sh'), 'utf8');
    expect(script).toContain('AmazonAPIGatewayPushToCloudWatchLogs');
  });

  it('owns the setting only when api.manageAccountCloudWatchRole is true, and logs only after it is set', () => {
    const owned = synthAll(testConfig({ api: { manageAccountCloudWatchRole: true } }));
    for (const id of ['primary', 'secondary'] as const) {
      const stage = only(owned[id], 'aws_api_gateway_stage');
      const settings = only(owned[id], 'aws_api_gateway_method_settings');
      for (const r of [stage, settings]) {
        expect(r.depends_on as string[]).toEqual(
          expect.arrayContaining([expect.stringMatching(/^aws_api_gateway_account\./)]),
        );
      }
      const account = only(owned[id], 'aws_api_gateway_account');
      expect(account.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy_attachment\./)]);
    }
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
    // The health rules (probe-unsigned first, health-rate-per-ip last) are test/infra/health-service.test.ts's.
    expect(rules.map((r) => r.name)).toEqual([
      'probe-unsigned',
      'AWSManagedRulesCommonRuleSet',
      'AWSManagedRulesKnownBadInputsRuleSet',
      'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesAnonymousIpList',
      'rate-limit-per-ip',
      'health-rate-per-ip',
    ]);
    const rule = (name: string) => rules.find((r) => r.name === name) as Attrs;
    // Default per-IP limit: the stage's steady rate over WAF's 5-minute window (100 rps x 300 s), so a merchant
    // behind one NAT address is never blocked below what the stage itself allows.
    expect(rule('rate-limit-per-ip').statement).toEqual({
      rate_based_statement: { limit: 30000, aggregate_key_type: 'IP' },
    });
    expect(JSON.stringify(rule('AWSManagedRulesAnonymousIpList').statement)).toContain(
      'HostingProviderIPList',
    );
    expect(only(s.primary, 'aws_wafv2_web_acl_association').resource_arn).toMatch(
      /aws_api_gateway_stage\..+\.arn/,
    );
    const logging = only(s.primary, 'aws_wafv2_web_acl_logging_configuration');
    // The SigV4 signature and session token, and the two headers that identify a client's payments.
    expect(logging.redacted_fields).toEqual(
      ['authorization', 'x-amz-security-token', 'idempotency-key', 'x-session-id'].map((name) => ({
        single_header: { name },
      })),
    );
    expect(
      only(s.primary, 'aws_cloudwatch_log_group', (g) => String(g.name).startsWith('aws-waf-logs-'))
        .kms_key_id,
    ).toBe('${data.aws_kms_key.ops-key.arn}');
  });

  it('sizes the per-IP WAF limit from the stage, or as configured', () => {
    const limit = (c: ReturnType<typeof testConfig>) =>
      (
        (only(synthAll(c).secondary, 'aws_wafv2_web_acl').rule as Attrs[]).find(
          (r) => r.name === 'rate-limit-per-ip',
        )?.statement as { rate_based_statement: { limit: number } }
      ).rate_based_statement.limit;
    expect(limit(testConfig({ api: { throttleRateLimit: 40 } }))).toBe(12_000);
    expect(limit(testConfig({ api: { wafRateLimitPer5Min: 6000 } }))).toBe(6000);
    expect(() => testConfig({ api: { wafRateLimitPer5Min: 50 } })).toThrow(/api\.wafRateLimitPer5Min/);
  });

  it.each(['primary', 'secondary'] as const)(
    '%s: owns the WAF log delivery permission on its log group, before logging is enabled',
    (id) => {
      const [[groupKey]] = resources(s[id], 'aws_cloudwatch_log_group').filter(([, g]) =>
        String(g.name).startsWith('aws-waf-logs-'),
      );
      const groupArn = `\${aws_cloudwatch_log_group.${groupKey}.arn}`;
      // Attached to the log group (resource_arn), not an account-level policy: neither the 10-per-region quota
      // nor the 5,120-character AWSWAF-LOGS policy WAF would otherwise grow is involved.
      const [[policyKey, policyResource]] = resources(s[id], 'aws_cloudwatch_log_resource_policy');
      expect(policyResource.resource_arn).toBe(groupArn);
      expect(policyResource.policy_name).toBeUndefined();
      expect(regionOf(s[id], policyResource)).toBe(id === 'primary' ? 'us-east-1' : 'us-east-2');
      const region = id === 'primary' ? 'us-east-1' : 'us-east-2';
      expect(parsePolicy(policyResource.policy_document).Statement).toEqual([
        {
          Sid: 'AWSLogDeliveryWrite',
          Effect: 'Allow',
          Principal: { Service: 'delivery.logs.amazonaws.com' },
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: `${groupArn}:log-stream:*`,
          Condition: {
            StringEquals: { 'aws:SourceAccount': '${data.aws_caller_identity.caller-identity.account_id}' },
            ArnLike: {
              'aws:SourceArn': `arn:aws:logs:${region}:\${data.aws_caller_identity.caller-identity.account_id}:*`,
            },
          },
        },
      ]);
      // AWS writes a policy of its own only to a log group without one: ours must be there first.
      expect(only(s[id], 'aws_wafv2_web_acl_logging_configuration').depends_on).toEqual([
        `aws_cloudwatch_log_resource_policy.${policyKey}`,
      ]);
    },
  );
});

describe('custom domain and DNS failover', () => {
  it.each([
    ['primary', 'use1'],
    ['secondary', 'use2'],
  ] as const)(
    "%s: TLS 1.2+ (no CBC) regional domains on its own region's issued certificate, found by name and tags",
    (id, code) => {
      // The certificate and its validation are the global stack's (one owner of the shared record); here only a
      // lookup in the stack's own region, so the stack plans while the other region is down.
      expect(resources(s[id], 'aws_acm_certificate')).toEqual([]);
      expect(resources(s[id], 'aws_acm_certificate_validation')).toEqual([]);
      expect(resources(s[id], 'aws_route53_record').filter(([, r]) => r.for_each !== undefined)).toEqual([]);
      const cert = Object.values(s[id].data?.aws_acm_certificate ?? {});
      expect(cert).toHaveLength(1);
      expect(cert[0]).toMatchObject({
        domain: 'payments.example.com',
        statuses: ['ISSUED'],
        types: ['AMAZON_ISSUED'],
        most_recent: true,
        tags: {
          Environment: 'test',
          Purpose: 'payment-processing-dr',
          'DR-Role': 'global',
          Region: id === 'primary' ? 'us-east-1' : 'us-east-2',
        },
      });
      expect(regionOf(s[id], cert[0] as Attrs)).toBe(id === 'primary' ? 'us-east-1' : 'us-east-2');
      const domains = resources(s[id], 'aws_api_gateway_domain_name').map(([, d]) => d);
      expect(domains.map((d) => d.domain_name).sort()).toEqual([
        `payments-${code}.example.com`,
        'payments.example.com',
      ]);
      for (const d of domains) {
        expect(d).toMatchObject({
          // TLS 1.3, and TLS 1.2 with ECDHE + AES-GCM only (no CBC suites, no static RSA).
          security_policy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
          endpoint_access_mode: 'STRICT',
          endpoint_configuration: { types: ['REGIONAL'] },
        });
        expect(d.regional_certificate_arn).toMatch(
          /^\$\{data\.aws_acm_certificate\.api-domain_certificate_\w+\.arn\}$/,
        );
      }
      expect(resources(s[id], 'aws_api_gateway_base_path_mapping')).toHaveLength(2);
    },
  );

  it('certificates live in the global stack, carrying the tags the regional lookups filter on', () => {
    const certs = resources(s.global, 'aws_acm_certificate').map(([, c]) => c);
    expect(certs.map((c) => [regionOf(s.global, c), c.subject_alternative_names])).toEqual([
      ['us-east-1', ['payments-use1.example.com']],
      ['us-east-2', ['payments-use2.example.com']],
    ]);
    for (const c of certs) {
      expect(c).toMatchObject({
        domain_name: 'payments.example.com',
        validation_method: 'DNS',
        lifecycle: { create_before_destroy: true },
      });
    }
    // Default tags of the global stack's provider in each region = what the regional lookups ask for.
    for (const [id, region] of [
      ['primary', 'us-east-1'],
      ['secondary', 'us-east-2'],
    ] as const) {
      const provider = (s.global.provider?.aws ?? []).find((p) => p.region === region) as Attrs;
      const tags = (provider.default_tags as Array<{ tags: Record<string, string> }>)[0].tags;
      const lookup = Object.values(s[id].data?.aws_acm_certificate ?? {})[0] as Attrs;
      expect(tags).toMatchObject(lookup.tags as Record<string, string>);
    }
  });

  it('owns each distinct validation record once: the shared public name yields one record for both regions', () => {
    const records = resources(s.global, 'aws_route53_record').filter(([, r]) => r.for_each !== undefined);
    expect(records).toHaveLength(1);
    const [[recordKey, record]] = records;
    expect(record).toMatchObject({
      zone_id: 'Z0TEST0000000000000',
      ttl: 300,
      name: '${each.value.resource_record_name}',
      records: ['${each.value.resource_record_value}'],
    });
    // One map keyed by domain name over both certificates' validation options: a name on both certificates (the
    // public one) is one key, so one record; the regional names are one each.
    const certKeys = resources(s.global, 'aws_acm_certificate').map(([k]) => k);
    const forEach = String(record.for_each);
    expect(forEach.startsWith('${merge(')).toBe(true);
    for (const k of certKeys) {
      expect(forEach).toContain(
        `{ for key, val in tolist(aws_acm_certificate.${k}.domain_validation_options): val.domain_name => val }`,
      );
    }
    // Both validations must find every record of their certificate among the owned ones (the provider refuses
    // otherwise), so a record that differed between regions would stop the apply instead of breaking renewal.
    const validations = resources(s.global, 'aws_acm_certificate_validation').map(([, v]) => v);
    expect(validations).toHaveLength(2);
    for (const v of validations) {
      expect(v.validation_record_fqdns).toBe(
        `\${[ for key, val in aws_route53_record.${recordKey}: val.fqdn]}`,
      );
    }
    expect(validations.map((v) => regionOf(s.global, v))).toEqual(['us-east-1', 'us-east-2']);
  });

  it('serves each region on the public name through the API domain the failover stack aliases', () => {
    // The failover records live in the failover stack (test/infra/failover.test.ts); each regional stack provides
    // the public-name domain they alias, found there by name.
    for (const id of ['primary', 'secondary'] as const) {
      expect(
        resources(s[id], 'aws_api_gateway_domain_name')
          .map(([, d]) => d.domain_name)
          .sort(),
      ).toEqual(
        ['payments.example.com', `payments-${id === 'primary' ? 'use1' : 'use2'}.example.com`].sort(),
      );
      expect(resources(s[id], 'aws_route53_record').filter(([, r]) => r.failover_routing_policy)).toEqual([]);
      expect(resources(s[id], 'aws_route53_health_check')).toEqual([]);
    }
    const lookups = Object.values(s.failover.data?.aws_api_gateway_domain_name ?? {}) as Attrs[];
    expect(lookups.map((d) => [d.domain_name, d.provider])).toEqual([
      ['payments.example.com', 'aws.use1'],
      ['payments.example.com', 'aws'],
    ]);
  });
});
