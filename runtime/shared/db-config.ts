import { readFileSync } from 'node:fs';
import { Signer } from '@aws-sdk/rds-signer';
import type { PoolConfig } from 'pg';
import { defineEnv, type Env, envVar, type Settings } from './env';

/**
 * Connection settings for the service's PostgreSQL pool.
 *
 * - `DATABASE_URL` set (local development, CI, tests): used as is, including any `sslmode` in it.
 * - Otherwise (Lambda, Aurora): `DB_HOST` (the local cluster endpoint), `DB_PORT` (5432), `DB_NAME`
 *   (`payments`), `DB_USER` (`payments_app`), and the password is an IAM authentication token from
 *   `@aws-sdk/rds-signer`. node-postgres calls the password function for every new connection, so each
 *   connection gets a fresh token (tokens live 15 minutes; an open connection stays valid after that).
 *
 * TLS is mandatory with IAM authentication and the server certificate is always verified. The RDS certificate
 * authorities reach Node in one of two ways, chosen by the deployment:
 * - `DB_CA_BUNDLE_PATH`: a PEM file shipped with the function (the RDS global bundle); used as the only
 *   trusted CAs for the database connection. Preferred: loading it costs only this connection.
 * - `NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem`: the Lambda Node.js runtimes (20 and later) ship the Amazon
 *   and RDS CAs in that file but no longer load it by default; with the variable set, Node trusts them next to
 *   its own store and no `ca` option is needed.
 *
 * Pool sizing and timeouts (environment overrides in brackets): at most 5 connections [DB_POOL_MAX],
 * connect timeout 3 s [DB_CONNECT_TIMEOUT_MS], statement timeout 5 s [DB_STATEMENT_TIMEOUT_MS], a client-side
 * query timeout 1 s above it, idle connections closed after 60 s.
 */
export interface DbEnvOptions {
  applicationName: string;
  /** Builds the IAM token provider; injectable for tests. */
  tokenProvider?: (params: {
    hostname: string;
    port: number;
    username: string;
    region: string;
  }) => () => Promise<string>;
}

export function iamTokenProvider(params: {
  hostname: string;
  port: number;
  username: string;
  region: string;
}): () => Promise<string> {
  const signer = new Signer(params);
  return () => signer.getAuthToken();
}

/**
 * The database variables of a function's environment contract (runtime/payment-api/env.ts,
 * runtime/migrate/env.ts). `DB_HOST` is required unless `DATABASE_URL` is set (checked by `dbHost`).
 */
export const databaseVars = (connectTimeoutMs: number) => ({
  databaseUrl: envVar.optionalText('DATABASE_URL'),
  dbHost: envVar.optionalText('DB_HOST'),
  dbPort: envVar.int('DB_PORT', 5432, { min: 1, max: 65535 }, { pinned: true }),
  dbName: envVar.textWithDefault('DB_NAME', 'payments'),
  caBundlePath: envVar.optionalText('DB_CA_BUNDLE_PATH'),
  /** Read by Node itself at start: the Lambda Node.js runtime ships the RDS CAs in /var/runtime/ca-cert.pem. */
  nodeExtraCaCerts: envVar.optionalText('NODE_EXTRA_CA_CERTS'),
  connectTimeoutMs: envVar.int('DB_CONNECT_TIMEOUT_MS', connectTimeoutMs, { min: 100, max: 60_000 }),
  /** The token signer's region (and, with IAM authentication, a required one). */
  region: envVar.optionalProvided('AWS_REGION'),
});

/** The payment function's pool: the database variables plus its user and pool limits. */
export const poolVars = {
  ...databaseVars(3000),
  dbUser: envVar.textWithDefault('DB_USER', 'payments_app'),
  poolMax: envVar.int('DB_POOL_MAX', 5, { min: 1, max: 50 }),
  statementTimeoutMs: envVar.int('DB_STATEMENT_TIMEOUT_MS', 5000, { min: 100, max: 600_000 }),
};

const poolEnv = defineEnv(poolVars);
export type DatabaseSettings = Settings<ReturnType<typeof databaseVars>>;
export type PoolSettings = Settings<typeof poolVars>;

function dbHost(s: DatabaseSettings): string {
  if (s.dbHost === undefined) throw new Error('environment variable DB_HOST is required');
  return s.dbHost;
}

/** TLS options for a connection to Aurora: verification on, CAs from DB_CA_BUNDLE_PATH when given. */
export function tlsOptions(s: Pick<DatabaseSettings, 'caBundlePath'>): NonNullable<PoolConfig['ssl']> {
  return s.caBundlePath
    ? { rejectUnauthorized: true, ca: readFileSync(s.caBundlePath, 'utf8') }
    : { rejectUnauthorized: true };
}

export function poolConfig(s: PoolSettings, options: DbEnvOptions): PoolConfig {
  const common: PoolConfig = {
    max: s.poolMax,
    connectionTimeoutMillis: s.connectTimeoutMs,
    statement_timeout: s.statementTimeoutMs,
    query_timeout: s.statementTimeoutMs + 1000,
    lock_timeout: Math.min(s.statementTimeoutMs, 3000),
    idle_in_transaction_session_timeout: 10_000,
    idleTimeoutMillis: 60_000,
    application_name: options.applicationName,
    keepAlive: true,
  };
  if (s.databaseUrl) return { ...common, connectionString: s.databaseUrl };

  const hostname = dbHost(s);
  if (s.region === undefined) throw new Error('environment variable AWS_REGION is required');
  const username = s.dbUser;
  const provider = (options.tokenProvider ?? iamTokenProvider)({
    hostname,
    port: s.dbPort,
    username,
    region: s.region,
  });
  return {
    ...common,
    host: hostname,
    port: s.dbPort,
    database: s.dbName,
    user: username,
    password: provider,
    ssl: tlsOptions(s),
  };
}

/** The payment function's pool from the database part of its environment. */
export const poolConfigFromEnv = (env: Env, options: DbEnvOptions): PoolConfig =>
  poolConfig(poolEnv.parseVars(env), options);

/**
 * Settings for the migration runner's connection as the cluster's master user (credentials from Secrets
 * Manager). One connection, TLS verified as above, and a long statement timeout since DDL may take time.
 */
export function masterPoolConfig(
  s: DatabaseSettings,
  credentials: { username: string; password: string },
): PoolConfig {
  return {
    host: dbHost(s),
    port: s.dbPort,
    database: s.dbName,
    user: credentials.username,
    password: credentials.password,
    ssl: tlsOptions(s),
    max: 1,
    connectionTimeoutMillis: s.connectTimeoutMs,
    statement_timeout: 300_000,
    application_name: 'payments-migrate',
  };
}
