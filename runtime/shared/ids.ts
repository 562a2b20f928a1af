import { randomBytes } from 'node:crypto';

/**
 * Payment ids are `pay_` followed by a ULID: 48 bits of millisecond time and 80 random bits in Crockford
 * base32 (26 characters). They sort by creation time and need no coordination between regions.
 */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

export const PAYMENT_ID_PATTERN = /^pay_[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

export function isPaymentId(value: string): boolean {
  return PAYMENT_ID_PATTERN.test(value);
}

export function newPaymentId(nowMs: number = Date.now(), random: Buffer = randomBytes(10)): string {
  if (!Number.isSafeInteger(nowMs) || nowMs < 0 || nowMs >= 2 ** 48)
    throw new Error('time out of ULID range');
  if (random.length !== 10) throw new Error('ULID randomness must be 10 bytes');
  let time = '';
  let t = nowMs;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  let bits = 0n;
  for (const byte of random) bits = (bits << 8n) | BigInt(byte);
  let rand = '';
  for (let i = 0; i < 16; i++) {
    rand = CROCKFORD[Number(bits & 31n)] + rand;
    bits >>= 5n;
  }
  return `pay_${time}${rand}`;
}
