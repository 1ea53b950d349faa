// Money inside the sandbox is an integer count of minor units plus a currency, never a float.
// Amounts arrive as decimal strings (or JSON numbers, read through their shortest decimal text)
// and leave as decimal strings formatted with the currency's exponent.

const ZERO_DECIMAL = new Set(['BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'VND', 'VUV', 'XAF', 'XOF', 'XPF']);
const THREE_DECIMAL = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

const CURRENCY_CODE = /^[A-Z]{3}$/;
const DECIMAL_TEXT = /^(-)?(\d+)(?:\.(\d+))?$/;

export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODE.test(code);
}

/** Decimal places a currency's amounts carry: 0 for JPY, 3 for BHD, 2 for the rest. */
export function currencyExponent(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  if (THREE_DECIMAL.has(currency)) return 3;
  return 2;
}

export type AmountParse = { ok: true; minor: number } | { ok: false; reason: 'format' | 'precision' | 'range' };

/**
 * Reads a decimal amount exactly into minor units. Digits beyond the currency's exponent are
 * refused unless they are zeros ("12.340" USD is 1234; "12.345" USD is refused), because a real
 * ledger cannot store them and silently rounding money is the bug this product exists to avoid.
 */
export function parseAmountToMinor(value: unknown, currency: string): AmountParse {
  let text: string;
  if (typeof value === 'string') text = value.trim();
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else return { ok: false, reason: 'format' };
  const match = DECIMAL_TEXT.exec(text);
  if (!match) return { ok: false, reason: 'format' };
  const [, sign, whole = '', fraction = ''] = match;
  const exponent = currencyExponent(currency);
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0');
  if (/[^0]/.test(fraction.slice(exponent))) return { ok: false, reason: 'precision' };
  const digits = (whole + kept).replace(/^0+(?=\d)/, '');
  if (digits.length > 15) return { ok: false, reason: 'range' };
  const minor = Number(digits);
  if (!Number.isSafeInteger(minor)) return { ok: false, reason: 'range' };
  return { ok: true, minor: sign && minor !== 0 ? -minor : minor };
}

/** Formats minor units as a decimal string with exactly the currency's decimal places. */
export function formatMinor(minor: number, currency: string): string {
  if (!Number.isSafeInteger(minor)) throw new RangeError(`not an integer amount: ${minor}`);
  const exponent = currencyExponent(currency);
  const negative = minor < 0;
  const digits = String(Math.abs(minor)).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}`;
}
