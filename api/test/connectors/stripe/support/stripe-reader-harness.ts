import type { FastifyInstance } from 'fastify';
import { onTestFinished } from 'vitest';
import { createStripeReader, type StripeReader, type StripeReaderOptions } from '../../../../src/connectors/stripe/stripe-client.ts';
import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';
import type { LoggedRequest } from '../../../../src/sandbox/stripe-fake/request-log.ts';
import { buildStripeFake, type StripeFake, type StripeFakeOptions } from '../../../../src/sandbox/stripe-fake/stripe-fake-server.ts';

export const TEST_KEY = 'sk_test_readerKey0123456789abcdef';

/** Time that moves only when someone sleeps; every wait is recorded. */
export type VirtualClock = {
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Every wait asked for, in order. */
  sleeps: number[];
};

export function virtualClock(startMs = 1_767_225_600_000): VirtualClock {
  let current = startMs;
  const sleeps: number[] = [];
  return {
    now: () => current,
    sleep: async (ms) => {
      sleeps.push(ms);
      current += Math.max(0, ms);
    },
    sleeps,
  };
}

export type ReaderHarness = {
  fake: StripeFake;
  port: number;
  /** `POST /_fake/objects`; throws unless the fake loaded them. */
  load(objects: readonly LoadableStripeObject[], account?: string): Promise<void>;
  /** A reader pointed at the fake, on a fresh virtual clock with jitter fixed at its midpoint, unless told otherwise. */
  reader(options?: Partial<StripeReaderOptions>): StripeReader;
  /** What the fake was asked, API requests only. */
  requests(): LoggedRequest[];
  injectRateLimits(count: number): Promise<void>;
};

/** A Stripe fake on a free port for one test; `beforeListen` may add hooks that shape its answers. */
export async function startReaderHarness(
  options: StripeFakeOptions & { beforeListen?: (app: FastifyInstance) => void } = {},
): Promise<ReaderHarness> {
  const { beforeListen, ...fakeOptions } = options;
  const fake = buildStripeFake(fakeOptions);
  beforeListen?.(fake.app);
  const { port, url } = await fake.listen(0);
  onTestFinished(() => fake.close());

  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
  };

  return {
    fake,
    port,
    load: (objects, account) => post(`/_fake/objects${account ? `?account=${encodeURIComponent(account)}` : ''}`, objects),
    reader(readerOptions = {}) {
      const clock = virtualClock();
      return createStripeReader({
        apiKey: TEST_KEY,
        host: '127.0.0.1',
        port,
        protocol: 'http',
        now: clock.now,
        sleep: clock.sleep,
        random: () => 0.5,
        ...readerOptions,
      });
    },
    requests: () => fake.requestLog.list(),
    injectRateLimits: (count) => post('/_fake/faults', { rateLimitNext: count }),
  };
}

/** The failure a promise ends in; fails the test when it succeeds. */
export async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail, and it succeeded');
}
