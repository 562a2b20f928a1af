import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * The AWS clients of drctl, one per service and region, each bound to an explicit region. With
 * `--endpoint-url` every client (Route 53 and STS included) sends to that URL instead, for an emulator.
 * Calls are bounded (connect 3 s, 10 s per attempt) so a region that is down answers with an error quickly;
 * RDS makes one attempt per call because the orchestrator retries with its own classified backoff.
 */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface AwsClients {
  /** The endpoint override every client uses, if any. */
  readonly endpoint?: string;
  rds(region: string): RDSClient;
  cloudwatch(region: string): CloudWatchClient;
  ddb(region: string): DynamoDBDocumentClient;
  s3(region: string): S3Client;
  sns(region: string): SNSClient;
  sts(region: string): STSClient;
  /** Route 53 is a global service; its API is signed for us-east-1. */
  route53(): Route53Client;
  /**
   * The caller's credentials (default provider chain), for SigV4-signed API requests, resolved through the STS
   * endpoint of `region`: a provider that assumes a role (a profile with `role_arn`) calls STS there, so the
   * failover path passes the secondary region and never depends on the primary region's STS.
   */
  credentials(region: string): Promise<AwsCredentials>;
}

export interface AwsClientOptions {
  endpoint?: string;
  requestTimeoutMs?: number;
}

export type AwsClientFactory = (options: AwsClientOptions) => AwsClients;

export const defaultAwsClients: AwsClientFactory = (options) => {
  const cache = new Map<string, unknown>();
  const once = <T>(key: string, make: () => T): T => {
    if (!cache.has(key)) cache.set(key, make());
    return cache.get(key) as T;
  };
  const common = (region: string, maxAttempts = 2) => ({
    region,
    maxAttempts,
    requestHandler: { connectionTimeout: 3000, requestTimeout: options.requestTimeoutMs ?? 10_000 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const clients: AwsClients = {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    rds: (region) => once(`rds:${region}`, () => new RDSClient(common(region, 1))),
    cloudwatch: (region) => once(`cw:${region}`, () => new CloudWatchClient(common(region))),
    ddb: (region) =>
      once(`ddb:${region}`, () =>
        DynamoDBDocumentClient.from(new DynamoDBClient(common(region)), {
          marshallOptions: { removeUndefinedValues: true },
        }),
      ),
    s3: (region) =>
      once(
        `s3:${region}`,
        () => new S3Client({ ...common(region), forcePathStyle: options.endpoint !== undefined }),
      ),
    sns: (region) => once(`sns:${region}`, () => new SNSClient(common(region))),
    sts: (region) => once(`sts:${region}`, () => new STSClient(common(region))),
    route53: () => once('route53', () => new Route53Client(common('us-east-1'))),
    credentials: async (region) => {
      const provider = clients.sts(region).config.credentials;
      const c = await provider();
      return {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
      };
    },
  };
  return clients;
};
