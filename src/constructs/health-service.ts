import type { AwsProvider } from '@cdktn/provider-aws/lib/provider';
import { Construct } from 'constructs';
import { renderHealthEnv } from '../../runtime/health/env';
import type { LambdaBundles } from '../bundling/functions';
import type { Region } from '../config';
import { allow, arn, tableAccess } from '../grants';
import type { PolicyStatement } from '../iam';
import type { ResourceNames } from '../resource-names';
import { DrFunction, LAMBDA_RDS_CA_BUNDLE } from './lambda-function';

/**
 * Concurrency reserved for (and capping) each health function: "When a function has reserved concurrency, no
 * other function can use that concurrency", and it "acts as both a lower and upper bound" (Lambda Developer
 * Guide, "Configuring reserved concurrency for a function":
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html). So a flood of the open /health
 * throttles the `health` function at 5 and never takes concurrency from the payment function or the probe;
 * the probe's 3 are its own whatever the rest of the account does. Both are far above need: Route 53's
 * checkers and the detectors send a few requests per second at most, each answered within about a second.
 */
export const HEALTH_RESERVED_CONCURRENCY = 5;
export const PROBE_RESERVED_CONCURRENCY = 3;

/**
 * Lambda timeout: the check's own deadline (HEALTH_TIMEOUT_MS, 1 s by default) plus a cold start's pool and
 * client setup, well inside API Gateway's 15 s integration timeout.
 */
const HEALTH_TIMEOUT_SECONDS = 5;

/** Connections per pool: one check uses one at a time; a second lets the next check start while a blocked
 * heartbeat transaction is still being ended by its statement timeout. */
const HEALTH_POOL_MAX = 2;

export interface HealthServiceProps {
  provider: AwsProvider;
  names: ResourceNames;
  region: Region;
  accountId: string;
  bundles: LambdaBundles;
  dataKeyArn: string;
  opsKeyArn: string;
  logRetentionDays: number;
  vpc: { subnetIds: string[]; securityGroupIds: string[] };
  ledger: { writerEndpoint: string; readerEndpoint: string; clusterResourceId: string };
  receipts: { bucketName: string; bucketArn: string };
}

/**
 * The two health functions of one region, each with its own reserved concurrency and the same check
 * (runtime/health/): `health` serves the public GET /health, `probe` the SigV4-only GET
 * /health/probe (the failover detectors). VPC-attached (the ledger), and each role names exactly what the check
 * calls: GetItem on the control table (with its key, through DynamoDB), HeadBucket on the receipts bucket
 * (S3 API Reference, HeadBucket: "you must have permissions to perform the s3:ListBucket action":
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html) and IAM authentication as the
 * application's database user, whose grants (runtime/shared/app-role.ts) allow the heartbeat upsert.
 */
export class HealthService extends Construct {
  readonly healthFn: DrFunction;
  readonly probeFn: DrFunction;

  constructor(scope: Construct, id: string, p: HealthServiceProps) {
    super(scope, id);
    const { names, region, accountId } = p;
    const environment = renderHealthEnv({
      dbHost: p.ledger.writerEndpoint,
      dbReaderHost: p.ledger.readerEndpoint,
      dbName: names.databaseName,
      dbUser: names.appDbUser,
      poolMax: HEALTH_POOL_MAX,
      nodeExtraCaCerts: LAMBDA_RDS_CA_BUNDLE,
      controlTable: names.paymentControlTable,
      receiptsBucket: p.receipts.bucketName,
    });
    const [controlGrant, tableKeyGrant] = tableAccess(
      arn.dynamodbTable(region, accountId, names.paymentControlTable),
      {
        sid: 'PaymentControlTableRead',
        keySid: 'TablesKey',
        actions: 'dynamodb:GetItem',
        keyArn: p.dataKeyArn,
        region,
      },
    );
    const statements: PolicyStatement[] = [
      controlGrant,
      tableKeyGrant,
      allow('ReceiptsBucketHead', 's3:ListBucket', p.receipts.bucketArn),
      allow(
        'LedgerIamAuth',
        'rds-db:connect',
        arn.rdsDbUser(region, accountId, p.ledger.clusterResourceId, names.appDbUser),
      ),
    ];
    const common = {
      provider: p.provider,
      accountId,
      region,
      dataKeyArn: p.dataKeyArn,
      logsKeyArn: p.opsKeyArn,
      logRetentionDays: p.logRetentionDays,
      vpc: p.vpc,
      environment,
      statements,
      memoryMb: 512,
      timeoutSeconds: HEALTH_TIMEOUT_SECONDS,
    };
    this.healthFn = new DrFunction(this, 'health', {
      ...common,
      functionName: names.healthFunction(region),
      description: 'GET /health (public): commits the heartbeat where the writer is, reads elsewhere',
      bundle: p.bundles.health,
      reservedConcurrency: HEALTH_RESERVED_CONCURRENCY,
    });
    this.probeFn = new DrFunction(this, 'probe', {
      ...common,
      functionName: names.probeFunction(region),
      description:
        'GET /health/probe (SigV4): the same check with each component, for the failover detectors',
      bundle: p.bundles.probe,
      reservedConcurrency: PROBE_RESERVED_CONCURRENCY,
    });
  }

  get functions(): DrFunction[] {
    return [this.healthFn, this.probeFn];
  }
}
