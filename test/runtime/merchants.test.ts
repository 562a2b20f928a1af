import { describe, expect, it } from 'vitest';
import {
  callerKey,
  callerMerchant,
  checkMerchantDirectory,
  parseMerchantDirectory,
} from '../../runtime/payment-api/merchants';
import { parsePaymentApiEnv } from '../../runtime/payment-api/env';

/** The mapping of what API Gateway reports (`requestContext.identity.userArn`) to a bound merchant. */
const directory = checkMerchantDirectory({
  'arn:aws:iam::111122223333:role/payments/acme-caller': 'acme',
  'arn:aws:iam::111122223333:user/globex-caller': 'globex',
});
const merchantOf = (userArn: string | null) => callerMerchant({ userArn }, directory);

describe('merchant directory', () => {
  it('binds a session of a bound role (no path in the session ARN) and a bound user', () => {
    expect(merchantOf('arn:aws:sts::111122223333:assumed-role/acme-caller/any-session')).toBe('acme');
    expect(merchantOf('arn:aws:iam::111122223333:user/globex-caller')).toBe('globex');
  });

  it('binds nobody else: another account, another role, no identity, anything that is no IAM principal', () => {
    for (const arn of [
      'arn:aws:sts::444455556666:assumed-role/acme-caller/any-session',
      'arn:aws:sts::111122223333:assumed-role/acme-caller-2/s1',
      'arn:aws:iam::111122223333:role/acme-caller',
      'arn:aws:sts::111122223333:federated-user/acme-caller',
      'arn:aws:iam::111122223333:root',
      'acme',
      '',
      null,
    ])
      expect(merchantOf(arn), String(arn)).toBeUndefined();
    expect(callerMerchant(undefined, directory)).toBeUndefined();
  });

  it('refuses a directory naming one principal twice, a wildcard, or a malformed merchant id', () => {
    expect(() =>
      checkMerchantDirectory({
        'arn:aws:iam::111122223333:role/a/x': 'one',
        'arn:aws:iam::111122223333:role/b/x': 'two',
      }),
    ).toThrow(/same principal/);
    expect(() => checkMerchantDirectory({ 'arn:aws:iam::111122223333:role/*': 'one' })).toThrow();
    expect(() => checkMerchantDirectory({ 'arn:aws:iam::111122223333:role/x': 'a b' })).toThrow();
    expect(() => parseMerchantDirectory('[]')).toThrow(/JSON object/);
    expect(callerKey('arn:aws:sts::111122223333:assumed-role/x/s1')).toBe('111122223333:role/x');
  });

  it('is a required variable of the payment function: without MERCHANTS it does not start', () => {
    const env = {
      AWS_REGION: 'us-east-1',
      DB_HOST: 'h',
      DB_NAME: 'payments',
      DB_USER: 'payments_app',
      CONTROL_TABLE: 'c',
      SESSIONS_TABLE: 's',
      RECEIPTS_BUCKET: 'b',
      RECEIPTS_KMS_KEY_ARN: 'k',
    };
    expect(() => parsePaymentApiEnv(env)).toThrow(/MERCHANTS is required/);
    expect(parsePaymentApiEnv({ ...env, MERCHANTS: '{}' }).merchants).toEqual({});
    expect(() => parsePaymentApiEnv({ ...env, MERCHANTS: '{"acme":"acme"}' })).toThrow(/MERCHANTS/);
  });
});
