import { describe, expect, it } from 'vitest';
import { isValidTimeZone, unixToLocalDate, TimeZoneError } from './local-date.ts';

describe('tenant-local dates', () => {
  it('puts a charge at 23:30 in Chicago on 31 January in January, though UTC says February', () => {
    const at = Date.parse('2026-02-01T05:30:00Z') / 1000; // 23:30 CST on 31 January
    expect(unixToLocalDate(at, 'America/Chicago')).toBe('2026-01-31');
    expect(unixToLocalDate(at, 'UTC')).toBe('2026-02-01');
  });

  it('follows daylight saving time', () => {
    const summer = Date.parse('2026-07-01T04:30:00Z') / 1000; // 23:30 CDT on 30 June
    expect(unixToLocalDate(summer, 'America/Chicago')).toBe('2026-06-30');
  });

  it('moves east of UTC too', () => {
    const at = Date.parse('2026-03-31T15:30:00Z') / 1000; // 00:30 on 1 April in Tokyo
    expect(unixToLocalDate(at, 'Asia/Tokyo')).toBe('2026-04-01');
  });

  it('refuses an unknown time zone with a message naming it', () => {
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
    expect(() => unixToLocalDate(0, 'Mars/Olympus')).toThrowError(TimeZoneError);
  });
});
