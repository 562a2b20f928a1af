import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { RDSClient } from '@aws-sdk/client-rds';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { STSClient } from '@aws-sdk/client-sts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type ArcClient, arcClient } from './arc-client';
import { nodeHttpClient } from './http';
import {
  type AwsTarget,
  awsClients,
  BUDGETS,
  CallDeadlineError,
  type BudgetProfile,
} from '../../runtime/shared/aws-clients';

/**
 * The AWS clients of drctl: the project's one factory (runtime/shared/aws-clients.ts) with the operator budget
 * (BUDGETS.operator: connect 2 s, 4 s per attempt, 2 attempts, 9 s per call; RDS one attempt of 8 s), cached
 * per service and region (the ARC Region switch client has its own bounds, arc-client.ts). With `--endpoint-url`
 * every client (Route 53, STS and ARC Region switch included) sends to that URL
 * instead, for an emulator; `endpoints` does the same per region (Route 53, signed for us-east-1, follows
 * us-east-1), so a test can stall one region and not the other.
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
  /**
   * The ARC Region switch data plane (cli/lib/arc-client.ts), each call to the Region it names, signed with
   * credentials resolved through `credentialsRegion` (the secondary region on the failover path).
   */
  arc(credentialsRegion: string): ArcClient;
  /**
   * The caller's credentials (default provider chain), for SigV4-signed API requests, resolved through the STS
   * endpoint of `region`: a provider that assumes a role (a profile with `role_arn`) calls STS there, so the
   * failover path passes the secondary region and never depends on the primary region's STS.
   */
  credentials(region: string): Promise<AwsCredentials>;
}

export interface AwsClientOptions {
  endpoint?: string;
  /** Per-region endpoint overrides, ahead of `endpoint`. */
  endpoints?: Readonly<Record<string, string>>;
  /** The budget profile (BUDGETS.operator unless a test narrows it). */
  budget?: BudgetProfile;
  /** Per-region endpoints of ARC Region switch alone, ahead of the others (an emulator, a test stub). */
  arcEndpoints?: Readonly<Record<string, string>>;
}

export type AwsClientFactory = (options: AwsClientOptions) => AwsClients;

export const defaultAwsClients: AwsClientFactory = (options) => {
  const profile = options.budget ?? BUDGETS.operator;
  const factory = awsClients(profile);
  const cache = new Map<string, unknown>();
  const once = <T>(service: string, region: string, make: (t: AwsTarget) => T): T => {
    const key = `${service}:${region}`;
    const endpoint = options.endpoints?.[region] ?? options.endpoint;
    if (!cache.has(key)) cache.set(key, make({ region, ...(endpoint ? { endpoint } : {}) }));
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
    arc: (credentialsRegion) =>
      once('arc', credentialsRegion, () =>
        arcClient({
          http: nodeHttpClient,
          credentials: () => clients.credentials(credentialsRegion),
          endpoint: (region) =>
            options.arcEndpoints?.[region] ?? options.endpoints?.[region] ?? options.endpoint,
        }),
      ),
    credentials: async (region) => {
      const provider = clients.sts(region).config.credentials;
      // A provider may call STS or SSO itself (assume-role profiles): bounded like any call.
      const deadlineMs = profile.callDeadlineMs;
      let timer: NodeJS.Timeout | undefined;
      const c = await Promise.race([
        provider(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new CallDeadlineError(`credentials via sts ${region}`, deadlineMs)),
            deadlineMs,
          );
        }),
      ]).finally(() => clearTimeout(timer));
      return {
        accessKeyId: c.accessKeyId,
        secretAccessKey: c.secretAccessKey,
        ...(c.sessionToken ? { sessionToken: c.sessionToken } : {}),
      };
    },
  };
  return clients;
};
