import {
  CreateSecretCommand,
  DeleteSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  createMigrateHandler,
  type MasterCredentials,
  migrateDepsFromEnv,
  readMasterCredentials,
} from '../../runtime/migrate/handler';
import { createPgDatabase, type Database } from '../../runtime/shared/db';
import { parseMigrateEnv } from '../../runtime/migrate/env';
import { masterPoolConfig } from '../../runtime/shared/db-config';
import { TEST_CREDENTIALS } from './support/aws';
import { createTestDatabase, MIGRATIONS_DIR, type TestDatabase, uniqueSuffix } from './support/database';

/**
 * The migration Lambda: master credentials from Secrets Manager (moto), migrations applied, application role
 * ensured; repeatable; a no-op on a read-only secondary; the password never reaches a log line.
 */
let secrets: SecretsManagerClient;
let secretArn: string;
let badSecretArn: string;
const SECRET_PASSWORD = `pw-${uniqueSuffix()}`;
const databases: TestDatabase[] = [];
const logs: string[] = [];

beforeAll(async () => {
  secrets = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint: inject('motoUrl'),
    credentials: TEST_CREDENTIALS,
  });
  const created = await secrets.send(
    new CreateSecretCommand({
      Name: `payments-master-${uniqueSuffix()}`,
      SecretString: JSON.stringify({ username: 'postgres', password: SECRET_PASSWORD, engine: 'postgres' }),
    }),
  );
  secretArn = created.ARN ?? '';
  const bad = await secrets.send(
    new CreateSecretCommand({ Name: `payments-bad-${uniqueSuffix()}`, SecretString: '{"user":"x"}' }),
  );
  badSecretArn = bad.ARN ?? '';
});

afterAll(async () => {
  for (const arn of [secretArn, badSecretArn]) {
    await secrets
      .send(new DeleteSecretCommand({ SecretId: arn, ForceDeleteWithoutRecovery: true }))
      .catch(() => undefined);
  }
  secrets.destroy();
  for (const tdb of databases) await tdb.close();
});

/** Connects as the secret's user on a server; with PGlite there is a single session to hand out. */
function connector(tdb: TestDatabase, options: { readOnly?: boolean } = {}) {
  const seen: MasterCredentials[] = [];
  const connect = (credentials: MasterCredentials): Database => {
    seen.push(credentials);
    if (tdb.kind === 'postgres' && !options.readOnly) {
      const url = new URL(tdb.url ?? '');
      url.username = credentials.username;
      return createPgDatabase({ connectionString: url.toString(), password: credentials.password, max: 1 });
    }
    const handle = tdb.open(options);
    return { ...handle, close: async () => undefined };
  };
  return { connect, seen };
}

describe('migration Lambda', () => {
  it('applies migrations and ensures the app role; a second run changes nothing', async () => {
    const tdb = await createTestDatabase();
    databases.push(tdb);
    const role = `payments_app_${uniqueSuffix()}`;
    tdb.trackRole(role);
    const { connect, seen } = connector(tdb);
    const handler = createMigrateHandler(() => ({
      readCredentials: () => readMasterCredentials(secrets, secretArn),
      connect,
      migrationsDir: MIGRATIONS_DIR,
      appRole: role,
      region: 'us-east-1',
      logSink: (line) => logs.push(line),
    }));
    expect(await handler()).toEqual({
      status: 'migrated',
      applied: ['001_payments_ledger.sql', '002_health_heartbeat.sql'],
      appRole: role,
    });
    expect(await handler()).toEqual({ status: 'migrated', applied: [], appRole: role });
    expect(seen[0]).toEqual({ username: 'postgres', password: SECRET_PASSWORD });
    const { rows } = await tdb.db.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role]);
    expect(rows).toHaveLength(1);
  });

  it('does nothing against a read-only secondary', async () => {
    const tdb = await createTestDatabase();
    databases.push(tdb);
    const { connect } = connector(tdb, { readOnly: true });
    const handler = createMigrateHandler(() => ({
      readCredentials: () => readMasterCredentials(secrets, secretArn),
      connect,
      migrationsDir: MIGRATIONS_DIR,
      appRole: 'payments_app',
      logSink: (line) => logs.push(line),
    }));
    expect(await handler()).toEqual({ status: 'skipped_read_only', applied: [] });
    const { rows } = await tdb.db.query("SELECT 1 FROM pg_tables WHERE tablename = 'schema_migrations'");
    expect(rows).toHaveLength(0);
  });

  it('rejects a secret without username and password, without echoing it', async () => {
    await expect(readMasterCredentials(secrets, badSecretArn)).rejects.toThrow(
      'database secret must hold string "username" and "password"',
    );
  });

  it('never logs the password', () => {
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.join('\n')).not.toContain(SECRET_PASSWORD);
  });
});

describe('migration Lambda configuration', () => {
  it('connects to DB_HOST with TLS verification and the secret credentials', () => {
    const config = masterPoolConfig(
      parseMigrateEnv({
        AWS_REGION: 'us-east-1',
        DB_SECRET_ARN: 'arn:x',
        DB_HOST: 'cluster.cluster-abc.us-east-1.rds.amazonaws.com',
        DB_PORT: '5433',
      }),
      { username: 'master', password: 'pw' },
    );
    expect(config).toMatchObject({
      host: 'cluster.cluster-abc.us-east-1.rds.amazonaws.com',
      port: 5433,
      database: 'payments',
      user: 'master',
      password: 'pw',
      ssl: { rejectUnauthorized: true },
      max: 1,
    });
  });

  it('requires DB_SECRET_ARN and defaults the app role to payments_app', () => {
    expect(() => migrateDepsFromEnv({ AWS_REGION: 'us-east-1', DB_HOST: 'h' })).toThrow(/DB_SECRET_ARN/);
    const deps = migrateDepsFromEnv({
      AWS_REGION: 'us-east-1',
      DB_HOST: 'h',
      DB_SECRET_ARN: 'arn:x',
      MIGRATIONS_DIR,
    });
    expect(deps.appRole).toBe('payments_app');
    expect(deps.migrationsDir).toBe(MIGRATIONS_DIR);
  });
});
