import { describe, expect, it } from 'vitest';
import { InMemoryTokenBucket, type TokenBucketOptions } from '../../../src/connectors/sage/http/rate-limiter.ts';

const MINUTE = 60_000;

/** A bucket on a clock that only moves when the bucket sleeps: a minute passes in microseconds. */
function bucketOnTestClock(options: Omit<TokenBucketOptions, 'now' | 'sleep'>) {
  let now = Date.parse('2024-06-01T12:00:00Z');
  const waits: number[] = [];
  const bucket = new InMemoryTokenBucket({
    ...options,
    now: () => now,
    sleep: async (ms) => {
      waits.push(ms);
      now += ms;
    },
  });
  return { bucket, waits, now: () => now, advance: (ms: number) => void (now += ms) };
}

/** The most acquisitions that fall into any one window of `windowMs`. */
function busiestWindow(times: number[], windowMs: number): number {
  return Math.max(...times.map((start) => times.filter((time) => time >= start && time < start + windowMs).length));
}

describe('the in-memory token bucket per Sage company', () => {
  it('lets no more than the per-minute budget out in any minute of a sustained run', async () => {
    const perMinute = 60;
    const { bucket, now } = bucketOnTestClock({ perMinute, burst: 1 });
    const times: number[] = [];
    for (let i = 0; i < 3 * perMinute; i += 1) {
      await bucket.acquire('sage_pro:demo-pro');
      times.push(now());
    }
    expect(busiestWindow(times, MINUTE)).toBe(perMinute);
    // And it does not hold back more than it must: three minutes' worth take three minutes.
    expect(times.at(-1)! - times[0]!).toBe(3 * MINUTE - MINUTE / perMinute);
  });

  it('lets requests queued at once out in arrival order, at the per-minute pace', async () => {
    const { bucket, now } = bucketOnTestClock({ perMinute: 120, burst: 1 });
    const order: number[] = [];
    const times: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        bucket.acquire('sage50:demo-50').then(() => {
          order.push(i);
          times.push(now());
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(times.at(-1)! - times[0]!).toBe(9 * 500);
  });

  it('holds every request to a paused company until the time Sage gave, then lets them go', async () => {
    const { bucket, waits, now } = bucketOnTestClock({ perMinute: 600 });
    const resumeAt = now() + 45_000;
    bucket.pause('sage500:demo-500', resumeAt);

    const released: number[] = [];
    await Promise.all([bucket.acquire('sage500:demo-500'), bucket.acquire('sage500:demo-500')].map((turn) => turn.then(() => released.push(now()))));

    expect(waits[0]).toBe(45_000);
    expect(Math.min(...released)).toBeGreaterThanOrEqual(resumeAt);
  });

  it('keeps an earlier, longer pause when a shorter one follows', async () => {
    const { bucket, now } = bucketOnTestClock({ perMinute: 600 });
    const start = now();
    bucket.pause('sage500:demo-500', start + 30_000);
    bucket.pause('sage500:demo-500', start + 5_000);
    await bucket.acquire('sage500:demo-500');
    expect(now()).toBeGreaterThanOrEqual(start + 30_000);
  });

  it('keeps each company’s budget and pause to itself', async () => {
    const { bucket, waits, now } = bucketOnTestClock({ perMinute: 60, burst: 1 });
    await bucket.acquire('sage_pro:company-a');
    bucket.pause('sage_pro:company-a', now() + MINUTE);

    await bucket.acquire('sage_pro:company-b');
    expect(waits).toEqual([]);

    await bucket.acquire('sage_pro:company-a');
    expect(waits[0]).toBe(MINUTE);
  });

  it('refuses a budget that is not positive', () => {
    expect(() => new InMemoryTokenBucket({ perMinute: 0 })).toThrow(RangeError);
  });
});

describe('the in-memory token bucket with its default burst', () => {
  it('still lets no more than the per-minute budget out in any minute', async () => {
    const perMinute = 60;
    const { bucket, now } = bucketOnTestClock({ perMinute });
    const times: number[] = [];
    for (let i = 0; i < 3 * perMinute; i += 1) {
      await bucket.acquire('sage_pro:demo-pro');
      times.push(now());
    }
    expect(busiestWindow(times, MINUTE)).toBeLessThanOrEqual(perMinute);
  });
});
