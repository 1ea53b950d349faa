import { createTestDatabase, openSecondClient, type TestDatabase } from '@sagesync/db/testing';
import type { PrismaClient } from '@sagesync/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { budgetKeyFor, type StripeRateLimiter } from '../../../src/connectors/stripe/stripe-request-budget.ts';
import { sharedStripeBudget } from '../../../src/sync/budgets/stripe-read-budget.ts';
import { busiestWindow, VirtualTime } from './virtual-time.ts';

// Several processes reading one Stripe account (workers, the api, a backfill) spend one budget:
// together they stay at the budget, which is half of Stripe's limit.

let db: TestDatabase;
let second: { prisma: PrismaClient; close(): Promise<void> };

beforeAll(async () => {
  db = await createTestDatabase();
  second = await openSecondClient(db);
});
afterAll(async () => {
  await second.close();
  await db.dispose();
});

async function hammer(budget: StripeRateLimiter, key: string, time: VirtualTime, count: number): Promise<number[]> {
  const grants: number[] = [];
  for (let i = 0; i < count; i += 1) {
    await budget.acquire(key);
    grants.push(time.now());
  }
  return grants;
}

describe('the shared Stripe read budget', () => {
  it('keeps two processes reading one account at the budget per minute and under Stripe’s limit in any second', async () => {
    const perSecond = 12; // test mode: half of Stripe's 25
    const time = new VirtualTime();
    const key = `${budgetKeyFor('sk_test_shared', 'acct_shared_budget')}:read`;
    const processA = sharedStripeBudget({ prisma: db.prisma, perSecond, now: time.now, sleep: time.sleep });
    const processB = sharedStripeBudget({ prisma: second.prisma, perSecond, now: time.now, sleep: time.sleep });

    const [grantsA, grantsB] = await time.run([() => hammer(processA, key, time, 900), () => hammer(processB, key, time, 900)]);
    const all = [...grantsA!, ...grantsB!];

    expect(all).toHaveLength(1_800);
    expect(busiestWindow(all, 60_000)).toBeLessThanOrEqual(perSecond * 60);
    expect(busiestWindow(all, 1_000)).toBeLessThanOrEqual(Math.floor(perSecond * 1.5) + 1);
    expect(busiestWindow(all, 1_000)).toBeLessThan(25);
    // Not vacuous: both processes were served, and the budget was used, not only its burst.
    expect(grantsA!.length).toBeGreaterThan(0);
    expect(grantsB!.length).toBeGreaterThan(0);
    expect(busiestWindow(all, 60_000)).toBeGreaterThan(perSecond * 50);
  }, 120_000);

  it('keeps its rows apart from the Sage companies’ in the shared table, and a pause from one process holds the other', async () => {
    const time = new VirtualTime(1_000_000);
    const key = `${budgetKeyFor('sk_test_shared', 'acct_paused')}:read`;
    const processA = sharedStripeBudget({ prisma: db.prisma, perSecond: 12, now: time.now, sleep: time.sleep });
    const processB = sharedStripeBudget({ prisma: second.prisma, perSecond: 12, now: time.now, sleep: time.sleep });

    await time.run([() => processA.acquire(key)]);
    expect(await db.prisma.rateLimitBucket.findUnique({ where: { key: `stripe:${key}` } })).not.toBeNull();
    expect(await db.prisma.rateLimitBucket.findUnique({ where: { key } })).toBeNull();

    // Stripe answered 429 with 30 s to wait: process A pauses, and B's next request waits it out.
    processA.pause(key, time.now() + 30_000);
    // The pause is written in the background: wait until the shared row holds it (a token debt).
    await vi.waitFor(async () => expect((await db.prisma.rateLimitBucket.findUniqueOrThrow({ where: { key: `stripe:${key}` } })).tokens).toBeLessThan(0), { timeout: 10_000, interval: 20 });
    const [grantedAt] = await time.run([async () => {
      await processB.acquire(key);
      return time.now();
    }]);
    expect(grantedAt).toBeGreaterThanOrEqual(1_000_000 + 30_000);
  }, 60_000);
});
