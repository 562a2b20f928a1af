import { ApiGatewayAccount } from '@cdktn/provider-aws/lib/api-gateway-account';
import { CloudwatchEventRule } from '@cdktn/provider-aws/lib/cloudwatch-event-rule';
import { CloudwatchEventTarget } from '@cdktn/provider-aws/lib/cloudwatch-event-target';
import { CloudwatchMetricAlarm } from '@cdktn/provider-aws/lib/cloudwatch-metric-alarm';
import { LambdaFunctionEventInvokeConfig } from '@cdktn/provider-aws/lib/lambda-function-event-invoke-config';
import { LambdaPermission } from '@cdktn/provider-aws/lib/lambda-permission';
import { IamRole } from '@cdktn/provider-aws/lib/iam-role';
import { IamRolePolicyAttachment } from '@cdktn/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { renderMigrateEnv } from '../../runtime/migrate/env';
import { renderPaymentApiEnv } from '../../runtime/payment-api/env';
import { FENCE_KEY } from '../../runtime/shared/fence';
import { type Config, wafRateLimitPer5Min } from '../config';
import { allow, arn, encryptedMessaging, tableAccess } from '../grants';
import { assumeRolePolicy, keyUseThrough } from '../iam';
import { apiCallers } from './api-resource-policy';
import { deadLetterQueue } from './dead-letter-queue';
import { HealthService, type HealthServiceProps } from './health-service';
import { DrFunction, LAMBDA_RDS_CA_BUNDLE } from './lambda-function';
import { PaymentApi } from './payment-api';
import { HEALTH_RATE_LIMIT_PER_5_MIN } from './waf-health-rules';

/** How often the payment function reconciles incomplete payments. */
export const RECONCILE_INTERVAL_MINUTES = 5;

/** The health functions' inputs (the same VPC, ledger, receipts and keys), plus the API's settings and role. */
export interface PaymentServiceProps extends HealthServiceProps {
  /** Throttling, WAF and account settings of the API. */
  api: Config['api'];
  role: 'primary' | 'secondary';
}

/**
 * The payment service of one region: the payment function, the migration function (VPC-attached, each with a
 * role naming exactly the table, bucket, key, database user and secret it uses), the two health functions of
 * health-service.ts (GET /health, GET /health/probe) and the REST API in front of them all.
 */
export class PaymentService extends Construct {
  readonly paymentFn: DrFunction;
  readonly migrateFn: DrFunction;
  readonly health: HealthService;
  readonly api: PaymentApi;

  constructor(scope: Construct, id: string, p: PaymentServiceProps) {
    super(scope, id);
    const { provider, names, region, accountId } = p;
    const table = (name: string) => arn.dynamodbTable(region, accountId, name);
    const database = {
      dbHost: p.ledger.writerEndpoint,
      dbName: names.databaseName,
      // The Lambda Node.js runtime ships the RDS CAs in this file; TLS to Aurora is verified against them.
      nodeExtraCaCerts: LAMBDA_RDS_CA_BUNDLE,
    };
    // Merchant binding: the payment function and the REST API's resource policy read the same directory.
    const callers = apiCallers(names, accountId, p.api.merchants);
    const common = {
      provider,
      accountId,
      region,
      dataKeyArn: p.dataKeyArn,
      logsKeyArn: p.opsKeyArn,
      logRetentionDays: p.logRetentionDays,
      vpc: p.vpc,
    };

    // Exactly the calls the code makes (test/infra/iam-coverage.test.ts holds both sides): the control table
    // GetItem (fence, reservations), PutItem (reserve), UpdateItem (take over, release, commit); the sessions
    // table PutItem only (nothing reads a session back); the receipts PutObject only (IfNoneMatch: a receipt is
    // never read back by the function).
    const [controlGrant, tablesKeyGrant] = tableAccess(table(names.paymentControlTable), {
      sid: 'PaymentControlTable',
      keySid: 'TablesKey',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      keyArn: p.dataKeyArn,
      region,
    });
    // The reconcile schedule invokes the function asynchronously, without retries: a failed run leaves its record
    // here (Lambda's on-failure destination) and pages. Lambda sends the record with the function's execution
    // role, which therefore needs sqs:SendMessage on the queue and, the queue being CMK-encrypted, the key through
    // SQS (Lambda Developer Guide, "Capturing records of Lambda asynchronous invocations":
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html; SQS Developer Guide, key
    // management: https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html).
    const reconcileFailures = deadLetterQueue(this, {
      provider,
      name: names.reconcileFailures(region),
      kmsKeyArn: p.opsKeyArn,
    });
    const [failuresGrant, failuresKeyGrant] = encryptedMessaging(reconcileFailures.arn, {
      sid: 'ReconcileFailures',
      keySid: 'ReconcileFailuresKey',
      keyArn: p.opsKeyArn,
      service: 'sqs',
      region,
    });
    this.paymentFn = new DrFunction(this, 'payment', {
      ...common,
      functionName: names.paymentFunction(region),
      description: 'Payment API: POST /payments, GET /payments/{id}; scheduled reconcile',
      bundle: p.bundles['payment-api'],
      memoryMb: 1024,
      timeoutSeconds: 12,
      environment: renderPaymentApiEnv({
        ...database,
        dbUser: names.appDbUser,
        controlTable: names.paymentControlTable,
        sessionsTable: names.sessionsTable,
        receiptsBucket: p.receipts.bucketName,
        receiptsKmsKeyArn: p.dataKeyArn,
        role: p.role,
        merchants: callers.merchants,
      }),
      statements: [
        controlGrant,
        // The write fence is moved only by the Region switch plan's fence step: whatever its code does, this role
        // cannot write the fence item (dynamodb:LeadingKeys is the item's partition key, multivalued, hence
        // ForAnyValue: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html).
        {
          Sid: 'NeverTheFence',
          Effect: 'Deny',
          Action: [
            'dynamodb:PutItem',
            'dynamodb:UpdateItem',
            'dynamodb:DeleteItem',
            'dynamodb:BatchWriteItem',
          ],
          Resource: table(names.paymentControlTable),
          Condition: { 'ForAnyValue:StringEquals': { 'dynamodb:LeadingKeys': [FENCE_KEY] } },
        },
        allow('Sessions', 'dynamodb:PutItem', table(names.sessionsTable)),
        allow('Receipts', 's3:PutObject', arn.s3Objects(p.receipts.bucketArn, 'receipts/')),
        // SSE-KMS upload: kms:GenerateDataKey, and kms:Decrypt as the S3 User Guide lists for uploads with a KMS
        // key (https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html), through S3 only.
        keyUseThrough('ReceiptsKey', p.dataKeyArn, ['kms:GenerateDataKey', 'kms:Decrypt'], ['s3'], region),
        tablesKeyGrant,
        failuresGrant,
        failuresKeyGrant,
        allow(
          'LedgerIamAuth',
          'rds-db:connect',
          arn.rdsDbUser(region, accountId, p.ledger.clusterResourceId, names.appDbUser),
        ),
      ],
    });

    // Every few minutes the payment function completes payments whose side effects were left incomplete
    // (runtime/payment-api/reconcile.ts); on a read-only secondary the run does nothing.
    const reconcile = new CloudwatchEventRule(this, 'reconcile-schedule', {
      provider,
      name: names.reconcileSchedule(region),
      description: 'Completes committed payments whose receipt or committed reservation is missing',
      scheduleExpression: `rate(${RECONCILE_INTERVAL_MINUTES} minutes)`,
    });
    new CloudwatchEventTarget(this, 'reconcile-target', {
      provider,
      rule: reconcile.name,
      arn: this.paymentFn.arn,
      targetId: 'reconcile',
    });
    // The next scheduled run is the retry: a failed or timed-out run is not repeated on top of it, but its record
    // goes to the failures queue, whose alarm pages (runs failing one after another leave payments incomplete).
    new LambdaFunctionEventInvokeConfig(this, 'reconcile-async', {
      provider,
      functionName: this.paymentFn.name,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: RECONCILE_INTERVAL_MINUTES * 60,
      destinationConfig: { onFailure: { destination: reconcileFailures.arn } },
    });
    const alertTopic = names.alertTopicArn(region, accountId);
    new CloudwatchMetricAlarm(this, 'reconcile-failures-alarm', {
      provider,
      alarmName: names.regionalAlarm('reconcile-failures', region),
      alarmDescription: `${names.reconcileFailures(region)} holds messages: scheduled reconcile runs of ${names.paymentFunction(region)} failed; read the records (request and error) and check for incomplete payments`,
      namespace: 'AWS/SQS',
      metricName: 'ApproximateNumberOfMessagesVisible',
      dimensions: { QueueName: names.reconcileFailures(region) },
      statistic: 'Maximum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      // SQS reports a queue's metrics while it is active, and a queue holding messages is: no data is an empty queue.
      treatMissingData: 'notBreaching',
      alarmActions: [alertTopic],
      okActions: [alertTopic],
    });
    new LambdaPermission(this, 'reconcile-invoke', {
      provider,
      statementId: 'AllowReconcileSchedule',
      action: 'lambda:InvokeFunction',
      functionName: this.paymentFn.name,
      principal: 'events.amazonaws.com',
      sourceArn: reconcile.arn,
    });

    this.migrateFn = new DrFunction(this, 'migrate', {
      ...common,
      functionName: names.migrateFunction(region),
      description: 'Applies the ledger schema migrations on the writer (no-op on a read-only secondary)',
      bundle: p.bundles.migrate,
      memoryMb: 512,
      timeoutSeconds: 120,
      environment: renderMigrateEnv({
        ...database,
        dbSecretArn: names.dbSecretName,
        appDbUser: names.appDbUser,
      }),
      statements: [
        // The secret (and its replica) has AWS's six-character suffix after the deterministic name.
        allow(
          'MasterSecret',
          'secretsmanager:GetSecretValue',
          arn.secret(region, accountId, names.dbSecretName),
        ),
        keyUseThrough('MasterSecretKey', p.dataKeyArn, 'kms:Decrypt', ['secretsmanager'], region),
      ],
    });

    // API Gateway refuses a stage with access logs (and method settings with execution logging) until the
    // region's account settings name a CloudWatch role that already carries its policy ("BadRequestException:
    // CloudWatch Logs role ARN must be set in account settings to enable logging";
    // https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html). That setting is one per
    // region for the whole account, so by default no environment owns it: scripts/bootstrap-account.sh sets it once
    // per account (and leaves a role someone else set). Owning it here is opt-in (api.manageAccountCloudWatchRole):
    // apply then overwrites whatever role the account's other APIs use, and since hashicorp/aws 6.0 destroying
    // aws_api_gateway_account resets the setting (terraform-provider-aws PR #42226, "The destroy operation will now
    // always reset the API Gateway account settings"), which stops logging for every REST API in the region.
    let accountSettings: ApiGatewayAccount | undefined;
    if (p.api.manageAccountCloudWatchRole) {
      const role = new IamRole(this, 'apigateway-logs-role', {
        provider,
        name: names.apiGatewayLogsRole(region),
        description: 'Lets API Gateway write access and execution logs to CloudWatch Logs in this region',
        assumeRolePolicy: assumeRolePolicy('apigateway.amazonaws.com', {
          StringEquals: { 'aws:SourceAccount': accountId },
        }),
      });
      const attachment = new IamRolePolicyAttachment(this, 'apigateway-logs-policy', {
        provider,
        role: role.name,
        policyArn: 'arn:aws:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs',
      });
      accountSettings = new ApiGatewayAccount(this, 'apigateway-account', {
        provider,
        cloudwatchRoleArn: role.arn,
        dependsOn: [attachment],
      });
    }

    this.health = new HealthService(this, 'health-service', {
      provider,
      names,
      region,
      accountId,
      bundles: p.bundles,
      dataKeyArn: p.dataKeyArn,
      opsKeyArn: p.opsKeyArn,
      logRetentionDays: p.logRetentionDays,
      vpc: p.vpc,
      ledger: p.ledger,
      receipts: p.receipts,
    });

    this.api = new PaymentApi(this, 'api', {
      provider,
      name: names.apiName(region),
      stageName: names.apiStage,
      functions: { 'payment-api': this.paymentFn, health: this.health.healthFn, probe: this.health.probeFn },
      callers,
      logsKeyArn: p.opsKeyArn,
      logRetentionDays: p.logRetentionDays,
      throttle: { rateLimit: p.api.throttleRateLimit, burstLimit: p.api.throttleBurstLimit },
      wafRateLimitPer5Min: wafRateLimitPer5Min(p.api),
      healthRateLimitPer5Min: HEALTH_RATE_LIMIT_PER_5_MIN,
      accountId,
      region,
      dependsOn: accountSettings ? [accountSettings] : [],
    });
  }

  /** Timeout of each function in ms, by deployed name (duration alarms fire at 80 % of it). */
  get timeoutsMs(): Record<string, number> {
    return Object.fromEntries(
      [this.paymentFn, this.migrateFn, ...this.health.functions].map((f) => [
        f.functionName,
        f.timeoutSeconds * 1000,
      ]),
    );
  }
}
