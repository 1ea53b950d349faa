// A client-side token bucket per Sage company, so this process never causes a 429. The sync
// engine swaps in a PostgreSQL-backed bucket when several workers share one company's budget;
// both satisfy RateLimiter.

export interface RateLimiter {
  /** Resolves when one request to `key` may go out now. */
  acquire(key: string): Promise<void>;
  /** Sage said "come back later" (429 Retry-After): hold every request to `key` until then. */
  pause(key: string, untilMs: number): void;
}

export type TokenBucketOptions = {
  /** Requests per minute the company allows. */
  perMinute: number;
  /** How many may go at once after a quiet spell; defaults to a tenth of a minute's budget. */
  burst?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

type Bucket = { tokens: number; updatedAt: number; pausedUntil: number; queue: Promise<void> };

export class InMemoryTokenBucket implements RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: TokenBucketOptions) {
    if (!(options.perMinute > 0)) throw new RangeError('perMinute must be positive');
    // Sage counts requests per minute. A bucket refilling at the full rate could send its burst plus
    // a whole minute's refill inside one minute, so it refills at the rate left after the burst:
    // then no 60-second window ever holds more than perMinute requests (burst 1 keeps the full rate).
    this.capacity = Math.max(1, Math.min(options.burst ?? Math.floor(options.perMinute / 10), options.perMinute));
    this.refillPerMs = (options.perMinute - this.capacity + 1) / 60_000;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  acquire(key: string): Promise<void> {
    const bucket = this.bucket(key);
    // Callers queue per key so the bucket is debited in arrival order.
    const turn = bucket.queue.then(() => this.take(bucket));
    bucket.queue = turn.catch(() => undefined);
    return turn;
  }

  pause(key: string, untilMs: number): void {
    const bucket = this.bucket(key);
    bucket.pausedUntil = Math.max(bucket.pausedUntil, untilMs);
    bucket.tokens = 0;
  }

  private bucket(key: string): Bucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.capacity, updatedAt: this.now(), pausedUntil: 0, queue: Promise.resolve() };
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private async take(bucket: Bucket): Promise<void> {
    for (;;) {
      const now = this.now();
      if (bucket.pausedUntil > now) {
        await this.sleep(bucket.pausedUntil - now);
        bucket.updatedAt = this.now();
        continue;
      }
      bucket.tokens = Math.min(this.capacity, bucket.tokens + (now - bucket.updatedAt) * this.refillPerMs);
      bucket.updatedAt = now;
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return;
      }
      await this.sleep(Math.ceil((1 - bucket.tokens) / this.refillPerMs));
    }
  }
}
