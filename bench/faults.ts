import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { localClient, type PostOutcome, postPayment } from '../runtime/local/client';
import { PAYMENT_REQUEST_BUDGET_MS } from '../runtime/payment-api/app';
import { freePort } from '../scripts/dev/loopback-faults';
import { LOCAL_MERCHANT_ID } from '../runtime/local/gateway';
import { type MotoHandle, startMoto } from '../scripts/dev/moto-server';
import { createScratchDatabase, type ScratchDatabase } from '../scripts/dev/scratch-database';
import { ServerProcess } from './server-process';

/**
 * The fault benchmark (`npm run bench -- faults`): a bounded load of POST /payments against the local server,
 * run as a child process (so a crash is seen as one, and counted), on PostgreSQL and a moto emulator of its
 * own, while one fault at a time is injected on loopback:
 *
 * - emulator frozen: SIGSTOP of the moto process for FAULT_MS, then SIGCONT;
 * - emulator killed and restarted: SIGKILL, and a fresh (empty) moto on the same port a second later;
 * - database connections terminated: pg_terminate_backend of the server's backends every 100 ms;
 * - database read-only: `default_transaction_read_only` set on the database and the sessions terminated (as
 *   an Aurora demotion does), then reset and terminated again;
 * - server restarted: SIGTERM, and started again a second later (requests in flight lose their connection).
 *
 * Each of the 10 workers pauses 100 ms after a request that did not get a 201, as a client would back off.
 * After the load, every request that did not get a 201 (an error answer or no answer) is retried with its
 * Idempotency-Key and body until it does (bounded rounds). Counted per fault: answers by class, requests with
 * no answer, answers slower than the request budget, lost payments (a 201 whose payment has no ledger row),
 * duplicates (a key with two payments, or two 201s naming different ids), crashes of the server, and whether
 * every key converged on one payment with balanced ledger entries.
 */
export interface FaultRun {
  fault: string;
  requests: number;
  ok2xx: number;
  client4xx: number;
  server5xx: number;
  noAnswer: number;
  overBudget: number;
  maxAnswerMs: number;
  lost: number;
  duplicates: number;
  crashes: number;
  retryRounds: number;
  converged: boolean;
  /** Error codes of the 5xx answers, with counts. */
  codes: Record<string, number>;
}

const CONCURRENCY = 10;
const MAX_REQUESTS = 1500;
const LEAD_MS = 2000;
const FAULT_MS = 6000;
const TAIL_MS = 3000;
const MAX_RETRY_ROUNDS = 15;
const FAILURE_PAUSE_MS = 100;
const APP = 'bench-faults-server';

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

type Sent = PostOutcome;

interface World {
  moto: MotoHandle;
  motoPort: number;
  scratch: ScratchDatabase;
  admin: Client;
  dbName: string;
  server: ServerProcess;
}

type Fault = { name: string; inject(w: World): Promise<void> };

async function terminateServerBackends(w: World): Promise<number> {
  const { rows } = await w.admin.query<{ n: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::text AS n FROM pg_stat_activity
      WHERE datname = $1 AND application_name = $2`,
    [w.dbName, APP],
  );
  return Number(rows[0]?.n ?? 0);
}

const FAULTS: Fault[] = [
  {
    name: 'emulator frozen',
    async inject(w) {
      const pid = w.moto.pid as number;
      process.kill(pid, 'SIGSTOP');
      try {
        await sleep(FAULT_MS);
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    },
  },
  {
    name: 'emulator killed and restarted (state lost)',
    async inject(w) {
      process.kill(w.moto.pid as number, 'SIGKILL');
      await sleep(1000);
      w.moto = await startMoto({ port: w.motoPort });
      await sleep(FAULT_MS - 1000);
    },
  },
  {
    name: 'database connections terminated',
    async inject(w) {
      const until = Date.now() + FAULT_MS;
      for (let i = 0; i < 200 && Date.now() < until; i++) {
        await terminateServerBackends(w);
        await sleep(100);
      }
    },
  },
  {
    name: 'database read-only',
    async inject(w) {
      await w.admin.query(`ALTER DATABASE ${w.dbName} SET default_transaction_read_only = on`);
      try {
        await terminateServerBackends(w);
        await sleep(FAULT_MS);
      } finally {
        await w.admin.query(`ALTER DATABASE ${w.dbName} RESET default_transaction_read_only`);
        await terminateServerBackends(w);
      }
    },
  },
  {
    name: 'server restarted',
    async inject(w) {
      await w.server.stop();
      await sleep(1000);
      await w.server.start();
      await sleep(FAULT_MS - 1000);
    },
  },
];

async function runFault(w: World, fault: Fault): Promise<FaultRun> {
  const client = localClient(w.server.url, { region: 'us-east-1' });
  const tag = `fault-${randomUUID().slice(0, 8)}`;
  const post = (key: string, body: string): Promise<Sent> =>
    postPayment(client, key, body, PAYMENT_REQUEST_BUDGET_MS + 10_000);

  const crashesBefore = w.server.crashes;
  const sent: Sent[] = [];
  const started = Date.now();
  const stopAt = started + LEAD_MS + FAULT_MS + TAIL_MS;
  let n = 0;
  const load = Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (n < MAX_REQUESTS && Date.now() < stopAt) {
        n++;
        const body = JSON.stringify({
          amount: 100 + n,
          currency: 'USD',
          merchantId: LOCAL_MERCHANT_ID,
          paymentMethod: { type: 'card_token', token: 'tok_faults12345' },
        });
        const s = await post(`${tag}-${n}`, body);
        sent.push(s);
        // A client backs off a little after a failure instead of hammering a server that is down.
        if (s.status !== 201) await sleep(FAILURE_PAUSE_MS);
      }
    }),
  );
  await sleep(LEAD_MS);
  await fault.inject(w);
  await load;
  const first = [...sent];

  // Retry every failure with the same key until it is accepted (bounded).
  let pending = first.filter((s) => s.status !== 201);
  let rounds = 0;
  while (pending.length > 0 && rounds < MAX_RETRY_ROUNDS) {
    rounds++;
    await sleep(1000);
    const again = await Promise.all(pending.map((s) => post(s.key, s.body)));
    sent.push(...again);
    pending = again.filter((s) => s.status !== 201);
  }

  const { rows } = await w.scratch.db.query<{ key: string; id: string; entries: string }>(
    `SELECT p.idempotency_key AS key, p.id, (SELECT count(*) FROM ledger_entries e WHERE e.payment_id = p.id)::text AS entries
       FROM payments p WHERE p.idempotency_key LIKE $1`,
    [`${tag}-%`],
  );
  const idsByKey = new Map<string, Set<string>>();
  for (const r of rows) idsByKey.set(r.key, (idsByKey.get(r.key) ?? new Set()).add(r.id));
  const recorded = new Set(rows.filter((r) => Number(r.entries) === 2).map((r) => r.id));
  const answeredIds = new Map<string, Set<string>>();
  for (const s of sent.filter((x) => x.status === 201 && x.id)) {
    answeredIds.set(s.key, (answeredIds.get(s.key) ?? new Set()).add(s.id as string));
  }
  const keys = new Set(first.map((s) => s.key));
  const lost = [...answeredIds.values()].flatMap((ids) => [...ids]).filter((id) => !recorded.has(id)).length;
  const duplicates =
    [...idsByKey.values()].filter((ids) => ids.size > 1).length +
    [...answeredIds.values()].filter((ids) => ids.size > 1).length;
  const answered = first.filter((s) => s.status !== undefined);
  const codes: Record<string, number> = {};
  for (const s of first.filter((x) => (x.status ?? 0) >= 500)) {
    const code = s.code ?? `HTTP ${s.status}`;
    codes[code] = (codes[code] ?? 0) + 1;
  }
  return {
    fault: fault.name,
    requests: first.length,
    ok2xx: first.filter((s) => s.status !== undefined && s.status < 300).length,
    client4xx: first.filter((s) => s.status !== undefined && s.status >= 400 && s.status < 500).length,
    server5xx: first.filter((s) => (s.status ?? 0) >= 500).length,
    noAnswer: first.filter((s) => s.status === undefined).length,
    overBudget: answered.filter((s) => s.ms > PAYMENT_REQUEST_BUDGET_MS + 1000).length,
    maxAnswerMs: Math.max(0, ...answered.map((s) => s.ms)),
    lost,
    duplicates,
    crashes: w.server.crashes - crashesBefore,
    retryRounds: rounds,
    converged:
      pending.length === 0 &&
      idsByKey.size === keys.size &&
      [...keys].every(
        (k) => idsByKey.get(k)?.size === 1 && recorded.has([...(idsByKey.get(k) ?? [])][0] ?? ''),
      ),
    codes,
  };
}

function postgresServerUrl(): string {
  return process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
}

export async function measureFaults(): Promise<FaultRun[]> {
  const adminUrl = postgresServerUrl();
  const scratch = await createScratchDatabase(adminUrl, 'payments_faults');
  const dbName = new URL(scratch.url).pathname.slice(1);
  const admin = new Client({ connectionString: adminUrl });
  admin.on('error', () => undefined);
  await admin.connect();
  const motoPort = await freePort();
  const moto = await startMoto({ port: motoPort });
  const databaseUrl = new URL(scratch.url);
  databaseUrl.searchParams.set('application_name', APP);
  const suffix = randomUUID().slice(0, 8);
  const port = await freePort();
  const server = new ServerProcess(port, {
    ...process.env,
    PORT: String(port),
    DATABASE_URL: databaseUrl.toString(),
    AWS_ENDPOINT_URL: moto.url,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    IDEMPOTENCY_TABLE: `faults-idem-${suffix}`,
    SESSIONS_TABLE: `faults-sessions-${suffix}`,
    RECEIPTS_BUCKET: `faults-receipts-${suffix}`,
    DB_POOL_MAX: '10',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  const world: World = { moto, motoPort, scratch, admin, dbName, server };
  const runs: FaultRun[] = [];
  try {
    await world.server.start();
    for (const fault of FAULTS) {
      console.error(`faults: ${fault.name} ...`);
      const run = await runFault(world, fault);
      console.error(
        `faults: ${fault.name}: ${run.requests} requests, ${run.ok2xx}/${run.client4xx}/${run.server5xx} 2xx/4xx/5xx, ${run.noAnswer} no answer, lost ${run.lost}, duplicates ${run.duplicates}, crashes ${run.crashes}, converged ${run.converged} after ${run.retryRounds} rounds`,
      );
      runs.push(run);
    }
  } finally {
    await world.server.stop();
    await world.moto.stop();
    await admin.end().catch(() => undefined);
    await scratch.close();
  }
  return runs;
}
