import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { createPaymentApiHandler, type PaymentApiDeps } from '../payment-api/app';
import {
  type AwsClientOptions,
  createDocumentClient,
  createDynamoDbClient,
  createS3Client,
} from '../shared/aws';
import { createPgDatabase, type Database } from '../shared/db';
import { type Env, intEnv, optionalEnv } from '../shared/env';
import { createLogger, errorFields, type LogSink } from '../shared/logger';
import { createHealthHandler, type HealthRoute } from '../health/app';
import type { HealthDeps } from '../health/checks';
import { healthTimeoutFromEnv } from '../health/env';
import { routeOf } from '../payment-api/routes';
import { createWritabilityProbe } from '../shared/writability';
import { toProxyEvent } from './event';
import { type MerchantDirectory, parseMerchantDirectory } from '../payment-api/merchants';
import { decide, DEFAULT_LOCAL_CREDENTIAL, DEFAULT_LOCAL_MERCHANTS, signedIdentity } from './gateway';
import { ensureBucket, ensureControlTable, ensureTable, migrateOrCheck } from './provision';
import type { LocalCredential, SignedRequest } from './sigv4-verify';

/**
 * A local HTTP server that runs the Lambda handlers behind a stand-in for API Gateway (gateway.ts: routes,
 * SigV4 authorization of the payment routes and /health/probe against local credentials, required headers):
 * each request becomes a v1 proxy event (`/payments`, `/payments/{id}` with path parameters, `/health`,
 * `/health/probe`) handled in-process by the function API Gateway routes it to (routes.ts).
 * `npm run dev` starts it from the environment; tests and benchmarks call `startLocalServer`.
 *
 * Environment (each also an option): PORT (3000), DATABASE_URL (postgres://postgres@127.0.0.1:5432/test),
 * AWS_ENDPOINT_URL (an AWS emulator such as moto), AWS_REGION (us-east-1), CONTROL_TABLE, SESSIONS_TABLE,
 * RECEIPTS_BUCKET, RECEIPTS_KMS_KEY_ARN, HEALTH_TIMEOUT_MS, MERCHANTS (the payment function's merchant directory).
 * The caller identity the payment function binds to a merchant is the signer's, put into the event the way API
 * Gateway reports it (gateway.ts `signedIdentity`): there is no header that names a caller or a merchant. On start it applies the migrations (a read-only
 * database, a standby, is only checked: it starts when nothing is pending, and then answers writes with 503
 * REGION_READ_ONLY) and, only when an endpoint override is set, creates the tables and bucket if they are
 * missing, and again after any 5xx answer (at most every PROVISION_RECHECK_MS), so an emulator that was
 * restarted and lost its state is set up again without restarting the server.
 */
export interface LocalServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  databaseUrl?: string;
  /** An open database to use instead of `databaseUrl`; left open by `close()`. */
  database?: Database;
  awsEndpoint?: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The payment control table (reservations and the write fence). */
  controlTable?: string;
  sessionsTable?: string;
  receiptsBucket?: string;
  receiptsKmsKeyArn?: string;
  healthTimeoutMs?: number;
  /** Credentials whose SigV4 signatures the payment routes accept (default: DEFAULT_LOCAL_CREDENTIAL). */
  callers?: LocalCredential[];
  /**
   * Which merchant each caller's principal acts for, as the payment function's MERCHANTS (default: MERCHANTS
   * from the environment, else DEFAULT_LOCAL_MERCHANTS: the default credential acts for LOCAL_MERCHANT_ID).
   */
  merchants?: MerchantDirectory;
  /** Apply migrations on start (default true). */
  migrate?: boolean;
  /** Create tables and bucket when missing (default: when an endpoint override is set; refused otherwise). */
  provision?: boolean;
  logSink?: LogSink;
  env?: Env;
}

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

const MAX_REQUEST_BYTES = 1024 * 1024;
/** The shortest interval between two re-provisioning runs after 5xx answers. */
export const PROVISION_RECHECK_MS = 2000;
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    req.on('end', () => done(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', fail);
  });
}

/** What the signature covers, as received: header values joined with `,` when a header came several times. */
function signedRequest(req: IncomingMessage, body: Buffer): SignedRequest {
  const headers: Record<string, string> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] as string).toLowerCase();
    const value = req.rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return { method: req.method ?? 'GET', target: req.url ?? '/', headers, body };
}

function send(res: ServerResponse, result: APIGatewayProxyResult): void {
  res.statusCode = result.statusCode;
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
    res.setHeader(name, values.map(String));
  }
  res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
}

export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  const env = options.env ?? process.env;
  const region = options.region ?? optionalEnv(env, 'AWS_REGION') ?? 'us-east-1';
  const endpoint = options.awsEndpoint ?? optionalEnv(env, 'AWS_ENDPOINT_URL');
  const provision = options.provision ?? endpoint !== undefined;
  if (provision && endpoint === undefined)
    throw new Error('provisioning is only done against an AWS endpoint override');
  const credentials =
    options.credentials ??
    (endpoint && !optionalEnv(env, 'AWS_ACCESS_KEY_ID')
      ? { accessKeyId: 'test', secretAccessKey: 'test' }
      : undefined);
  const names = {
    controlTable: options.controlTable ?? optionalEnv(env, 'CONTROL_TABLE') ?? 'payments-control-local',
    sessionsTable: options.sessionsTable ?? optionalEnv(env, 'SESSIONS_TABLE') ?? 'payments-sessions-local',
    receiptsBucket:
      options.receiptsBucket ?? optionalEnv(env, 'RECEIPTS_BUCKET') ?? 'payments-receipts-local',
    receiptsKmsKeyArn:
      options.receiptsKmsKeyArn ??
      optionalEnv(env, 'RECEIPTS_KMS_KEY_ARN') ??
      `arn:aws:kms:${region}:000000000000:alias/payments-receipts-local`,
  };
  const log = createLogger({ service: 'local-server', region }, options.logSink);
  const callers = options.callers ?? [DEFAULT_LOCAL_CREDENTIAL];
  const merchantsEnv = optionalEnv(env, 'MERCHANTS');
  const merchants =
    options.merchants ??
    (merchantsEnv !== undefined ? parseMerchantDirectory(merchantsEnv) : DEFAULT_LOCAL_MERCHANTS);

  const ownsDatabase = options.database === undefined;
  const db =
    options.database ??
    createPgDatabase(
      {
        connectionString: options.databaseUrl ?? optionalEnv(env, 'DATABASE_URL') ?? DEFAULT_DATABASE_URL,
        max: intEnv(env, 'DB_POOL_MAX', 10, { min: 1, max: 50 }),
        // As the payment function's pool (db-config.ts): every wait bounded, client side too.
        connectionTimeoutMillis: 3000,
        statement_timeout: 5000,
        query_timeout: 6000,
      },
      { onIdleError: (err) => log.warn('idle database connection failed', errorFields(err)) },
    );
  const aws: AwsClientOptions = { region, endpoint, credentials };
  const dynamodb = createDynamoDbClient(aws);
  const documents = createDocumentClient(aws);
  const s3 = createS3Client(aws);
  const healthTimeoutMs = options.healthTimeoutMs ?? healthTimeoutFromEnv(env);

  const cleanup = async () => {
    dynamodb.destroy();
    documents.destroy();
    s3.destroy();
    if (ownsDatabase) await db.close();
  };

  const provisionAll = async () => {
    await ensureControlTable(dynamodb, documents, names.controlTable, region);
    await ensureTable(dynamodb, names.sessionsTable);
    await ensureBucket(s3, names.receiptsBucket, region);
  };
  // After a 5xx: the emulator may have been restarted (its tables gone). One run at a time, rate-limited.
  let reprovisioning: Promise<void> | undefined;
  let lastProvisionAt = Date.now();
  const afterServerError = () => {
    if (!provision || reprovisioning || Date.now() - lastProvisionAt < PROVISION_RECHECK_MS) return;
    lastProvisionAt = Date.now();
    reprovisioning = provisionAll()
      .catch((err: unknown) => log.warn('re-provisioning the emulator failed', errorFields(err)))
      .finally(() => {
        reprovisioning = undefined;
        lastProvisionAt = Date.now();
      });
  };

  let server: ReturnType<typeof createServer>;
  try {
    if (options.migrate ?? true) await migrateOrCheck(db, env, log);
    if (provision) await provisionAll();
    const paymentDeps: PaymentApiDeps = {
      db,
      writability: createWritabilityProbe(db),
      targets: { ddb: documents, s3, ...names },
      region,
      merchants,
      logSink: options.logSink,
    };
    const payments = createPaymentApiHandler(async () => paymentDeps, options.logSink);
    const healthDeps: HealthDeps = {
      db,
      dynamodb: documents,
      s3,
      controlTable: names.controlTable,
      receiptsBucket: names.receiptsBucket,
      region,
      timeoutMs: healthTimeoutMs,
    };
    const healthHandler = (route: HealthRoute) =>
      createHealthHandler(route, async () => healthDeps, { logSink: options.logSink, region });
    const handlers = {
      'payment-api': payments,
      health: healthHandler('/health'),
      probe: healthHandler('/health/probe'),
    };
    server = createServer((req, res) => {
      void (async () => {
        try {
          const body = await readBody(req);
          if (body === undefined) {
            send(res, {
              statusCode: 413,
              headers: { 'Content-Type': 'application/json; charset=utf-8' },
              body: JSON.stringify({
                error: { code: 'PAYLOAD_TOO_LARGE', message: 'request body too large' },
              }),
            });
            return;
          }
          const event: APIGatewayProxyEvent = toProxyEvent(req, body);
          const gateway = decide(event, signedRequest(req, body), {
            credentials: callers,
            region,
            nowMs: Date.now(),
          });
          if (gateway.response) {
            send(res, gateway.response);
            return;
          }
          if (gateway.identity) {
            event.requestContext.identity = signedIdentity(gateway.identity, event.requestContext.identity);
          }
          // Like API Gateway in the deployed stacks: each route to its own function.
          const target = routeOf(event.resource)?.function ?? 'payment-api';
          const result = await handlers[target](event);
          send(res, result);
          if (result.statusCode >= 500) afterServerError();
        } catch (err) {
          log.error('local server failed to handle a request', errorFields(err));
          if (!res.headersSent)
            send(res, {
              statusCode: 500,
              body: '{"error":{"code":"INTERNAL_ERROR","message":"internal error"}}',
            });
        }
      })();
    });
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(
        options.port ?? intEnv(env, 'PORT', 3000, { min: 0, max: 65535 }),
        options.host ?? '127.0.0.1',
        () => done(),
      );
    });
  } catch (err) {
    await cleanup();
    throw err;
  }

  const address = server.address() as AddressInfo;
  const url = `http://${address.address}:${address.port}`;
  return {
    url,
    close: async () => {
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      });
      await reprovisioning;
      await cleanup();
    },
  };
}

if (process.argv[1] && resolve(process.argv[1]) === __filename) {
  startLocalServer()
    .then((server) => {
      const log = createLogger({ service: 'local-server' });
      log.info('local server listening', { url: server.url });
      const stop = () => {
        server.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    })
    .catch((err: unknown) => {
      process.stderr.write(
        `local server failed to start: ${err instanceof Error ? err.message : String(err)}\n`,
      );
      process.exitCode = 1;
    });
}
