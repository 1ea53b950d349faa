import type { RateLimiter } from '../../connectors/sage/http/rate-limiter.ts';
import { bucketShape, type BucketLimit, type BucketLimitLookup, type BucketShape } from './budget-limits.ts';

// Why this exists: every worker process that talks to one Sage company (or one Stripe account)
// spends the same remote budget, so the budget has to live where all of them can see it. pg-boss
// does not give us that: its `groupConcurrency` caps how many jobs of a group run at once, not how
// many requests they send per minute (one job may send one request or fifty), and its
// database-wide `groupConcurrency` was seen exceeded when several workers fetched at once (limit
// 2, reached 3 to 6; see NOTES-DEPS.md). So pg-boss group limits are per-process at best, and the
// per-company request budget is this token bucket, one row per key in `rate_limit_buckets`.
//
// How it stays right across processes:
// - Each attempt is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE` statement. PostgreSQL locks
//   the row for it and re-reads the newest version, so refill and debit of one attempt never
//   interleave with another worker's: a token is granted at most once.
// - The clock is ours (the injected `now`, default `Date.now`), passed as a parameter; the database
//   clock is never read. `updatedAt` only moves forward (`greatest`), so a worker whose clock lags
//   gets no refill until it catches up, and skew between hosts can only let through what the
//   skew itself would have refilled.
// - A pause (Sage's 429 Retry-After) needs no extra column: it is stored as a token debt. Tokens
//   are set to `1 - (pause seconds x refill per second)`, so the ordinary refill brings the bucket
//   back to exactly one token at the paused-until time, and every worker sees it in the same row.
//   A pause only ever lowers tokens (least of the two), so it can shorten no earlier pause and can
//   never add a request to any minute.
// - Nothing is held between attempts (no lock, no lease): a worker that dies mid-wait or between
//   requests leaves the row exactly as correct as it was.
// - Waiting callers in one process queue per key, so each process has at most one attempt per key
//   in flight. Across processes there is no queue: whoever's statement lands first wins the token.

/** The one thing the bucket needs from Prisma. Pass the PrismaClient, not a transaction client: inside a transaction the row lock would be held until commit. */
export type BucketSqlClient = {
  $queryRawUnsafe<T = unknown>(query: string, ...values: unknown[]): PromiseLike<T>;
};

export type PostgresTokenBucketOptions = {
  prisma: BucketSqlClient;
  /** One limit for every key, or a lookup per key (see limitsByKeyPrefix). */
  limits: BucketLimit | BucketLimitLookup;
  /** Milliseconds since the epoch; every worker sharing a bucket must use the same kind of clock. */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

// Parameters: $1 key, $2 now (ms since the epoch), $3 capacity, $4 refill per second, and for a
// pause $5 paused-until (ms). `b` is the stored row.
const ROW_MS = `(extract(epoch FROM b."updatedAt")::float8 * 1000)`;
const ELAPSED_MS = `greatest(0::float8, $2::float8 - ${ROW_MS})`;
/** Tokens the row holds at $2: the stored tokens plus the refill since, at the rate stored with them. */
const REFILLED = `least($3::int::float8, b."tokens" + ${ELAPSED_MS} * b."refillPerSecond" / 1000)`;
const NOW_TS = `to_timestamp($2::float8 / 1000)`;

// A new key starts full, minus the token this attempt takes. Limits are rewritten on every grant,
// so a changed configuration applies from the next request on.
const TAKE_TOKEN_SQL = `
INSERT INTO "rate_limit_buckets" AS b ("key", "capacity", "refillPerSecond", "tokens", "updatedAt")
VALUES ($1, $3::int, $4::float8, $3::int - 1, ${NOW_TS})
ON CONFLICT ("key") DO UPDATE SET
  "tokens" = ${REFILLED} - 1,
  "capacity" = EXCLUDED."capacity",
  "refillPerSecond" = EXCLUDED."refillPerSecond",
  "updatedAt" = greatest(b."updatedAt", EXCLUDED."updatedAt")
WHERE ${REFILLED} >= 1
RETURNING "tokens"`;

// Only sizes the wait after a refusal; a stale answer costs one early or late retry, never a grant.
const MS_UNTIL_TOKEN_SQL = `
SELECT ceil((1 - ${REFILLED}) * 1000 / b."refillPerSecond")::float8 AS "waitMs"
FROM "rate_limit_buckets" AS b
WHERE b."key" = $1`;

// The debt is counted from the time the row is stamped with, so it refills to one token exactly at $5.
const PAUSE_SQL = `
INSERT INTO "rate_limit_buckets" AS b ("key", "capacity", "refillPerSecond", "tokens", "updatedAt")
VALUES ($1, $3::int, $4::float8, least($3::int::float8, 1 - ($5::float8 - $2::float8) * $4::float8 / 1000), ${NOW_TS})
ON CONFLICT ("key") DO UPDATE SET
  "tokens" = least(${REFILLED}, 1 - ($5::float8 - greatest(${ROW_MS}, $2::float8)) * EXCLUDED."refillPerSecond" / 1000),
  "capacity" = EXCLUDED."capacity",
  "refillPerSecond" = EXCLUDED."refillPerSecond",
  "updatedAt" = greatest(b."updatedAt", EXCLUDED."updatedAt")
RETURNING "tokens"`;

/**
 * A token bucket per key, shared by every worker process through the `rate_limit_buckets` table:
 * no 60-second window ever holds more than `perMinute` grants for one key, whichever processes
 * asked, and a pause from any worker holds all of them.
 */
export class PostgresTokenBucket implements RateLimiter {
  private readonly prisma: BucketSqlClient;
  private readonly limitFor: BucketLimitLookup;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly queues = new Map<string, Promise<void>>();
  private readonly pauseWrites = new Map<string, Promise<void>>();
  /** Pauses this process could not store yet; honoured here and stored before the next attempt. */
  private readonly unsavedPauses = new Map<string, number>();

  constructor(options: PostgresTokenBucketOptions) {
    const limits = options.limits;
    if (typeof limits !== 'function') bucketShape(limits);
    this.prisma = options.prisma;
    this.limitFor = typeof limits === 'function' ? limits : () => limits;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  acquire(key: string): Promise<void> {
    // Callers queue per key so this process debits the bucket in arrival order, one attempt at a time.
    const turn = (this.queues.get(key) ?? Promise.resolve()).then(() => this.take(key));
    const settled = turn.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return turn;
  }

  /**
   * Takes a token if the bucket has one, without waiting: 0 when granted, otherwise how many
   * milliseconds until the next one. For callers that refuse rather than queue (sign-in attempts).
   */
  async tryAcquire(key: string): Promise<number> {
    const shape = bucketShape(this.limitFor(key));
    const now = this.now();
    const granted = await this.prisma.$queryRawUnsafe<{ tokens: number }[]>(TAKE_TOKEN_SQL, key, now, shape.capacity, shape.refillPerSecond);
    if (granted.length > 0) return 0;
    return this.msUntilNextToken(key, shape, now);
  }

  /**
   * Holds every worker's requests to `key` until `untilMs`. The RateLimiter interface lets callers
   * ignore the result, so it never rejects: when the database cannot be reached the pause is kept
   * in this process and stored before its next attempt. Await it to know the row has it.
   */
  pause(key: string, untilMs: number): Promise<void> {
    const write = (this.pauseWrites.get(key) ?? Promise.resolve()).then(() =>
      this.storePause(key, untilMs).catch(() => {
        this.unsavedPauses.set(key, Math.max(this.unsavedPauses.get(key) ?? untilMs, untilMs));
      }),
    );
    this.pauseWrites.set(key, write);
    void write.then(() => {
      if (this.pauseWrites.get(key) === write) this.pauseWrites.delete(key);
    });
    return write;
  }

  private async take(key: string): Promise<void> {
    const shape = bucketShape(this.limitFor(key));
    for (;;) {
      await this.pauseWrites.get(key);
      await this.storeUnsavedPause(key);
      const now = this.now();
      const granted = await this.prisma.$queryRawUnsafe<{ tokens: number }[]>(TAKE_TOKEN_SQL, key, now, shape.capacity, shape.refillPerSecond);
      if (granted.length > 0) return;
      await this.sleep(await this.msUntilNextToken(key, shape, now));
    }
  }

  private async msUntilNextToken(key: string, shape: BucketShape, now: number): Promise<number> {
    const rows = await this.prisma.$queryRawUnsafe<{ waitMs: number | null }[]>(MS_UNTIL_TOKEN_SQL, key, now, shape.capacity);
    // At least a millisecond, so a clock that only moves when we sleep always moves.
    return Math.max(1, Number(rows[0]?.waitMs ?? 0));
  }

  private async storePause(key: string, untilMs: number): Promise<void> {
    const shape = bucketShape(this.limitFor(key));
    await this.prisma.$queryRawUnsafe(PAUSE_SQL, key, this.now(), shape.capacity, shape.refillPerSecond, untilMs);
  }

  /** Stores a pause an earlier write lost; throws (failing this acquire) while the database is away. */
  private async storeUnsavedPause(key: string): Promise<void> {
    const untilMs = this.unsavedPauses.get(key);
    if (untilMs === undefined) return;
    if (untilMs > this.now()) await this.storePause(key, untilMs);
    if (this.unsavedPauses.get(key) === untilMs) this.unsavedPauses.delete(key);
  }
}
