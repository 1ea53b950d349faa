import type { RecordAmount } from './record-types';

/**
 * Minor units to the currency's decimal string without arithmetic on floats: 1999 USD → "19.99",
 * 500 JPY → "500", 1250 BHD → "1.250". The digits are moved, never divided.
 */
export function minorToDecimal({ minor, exponent }: Pick<RecordAmount, 'minor' | 'exponent'>): `${number}` {
  const negative = minor.startsWith('-');
  const digits = (negative ? minor.slice(1) : minor).padStart(exponent + 1, '0');
  const whole = digits.slice(0, digits.length - exponent);
  const fraction = digits.slice(digits.length - exponent);
  return `${negative ? '-' : ''}${whole}${exponent > 0 ? `.${fraction}` : ''}` as `${number}`;
}

/** For display only: Intl formats the exact decimal string (no float is made of a stored amount). */
export function formatAmount(amount: RecordAmount, locale?: string): string {
  const decimal = minorToDecimal(amount);
  try {
    return new Intl.NumberFormat(locale, {
      style: 'currency',
      currency: amount.currency,
      minimumFractionDigits: amount.exponent,
      maximumFractionDigits: amount.exponent,
    }).format(decimal);
  } catch {
    // A currency code this browser does not know still shows its exact amount.
    return `${decimal} ${amount.currency}`;
  }
}
