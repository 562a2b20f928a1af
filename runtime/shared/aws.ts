import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { type AwsTarget, BUDGETS, documentClient, dynamodbClient, s3Client } from './aws-clients';

export { awsErrorName, awsHttpStatus } from './aws-clients';

/**
 * AWS SDK clients of the payment service (and the local server and tests that stand in for it), from the one
 * factory (aws-clients.ts) with the payment budget (BUDGETS.paymentApi: 1 s to connect, 2.5 s per attempt,
 * 2 attempts, 5 s per call), so a slow dependency turns into an error the caller can answer with, well inside
 * the request budget. A caller may narrow the budget further, never widen it.
 */
export interface AwsClientOptions extends AwsTarget {
  attemptTimeoutMs?: number;
  maxAttempts?: number;
  callDeadlineMs?: number;
}

const narrowed = (limit: number, wanted: number | undefined): number =>
  wanted === undefined ? limit : Math.min(limit, wanted);

const budget = (o: AwsClientOptions) => ({
  ...BUDGETS.paymentApi,
  attemptTimeoutMs: narrowed(BUDGETS.paymentApi.attemptTimeoutMs, o.attemptTimeoutMs),
  maxAttempts: narrowed(BUDGETS.paymentApi.maxAttempts, o.maxAttempts),
  callDeadlineMs: narrowed(BUDGETS.paymentApi.callDeadlineMs, o.callDeadlineMs),
});

const target = ({ region, endpoint, credentials }: AwsClientOptions): AwsTarget => ({
  region,
  ...(endpoint ? { endpoint } : {}),
  ...(credentials ? { credentials } : {}),
});

export const createDynamoDbClient = (o: AwsClientOptions): DynamoDBClient =>
  dynamodbClient(budget(o), target(o));
export const createDocumentClient = (o: AwsClientOptions): DynamoDBDocumentClient =>
  documentClient(budget(o), target(o));
export const createS3Client = (o: AwsClientOptions): S3Client => s3Client(budget(o), target(o));
