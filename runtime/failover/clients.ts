import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RDSClient } from '@aws-sdk/client-rds';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/**
 * SDK clients of the failover code, each bound to the region it is given (never a default): the watchdog and a
 * failover to the secondary region build every client with the secondary region, so no call can reach the
 * failed region's endpoints. Requests are bounded in time. RDS clients make a single attempt per call because
 * the orchestrator applies its own classified, bounded retries (retries would otherwise multiply).
 */
/** Static credentials or a provider, as every SDK client accepts them. */
export type Credentials = NonNullable<ConstructorParameters<typeof RDSClient>[0]>['credentials'];

export interface ClientOptions {
  region: string;
  endpoint?: string;
  credentials?: Credentials;
  requestTimeoutMs?: number;
}

function common(o: ClientOptions, maxAttempts: number) {
  if (!o.region) throw new Error('an AWS client needs an explicit region');
  return {
    region: o.region,
    maxAttempts,
    requestHandler: { connectionTimeout: 2000, requestTimeout: o.requestTimeoutMs ?? 10_000 },
    ...(o.endpoint ? { endpoint: o.endpoint } : {}),
    ...(o.credentials ? { credentials: o.credentials } : {}),
  };
}

export const rdsClient = (o: ClientOptions): RDSClient => new RDSClient(common(o, 1));

export const snsClient = (o: ClientOptions): SNSClient => new SNSClient(common(o, 3));

export const documentClient = (o: ClientOptions): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(new DynamoDBClient(common(o, 3)), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
