import { describe, expect, it } from 'vitest';
import {
  budgetKeyFor,
  defaultBudgetPerSecond,
  InMemoryRequestBudget,
  type StripeRateLimiter,
} from '../../../src/connectors/stripe/stripe-request-budget.ts';
import { servedFixtureObjects } from '../../../src/sandbox/stripe-fake/fixtures.ts';
import { startReaderHarness, TEST_KEY, virtualClock, type VirtualClock } from './support/stripe-reader-harness.ts';

/** The largest number of grants inside any one-second window [t, t + 1000). */
function busiestSecond(grants: readonly number[]): number {
  let busiest = 0;
  let start = 0;
  for (let end = 0; end < grants.length; end += 1) {
    while ((grants[end] as number) - (grants[start] as number) >= 1_000) start += 1;
    busiest = Math.max(busiest, end - start + 1);
  }
  return busiest;
}

/** The limiter the reader would build, recording the clock at every grant. */
function recordingBudget(perSecond: number, clock: VirtualClock) {
  const budget = new InMemoryRequestBudget({ perSecond, now: clock.now, sleep: clock.sleep });
  const grants: Array<{ key: string; at: number }> = [];
  const pauses: Array<{ key: string; untilMs: number }> = [];
  const limiter: StripeRateLimiter = {
    async acquire(key) {
      await budget.acquire(key);
      grants.push({ key, at: clock.now() });
    },
    pause(key, untilMs) {
      pauses.push({ key, untilMs });
      budget.pause(key, untilMs);
    },
  };
  return { limiter, grants, pauses };
}

describe("the read budget: at most half of Stripe's rate limit, per account", () => {
  it('budgets 50 requests a second with a live key and 12 with a test key (Stripe allows 100 and 25)', () => {
    expect(defaultBudgetPerSecond('sk_live_abc')).toBe(50);
    expect(defaultBudgetPerSecond('rk_live_abc')).toBe(50);
    expect(defaultBudgetPerSecond('sk_test_abc')).toBe(12);
  });

  it('1,000 concurrent reads over HTTP never exceed 12 in any second of the clock, and use the whole budget', async () => {
    const harness = await startReaderHarness();
    await harness.load([{ ...structuredClone(servedFixtureObjects().charge), id: 'ch_budget' }]);
    const clock = virtualClock(0);
    const { limiter, grants } = recordingBudget(defaultBudgetPerSecond(TEST_KEY), clock);
    const reader = harness.reader({ rateLimiter: limiter, now: clock.now, sleep: clock.sleep });

    const reads = Array.from({ length: 1_000 }, () => reader.retrieveCharge('ch_budget'));
    const results = await Promise.all(reads);

    expect(results.every((charge) => charge.id === 'ch_budget')).toBe(true);
    expect(grants).toHaveLength(1_000);
    expect(busiestSecond(grants.map((grant) => grant.at))).toBe(12);
    // 1,000 reads at 12 a second need 83 whole seconds after the first.
    expect(clock.now()).toBeGreaterThanOrEqual(83_000);
    expect(harness.requests()).toHaveLength(1_000);
  });

  it('a configured budget is honoured the same way', async () => {
    const harness = await startReaderHarness();
    await harness.load([{ ...structuredClone(servedFixtureObjects().charge), id: 'ch_budget' }]);
    const clock = virtualClock(0);
    const { limiter, grants } = recordingBudget(5, clock);
    const reader = harness.reader({ rateLimiter: limiter, now: clock.now, sleep: clock.sleep });

    await Promise.all(Array.from({ length: 60 }, () => reader.retrieveCharge('ch_budget')));

    expect(busiestSecond(grants.map((grant) => grant.at))).toBe(5);
  });

  it("one account's spent budget does not hold back another account", async () => {
    const clock = virtualClock(0);
    const budget = new InMemoryRequestBudget({ perSecond: 2, now: clock.now, sleep: clock.sleep });

    await budget.acquire('acct_busy');
    await budget.acquire('acct_busy');
    await budget.acquire('acct_quiet');
    const quietAt = clock.now();
    await budget.acquire('acct_busy');

    expect(quietAt).toBe(0);
    expect(clock.now()).toBe(1_000);
  });

  it('a paused account gets nothing until the pause ends; other accounts carry on', async () => {
    const clock = virtualClock(0);
    const budget = new InMemoryRequestBudget({ perSecond: 10, now: clock.now, sleep: clock.sleep });

    budget.pause('acct_limited', 4_000);
    await budget.acquire('acct_other');
    const otherAt = clock.now();
    await budget.acquire('acct_limited');

    expect(otherAt).toBe(0);
    expect(clock.now()).toBe(4_000);
  });

  it("a 429 pauses the account's whole read budget until the retry, not only the refused call", async () => {
    const harness = await startReaderHarness();
    await harness.load([{ ...structuredClone(servedFixtureObjects().charge), id: 'ch_budget' }]);
    const clock = virtualClock(0);
    const { limiter, grants, pauses } = recordingBudget(12, clock);
    const reader = harness.reader({ rateLimiter: limiter, now: clock.now, sleep: clock.sleep });
    await harness.injectRateLimits(1);

    await reader.retrieveCharge('ch_budget');

    // Refused at 0; the account is paused for the 375 ms backoff; the retry goes when the pause ends.
    expect(pauses).toEqual([{ key: `${budgetKeyFor(TEST_KEY, undefined)}:read`, untilMs: 375 }]);
    expect(grants.map((grant) => grant.at)).toEqual([0, 375]);
  });

  it("budgets are keyed by connected account, and the platform's by a digest of its key, never the key", () => {
    expect(budgetKeyFor(TEST_KEY, 'acct_123')).toBe('acct_123');
    expect(budgetKeyFor(TEST_KEY, undefined)).toMatch(/^platform:[0-9a-f]{16}$/);
    expect(budgetKeyFor(TEST_KEY, undefined)).not.toContain(TEST_KEY.slice(8));
    expect(budgetKeyFor('sk_test_other', undefined)).not.toBe(budgetKeyFor(TEST_KEY, undefined));
  });
});
