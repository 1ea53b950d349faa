import Stripe from 'stripe';
import { onTestFinished } from 'vitest';
import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeFake, type StripeFake, type StripeFakeOptions } from '../../../../src/sandbox/stripe-fake/stripe-fake-server.ts';

export type StripeFakeHarness = {
  fake: StripeFake;
  /** The real SDK, pointed at the fake. */
  stripe: Stripe;
  url: string;
  port: number;
  /** A second SDK client, e.g. with another key or retries. */
  client(apiKey?: string, config?: Stripe.StripeConfig): Stripe;
  /** `POST /_fake/objects`; throws unless it answers 200. */
  load(objects: readonly unknown[], account?: string): Promise<{ loaded: number; accounts: Record<string, number> }>;
  /** A raw request to the fake (for fake-only routes and responses the SDK hides). */
  request(path: string, init?: RequestInit): Promise<{ status: number; headers: Headers; body: unknown }>;
};

/** Builds a fake on a free port for one test, and closes it when the test ends. */
export async function startStripeFake(options: StripeFakeOptions = {}): Promise<StripeFakeHarness> {
  const fake = buildStripeFake(options);
  const { port, url } = await fake.listen(0);
  onTestFinished(() => fake.close());
  const client = (apiKey = 'sk_test_fake', config: Stripe.StripeConfig = {}) =>
    new Stripe(apiKey, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0, ...config });
  const request: StripeFakeHarness['request'] = async (path, init) => {
    const response = await fetch(`${url}${path}`, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as unknown) : null };
  };
  return {
    fake,
    stripe: client(),
    url,
    port,
    client,
    request,
    async load(objects, account) {
      const query = account ? `?account=${encodeURIComponent(account)}` : '';
      const response = await request(`/_fake/objects${query}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(objects as LoadableStripeObject[]),
      });
      if (response.status !== 200) throw new Error(`loading objects failed with ${response.status}: ${JSON.stringify(response.body)}`);
      return response.body as { loaded: number; accounts: Record<string, number> };
    },
  };
}

/** What a caught SDK error is, for assertions on its class and Stripe fields. */
export async function stripeErrorOf(promise: Promise<unknown>): Promise<Stripe.errors.StripeError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Stripe.errors.StripeError) return error;
    throw error;
  }
  throw new Error('expected the Stripe call to fail, and it succeeded');
}
