import type { StripeRateLimiter } from '../../connectors/stripe/stripe-request-budget.ts';
import { PostgresTokenBucket, type BucketSqlClient } from './postgres-token-bucket.ts';

// Stripe counts an account's requests whichever of our processes sends them (every worker, the
// api's Stripe App reads, a backfill listing history), so "at most half of Stripe's limit" holds
// only if they all spend one budget. Like the Sage companies' budgets, it lives in PostgreSQL
// (rate_limit_buckets), one row per account and kind of request.

/** Keeps Stripe's rows apart from the Sage companies' (`sage500:...`) in the shared table. */
export const STRIPE_BUDGET_KEY_PREFIX = 'stripe:';

export type SharedStripeBudgetOptions = {
  prisma: BucketSqlClient;
  /** Requests per second per account: half of Stripe's limit by default (defaultBudgetPerSecond). */
  perSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

/**
 * A minute's budget of `perSecond` x 60, with a burst of half a second's: after a quiet spell the
 * busiest second holds the burst plus a second's refill, about 1.5 x perSecond, which is three
 * quarters of Stripe's own limit when perSecond is half of it.
 */
export function sharedStripeBudget({ prisma, perSecond, now, sleep }: SharedStripeBudgetOptions): StripeRateLimiter {
  if (!Number.isInteger(perSecond) || perSecond < 1) throw new RangeError('perSecond must be a positive integer');
  const bucket = new PostgresTokenBucket({
    prisma,
    limits: { perMinute: perSecond * 60, burst: Math.max(1, Math.floor(perSecond / 2)) },
    ...(now ? { now } : {}),
    ...(sleep ? { sleep } : {}),
  });
  return {
    acquire: (key) => bucket.acquire(STRIPE_BUDGET_KEY_PREFIX + key),
    pause: (key, untilMs) => {
      void bucket.pause(STRIPE_BUDGET_KEY_PREFIX + key, untilMs);
    },
  };
}
