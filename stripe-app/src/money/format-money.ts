/**
 * Money arrives from the backend as an integer in minor units plus a currency. It is turned
 * into a decimal string by moving the decimal point (string work on the digits, never a float),
 * and only then handed to Intl for the symbol, grouping and sign.
 */

// Stripe's zero-decimal currencies: the amount is already in whole units.
const ZERO_DECIMAL = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
]);
// Stripe's three-decimal currencies: the minor unit is a thousandth.
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

export function currencyExponent(currency: string): 0 | 2 | 3 {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** `1234` `usd` → `"12.34"`; `-5` `usd` → `"-0.05"`; `1000` `jpy` → `"1000"`. Exact for any safe integer. */
export function minorUnitsToDecimalString(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`amount must be an integer number of minor units, got ${amountMinor}`);
  }
  const exponent = currencyExponent(currency);
  const negative = amountMinor < 0;
  const digits = Math.abs(amountMinor).toString();
  if (exponent === 0) return `${negative ? '-' : ''}${digits}`;
  const padded = digits.padStart(exponent + 1, '0');
  const whole = padded.slice(0, padded.length - exponent);
  const fraction = padded.slice(padded.length - exponent);
  return `${negative ? '-' : ''}${whole}.${fraction}`;
}

/** `formatMoney(123456, 'usd', 'en-US')` → `"$1,234.56"`. */
export function formatMoney(amountMinor: number, currency: string, locale = 'en-US'): string {
  const exponent = currencyExponent(currency);
  const formatter = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: exponent,
    maximumFractionDigits: exponent,
  });
  // Intl formats a decimal string exactly (ES2023 Intl.NumberFormat v3), so no float is made.
  return formatter.format(minorUnitsToDecimalString(amountMinor, currency) as Intl.StringNumericLiteral);
}
