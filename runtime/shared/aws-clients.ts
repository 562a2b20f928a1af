import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The one AWS SDK client factory of the project: the payment functions, the failover functions and drctl
 * build every client here, each bound to an explicit region (never a default: a client meant for the
 * surviving region can never reach the failed one), bounded by the caller's budget profile. `endpoint`
 * (AWS_ENDPOINT_URL, `--endpoint-url`) points a client at an emulator; S3 then uses path-style addressing.
 * Calls bounded by an `AbortSignal` pass it to `send(command, { abortSignal })` as usual.
 */
export type AwsService =
  'cloudwatch' | 'dynamodb' | 'rds' | 'route53' | 's3' | 'secretsmanager' | 'sns' | 'sts';

/** How long one call may take and how often it is tried; an unset field keeps the SDK's default. */
export interface CallBudget {
  connectTimeoutMs?: number;
  /** Per attempt. */
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

/** A caller's budget: one for all its clients, with per-service exceptions. */
export interface BudgetProfile extends CallBudget {
  services?: Partial<Record<AwsService, CallBudget>>;
}

/** The budget profiles of the project's callers (the values each had before the factory was shared). */
export const BUDGETS = {
  /** The payment function: a slow dependency becomes an error the request can answer with, well inside 12 s. */
  paymentApi: { connectTimeoutMs: 1000, requestTimeoutMs: 2500, maxAttempts: 2 },
  /**
   * The failover functions. RDS makes a single attempt per call because the orchestrator applies its own
   * classified, bounded retries (retries would otherwise multiply).
   */
  failover: {
    connectTimeoutMs: 2000,
    requestTimeoutMs: 10_000,
    maxAttempts: 3,
    services: { rds: { maxAttempts: 1 } },
  },
  /** drctl: a region that is down answers with an error quickly; RDS retried by the orchestrator, as above. */
  operator: {
    connectTimeoutMs: 3000,
    requestTimeoutMs: 10_000,
    maxAttempts: 2,
    services: { rds: { maxAttempts: 1 } },
  },
  /** The migration function: the SDK's own defaults (it runs once per deployment, with a 120 s timeout). */
  migrate: {},
} satisfies Record<string, BudgetProfile>;

/** Static credentials or a provider, as every SDK client accepts them. */
export type Credentials = NonNullable<ConstructorParameters<typeof RDSClient>[0]>['credentials'];

export interface AwsTarget {
  region: string;
  endpoint?: string;
  credentials?: Credentials;
}

function clientConfig(service: AwsService, profile: BudgetProfile, t: AwsTarget) {
  if (!t.region) throw new Error('an AWS client needs an explicit region');
  const b: CallBudget = { ...profile, ...profile.services?.[service] };
  const handler = {
    ...(b.connectTimeoutMs !== undefined ? { connectionTimeout: b.connectTimeoutMs } : {}),
    ...(b.requestTimeoutMs !== undefined ? { requestTimeout: b.requestTimeoutMs } : {}),
  };
  return {
    region: t.region,
    ...(b.maxAttempts !== undefined ? { maxAttempts: b.maxAttempts } : {}),
    ...(Object.keys(handler).length > 0 ? { requestHandler: handler } : {}),
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
    ...(t.credentials ? { credentials: t.credentials } : {}),
  };
}

/*
 * One constructor per service, each taking the caller's budget profile and the target. Separate functions
 * (not one object holding them all) so a Lambda bundle contains only the SDK clients its function uses.
 */
export const cloudwatchClient = (p: BudgetProfile, t: AwsTarget): CloudWatchClient =>
  new CloudWatchClient(clientConfig('cloudwatch', p, t));
export const dynamodbClient = (p: BudgetProfile, t: AwsTarget): DynamoDBClient =>
  new DynamoDBClient(clientConfig('dynamodb', p, t));
/** DynamoDB with plain JavaScript values (undefined attributes left out). */
export const documentClient = (p: BudgetProfile, t: AwsTarget): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(dynamodbClient(p, t), { marshallOptions: { removeUndefinedValues: true } });
export const rdsClient = (p: BudgetProfile, t: AwsTarget): RDSClient =>
  new RDSClient(clientConfig('rds', p, t));
/** Route 53 is a global service; its API is signed for us-east-1 (give that as the region). */
export const route53Client = (p: BudgetProfile, t: AwsTarget): Route53Client =>
  new Route53Client(clientConfig('route53', p, t));
export const s3Client = (p: BudgetProfile, t: AwsTarget): S3Client =>
  new S3Client({ ...clientConfig('s3', p, t), forcePathStyle: t.endpoint !== undefined });
export const secretsManagerClient = (p: BudgetProfile, t: AwsTarget): SecretsManagerClient =>
  new SecretsManagerClient(clientConfig('secretsmanager', p, t));
export const snsClient = (p: BudgetProfile, t: AwsTarget): SNSClient =>
  new SNSClient(clientConfig('sns', p, t));
export const stsClient = (p: BudgetProfile, t: AwsTarget): STSClient =>
  new STSClient(clientConfig('sts', p, t));

export interface AwsClientFactory {
  readonly profile: BudgetProfile;
  cloudwatch(t: AwsTarget): CloudWatchClient;
  dynamodb(t: AwsTarget): DynamoDBClient;
  documents(t: AwsTarget): DynamoDBDocumentClient;
  rds(t: AwsTarget): RDSClient;
  route53(t: AwsTarget): Route53Client;
  s3(t: AwsTarget): S3Client;
  secretsManager(t: AwsTarget): SecretsManagerClient;
  sns(t: AwsTarget): SNSClient;
  sts(t: AwsTarget): STSClient;
}

/** Every constructor bound to one profile: for callers that use many services (drctl, tests). */
export function awsClients(profile: BudgetProfile): AwsClientFactory {
  return {
    profile,
    cloudwatch: (t) => cloudwatchClient(profile, t),
    dynamodb: (t) => dynamodbClient(profile, t),
    documents: (t) => documentClient(profile, t),
    rds: (t) => rdsClient(profile, t),
    route53: (t) => route53Client(profile, t),
    s3: (t) => s3Client(profile, t),
    secretsManager: (t) => secretsManagerClient(profile, t),
    sns: (t) => snsClient(profile, t),
    sts: (t) => stsClient(profile, t),
  };
}

/** The AWS error name (`ResourceNotFoundException`, `NoSuchBucket`, ...) of an SDK error. */
export function awsErrorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

/** The HTTP status of an SDK error (`$metadata.httpStatusCode`): the one place it is read. */
export function awsHttpStatus(err: unknown): number | undefined {
  const status = (err as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
