import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsTarget, awsClients, BUDGETS } from '../../runtime/shared/aws-clients';

/**
 * The AWS clients of drctl: the project's one factory (runtime/shared/aws-clients.ts) with the operator budget
 * (connect 3 s, 10 s per attempt, RDS one attempt), cached per service and region. With `--endpoint-url`
 * every client (Route 53 and STS included) sends to that URL instead, for an emulator.
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
  const factory = awsClients({
    ...BUDGETS.operator,
    ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
  });
  const cache = new Map<string, unknown>();
  const once = <T>(service: string, region: string, make: (t: AwsTarget) => T): T => {
    const key = `${service}:${region}`;
    if (!cache.has(key))
      cache.set(key, make({ region, ...(options.endpoint ? { endpoint: options.endpoint } : {}) }));
    return cache.get(key) as T;
  };
  const clients: AwsClients = {
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    rds: (region) => once('rds', region, factory.rds),
    cloudwatch: (region) => once('cloudwatch', region, factory.cloudwatch),
    ddb: (region) => once('ddb', region, factory.documents),
    s3: (region) => once('s3', region, factory.s3),
    sns: (region) => once('sns', region, factory.sns),
    sts: (region) => once('sts', region, factory.sts),
    route53: () => once('route53', 'us-east-1', factory.route53),
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
