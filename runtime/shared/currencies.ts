/**
 * Currencies this service accepts, each with its ISO 4217 minor-unit exponent (the number of decimal places
 * of the minor unit: JPY 0, USD 2, BHD 3). Amounts are always integers in minor units; the exponent is only
 * needed to render a human-readable amount (receipts).
 */
export const CURRENCY_EXPONENTS = {
  AED: 2,
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PLN: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  TND: 3,
  USD: 2,
  VND: 0,
  ZAR: 2,
} as const satisfies Record<string, 0 | 2 | 3>;

export type CurrencyCode = keyof typeof CURRENCY_EXPONENTS;

export const SUPPORTED_CURRENCIES = Object.keys(CURRENCY_EXPONENTS).sort() as [
  CurrencyCode,
  ...CurrencyCode[],
];

export function currencyExponent(code: CurrencyCode): number {
  return CURRENCY_EXPONENTS[code];
}

/** Renders an integer amount of minor units as a decimal string in major units: (1234, USD) -> "12.34". */
export function formatMinorUnits(amount: number, code: CurrencyCode): string {
  if (!Number.isSafeInteger(amount)) throw new Error('amount must be a safe integer');
  const exponent = currencyExponent(code);
  const negative = amount < 0;
  const digits = String(Math.abs(amount));
  if (exponent === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(exponent + 1, '0');
  const major = padded.slice(0, padded.length - exponent);
  const minor = padded.slice(padded.length - exponent);
  return `${negative ? '-' : ''}${major}.${minor}`;
}
