import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { iamTokenProvider, poolConfigFromEnv } from '../../runtime/shared/db-config';
import {
  isConnectionError,
  isDatabaseTimeout,
  isStatementTimeout,
  isTransientDatabaseError,
  retryOnConnectionLoss,
  sqlState,
} from '../../runtime/shared/db';

/** Database connection settings: DATABASE_URL for development, IAM tokens over verified TLS on Aurora. */
afterEach(() => {
  vi.unstubAllEnvs();
});

const aurora = {
  AWS_REGION: 'us-east-2',
  DB_HOST: 'payments.cluster-abc.us-east-2.rds.amazonaws.com',
};

describe('poolConfigFromEnv', () => {
  it('uses DATABASE_URL as is, with a small pool and timeouts', () => {
    const config = poolConfigFromEnv(
      { DATABASE_URL: 'postgres://u@127.0.0.1:5432/db' },
      { applicationName: 'test' },
    );
    expect(config).toMatchObject({
      connectionString: 'postgres://u@127.0.0.1:5432/db',
      max: 5,
      connectionTimeoutMillis: 3000,
      statement_timeout: 5000,
      query_timeout: 6000,
      application_name: 'test',
    });
    expect(config.password).toBeUndefined();
  });

  it('on Aurora authenticates with a fresh IAM token per connection over verified TLS', async () => {
    let issued = 0;
    const calls: unknown[] = [];
    const config = poolConfigFromEnv(aurora, {
      applicationName: 'payment-api',
      tokenProvider: (params) => {
        calls.push(params);
        return async () => `token-${++issued}`;
      },
    });
    expect(config).toMatchObject({
      host: aurora.DB_HOST,
      port: 5432,
      database: 'payments',
      user: 'payments_app',
      ssl: { rejectUnauthorized: true },
    });
    expect(calls).toEqual([
      { hostname: aurora.DB_HOST, port: 5432, username: 'payments_app', region: 'us-east-2' },
    ]);
    const password = config.password as () => Promise<string>;
    expect(await password()).toBe('token-1');
    expect(await password()).toBe('token-2');
  });

  it('honours DB_PORT, DB_NAME, DB_USER, pool and timeout overrides', () => {
    const config = poolConfigFromEnv(
      {
        ...aurora,
        DB_PORT: '6543',
        DB_NAME: 'ledger',
        DB_USER: 'reader',
        DB_POOL_MAX: '2',
        DB_STATEMENT_TIMEOUT_MS: '1500',
      },
      { applicationName: 'x', tokenProvider: () => async () => 't' },
    );
    expect(config).toMatchObject({
      port: 6543,
      database: 'ledger',
      user: 'reader',
      max: 2,
      statement_timeout: 1500,
    });
  });

  it('trusts only the CA bundle of DB_CA_BUNDLE_PATH when given', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ca-'));
    try {
      const path = join(dir, 'rds-ca.pem');
      writeFileSync(path, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
      const config = poolConfigFromEnv(
        { ...aurora, DB_CA_BUNDLE_PATH: path },
        { applicationName: 'x', tokenProvider: () => async () => 't' },
      );
      expect(config.ssl).toEqual({
        rejectUnauthorized: true,
        ca: expect.stringContaining('BEGIN CERTIFICATE'),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses incomplete or malformed settings', () => {
    expect(() => poolConfigFromEnv({ AWS_REGION: 'us-east-1' }, { applicationName: 'x' })).toThrow(/DB_HOST/);
    expect(() => poolConfigFromEnv({ ...aurora, DB_PORT: 'abc' }, { applicationName: 'x' })).toThrow(
      /DB_PORT/,
    );
    expect(() => poolConfigFromEnv({ ...aurora, DB_POOL_MAX: '500' }, { applicationName: 'x' })).toThrow(
      /DB_POOL_MAX/,
    );
  });
});

describe('iamTokenProvider', () => {
  it('signs an rds-db:connect token for the user and endpoint, each call a new signature', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIDEXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'secret-example');
    vi.stubEnv('AWS_SESSION_TOKEN', '');
    const token = iamTokenProvider({
      hostname: aurora.DB_HOST,
      port: 5432,
      username: 'payments_app',
      region: 'us-east-2',
    });
    const first = await token();
    expect(first.startsWith(`${aurora.DB_HOST}:5432/?`)).toBe(true);
    const params = new URL(`https://${first}`).searchParams;
    expect(params.get('Action')).toBe('connect');
    expect(params.get('DBUser')).toBe('payments_app');
    expect(params.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/us-east-2\/rds-db\/aws4_request$/);
    expect(params.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('error classification', () => {
  it('tells connection failures from statement errors', () => {
    expect(
      isConnectionError(
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      ),
    ).toBe(true);
    expect(isConnectionError(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isConnectionError(Object.assign(new Error('terminating connection'), { code: '57P01' }))).toBe(
      true,
    );
    expect(isConnectionError(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBe(false);
    expect(sqlState(Object.assign(new Error('x'), { code: '25006' }))).toBe('25006');
    expect(sqlState(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBeUndefined();
  });

  const pgError = (code: string, message = 'x') => Object.assign(new Error(message), { code });

  it('names statement timeouts and every transient failure (answered 503, never 500)', () => {
    const statementTimeout = pgError('57014', 'canceling statement due to statement timeout');
    expect(isStatementTimeout(statementTimeout)).toBe(true);
    expect(isStatementTimeout(pgError('57P01'))).toBe(false);
    for (const err of [
      statementTimeout,
      pgError('55P03', 'canceling statement due to lock timeout'),
      new Error('Query read timeout'),
      new Error('Connection terminated due to connection timeout'),
      pgError('ETIMEDOUT'),
    ]) {
      expect(isDatabaseTimeout(err), err.message).toBe(true);
      expect(isTransientDatabaseError(err), err.message).toBe(true);
    }
    for (const err of [
      pgError('57P01', 'terminating connection due to administrator command'),
      new Error('Connection terminated unexpectedly'),
      pgError('ECONNRESET'),
      pgError('53300', 'too many connections'),
      pgError('40001'),
      pgError('40P01'),
    ]) {
      expect(isTransientDatabaseError(err), err.message).toBe(true);
    }
    for (const err of [pgError('23505'), pgError('25006'), pgError('42P01'), new Error('bug')]) {
      expect(isTransientDatabaseError(err), err.message).toBe(false);
    }
  });

  it('retries once after a lost connection, never after a timeout (that would double the wait)', async () => {
    let calls = 0;
    const flaky = async () => {
      calls++;
      if (calls === 1) throw pgError('57P01', 'terminating connection due to administrator command');
      return 'ok';
    };
    await expect(retryOnConnectionLoss(flaky)).resolves.toBe('ok');
    expect(calls).toBe(2);
    calls = 0;
    const slow = async () => {
      calls++;
      throw new Error('Query read timeout');
    };
    await expect(retryOnConnectionLoss(slow)).rejects.toThrow(/Query read timeout/);
    expect(calls).toBe(1);
  });
});
