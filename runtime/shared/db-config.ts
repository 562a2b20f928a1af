import { readFileSync } from 'node:fs';
import { Signer } from '@aws-sdk/rds-signer';
import type { PoolConfig } from 'pg';
import { type Env, intEnv, optionalEnv, requireEnv } from './env';

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

/** TLS options for a connection to Aurora: verification on, CAs from DB_CA_BUNDLE_PATH when given. */
export function tlsOptionsFromEnv(env: Env): NonNullable<PoolConfig['ssl']> {
  const caPath = optionalEnv(env, 'DB_CA_BUNDLE_PATH');
  return caPath
    ? { rejectUnauthorized: true, ca: readFileSync(caPath, 'utf8') }
    : { rejectUnauthorized: true };
}

function poolLimits(env: Env): PoolConfig {
  const statementTimeout = intEnv(env, 'DB_STATEMENT_TIMEOUT_MS', 5000, { min: 100, max: 600_000 });
  return {
    max: intEnv(env, 'DB_POOL_MAX', 5, { min: 1, max: 50 }),
    connectionTimeoutMillis: intEnv(env, 'DB_CONNECT_TIMEOUT_MS', 3000, { min: 100, max: 60_000 }),
    statement_timeout: statementTimeout,
    query_timeout: statementTimeout + 1000,
    lock_timeout: Math.min(statementTimeout, 3000),
    idle_in_transaction_session_timeout: 10_000,
    idleTimeoutMillis: 60_000,
  };
}

export function poolConfigFromEnv(env: Env, options: DbEnvOptions): PoolConfig {
  const common: PoolConfig = {
    ...poolLimits(env),
    application_name: options.applicationName,
    keepAlive: true,
  };
  const url = optionalEnv(env, 'DATABASE_URL');
  if (url) return { ...common, connectionString: url };

  const hostname = requireEnv(env, 'DB_HOST');
  const port = intEnv(env, 'DB_PORT', 5432, { min: 1, max: 65535 });
  const username = optionalEnv(env, 'DB_USER') ?? 'payments_app';
  const region = requireEnv(env, 'AWS_REGION');
  const provider = (options.tokenProvider ?? iamTokenProvider)({ hostname, port, username, region });
  return {
    ...common,
    host: hostname,
    port,
    database: optionalEnv(env, 'DB_NAME') ?? 'payments',
    user: username,
    password: provider,
    ssl: tlsOptionsFromEnv(env),
  };
}

/**
 * Settings for the migration runner's connection as the cluster's master user (credentials from Secrets
 * Manager). One connection, TLS verified as above, and a long statement timeout since DDL may take time.
 */
export function masterPoolConfig(env: Env, credentials: { username: string; password: string }): PoolConfig {
  return {
    host: requireEnv(env, 'DB_HOST'),
    port: intEnv(env, 'DB_PORT', 5432, { min: 1, max: 65535 }),
    database: optionalEnv(env, 'DB_NAME') ?? 'payments',
    user: credentials.username,
    password: credentials.password,
    ssl: tlsOptionsFromEnv(env),
    max: 1,
    connectionTimeoutMillis: intEnv(env, 'DB_CONNECT_TIMEOUT_MS', 5000, { min: 100, max: 60_000 }),
    statement_timeout: 300_000,
    application_name: 'payments-migrate',
  };
}
