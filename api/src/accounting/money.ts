// Money is an integer count of minor units (bigint, so no operation can silently produce a
// fraction) plus an ISO currency code. It becomes a decimal string only at the edge, for Sage.

/** Currencies whose amounts Stripe and Sage carry without decimals. */
const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
/** Currencies with three decimals (divide by 1000, not 100). */
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

export type Money = { readonly minor: bigint; readonly currency: string };

export class MoneyError extends Error {
  readonly code = 'MONEY_INVALID';
  readonly retryable = false;
}

export function normalizeCurrency(currency: string): string {
  const upper = currency.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(upper)) throw new MoneyError(`"${currency}" is not a three-letter currency code.`);
  return upper;
}

export function currencyExponent(currency: string): 0 | 2 | 3 {
  const code = normalizeCurrency(currency);
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** From Stripe's integer amount (a JS number that must be a safe integer) or a bigint. */
export function money(minor: number | bigint, currency: string): Money {
  if (typeof minor === 'number' && !Number.isSafeInteger(minor)) {
    throw new MoneyError(`${minor} is not a whole number of minor units.`);
  }
  return { minor: BigInt(minor), currency: normalizeCurrency(currency) };
}

/** Decimal string with exactly the currency's decimals: 1999 USD → "19.99", 500 JPY → "500", 1250 BHD → "1.250". */
export function formatDecimal(value: Money): string {
  const exponent = currencyExponent(value.currency);
  const negative = value.minor < 0n;
  const digits = (negative ? -value.minor : value.minor).toString().padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}

/**
 * Reads a decimal amount exactly. Digits beyond the currency's exponent are refused unless they
 * are zeros: rounding money silently is the failure this product exists to prevent.
 */
export function parseDecimal(text: string, currency: string): Money {
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new MoneyError(`"${text}" is not a decimal amount.`);
  const [, sign, whole = '0', fraction = ''] = match;
  const exponent = currencyExponent(currency);
  if (/[^0]/.test(fraction.slice(exponent))) {
    throw new MoneyError(`"${text}" has more decimals than ${normalizeCurrency(currency)} allows (${exponent}).`);
  }
  const minor = BigInt(whole + fraction.slice(0, exponent).padEnd(exponent, '0'));
  return { minor: sign ? -minor : minor, currency: normalizeCurrency(currency) };
}

export function sumMinor(values: readonly bigint[]): bigint {
  return values.reduce((total, value) => total + value, 0n);
}
