// How big each shared budget is. Keys are namespaced by what they protect (`sage500:<company>`,
// a Stripe account id, ...), so limits are looked up by key prefix: one Sage edition allows more
// requests per minute than another, and every company of an edition gets the same allowance.

export type BucketLimit = {
  /** Requests per minute the remote side allows for one key. */
  perMinute: number;
  /** How many may go at once after a quiet spell; defaults to a tenth of a minute's budget. */
  burst?: number;
};

/** Answers the limit for a budget key; throws when the key belongs to nothing configured. */
export type BucketLimitLookup = (key: string) => BucketLimit;

/** What a bucket row stores for a limit: its size and how fast it refills. */
export type BucketShape = { capacity: number; refillPerSecond: number };

export class UnknownBudgetKeyError extends Error {
  readonly code = 'BUDGET_KEY_UNKNOWN';
  readonly retryable = false;

  constructor(readonly key: string) {
    super(`No request budget is configured for "${key}". An operator must add a limit for its prefix.`);
    this.name = 'UnknownBudgetKeyError';
  }
}

/**
 * The same shape as InMemoryTokenBucket (connectors/sage/http/rate-limiter.ts), so swapping one for
 * the other changes nothing but where the state lives. Sage counts requests per minute: a bucket
 * refilling at the full rate could send its burst plus a whole minute's refill inside one minute,
 * so it refills at the rate left after the burst, and no 60-second window ever holds more than
 * perMinute requests (a burst of 1 keeps the full rate).
 */
export function bucketShape(limit: BucketLimit): BucketShape {
  if (!(limit.perMinute > 0) || !Number.isFinite(limit.perMinute)) throw new RangeError('perMinute must be a positive number');
  if (limit.burst !== undefined && !(limit.burst >= 1)) throw new RangeError('burst must be at least 1');
  const capacity = Math.max(1, Math.min(Math.floor(limit.burst ?? limit.perMinute / 10), Math.floor(limit.perMinute)));
  return { capacity, refillPerSecond: (limit.perMinute - capacity + 1) / 60 };
}

/**
 * A lookup from key prefixes to limits; the longest matching prefix wins, so `sage500:BIG-CO`
 * can be given more than every other `sage500:` company. Without a fallback an unknown key throws
 * rather than running unmetered.
 */
export function limitsByKeyPrefix(byPrefix: Record<string, BucketLimit>, fallback?: BucketLimit): BucketLimitLookup {
  const prefixes = Object.keys(byPrefix).sort((a, b) => b.length - a.length);
  for (const prefix of prefixes) bucketShape(byPrefix[prefix]!);
  if (fallback) bucketShape(fallback);
  return (key) => {
    const prefix = prefixes.find((candidate) => key.startsWith(candidate));
    if (prefix !== undefined) return byPrefix[prefix]!;
    if (fallback) return fallback;
    throw new UnknownBudgetKeyError(key);
  };
}
