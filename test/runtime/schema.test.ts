import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DRAFT4_KEYWORDS,
  type JsonSchema,
  paymentRequestJsonSchema,
} from '../../runtime/payment-api/json-schema';
import { paymentRequestSchema } from '../../runtime/payment-api/schema';
import { canonicalJson, sha256Canonical } from '../../runtime/shared/canonical-json';
import { currencyExponent, formatMinorUnits, SUPPORTED_CURRENCIES } from '../../runtime/shared/currencies';
import { isPaymentId, newPaymentId } from '../../runtime/shared/ids';
import { validPayment } from './support/events';

/** The request schema, its JSON Schema twin for API Gateway, and the small pure helpers. */
describe('paymentRequestJsonSchema', () => {
  const schema = paymentRequestJsonSchema as JsonSchema & {
    properties: Record<string, JsonSchema & { properties?: Record<string, JsonSchema> }>;
  };

  it('is a draft-04 object schema that rejects unknown properties', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    expect(schema.title).toBe('PaymentRequest');
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect([...(schema.required as string[])].sort()).toEqual([
      'amount',
      'currency',
      'merchantId',
      'paymentMethod',
    ]);
    expect(schema.properties.paymentMethod?.additionalProperties).toBe(false);
  });

  it('carries the same limits as the zod schema', () => {
    expect(schema.properties.amount).toEqual({ type: 'integer', minimum: 1, maximum: 1_000_000_000_000 });
    expect(schema.properties.currency).toEqual({ type: 'string', enum: SUPPORTED_CURRENCIES });
    expect(schema.properties.merchantId).toEqual({ type: 'string', pattern: '^[A-Za-z0-9_-]{1,64}$' });
    expect(schema.properties.description).toMatchObject({ type: 'string', maxLength: 256 });
    expect(schema.properties.paymentMethod?.properties).toEqual({
      type: { type: 'string', enum: ['card_token'] },
      token: { type: 'string', pattern: '^tok_[A-Za-z0-9]{8,64}$' },
    });
  });

  it('uses only draft-04 keywords', () => {
    const seen = new Set<string>();
    const walk = (node: JsonSchema) => {
      for (const [key, value] of Object.entries(node)) {
        seen.add(key);
        if (key === 'properties') Object.values(value as Record<string, JsonSchema>).forEach(walk);
      }
    };
    walk(schema);
    for (const key of seen) expect(DRAFT4_KEYWORDS.has(key)).toBe(true);
    expect(JSON.parse(JSON.stringify(schema))).toEqual(schema);
  });

  const python = resolve(__dirname, '../../.venv/bin/python');
  const hasValidator =
    existsSync(python) && spawnSync(python, ['-c', 'import jsonschema'], { timeout: 20_000 }).status === 0;

  it.skipIf(!hasValidator)(
    'agrees with an independent draft-04 validator on valid and invalid bodies',
    () => {
      const pm = validPayment().paymentMethod as Record<string, unknown>;
      const samples: unknown[] = [
        validPayment(),
        { amount: 1, currency: 'JPY', merchantId: 'm', paymentMethod: pm },
        validPayment({ amount: 0 }),
        validPayment({ amount: 1.5 }),
        validPayment({ amount: 1_000_000_000_001 }),
        validPayment({ amount: '5' }),
        validPayment({ currency: 'usd' }),
        validPayment({ merchantId: 'a b' }),
        validPayment({ reference: 'x'.repeat(129) }),
        validPayment({ reference: 'tab\there' }),
        validPayment({ description: 'd'.repeat(257) }),
        validPayment({ description: 'line\nbreak' }),
        validPayment({ description: 'café ☕' }),
        validPayment({ extra: true }),
        validPayment({ paymentMethod: { ...pm, token: '4242424242424242' } }),
        validPayment({ paymentMethod: { ...pm, cvc: '123' } }),
        validPayment({ paymentMethod: { type: 'card', token: pm.token } }),
        [],
        'string',
      ];
      const script = [
        'import json, sys',
        'from jsonschema import Draft4Validator',
        'data = json.load(sys.stdin)',
        'v = Draft4Validator(data["schema"])',
        'print(json.dumps([v.is_valid(s) for s in data["samples"]]))',
      ].join('\n');
      const run = spawnSync(python, ['-c', script], {
        input: JSON.stringify({ schema, samples }),
        encoding: 'utf8',
        timeout: 20_000,
      });
      expect(run.status).toBe(0);
      const verdicts = JSON.parse(run.stdout) as boolean[];
      expect(verdicts).toEqual(samples.map((s) => paymentRequestSchema.safeParse(s).success));
      expect(verdicts.filter(Boolean)).toHaveLength(3);
    },
  );
});

describe('currencies', () => {
  it('knows each supported currency minor-unit exponent', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('BHD')).toBe(3);
    for (const code of SUPPORTED_CURRENCIES) expect(code).toMatch(/^[A-Z]{3}$/);
    expect(new Set(SUPPORTED_CURRENCIES).size).toBe(SUPPORTED_CURRENCIES.length);
  });

  it.each([
    [1234, 'USD', '12.34'],
    [5, 'USD', '0.05'],
    [1_000_000_000_000, 'EUR', '10000000000.00'],
    [500, 'JPY', '500'],
    [1005, 'BHD', '1.005'],
    [7, 'KWD', '0.007'],
    [-250, 'GBP', '-2.50'],
  ] as const)('formats %d %s as %s', (amount, currency, text) => {
    expect(formatMinorUnits(amount, currency)).toBe(text);
  });
});

describe('payment ids', () => {
  it('are pay_ + a 26-character ULID that sorts by time', () => {
    const a = newPaymentId(1_700_000_000_000);
    const b = newPaymentId(1_700_000_000_001);
    expect(a).toMatch(/^pay_[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(isPaymentId(a)).toBe(true);
    expect(a < b).toBe(true);
    expect(newPaymentId(0, Buffer.alloc(10))).toBe('pay_00000000000000000000000000');
    expect(newPaymentId(2 ** 48 - 1, Buffer.alloc(10, 0xff))).toBe('pay_7ZZZZZZZZZZZZZZZZZZZZZZZZZ');
  });

  it('rejects look-alikes', () => {
    for (const bad of [
      'pay_0000000000000000000000000',
      'pay_0000000000000000000000000O',
      'PAY_00000000000000000000000000',
      'pay_8ZZZZZZZZZZZZZZZZZZZZZZZZZ',
      'pay_00000000000000000000000000 ',
    ]) {
      expect(isPaymentId(bad)).toBe(false);
    }
  });
});

describe('canonical JSON', () => {
  it('ignores key order and whitespace but not values or array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: 'x' } })).toBe('{"a":{"c":"x","d":[2,1]},"b":1}');
    expect(sha256Canonical(JSON.parse('{ "a": 1, "b": 2 }'))).toBe(sha256Canonical({ b: 2, a: 1 }));
    expect(sha256Canonical({ a: [1, 2] })).not.toBe(sha256Canonical({ a: [2, 1] }));
    expect(sha256Canonical({ a: 'é' })).not.toBe(sha256Canonical({ a: 'e\u0301' }));
    expect(sha256Canonical({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses values JSON cannot carry', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow();
    expect(() => canonicalJson({ a: () => 1 })).toThrow();
  });
});
