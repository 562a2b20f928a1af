import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import * as z from 'zod/mini';
import { ensureAppRole } from '../shared/app-role';
import { BUDGETS, secretsManagerClient } from '../shared/aws-clients';
import { createPgDatabase, type Database } from '../shared/db';
import { masterPoolConfig } from '../shared/db-config';
import type { Env } from '../shared/env';
import { createLogger, errorFields, type LogSink } from '../shared/logger';
import { defaultMigrationsDir, loadMigrations, runMigrations } from '../shared/migrations';
import { queryWritable } from '../shared/writability';
import { parseMigrateEnv } from './env';

/**
 * Migration Lambda: applies the schema migrations to the local Aurora cluster and makes the application role
 * and its grants converge. Safe to invoke any number of times, including concurrently.
 *
 * Environment: the contract in runtime/migrate/env.ts.
 *
 * In a region whose cluster is a read-only global database secondary there is nothing to do (the schema arrives
 * by replication): the invocation succeeds with status `skipped_read_only`.
 */
export interface MasterCredentials {
  username: string;
  password: string;
}

export interface MigrateDeps {
  readCredentials(): Promise<MasterCredentials>;
  connect(credentials: MasterCredentials): Database;
  migrationsDir: string;
  appRole: string;
  region?: string;
  logSink?: LogSink;
}

export interface MigrateResult {
  status: 'migrated' | 'skipped_read_only';
  applied: string[];
  appRole?: string;
}

const secretSchema = z.object({
  username: z.string().check(z.minLength(1)),
  password: z.string().check(z.minLength(1)),
});

export async function readMasterCredentials(
  client: SecretsManagerClient,
  secretArn: string,
): Promise<MasterCredentials> {
  const secret = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!secret.SecretString) throw new Error('database secret has no SecretString');
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret.SecretString);
  } catch {
    throw new Error('database secret is not JSON');
  }
  const result = secretSchema.safeParse(parsed);
  if (!result.success) throw new Error('database secret must hold string "username" and "password"');
  return result.data;
}

export function createMigrateHandler(getDeps: () => MigrateDeps): () => Promise<MigrateResult> {
  return async () => {
    const deps = getDeps();
    const log = createLogger({ service: 'migrate', region: deps.region }, deps.logSink);
    const migrations = loadMigrations(deps.migrationsDir);
    const db = deps.connect(await deps.readCredentials());
    try {
      if (!(await queryWritable(db))) {
        log.info('database is read-only (global database secondary): nothing to migrate');
        return { status: 'skipped_read_only', applied: [] };
      }
      const result = await runMigrations(db, migrations);
      const role = await ensureAppRole(db, deps.appRole);
      log.info('migrations complete', { applied: result.applied, count: result.alreadyApplied });
      return { status: 'migrated', applied: result.applied, appRole: role.role };
    } catch (err) {
      log.error('migration failed', errorFields(err));
      throw err;
    } finally {
      await db.close();
    }
  };
}

export function migrateDepsFromEnv(env: Env): MigrateDeps {
  const s = parseMigrateEnv(env);
  const secrets = secretsManagerClient(BUDGETS.migrate, {
    region: s.region,
    ...(s.endpoint ? { endpoint: s.endpoint } : {}),
  });
  return {
    readCredentials: () => readMasterCredentials(secrets, s.dbSecretArn),
    connect: (credentials) => createPgDatabase(masterPoolConfig(s, credentials)),
    migrationsDir: defaultMigrationsDir({ MIGRATIONS_DIR: s.migrationsDir }),
    appRole: s.appDbUser,
    region: s.region,
  };
}

export const handler = createMigrateHandler(() => migrateDepsFromEnv(process.env));
