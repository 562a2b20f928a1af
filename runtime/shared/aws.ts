import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * AWS SDK clients for the service. Requests are bounded (1 s to connect, 2.5 s per attempt, 2 attempts) so a
 * slow dependency turns into an error the caller can answer with, well inside the Lambda timeout.
 * `endpoint` (from AWS_ENDPOINT_URL) points every client at an emulator for local runs and tests; S3 then uses
 * path-style addressing.
 */
export interface AwsClientOptions {
  region: string;
  endpoint?: string;
  credentials?: S3ClientConfig['credentials'];
  requestTimeoutMs?: number;
  maxAttempts?: number;
}

function common(options: AwsClientOptions) {
  return {
    region: options.region,
    maxAttempts: options.maxAttempts ?? 2,
    requestHandler: { connectionTimeout: 1000, requestTimeout: options.requestTimeoutMs ?? 2500 },
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
}

export function createDynamoDbClient(options: AwsClientOptions): DynamoDBClient {
  return new DynamoDBClient(common(options));
}

export function createDocumentClient(options: AwsClientOptions): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(createDynamoDbClient(options), {
    marshallOptions: { removeUndefinedValues: true },
  });
}

export function createS3Client(options: AwsClientOptions): S3Client {
  return new S3Client({ ...common(options), forcePathStyle: options.endpoint !== undefined });
}

/** The AWS error name (`ResourceNotFoundException`, `NoSuchBucket`, ...) or HTTP status of an SDK error. */
export function awsErrorName(err: unknown): string | undefined {
  return err instanceof Error ? err.name : undefined;
}

export function awsHttpStatus(err: unknown): number | undefined {
  const status = (err as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}
