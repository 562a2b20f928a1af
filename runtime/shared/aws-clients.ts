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
 *
 * Every call a client makes is bounded three ways (see `clientConfig` and `withCallDeadline`):
 * - per attempt: the Node HTTP handler's `connectionTimeout` and `requestTimeout` with
 *   `throwOnRequestTimeout: true`. Without that flag @smithy/node-http-handler 4.x only logs a warning when
 *   `requestTimeout` passes and keeps waiting (node_modules/@smithy/node-http-handler/dist-cjs/index.js,
 *   `setRequestTimeout`); with it the request is destroyed and the attempt fails with `TimeoutError`.
 * - attempts: the SDK's standard retry strategy with `maxAttempts` (the first attempt included). It retries
 *   only throttling, transient (timeouts, connection resets) and 5xx errors, with "full jitter" backoff:
 *   random(0, min(20 s, base x 2^retry)), base 50 ms (1 s after throttling); see @smithy/core
 *   `DefaultRetryBackoffStrategy` and `StandardRetryStrategy`.
 * - per call: `callDeadlineMs` covers every attempt and every backoff delay, and credential resolution too.
 *   `send` passes an AbortSignal that fires at the deadline (combined with the caller's own `abortSignal`,
 *   if any) and rejects at the deadline even if some layer ignores the signal, with a `TimeoutError`
 *   (`CallDeadlineError`). The SDK's retry middleware and HTTP handler honour the signal, so the socket is
 *   destroyed and no retry starts after the deadline.
 * The budget documentation per caller (API request, detector run, fence step, drctl command) is docs/budgets.md; its
 * numbers are checked against these profiles by test/docs/numbers.test.ts.
 */
export type AwsService =
  'cloudwatch' | 'dynamodb' | 'rds' | 'route53' | 's3' | 'secretsmanager' | 'sns' | 'sts';

/** How long one call may take and how often it is tried. */
export interface CallBudget {
  /** Per attempt: establishing the TCP (and TLS) connection. */
  connectTimeoutMs: number;
  /** Per attempt: from sending the request to the response headers. */
  attemptTimeoutMs: number;
  /** Attempts per call, the first included (retries use the SDK's jittered backoff). */
  maxAttempts: number;
  /** The whole call: all attempts, backoff delays and credential resolution. */
  callDeadlineMs: number;
}

/** A caller's budget: one for all its clients, with per-service exceptions. */
export interface BudgetProfile extends CallBudget {
  services?: Partial<Record<AwsService, Partial<CallBudget>>>;
}

/** The budget profiles of the project's callers; docs/budgets.md explains each number. */
export const BUDGETS = {
  /**
   * The payment function: two attempts of 2.5 s, 5 s per call at most, so a POST that meets a stalled AWS
   * dependency still answers inside its 10 s request budget (PAYMENT_REQUEST_BUDGET_MS, below the 12 s
   * Lambda timeout).
   */
  paymentApi: { connectTimeoutMs: 1000, attemptTimeoutMs: 2500, maxAttempts: 2, callDeadlineMs: 5000 },
  /**
   * The failover functions (the detectors, the plan's fence step, the alert relay): CloudWatch, DynamoDB and SNS
   * calls that answer in milliseconds, so three attempts of 1.5 s within 5 s.
   */
  failover: { connectTimeoutMs: 1000, attemptTimeoutMs: 1500, maxAttempts: 3, callDeadlineMs: 5000 },
  /**
   * drctl, on an operator's network: two attempts of 4 s within 9 s. RDS one attempt of 8 s: its RDS calls are
   * control-plane reads and the snapshot restore of recover-lost-writes, which drctl polls at its own pace, so
   * SDK retries would only multiply the waits. `drctl status` also bounds the whole command (STATUS_BUDGET_MS).
   */
  operator: {
    connectTimeoutMs: 2000,
    attemptTimeoutMs: 4000,
    maxAttempts: 2,
    callDeadlineMs: 9000,
    services: { rds: { attemptTimeoutMs: 8000, maxAttempts: 1 } },
  },
  /** The migration function (Secrets Manager, once per deployment, inside its 120 s timeout). */
  migrate: { connectTimeoutMs: 3000, attemptTimeoutMs: 10_000, maxAttempts: 3, callDeadlineMs: 30_000 },
} satisfies Record<string, BudgetProfile>;

/** The effective budget of one service's clients under a profile. */
export function budgetFor(profile: BudgetProfile, service: AwsService): CallBudget {
  const { services, ...base } = profile;
  const b = { ...base, ...services?.[service] };
  for (const [name, value] of Object.entries(b)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`budget ${name} must be a positive integer`);
  }
  return b;
}

/** Static credentials or a provider, as every SDK client accepts them. */
export type Credentials = NonNullable<ConstructorParameters<typeof RDSClient>[0]>['credentials'];

export interface AwsTarget {
  region: string;
  endpoint?: string;
  credentials?: Credentials;
}

function clientConfig(service: AwsService, profile: BudgetProfile, t: AwsTarget) {
  if (!t.region) throw new Error('an AWS client needs an explicit region');
  const b = budgetFor(profile, service);
  return {
    region: t.region,
    maxAttempts: b.maxAttempts,
    requestHandler: {
      connectionTimeout: b.connectTimeoutMs,
      requestTimeout: b.attemptTimeoutMs,
      throwOnRequestTimeout: true,
    },
    ...(t.endpoint ? { endpoint: t.endpoint } : {}),
    ...(t.credentials ? { credentials: t.credentials } : {}),
  };
}

/** A call that did not finish within its deadline (all attempts included). Retryable by callers' own loops. */
export class CallDeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly operation: string,
    readonly deadlineMs: number,
  ) {
    super(`${operation} did not finish within its ${deadlineMs} ms deadline`);
    this.name = 'TimeoutError';
  }
}

interface SendOptions {
  abortSignal?: AbortSignal;
}
interface Sender {
  send(command: unknown, options?: SendOptions): Promise<unknown>;
}

/**
 * Replaces `client.send` so that every call ends by `deadlineMs`: the SDK gets an AbortSignal that fires at the
 * deadline (or when the caller's own signal does), and the returned promise settles at the deadline at the
 * latest. The callback form of `send` is not supported (nothing in the project uses it).
 */
export function withCallDeadline<C extends object>(client: C, service: string, deadlineMs: number): C {
  const target = client as unknown as Sender;
  const send = target.send.bind(target);
  target.send = (command: unknown, options?: SendOptions, ...rest: unknown[]) => {
    if (typeof options === 'function' || rest.length > 0)
      throw new Error('callback-style send is not supported');
    const deadline = new AbortController();
    const operation = `${service} ${(command as { constructor: { name: string } }).constructor.name.replace(/Command$/, '')}`;
    const caller = options?.abortSignal;
    const signal = caller ? AbortSignal.any([caller, deadline.signal]) : deadline.signal;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        deadline.abort();
        reject(new CallDeadlineError(operation, deadlineMs));
      }, deadlineMs);
      const onCallerAbort = () => {
        clearTimeout(timer);
        reject(Object.assign(new Error(`${operation} aborted`), { name: 'AbortError' }));
      };
      caller?.addEventListener('abort', onCallerAbort, { once: true });
      send(command, { ...options, abortSignal: signal }).then(
        (value) => {
          clearTimeout(timer);
          caller?.removeEventListener('abort', onCallerAbort);
          resolve(value);
        },
        (err: unknown) => {
          clearTimeout(timer);
          caller?.removeEventListener('abort', onCallerAbort);
          reject(
            deadline.signal.aborted && !caller?.aborted ? new CallDeadlineError(operation, deadlineMs) : err,
          );
        },
      );
    });
  };
  return client;
}

const bounded = <C extends object>(client: C, service: AwsService, profile: BudgetProfile): C =>
  withCallDeadline(client, service, budgetFor(profile, service).callDeadlineMs);

/*
 * One constructor per service, each taking the caller's budget profile and the target. Separate functions
 * (not one object holding them all) so a Lambda bundle contains only the SDK clients its function uses.
 */
export const cloudwatchClient = (p: BudgetProfile, t: AwsTarget): CloudWatchClient =>
  bounded(new CloudWatchClient(clientConfig('cloudwatch', p, t)), 'cloudwatch', p);
export const dynamodbClient = (p: BudgetProfile, t: AwsTarget): DynamoDBClient =>
  bounded(new DynamoDBClient(clientConfig('dynamodb', p, t)), 'dynamodb', p);
/** DynamoDB with plain JavaScript values (undefined attributes left out); its own `send` is bounded too. */
export const documentClient = (p: BudgetProfile, t: AwsTarget): DynamoDBDocumentClient =>
  bounded(
    DynamoDBDocumentClient.from(dynamodbClient(p, t), { marshallOptions: { removeUndefinedValues: true } }),
    'dynamodb',
    p,
  );
export const rdsClient = (p: BudgetProfile, t: AwsTarget): RDSClient =>
  bounded(new RDSClient(clientConfig('rds', p, t)), 'rds', p);
/** Route 53 is a global service; its API is signed for us-east-1 (give that as the region). */
export const route53Client = (p: BudgetProfile, t: AwsTarget): Route53Client =>
  bounded(new Route53Client(clientConfig('route53', p, t)), 'route53', p);
export const s3Client = (p: BudgetProfile, t: AwsTarget): S3Client =>
  bounded(new S3Client({ ...clientConfig('s3', p, t), forcePathStyle: t.endpoint !== undefined }), 's3', p);
export const secretsManagerClient = (p: BudgetProfile, t: AwsTarget): SecretsManagerClient =>
  bounded(new SecretsManagerClient(clientConfig('secretsmanager', p, t)), 'secretsmanager', p);
export const snsClient = (p: BudgetProfile, t: AwsTarget): SNSClient =>
  bounded(new SNSClient(clientConfig('sns', p, t)), 'sns', p);
export const stsClient = (p: BudgetProfile, t: AwsTarget): STSClient =>
  bounded(new STSClient(clientConfig('sts', p, t)), 'sts', p);

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
