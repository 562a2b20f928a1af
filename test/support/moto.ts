import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CreateTableCommand,
  DeleteTableCommand,
  DynamoDBClient,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  type SNSClient,
  SubscribeCommand,
} from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { awsClients, BUDGETS } from '../../runtime/shared/aws-clients';

const failoverClients = awsClients(BUDGETS.failover);

/**
 * Per-file resources in the shared moto emulator: a DR state table and an alert topic with unique names in the
 * secondary region. Only what moto implements is used here (DynamoDB with conditional writes, SNS publish);
 * nothing is ever reset globally.
 */
export const SECONDARY = 'us-east-2';
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

export const unique = (prefix: string): string => `${prefix}-${randomBytes(5).toString('hex')}`;

export interface MotoResources {
  motoUrl: string;
  table: string;
  topicArn: string;
  ddb: DynamoDBDocumentClient;
  sns: SNSClient;
  /** Messages published to `topicArn` so far, oldest first. */
  published(): Promise<Array<{ subject: string; message: string }>>;
  close(): Promise<void>;
}

export async function createStateTable(raw: DynamoDBClient, table: string): Promise<void> {
  await raw.send(
    new CreateTableCommand({
      TableName: table,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  await waitUntilTableExists({ client: raw, maxWaitTime: 20, minDelay: 1 }, { TableName: table });
}

export interface SnsSink {
  /** Messages delivered so far, oldest first. */
  messages(): Array<{ subject: string; message: string }>;
  close(): Promise<void>;
}

/**
 * Subscribes a loopback HTTP endpoint to `topicArn` and records what moto delivers to it. moto posts each
 * notification to HTTP subscribers before answering the Publish call, so a message is recorded by the time
 * the publisher's call returns.
 */
export async function snsSink(sns: SNSClient, topicArn: string): Promise<SnsSink> {
  const received: Array<{ subject: string; message: string }> = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      try {
        const n = JSON.parse(body) as { Type?: string; Subject?: string; Message?: string };
        if (n.Type === 'Notification') received.push({ subject: n.Subject ?? '', message: n.Message ?? '' });
      } catch {
        // Not a notification: ignore.
      }
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'http', Endpoint: `http://127.0.0.1:${port}/sns` }),
  );
  return {
    messages: () => [...received],
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export async function createMotoResources(motoUrl: string, prefix: string): Promise<MotoResources> {
  const options = { region: SECONDARY, endpoint: motoUrl, credentials: TEST_CREDENTIALS };
  const raw = new DynamoDBClient(options);
  const table = unique(`${prefix}-state`);
  await createStateTable(raw, table);
  const sns = failoverClients.sns(options);
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: unique(`${prefix}-alerts`) }));
  const sink = await snsSink(sns, TopicArn as string);
  const ddb = failoverClients.documents(options);
  return {
    motoUrl,
    table,
    topicArn: TopicArn as string,
    ddb,
    sns,
    published: async () => sink.messages(),
    async close() {
      await sink.close();
      await raw.send(new DeleteTableCommand({ TableName: table })).catch(() => undefined);
      await sns.send(new DeleteTopicCommand({ TopicArn })).catch(() => undefined);
      raw.destroy();
      ddb.destroy();
      sns.destroy();
    },
  };
}
