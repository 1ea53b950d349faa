// Dates become the tenant's local calendar date in the tenant's time zone: a charge at 23:30 in
// Chicago on 31 January belongs to January, although it is already 1 February in UTC.

const formatters = new Map<string, Intl.DateTimeFormat>();

export class TimeZoneError extends Error {
  readonly code = 'TIME_ZONE_INVALID';
  readonly retryable = false;
}

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    try {
      formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    } catch {
      throw new TimeZoneError(`"${timeZone}" is not a time zone. Use an IANA name such as America/Chicago.`);
    }
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Unix seconds (Stripe's `created`) to YYYY-MM-DD in the tenant's zone. */
export function unixToLocalDate(unixSeconds: number, timeZone: string): string {
  if (!Number.isSafeInteger(unixSeconds)) throw new RangeError(`${unixSeconds} is not a Unix timestamp in seconds.`);
  const parts = formatterFor(timeZone).formatToParts(new Date(unixSeconds * 1000));
  const part = (type: string) => parts.find((p) => p.type === type)?.value;
  return `${part('year')}-${part('month')}-${part('day')}`;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}
