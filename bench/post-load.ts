import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { localClient } from '../runtime/local/client';
import { LOCAL_MERCHANT_ID } from '../runtime/local/gateway';
import { reserve } from '../runtime/payment-api/reservation-lease';
import { commitReservation } from '../runtime/payment-api/reservations';
import { createDocumentClient } from '../runtime/shared/aws';
import { readFence } from '../runtime/shared/fence';
import { newPaymentId } from '../runtime/shared/ids';
import { startLocalServer } from '../runtime/local/server';
import { startMoto } from '../scripts/dev/moto-server';
import { createScratchDatabase } from '../scripts/dev/scratch-database';
import { percentile } from './measure';

export interface LoadResult {
  concurrency: number;
  requests: number;
  throughputPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/**
 * The DynamoDB calls on a POST's critical path, before and after key reservations, timed against the emulator
 * in one process, interleaved (A, B, A, B, ...) so that the machine's load affects both alike:
 * - before: the idempotency pre-read (a consistent GetItem) and the record's unconditional PutItem;
 * - after: the conditional reservation PutItem and the conditional commit UpdateItem (reservations.ts), plus
 *   the fence's strongly consistent GetItem, which a POST pays at most once per FENCE_CACHE_MS.
 */
export interface CriticalPathResult {
  iterations: number;
  beforeP50Ms: number;
  afterP50Ms: number;
  fenceReadP50Ms: number;
}

export interface PostResult extends LoadResult {
  criticalPath: CriticalPathResult;
  database: string;
  /** The same POST with one request in flight: the latency without queueing. */
  serial: LoadResult;
  /** One DynamoDB PutItem against the emulator alone, at the same concurrency (each POST makes 3-5 AWS calls). */
  emulatorPutItem: LoadResult;
}

/** Runs `task` `requests` times with `concurrency` in flight and summarises the latencies. */
async function load(
  requests: number,
  concurrency: number,
  task: () => Promise<boolean>,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < requests) {
        next++;
        const t = performance.now();
        const ok = await task();
        latencies.push(performance.now() - t);
        if (!ok) errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    concurrency,
    requests: latencies.length,
    throughputPerSec: latencies.length / elapsed,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errors,
  };
}

function postgresServerUrl(): string | undefined {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  try {
    execFileSync('pg_isready', ['-h', '127.0.0.1', '-p', '5432', '-q']);
    return 'postgres://postgres@127.0.0.1:5432/test';
  } catch {
    return undefined;
  }
}

/**
 * POST /payments through the local server (the Lambda handlers behind an HTTP listener on loopback) against
 * PostgreSQL and the moto emulator: `requests` payments with unique Idempotency-Keys, `concurrency` in flight.
 */
export async function measurePost(requests = 1000, concurrency = 10): Promise<PostResult> {
  const databaseUrl = postgresServerUrl();
  if (!databaseUrl)
    throw new Error('the POST benchmark needs a PostgreSQL server (DATABASE_URL or 127.0.0.1:5432)');
  // A scratch database of its own (dropped at the end): the benchmark never writes into the server's
  // databases, whose schema may be from another version.
  const scratch = await createScratchDatabase(databaseUrl, 'payments_bench');
  const moto = await startMoto();
  const suffix = randomUUID().slice(0, 8);
  const server = await startLocalServer({
    port: 0,
    database: scratch.db,
    awsEndpoint: moto.url,
    controlTable: `bench-control-${suffix}`,
    sessionsTable: `bench-sessions-${suffix}`,
    receiptsBucket: `bench-receipts-${suffix}`,
    logSink: () => undefined,
  });
  // Signed like an IAM caller's request (the local server checks SigV4 as API Gateway does).
  const client = localClient(server.url, { region: 'us-east-1' });
  const post = async (): Promise<boolean> => {
    const res = await client({
      method: 'POST',
      path: '/payments',
      headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${randomUUID()}` },
      body: JSON.stringify({
        amount: 1299,
        currency: 'USD',
        merchantId: LOCAL_MERCHANT_ID,
        paymentMethod: { type: 'card_token', token: 'tok_bench12345' },
      }),
    });
    await res.arrayBuffer();
    return res.status === 201;
  };
  const ddb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: moto.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const putItem = () =>
    ddb
      .send(
        new PutItemCommand({
          TableName: `bench-sessions-${suffix}`,
          Item: { pk: { S: `baseline-${randomUUID()}` } },
        }),
      )
      .then(() => true);
  const documents = createDocumentClient({
    region: 'us-east-1',
    endpoint: moto.url,
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  const criticalPath = async (iterations: number): Promise<CriticalPathResult> => {
    const table = `bench-control-${suffix}`;
    const before: number[] = [];
    const after: number[] = [];
    const fence: number[] = [];
    const time = async (into: number[], fn: () => Promise<unknown>) => {
      const t = performance.now();
      await fn();
      into.push(performance.now() - t);
    };
    for (let i = 0; i < iterations; i++) {
      const key = `cp-${randomUUID()}`;
      const id = newPaymentId();
      const hash = 'e'.repeat(64);
      await time(before, async () => {
        await documents.send(
          new GetCommand({ TableName: table, Key: { pk: `old#${key}` }, ConsistentRead: true }),
        );
        await documents.send(
          new PutCommand({ TableName: table, Item: { pk: `old#${key}`, paymentId: id, requestHash: hash } }),
        );
      });
      await time(after, async () => {
        const store = { ddb: documents, table };
        await reserve(store, {
          merchantId: LOCAL_MERCHANT_ID,
          idempotencyKey: key,
          paymentId: id,
          requestHash: hash,
          region: 'us-east-1',
          now: new Date(),
        });
        await commitReservation(
          store,
          {
            id,
            merchantId: LOCAL_MERCHANT_ID,
            idempotencyKey: key,
            requestHash: hash,
            amount: 1299,
            currency: 'USD',
            region: 'us-east-1',
            createdAt: new Date(),
          },
          { now: new Date() },
        );
      });
      await time(fence, () => readFence(documents, table));
    }
    return {
      iterations,
      beforeP50Ms: percentile(before, 50),
      afterP50Ms: percentile(after, 50),
      fenceReadP50Ms: percentile(fence, 50),
    };
  };
  try {
    for (let i = 0; i < 50; i++) await post(); // warm-up: connections, JIT, caches
    const serial = await load(Math.min(200, requests), 1, post);
    const main = await load(requests, concurrency, post);
    const emulatorPutItem = await load(Math.min(500, requests), concurrency, putItem);
    return {
      database: 'PostgreSQL server',
      ...main,
      serial,
      emulatorPutItem,
      criticalPath: await criticalPath(300),
    };
  } finally {
    documents.destroy();
    ddb.destroy();
    await server.close();
    await moto.stop();
    await scratch.close();
  }
}
