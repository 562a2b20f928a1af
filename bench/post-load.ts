import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startLocalServer } from '../runtime/local/server';
import { startMoto } from '../test/support/moto-server';
import { percentile } from './measure';

export interface PostResult {
  database: string;
  concurrency: number;
  requests: number;
  throughputPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
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
  const moto = await startMoto();
  const suffix = randomUUID().slice(0, 8);
  const server = await startLocalServer({
    port: 0,
    databaseUrl,
    awsEndpoint: moto.url,
    idempotencyTable: `bench-idem-${suffix}`,
    sessionsTable: `bench-sessions-${suffix}`,
    receiptsBucket: `bench-receipts-${suffix}`,
    logSink: () => undefined,
  });
  const post = async (): Promise<{ ms: number; ok: boolean }> => {
    const started = performance.now();
    const res = await fetch(`${server.url}/payments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': `bench-${randomUUID()}` },
      body: JSON.stringify({
        amount: 1299,
        currency: 'USD',
        merchantId: 'm_bench',
        paymentMethod: { type: 'card_token', token: 'tok_bench12345' },
      }),
      signal: AbortSignal.timeout(10_000),
    });
    await res.arrayBuffer();
    return { ms: performance.now() - started, ok: res.status === 201 };
  };
  try {
    for (let i = 0; i < 50; i++) await post(); // warm-up: connections, JIT, caches
    const latencies: number[] = [];
    let errors = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < requests) {
          next++;
          const r = await post();
          latencies.push(r.ms);
          if (!r.ok) errors++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    return {
      database: 'PostgreSQL server',
      concurrency,
      requests: latencies.length,
      throughputPerSec: latencies.length / elapsed,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      errors,
    };
  } finally {
    await server.close();
    await moto.stop();
  }
}
