import { z } from 'zod';

// A backfill range is given in the tenant's calendar (a finance team thinks "January", not
// "January in UTC"), so each date becomes the instant its day starts in the integration's zone.

export const ZCalendarDate = z
  .string({ error: 'Give a date like 2025-01-31.' })
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2025-01-31.')
  .refine((value) => {
    const [year, month, day] = value.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  }, 'This date does not exist in the calendar.');

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

/** Milliseconds the zone's wall clock is ahead of UTC at `instantMs`. */
function zoneOffsetMs(instantMs: number, timeZone: string): number {
  let formatter = offsetFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    offsetFormatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(new Date(instantMs)).map((part) => [part.type, part.value]));
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return wall - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant a calendar day (YYYY-MM-DD) begins in `timeZone`. Where a zone skips midnight (a
 * daylight-saving change at 00:00), the day begins at the first instant that exists.
 */
export function localDayStart(date: string, timeZone: string): Date {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  const wallMidnight = Date.UTC(year, month - 1, day);
  // The zone's offset on the day before and the day after: they differ only across a change of
  // offset, and midnight is one of the two candidates unless the change skipped it.
  const offsetBefore = zoneOffsetMs(wallMidnight - 86_400_000, timeZone);
  const offsetAfter = zoneOffsetMs(wallMidnight + 86_400_000, timeZone);
  const candidates = [wallMidnight - offsetBefore, wallMidnight - offsetAfter].sort((a, b) => a - b);
  const midnight = candidates.find((instant) => instant + zoneOffsetMs(instant, timeZone) === wallMidnight);
  // Midnight did not exist (clocks jumped past it): the day starts when the old clock would have struck it.
  return new Date(midnight ?? wallMidnight - offsetBefore);
}

/** The calendar date `days` after `date` (negative for before). */
export function addDays(date: string, days: number): string {
  const [year, month, day] = date.split('-').map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}
