import { createTestDatabase, openSecondClient, type TestDatabase } from '@sagesync/db/testing';
import type { PrismaClient } from '@sagesync/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InMemoryTokenBucket, type RateLimiter } from '../../../src/connectors/sage/http/rate-limiter.ts';
import { SageHttpClient } from '../../../src/connectors/sage/http/sage-http-client.ts';
import { budgetKeyForSageCompany, budgetKeyPrefixForSageEdition } from '../../../src/sync/budgets/budget-keys.ts';
import { limitsByKeyPrefix } from '../../../src/sync/budgets/budget-limits.ts';
import { PostgresTokenBucket, type BucketSqlClient } from '../../../src/sync/budgets/postgres-token-bucket.ts';
import { busiestWindow, VirtualTime } from './virtual-time.ts';

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

const LIMIT = { perMinute: 20, burst: 4 };
/** With burst 4 of 20/minute the bucket refills 17 tokens a minute: the n-th token after empty is ready then. */
const refilledAt = (n: number, fromMs = 0) => fromMs + Math.ceil((n * 60_000) / 17);
const MS_PER_TOKEN = refilledAt(1);

function workerBucket(prisma: BucketSqlClient, time: VirtualTime, limits: ConstructorParameters<typeof PostgresTokenBucket>[0]['limits'] = LIMIT) {
  return new PostgresTokenBucket({ prisma, limits, now: time.now, sleep: time.sleep });
}

/** `callers` concurrent callers on one bucket, each taking `each` grants; returns the clock at each grant. */
async function hammer(bucket: RateLimiter, key: string, time: VirtualTime, callers: number, each: number): Promise<number[]> {
  const grants: number[] = [];
  await Promise.all(
    Array.from({ length: callers }, async () => {
      for (let i = 0; i < each; i += 1) {
        await bucket.acquire(key);
        grants.push(time.now());
      }
    }),
  );
  return grants;
}

async function row(key: string) {
  return db.prisma.rateLimitBucket.findUniqueOrThrow({ where: { key } });
}

describe('PostgresTokenBucket', () => {
  it('lets two workers hammering one company through no more than perMinute requests in any 60-second window', async () => {
    const time = new VirtualTime();
    const key = budgetKeyForSageCompany('sage500', 'HAMMER');
    const workerA = workerBucket(db.prisma, time);
    const workerB = workerBucket(second.prisma, time);

    const [grantsA, grantsB] = await time.run([() => hammer(workerA, key, time, 3, 10), () => hammer(workerB, key, time, 3, 10)]);
    const all = [...grantsA!, ...grantsB!];

    expect(all).toHaveLength(60);
    expect(busiestWindow(all)).toBeLessThanOrEqual(LIMIT.perMinute);
    // Not vacuous: the refill was used, not only the burst, and both workers were served.
    expect(busiestWindow(all)).toBeGreaterThan(LIMIT.burst);
    expect(grantsA!.length).toBeGreaterThan(0);
    expect(grantsB!.length).toBeGreaterThan(0);
  });

  it('grants one worker at the same instants as the in-process InMemoryTokenBucket', async () => {
    const shared = new VirtualTime();
    const local = new VirtualTime();
    const key = budgetKeyForSageCompany('sage_pro', 'SAME-AS-MEMORY');
    const grantsShared = await hammer(workerBucket(db.prisma, shared), key, shared, 1, 12);
    const grantsLocal = await hammer(new InMemoryTokenBucket({ ...LIMIT, now: local.now, sleep: local.sleep }), key, local, 1, 12);
    expect(grantsShared).toEqual(grantsLocal);
  });

  it('keeps keys independent: an exhausted company does not slow another', async () => {
    const time = new VirtualTime();
    const busy = budgetKeyForSageCompany('sage500', 'BUSY');
    const quiet = budgetKeyForSageCompany('sage500', 'QUIET');
    const worker = workerBucket(db.prisma, time);

    const [busyGrants, quietGrants] = await time.run([() => hammer(worker, busy, time, 1, 6), () => hammer(worker, quiet, time, 1, 4)]);

    expect(quietGrants).toEqual([0, 0, 0, 0]);
    expect(busyGrants!.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(busyGrants![4]).toBe(MS_PER_TOKEN);
    expect((await row(quiet)).tokens).toBe(0);
  });

  it('takes each key’s limit from its prefix', async () => {
    const time = new VirtualTime();
    const limits = limitsByKeyPrefix({
      [budgetKeyPrefixForSageEdition('sage500')]: { perMinute: 600 },
      [budgetKeyPrefixForSageEdition('sage_accounting')]: { perMinute: 200, burst: 5 },
    });
    const worker = workerBucket(db.prisma, time, limits);
    await worker.acquire(budgetKeyForSageCompany('sage500', 'PREFIX'));
    await worker.acquire(budgetKeyForSageCompany('sage_accounting', 'PREFIX'));

    expect(await row('sage500:PREFIX')).toMatchObject({ capacity: 60, refillPerSecond: 541 / 60, tokens: 59 });
    expect(await row('sage_accounting:PREFIX')).toMatchObject({ capacity: 5, refillPerSecond: 196 / 60, tokens: 4 });
    await expect(worker.acquire('acct_unconfigured')).rejects.toMatchObject({ code: 'BUDGET_KEY_UNKNOWN', retryable: false });
  });

  it('holds every worker when one of them is told to pause, even a worker already waiting for a token', async () => {
    const time = new VirtualTime();
    const key = budgetKeyForSageCompany('sage50', 'PAUSED');
    const workerA = workerBucket(db.prisma, time);
    const workerB = workerBucket(second.prisma, time);

    const [, grantsA, grantsB] = await time.run([
      async () => {
        // A 429 arrives at t=1 s with Retry-After 30 s, while both workers are waiting for a refill.
        await time.sleep(1_000);
        await workerA.pause(key, 31_000);
        return [];
      },
      () => hammer(workerA, key, time, 2, 4),
      () => hammer(workerB, key, time, 2, 4),
    ]);
    const all = [...grantsA!, ...grantsB!].sort((a, b) => a - b);

    expect(all.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(all[4]).toBe(31_000);
    expect(all.slice(5).every((at) => at > 31_000)).toBe(true);
    expect(busiestWindow(all)).toBeLessThanOrEqual(LIMIT.perMinute);
  });

  it('never lets a shorter pause shorten a longer one, nor a pause add tokens', async () => {
    const time = new VirtualTime();
    const key = budgetKeyForSageCompany('sage50', 'TWO-PAUSES');
    const workerA = workerBucket(db.prisma, time);
    const workerB = workerBucket(second.prisma, time);

    await workerA.pause(key, 10_000);
    await workerB.pause(key, 5_000);
    await workerB.pause(key, 0);
    expect(await hammer(workerB, key, time, 1, 2)).toEqual([10_000, 10_000 + MS_PER_TOKEN]);
  });

  it('loses nothing when a worker crashes between acquisitions: its replacement finds the spent budget in the row', async () => {
    const time = new VirtualTime();
    const key = budgetKeyForSageCompany('sage_pro', 'CRASH');
    const doomed = await openSecondClient(db);
    const before = await hammer(workerBucket(doomed.prisma, time), key, time, 1, 4);
    await doomed.close();

    expect(await row(key)).toMatchObject({ tokens: 0, capacity: 4 });
    const replacement = workerBucket(db.prisma, time);
    const after = await hammer(replacement, key, time, 1, 2);

    expect(before).toEqual([0, 0, 0, 0]);
    expect(after).toEqual([refilledAt(1), refilledAt(2)]);
  });

  it('holds nothing back when a worker dies while waiting for a token', async () => {
    const time = new VirtualTime();
    const key = budgetKeyForSageCompany('sage_pro', 'DIES-WAITING');
    // This worker's wait never ends: the process is gone.
    const dead = new PostgresTokenBucket({ prisma: second.prisma, limits: LIMIT, now: time.now, sleep: () => new Promise(() => undefined) });
    await hammer(dead, key, time, 1, 4);
    let deadGranted = false;
    void dead.acquire(key).then(() => (deadGranted = true));

    const survivor = workerBucket(db.prisma, time);
    expect(await hammer(survivor, key, time, 1, 2)).toEqual([refilledAt(1), refilledAt(2)]);
    expect(deadGranted).toBe(false);
  });

  it('keeps a pause the database could not store, and stores it before the next request', async () => {
    const time = new VirtualTime();
    const key = budgetKeyForSageCompany('sage_accounting', 'UNSTORED-PAUSE');
    let databaseDown = true;
    const flaky: BucketSqlClient = {
      $queryRawUnsafe<T>(query: string, ...values: unknown[]) {
        if (databaseDown) return Promise.reject(new Error('connection refused'));
        return db.prisma.$queryRawUnsafe<T>(query, ...values);
      },
    };
    const workerA = workerBucket(flaky, time);
    const workerB = workerBucket(second.prisma, time);

    await expect(workerA.pause(key, 20_000)).resolves.toBeUndefined();
    await expect(workerA.acquire(key)).rejects.toThrow('connection refused');
    databaseDown = false;

    const [grantsA, grantsB] = await time.run([() => hammer(workerA, key, time, 1, 1), () => hammer(workerB, key, time, 1, 1)]);
    expect([...grantsA!, ...grantsB!].sort((a, b) => a - b)).toEqual([20_000, 20_000 + MS_PER_TOKEN]);
  });

  it('rejects only the caller whose attempt failed; the next caller in the process goes on', async () => {
    const time = new VirtualTime();
    const key = budgetKeyForSageCompany('sage500', 'ONE-FAILURE');
    let failures = 1;
    const flaky: BucketSqlClient = {
      $queryRawUnsafe<T>(query: string, ...values: unknown[]) {
        if (failures-- > 0) return Promise.reject(new Error('connection reset'));
        return db.prisma.$queryRawUnsafe<T>(query, ...values);
      },
    };
    const worker = workerBucket(flaky, time);
    const [first, next] = await Promise.allSettled([worker.acquire(key), worker.acquire(key)]);
    expect(first).toMatchObject({ status: 'rejected' });
    expect(next).toMatchObject({ status: 'fulfilled' });
  });

  it('stores a Sage 429 from the HTTP client where every other worker sees it', async () => {
    const time = new VirtualTime(1_000_000);
    const key = budgetKeyForSageCompany('sage500', 'HTTP-429');
    const workerA = workerBucket(db.prisma, time);
    const http = new SageHttpClient({
      baseUrl: 'http://sage.invalid',
      auth: { authorize: async () => undefined, recoverFromUnauthorized: async () => false },
      rateLimiter: workerA,
      rateLimitKey: key,
      now: time.now,
      fetch: async () => new Response('{}', { status: 429, headers: { 'retry-after': '30' } }),
    });

    await expect(http.request({ method: 'GET', path: '/Customers' })).rejects.toMatchObject({ code: 'SAGE_RATE_LIMITED' });
    // The client does not await the pause (RateLimiter.pause returns void): wait until it lands.
    await vi.waitFor(async () => expect((await row(key)).tokens).toBeLessThan(0));

    const workerB = workerBucket(second.prisma, time);
    expect(await hammer(workerB, key, time, 1, 1)).toEqual([1_030_000]);
  });
});
