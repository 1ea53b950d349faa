import { currencyExponent, formatMoney, minorUnitsToDecimalString } from './format-money';

describe('money from integer minor units', () => {
  it('knows zero-, two- and three-decimal currencies, whatever their case', () => {
    expect(currencyExponent('jpy')).toBe(0);
    expect(currencyExponent('KRW')).toBe(0);
    expect(currencyExponent('usd')).toBe(2);
    expect(currencyExponent('eur')).toBe(2);
    expect(currencyExponent('bhd')).toBe(3);
    expect(currencyExponent('KWD')).toBe(3);
  });

  it('moves the decimal point by the exponent, exactly', () => {
    expect(minorUnitsToDecimalString(123_456, 'usd')).toBe('1234.56');
    expect(minorUnitsToDecimalString(5, 'usd')).toBe('0.05');
    expect(minorUnitsToDecimalString(0, 'usd')).toBe('0.00');
    expect(minorUnitsToDecimalString(-1_050, 'eur')).toBe('-10.50');
    expect(minorUnitsToDecimalString(1_000, 'jpy')).toBe('1000');
    expect(minorUnitsToDecimalString(1_234, 'bhd')).toBe('1.234');
    expect(minorUnitsToDecimalString(7, 'kwd')).toBe('0.007');
  });

  it('keeps every digit of the largest safe amount (no float rounding)', () => {
    expect(minorUnitsToDecimalString(9_007_199_254_740_991, 'usd')).toBe('90071992547409.91');
    expect(formatMoney(9_007_199_254_740_991, 'usd')).toBe('$90,071,992,547,409.91');
  });

  it('refuses an amount that is not an integer of minor units', () => {
    expect(() => minorUnitsToDecimalString(10.5, 'usd')).toThrow(RangeError);
  });

  it('formats with the currency symbol, grouping and sign', () => {
    expect(formatMoney(123_456, 'usd')).toBe('$1,234.56');
    expect(formatMoney(-1_250, 'usd')).toBe('-$12.50');
    expect(formatMoney(1_500_000, 'jpy')).toBe('¥1,500,000');
    expect(formatMoney(12_345, 'bhd')).toBe('BHD\u00a012.345');
  });

  it("formats in the Dashboard user's locale", () => {
    expect(formatMoney(123_456, 'eur', 'de-DE')).toBe('1.234,56\u00a0€');
  });
});
