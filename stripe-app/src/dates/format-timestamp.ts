/**
 * Attempt and sync times are shown in UTC and say so: finance staff compare them with Sage and
 * with the portal, and a time without its zone is the first thing to be misread.
 */
export function formatTimestamp(iso: string, locale = 'en-US'): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(locale, {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(date) + ' UTC';
}

/**
 * Payout arrival dates are calendar dates (`YYYY-MM-DD`), already in the tenant's time zone;
 * they are formatted as dates and never shifted through a time zone.
 */
export function formatCalendarDate(isoDate: string, locale = 'en-US'): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(isoDate);
  if (!match) return isoDate;
  const [, year, month, day] = match;
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(date);
}
