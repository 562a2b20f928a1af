import { ApiGatewayDeployment } from '@cdktn/provider-aws/lib/api-gateway-deployment';
import { ApiGatewayMethodSettings } from '@cdktn/provider-aws/lib/api-gateway-method-settings';
import { ApiGatewayRestApi } from '@cdktn/provider-aws/lib/api-gateway-rest-api';
import { ApiGatewayStage } from '@cdktn/provider-aws/lib/api-gateway-stage';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Fn, type ITerraformDependable } from 'cdktn';
import { Wafv2WebAcl } from '@cdktn/provider-aws/lib/wafv2-web-acl';
import { Wafv2WebAclAssociation } from '@cdktn/provider-aws/lib/wafv2-web-acl-association';
import { Wafv2WebAclLoggingConfiguration } from '@cdktn/provider-aws/lib/wafv2-web-acl-logging-configuration';
import { CloudwatchLogResourcePolicy } from '@cdktn/provider-aws/lib/cloudwatch-log-resource-policy';
import { Construct } from 'constructs';
import type { RouteFunction } from '../../runtime/payment-api/routes';
import { paymentOpenApi } from '../api/openapi';
import { type ApiCallers, apiResourcePolicy } from './api-resource-policy';
import { logDeliveryWrite } from '../grants';
import { policy } from '../iam';
import { EncryptedLogGroup } from './log-group';
import type { DrFunction } from './lambda-function';
import { healthRateRule, probeUnsignedRule } from './waf-health-rules';

/**
 * Request headers WAF writes to its logs as REDACTED: the SigV4 signature (authorization) and the session token
 * that comes with temporary credentials (x-amz-security-token), the client's idempotency key and its session id,
 * which identify a payment and a session. WAF allows up to 100 redacted fields per logging configuration
 * (WAFv2 API, LoggingConfiguration RedactedFields: "Array Members: Maximum number of 100 items",
 * https://docs.aws.amazon.com/waf/latest/APIReference/API_LoggingConfiguration.html); a SingleHeader name "isn't
 * case sensitive" (https://docs.aws.amazon.com/waf/latest/APIReference/API_SingleHeader.html).
 */
export const WAF_REDACTED_HEADERS = [
  'authorization',
  'x-amz-security-token',
  'idempotency-key',
  'x-session-id',
] as const;

export interface PaymentApiProps {
  provider: AwsProvider;
  name: string;
  /** The deployed stage (ResourceNames.apiStage). */
  stageName: string;
  /** The function behind each route (runtime/payment-api/routes.ts). */
  functions: Record<RouteFunction, DrFunction>;
  /** Who may call the IAM routes: the resource policy (api-resource-policy.ts). */
  callers: ApiCallers;
  logsKeyArn: string;
  logRetentionDays: number;
  /** Steady-state and burst request limits of the stage (requests per second). */
  throttle: { rateLimit: number; burstLimit: number };
  /** Requests per 5 minutes from one IP before WAF blocks it. */
  wafRateLimitPer5Min: number;
  /** The same for GET /health alone (its own, lower limit). */
  healthRateLimitPer5Min: number;
  /** Scope the WAF log group's resource policy to this account's deliveries in this region. */
  accountId: string;
  region: string;
  /**
   * What the stage's logging needs first (the region's API Gateway account settings).
   * @default none (the account settings are managed elsewhere)
   */
  dependsOn?: ITerraformDependable[];
}

/** Access log line: one JSON object per request, with the ids needed to follow it into the Lambda logs. */
const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  ip: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  latency: '$context.responseLatency',
  wafStatus: '$context.waf.status',
  xrayTraceId: '$context.xrayTraceId',
});

/**
 * AWS managed rule groups, in evaluation order. In the anonymous-IP group the hosting-provider rule only
 * counts: merchants call this API server-to-server from cloud providers, so blocking those ranges would
 * block legitimate traffic; Tor and anonymizing proxies stay blocked.
 */
const MANAGED_RULE_GROUPS: Array<{ name: string; countOnly?: string[] }> = [
  { name: 'AWSManagedRulesCommonRuleSet' },
  { name: 'AWSManagedRulesKnownBadInputsRuleSet' },
  { name: 'AWSManagedRulesAmazonIpReputationList' },
  { name: 'AWSManagedRulesAnonymousIpList', countOnly: ['HostingProviderIPList'] },
];

/**
 * The regional REST API of one region, defined by the shared OpenAPI document: SigV4 on the payment routes and
 * /health/probe, a resource policy naming who may call each (api-resource-policy.ts), an open /health, request
 * validation; a stage with JSON access logs (CMK log group), X-Ray,
 * throttling and metrics; a WAFv2 web ACL (AWS managed rule groups, a per-IP rate limit, and the health rules of
 * waf-health-rules.ts) with its own encrypted log group.
 */
export class PaymentApi extends Construct {
  readonly api: ApiGatewayRestApi;
  readonly stage: ApiGatewayStage;
  readonly webAcl: Wafv2WebAcl;
  readonly accessLogs: EncryptedLogGroup;

  constructor(scope: Construct, id: string, p: PaymentApiProps) {
    super(scope, id);
    const provider = p.provider;
    const body = JSON.stringify(
      paymentOpenApi({
        title: p.name,
        invokeArns: {
          'payment-api': p.functions['payment-api'].invokeArn,
          health: p.functions.health.invokeArn,
          probe: p.functions.probe.invokeArn,
        },
        policy: apiResourcePolicy(p.callers),
      }),
    );
    this.api = new ApiGatewayRestApi(this, 'api', {
      provider,
      name: p.name,
      description: 'Payment API (regional; same definition in both regions)',
      body,
      endpointConfiguration: { types: ['REGIONAL'] },
      // Clients must use the custom domain (TLS 1.2 policy, failover name); the execute-api URL is off.
      disableExecuteApiEndpoint: true,
      failOnWarnings: true,
      lifecycle: { createBeforeDestroy: true },
    });
    // The stage serves a snapshot of the API taken when a deployment is created, so a new deployment must follow
    // every change of what the REST API serves. The hash is taken by Terraform over the *rendered* body (the
    // provider's own OpenAPI example: `triggers = { redeployment = sha1(jsonencode(...body)) }`,
    // https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/api_gateway_rest_api): a hash
    // computed here, at synth time, would see the unresolved token text in place of the Lambda invoke ARN, so a
    // replaced function would update the REST API but leave the stage on the stale deployment, while unrelated
    // construct changes renumber tokens and redeploy for nothing. Routes, integrations, validation and gateway
    // responses and the resource policy (x-amazon-apigateway-policy; no separately managed method or policy) all
    // live in the body, so the body is everything a deployment snapshots: a changed policy is redeployed too.
    const deployment = new ApiGatewayDeployment(this, 'deployment', {
      provider,
      restApiId: this.api.id,
      triggers: { redeployment: Fn.sha256(this.api.body) },
      lifecycle: { createBeforeDestroy: true },
    });
    this.accessLogs = new EncryptedLogGroup(this, 'access-logs', {
      provider,
      name: `/aws/apigateway/${p.name}/access`,
      kmsKeyArn: p.logsKeyArn,
      retentionInDays: p.logRetentionDays,
    });
    // API Gateway writes execution logs to this fixed name and would create it itself (no CMK, kept forever).
    const executionLogs = new EncryptedLogGroup(this, 'execution-logs', {
      provider,
      name: `API-Gateway-Execution-Logs_${this.api.id}/${p.stageName}`,
      kmsKeyArn: p.logsKeyArn,
      retentionInDays: p.logRetentionDays,
    });
    this.stage = new ApiGatewayStage(this, 'stage', {
      provider,
      restApiId: this.api.id,
      deploymentId: deployment.id,
      stageName: p.stageName,
      xrayTracingEnabled: true,
      accessLogSettings: { destinationArn: this.accessLogs.arn, format: ACCESS_LOG_FORMAT },
      dependsOn: [...(p.dependsOn ?? []), executionLogs.logGroup],
    });
    new ApiGatewayMethodSettings(this, 'settings', {
      dependsOn: [...(p.dependsOn ?? []), executionLogs.logGroup],
      provider,
      restApiId: this.api.id,
      stageName: this.stage.stageName,
      methodPath: '*/*',
      settings: {
        metricsEnabled: true,
        loggingLevel: 'ERROR',
        dataTraceEnabled: false,
        throttlingRateLimit: p.throttle.rateLimit,
        throttlingBurstLimit: p.throttle.burstLimit,
        cachingEnabled: false,
      },
    });

    for (const [routeId, route, fn] of [
      // execute-api ARNs are <api>/<stage>/<METHOD>/<resource path>: the stage segment is required.
      ['payments', '*/*/payments*', 'payment-api'],
      // Any method: API Gateway routes every method of a health route to its function, which answers 405 to all
      // but GET and HEAD (src/api/openapi.ts). No trailing wildcard: each function is invoked for its own path.
      ['health', '*/*/health', 'health'],
      ['health-probe', '*/*/health/probe', 'probe'],
    ] as const) {
      new LambdaPermission(this, `invoke-${routeId}`, {
        provider,
        statementId: `AllowApiGateway-${routeId}`,
        action: 'lambda:InvokeFunction',
        functionName: p.functions[fn].name,
        principal: 'apigateway.amazonaws.com',
        sourceArn: `${this.api.executionArn}/${route}`,
      });
    }

    const visibility = (metricName: string) => ({
      cloudwatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    this.webAcl = new Wafv2WebAcl(this, 'waf', {
      provider,
      name: p.name,
      description: 'Payment API: AWS managed rule groups, per-IP rate limits, unsigned /health/probe blocked',
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      visibilityConfig: visibility(p.name),
      rule: [
        // Evaluated first (priority 0): an unsigned /health/probe request costs no managed-rule inspection.
        probeUnsignedRule(0, visibility),
        ...MANAGED_RULE_GROUPS.map(({ name, countOnly }, i) => ({
          name,
          priority: i + 1,
          overrideAction: { none: {} },
          statement: {
            managed_rule_group_statement: {
              name,
              vendor_name: 'AWS',
              ...(countOnly
                ? {
                    rule_action_override: countOnly.map((rule) => ({
                      name: rule,
                      action_to_use: { count: {} },
                    })),
                  }
                : {}),
            },
          },
          visibilityConfig: visibility(name),
        })),
        {
          name: 'rate-limit-per-ip',
          priority: MANAGED_RULE_GROUPS.length + 1,
          action: { block: {} },
          statement: { rate_based_statement: { limit: p.wafRateLimitPer5Min, aggregate_key_type: 'IP' } },
          visibilityConfig: visibility('rate-limit-per-ip'),
        },
        healthRateRule(MANAGED_RULE_GROUPS.length + 2, p.healthRateLimitPer5Min, visibility),
      ],
    });
    new Wafv2WebAclAssociation(this, 'waf-association', {
      provider,
      resourceArn: this.stage.arn,
      webAclArn: this.webAcl.arn,
    });
    // WAF requires its log group names to start with aws-waf-logs-.
    const wafLogs = new EncryptedLogGroup(this, 'waf-logs', {
      provider,
      name: `aws-waf-logs-${p.name}`,
      kmsKeyArn: p.logsKeyArn,
      retentionInDays: p.logRetentionDays,
    });
    // The permission for WAF's log delivery, owned here and scoped to this one log group. Left to WAF, enabling
    // logging creates or grows the account-wide resource policy AWSWAF-LOGS, which is limited to 5,120 characters
    // and is one of at most 10 account-level policies per region, so in a busy account logging fails with
    // WAFLogDestinationPermissionIssueException (terraform-provider-aws #25296; the provider's
    // aws_wafv2_web_acl_logging_configuration docs: "you can manage a specific resource policy"). A policy attached
    // to the log group (resource_arn) counts against neither limit: "An account can have a maximum of 10 policies
    // without resourceARN and one per LogGroup resourceARN" (CloudWatch Logs API, PutResourcePolicy). It must exist
    // before logging is enabled: AWS writes its own policy only to a log group that has none (CloudWatch Logs User
    // Guide, "Logs sent to CloudWatch Logs"), and a log group holds one policy.
    const wafLogsPolicy = new CloudwatchLogResourcePolicy(this, 'waf-logs-policy', {
      provider,
      resourceArn: wafLogs.arn,
      policyDocument: policy(logDeliveryWrite(wafLogs.arn, p.region, p.accountId)),
    });
    new Wafv2WebAclLoggingConfiguration(this, 'waf-logging', {
      provider,
      resourceArn: this.webAcl.arn,
      logDestinationConfigs: [wafLogs.arn],
      redactedFields: WAF_REDACTED_HEADERS.map((name) => ({ singleHeader: { name } })),
      dependsOn: [wafLogsPolicy],
    });
  }
}
