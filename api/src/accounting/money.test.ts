import { describe, expect, it } from 'vitest';
import { currencyExponent, formatDecimal, money, MoneyError, parseDecimal } from './money.ts';

describe('money', () => {
  it('formats minor units with the currency exponent: two, zero and three decimals', () => {
    expect(formatDecimal(money(1999, 'usd'))).toBe('19.99');
    expect(formatDecimal(money(5, 'USD'))).toBe('0.05');
    expect(formatDecimal(money(-1999, 'USD'))).toBe('-19.99');
    expect(formatDecimal(money(500, 'jpy'))).toBe('500');
    expect(formatDecimal(money(1250, 'BHD'))).toBe('1.250');
    expect(formatDecimal(money(7, 'KWD'))).toBe('0.007');
  });

  it('keeps amounts beyond 2^53 exact as bigint', () => {
    expect(formatDecimal({ minor: 123456789012345678901n, currency: 'USD' })).toBe('1234567890123456789.01');
  });

  it('parses decimals exactly and refuses digits the currency cannot hold', () => {
    expect(parseDecimal('19.99', 'USD').minor).toBe(1999n);
    expect(parseDecimal('12.340', 'USD').minor).toBe(1234n);
    expect(parseDecimal('1.25', 'BHD').minor).toBe(1250n);
    expect(parseDecimal('-0.10', 'USD').minor).toBe(-10n);
    expect(() => parseDecimal('12.345', 'USD')).toThrowError(MoneyError);
    expect(() => parseDecimal('100.5', 'JPY')).toThrowError(/more decimals than JPY/);
    expect(() => parseDecimal('1e3', 'USD')).toThrowError(/not a decimal/);
  });

  it('refuses a non-integer or unsafe Stripe amount and a malformed currency', () => {
    expect(() => money(19.99, 'USD')).toThrowError(MoneyError);
    expect(() => money(2 ** 53, 'USD')).toThrowError(MoneyError);
    expect(() => money(1, 'US')).toThrowError(/currency code/);
  });

  it('knows the exponents the design names', () => {
    expect(['JPY', 'KRW', 'VND', 'CLP'].map(currencyExponent)).toEqual([0, 0, 0, 0]);
    expect(['BHD', 'JOD', 'KWD', 'OMR', 'TND'].map(currencyExponent)).toEqual([3, 3, 3, 3, 3]);
    expect(currencyExponent('EUR')).toBe(2);
  });
});
