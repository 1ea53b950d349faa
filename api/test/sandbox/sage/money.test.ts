import { describe, expect, it } from 'vitest';
import { formatMinor, parseAmountToMinor } from '../../../src/sandbox/sage/money.ts';

describe('sandbox money', () => {
  it('reads decimal strings and JSON numbers exactly into minor units with the currency exponent', () => {
    expect(parseAmountToMinor('12.34', 'USD')).toEqual({ ok: true, minor: 1234 });
    expect(parseAmountToMinor(19.99, 'USD')).toEqual({ ok: true, minor: 1999 });
    expect(parseAmountToMinor(0.29, 'USD')).toEqual({ ok: true, minor: 29 });
    expect(parseAmountToMinor('1500', 'JPY')).toEqual({ ok: true, minor: 1500 });
    expect(parseAmountToMinor('1.005', 'BHD')).toEqual({ ok: true, minor: 1005 });
    expect(parseAmountToMinor('-4.50', 'EUR')).toEqual({ ok: true, minor: -450 });
  });

  it('refuses more decimal places than the currency has, but accepts trailing zeros', () => {
    expect(parseAmountToMinor('12.345', 'USD')).toEqual({ ok: false, reason: 'precision' });
    expect(parseAmountToMinor('100.5', 'JPY')).toEqual({ ok: false, reason: 'precision' });
    expect(parseAmountToMinor('12.340', 'USD')).toEqual({ ok: true, minor: 1234 });
    expect(parseAmountToMinor('100.0', 'JPY')).toEqual({ ok: true, minor: 100 });
  });

  it('refuses text that is not a plain decimal, and amounts past the safe integer range', () => {
    for (const bad of ['', '12,34', '1e3', 'abc', '.5', null, true]) expect(parseAmountToMinor(bad, 'USD')).toEqual({ ok: false, reason: 'format' });
    expect(parseAmountToMinor('99999999999999999.99', 'USD')).toEqual({ ok: false, reason: 'range' });
  });

  it('formats minor units with exactly the currency decimal places', () => {
    expect(formatMinor(1234, 'USD')).toBe('12.34');
    expect(formatMinor(5, 'USD')).toBe('0.05');
    expect(formatMinor(-5, 'USD')).toBe('-0.05');
    expect(formatMinor(1500, 'JPY')).toBe('1500');
    expect(formatMinor(1005, 'BHD')).toBe('1.005');
  });
});
