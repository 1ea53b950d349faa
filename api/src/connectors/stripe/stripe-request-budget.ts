import { createHash } from 'node:crypto';

// The client-side budget that keeps the product at no more than half of Stripe's rate limit, per
// Stripe account, so the sync never causes a 429 for the merchant's own integration (which shares
// the account's limit with us).
//
// The shape is the same as the Sage connector's RateLimiter, so a PostgreSQL-backed limiter shared
// by several workers fits both.

export interface StripeRateLimiter {
  /** Resolves when one request under `key` may go out now. */
  acquire(key: string): Promise<void>;
  /** Stripe said "come back later" (429): hold every request under `key` until then. */
  pause(key: string, untilMs: number): void;
}

/** Stripe's documented basic limits, per account, for reads and (separately) for writes. */
export const STRIPE_RATE_LIMIT_PER_SECOND = { live: 100, test: 25 } as const;

export function isLiveModeKey(apiKey: string): boolean {
  return /^(sk|rk)_live_/.test(apiKey);
}

/** Half of Stripe's limit for the key's mode: 50/s live, 12/s in test mode. */
export function defaultBudgetPerSecond(apiKey: string): number {
  const limit = isLiveModeKey(apiKey) ? STRIPE_RATE_LIMIT_PER_SECOND.live : STRIPE_RATE_LIMIT_PER_SECOND.test;
  return Math.floor(limit / 2);
}

/**
 * The budget key of an account: the connected account id, or for the platform's own data a digest
 * of the key (never the key itself: limiter keys end up in logs and, for a shared limiter, rows).
 */
export function budgetKeyFor(apiKey: string, stripeAccount: string | undefined): string {
  if (stripeAccount) return stripeAccount;
  return `platform:${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}

export type RequestBudgetOptions = {
  /** Requests allowed in any one second, per key. */
  perSecond: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

type Window = { grants: number[]; pausedUntil: number; queue: Promise<void> };

const WINDOW_MS = 1_000;

/**
 * At most `perSecond` requests per key in any one-second window. A token bucket of the same rate
 * lets through its burst plus a second's refill inside one second; a sliding window of grant times
 * keeps the promise exactly while still allowing a full second's budget at once after a quiet spell.
 */
export class InMemoryRequestBudget implements StripeRateLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly perSecond: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: RequestBudgetOptions) {
    if (!Number.isInteger(options.perSecond) || options.perSecond < 1) throw new RangeError('perSecond must be a positive integer');
    this.perSecond = options.perSecond;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  acquire(key: string): Promise<void> {
    const window = this.window(key);
    // Callers queue per key so grants happen in arrival order and never race for the last slot.
    const turn = window.queue.then(() => this.take(window));
    window.queue = turn.catch(() => undefined);
    return turn;
  }

  pause(key: string, untilMs: number): void {
    const window = this.window(key);
    window.pausedUntil = Math.max(window.pausedUntil, untilMs);
  }

  private window(key: string): Window {
    let window = this.windows.get(key);
    if (!window) {
      window = { grants: [], pausedUntil: 0, queue: Promise.resolve() };
      this.windows.set(key, window);
    }
    return window;
  }

  private async take(window: Window): Promise<void> {
    for (;;) {
      const now = this.now();
      if (window.pausedUntil > now) {
        await this.sleep(window.pausedUntil - now);
        continue;
      }
      while (window.grants.length > 0 && (window.grants[0] as number) + WINDOW_MS <= now) window.grants.shift();
      if (window.grants.length < this.perSecond) {
        window.grants.push(now);
        return;
      }
      await this.sleep((window.grants[0] as number) + WINDOW_MS - now);
    }
  }
}
