import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { createStripeReader } from '../../../src/connectors/stripe/stripe-client.ts';
import { StripeConnectorError, toStripeConnectorError } from '../../../src/connectors/stripe/stripe-error.ts';
import { servedFixtureObjects } from '../../../src/sandbox/stripe-fake/fixtures.ts';
import { failureOf, startReaderHarness, TEST_KEY, virtualClock } from './support/stripe-reader-harness.ts';

const examples = servedFixtureObjects();
const charge = { ...structuredClone(examples.charge), id: 'ch_retry', metadata: {} };

async function connectorFailure(promise: Promise<unknown>): Promise<StripeConnectorError> {
  const error = await failureOf(promise);
  if (error instanceof StripeConnectorError) return error;
  throw error;
}

/** 429s also carry this Retry-After, as some Stripe edges do. */
function addRetryAfter(seconds: string) {
  return (app: FastifyInstance) =>
    app.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode === 429) reply.header('retry-after', seconds);
      return payload;
    });
}

/** 429s say `Stripe-Should-Retry: false`. */
function forbidRetryOfRateLimits(app: FastifyInstance) {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (reply.statusCode === 429) reply.header('stripe-should-retry', 'false');
    return payload;
  });
}

/** The next `count` API requests fail with Stripe's 500 shape. */
function failNextWith500(count: number) {
  let remaining = count;
  return (app: FastifyInstance) =>
    app.addHook('onRequest', async (request, reply) => {
      if (!request.url.startsWith('/v1/') || remaining <= 0) return;
      remaining -= 1;
      return reply.code(500).send({ error: { type: 'api_error', message: 'An unknown error occurred' } });
    });
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('retries: rate limits, outages and network failures', () => {
  it('a 429 without Retry-After is retried with exponential backoff and jitter, and then succeeds', async () => {
    const harness = await startReaderHarness();
    await harness.load([charge]);
    await harness.injectRateLimits(2);
    const clock = virtualClock();

    const retrieved = await harness.reader({ now: clock.now, sleep: clock.sleep, random: () => 0.5 }).retrieveCharge('ch_retry');

    expect(retrieved.id).toBe('ch_retry');
    // Attempt 1 waits between 250 and 500 ms, attempt 2 between 500 and 1000: jitter at its midpoint.
    expect(clock.sleeps).toEqual([375, 750]);
    expect(harness.requests().map((request) => request.status)).toEqual([429, 429, 200]);
  });

  it('the jitter spreads the waits of retries that would otherwise come back together', async () => {
    const harness = await startReaderHarness();
    await harness.load([charge]);
    await harness.injectRateLimits(1);
    const low = virtualClock();
    await harness.reader({ now: low.now, sleep: low.sleep, random: () => 0 }).retrieveCharge('ch_retry');
    await harness.injectRateLimits(1);
    const high = virtualClock();
    await harness.reader({ now: high.now, sleep: high.sleep, random: () => 0.999 }).retrieveCharge('ch_retry');

    expect(low.sleeps).toEqual([250]);
    expect(high.sleeps).toEqual([500]);
  });

  it('a 429 with Retry-After waits exactly that long before trying again', async () => {
    const harness = await startReaderHarness({ beforeListen: addRetryAfter('3') });
    await harness.load([charge]);
    await harness.injectRateLimits(2);
    const clock = virtualClock();

    await harness.reader({ now: clock.now, sleep: clock.sleep }).retrieveCharge('ch_retry');

    expect(clock.sleeps).toEqual([3_000, 3_000]);
  });

  it('a Retry-After longer than we will wait in one call goes back to the caller with the time to come back', async () => {
    const harness = await startReaderHarness({ beforeListen: addRetryAfter('600') });
    await harness.load([charge]);
    await harness.injectRateLimits(1);
    const clock = virtualClock();

    const error = await connectorFailure(harness.reader({ now: clock.now, sleep: clock.sleep }).retrieveCharge('ch_retry'));

    expect([error.code, error.retryable, error.retryAfterMs]).toEqual(['STRIPE_RATE_LIMITED', true, 600_000]);
    expect(clock.sleeps).toEqual([]);
  });

  it('a 429 marked Stripe-Should-Retry: false is not retried, and says a retry will not help', async () => {
    const harness = await startReaderHarness({ beforeListen: forbidRetryOfRateLimits });
    await harness.load([charge]);
    await harness.injectRateLimits(1);
    const clock = virtualClock();

    const error = await connectorFailure(harness.reader({ now: clock.now, sleep: clock.sleep }).retrieveCharge('ch_retry'));

    expect([error.code, error.retryable, error.detail.shouldRetry, error.detail.attempts]).toEqual(['STRIPE_RATE_LIMITED', false, 'false', 1]);
    expect(clock.sleeps).toEqual([]);
    expect(harness.requests()).toHaveLength(1);
  });

  it('rate limits that outlast the attempts end as a retryable STRIPE_RATE_LIMITED after exactly maxAttempts requests', async () => {
    const harness = await startReaderHarness();
    await harness.load([charge]);
    await harness.injectRateLimits(10);
    const clock = virtualClock();

    const error = await connectorFailure(harness.reader({ now: clock.now, sleep: clock.sleep, maxAttempts: 3 }).retrieveCharge('ch_retry'));

    expect([error.code, error.retryable, error.detail.attempts]).toEqual(['STRIPE_RATE_LIMITED', true, 3]);
    expect(harness.requests()).toHaveLength(3);
    expect(clock.sleeps).toHaveLength(2);
  });

  it('a 5xx is retried with backoff and the read then succeeds', async () => {
    const harness = await startReaderHarness({ beforeListen: failNextWith500(2) });
    await harness.load([charge]);
    const clock = virtualClock();

    const retrieved = await harness.reader({ now: clock.now, sleep: clock.sleep }).retrieveCharge('ch_retry');

    expect(retrieved.id).toBe('ch_retry');
    expect(clock.sleeps).toEqual([375, 750]);
  });

  it('an outage that outlasts the attempts ends as a retryable STRIPE_UNAVAILABLE', async () => {
    const harness = await startReaderHarness({ beforeListen: failNextWith500(10) });
    await harness.load([charge]);

    const error = await connectorFailure(harness.reader({ maxAttempts: 4 }).retrieveCharge('ch_retry'));

    expect([error.code, error.retryable, error.detail.status, error.detail.attempts]).toEqual(['STRIPE_UNAVAILABLE', true, 500, 4]);
  });

  it('a network failure is retried a bounded number of times and ends as STRIPE_NETWORK', async () => {
    const port = await closedPort();
    const clock = virtualClock();
    const reader = createStripeReader({ apiKey: TEST_KEY, host: '127.0.0.1', port, protocol: 'http', maxAttempts: 3, now: clock.now, sleep: clock.sleep, random: () => 0.5 });

    const error = await connectorFailure(reader.retrieveCharge('ch_anything'));

    expect([error.code, error.retryable, error.detail.attempts]).toEqual(['STRIPE_NETWORK', true, 3]);
    expect(clock.sleeps).toEqual([375, 750]);
    expect(error.message).toMatch(/could not reach Stripe/);
  });
});

describe('failures a retry cannot fix', () => {
  it('a missing object is STRIPE_NOT_FOUND, not retried, naming the object and keeping the request id for the log', async () => {
    const harness = await startReaderHarness();
    const clock = virtualClock();

    const error = await connectorFailure(harness.reader({ now: clock.now, sleep: clock.sleep }).retrieveCharge('ch_missing'));

    expect([error.code, error.retryable, error.detail.status, error.detail.stripeCode]).toEqual(['STRIPE_NOT_FOUND', false, 404, 'resource_missing']);
    expect(error.message).toContain('charge ch_missing');
    expect(error.detail.requestId).toMatch(/^req_/);
    expect(clock.sleeps).toEqual([]);
    expect(harness.requests()).toHaveLength(1);
  });

  it('a payout that does not exist is STRIPE_NOT_FOUND when listing its transactions too', async () => {
    const harness = await startReaderHarness();

    const error = await connectorFailure(harness.reader().listPayoutBalanceTransactions('po_missing').next());

    expect([error.code, error.retryable, error.detail.param]).toEqual(['STRIPE_NOT_FOUND', false, 'payout']);
  });

  it('a key Stripe does not accept is STRIPE_AUTH, not retried, telling the admin to reconnect', async () => {
    const harness = await startReaderHarness({ apiKeys: ['sk_test_theOnlyGoodKey'] });

    const error = await connectorFailure(harness.reader().retrieveCharge('ch_any'));

    expect([error.code, error.retryable, error.detail.status]).toEqual(['STRIPE_AUTH', false, 401]);
    expect(error.message).toMatch(/Reconnect Stripe/);
    expect(harness.requests()).toHaveLength(1);
  });

  it('an account the key may not act for is STRIPE_PERMISSION', async () => {
    const harness = await startReaderHarness();

    const error = await connectorFailure(harness.reader({ stripeAccount: 'not-an-account' }).retrieveCharge('ch_any'));

    expect([error.code, error.retryable, error.detail.status]).toEqual(['STRIPE_PERMISSION', false, 403]);
  });

  it('a request Stripe refuses as invalid is STRIPE_INVALID_REQUEST, not retried', async () => {
    const harness = await startReaderHarness();
    await harness.load([charge]);

    const error = await connectorFailure(harness.reader().updateChargeMetadata('ch_retry', { ['k'.repeat(41)]: 'v' }, 'write-1'));

    expect([error.code, error.retryable, error.detail.status, error.detail.param]).toEqual(['STRIPE_INVALID_REQUEST', false, 400, `metadata[${'k'.repeat(41)}]`]);
    expect(harness.requests()).toHaveLength(1);
  });

  it('no error message or log detail ever holds the API key', async () => {
    const secretKey = 'sk_test_SECRETsecretSECRET0123456789';
    const harness = await startReaderHarness({ apiKeys: ['sk_test_theOnlyGoodKey'] });
    const port = await closedPort();
    const clock = virtualClock();
    const options = { now: clock.now, sleep: clock.sleep, maxAttempts: 1 };
    const reader = harness.reader({ apiKey: secretKey, ...options });
    const goodReader = harness.reader({ apiKey: 'sk_test_theOnlyGoodKey', ...options });
    await harness.load([charge]);

    const errors = [
      await connectorFailure(reader.retrieveCharge('ch_retry')),
      await connectorFailure(goodReader.retrieveCharge('ch_missing')),
      await connectorFailure(goodReader.updateChargeMetadata('ch_retry', { ['k'.repeat(41)]: secretKey }, 'write-1')),
      await connectorFailure(createStripeReader({ apiKey: secretKey, host: '127.0.0.1', port, protocol: 'http', ...options }).retrieveCharge('ch_x')),
    ];

    expect(errors.map((error) => error.code)).toEqual(['STRIPE_AUTH', 'STRIPE_NOT_FOUND', 'STRIPE_INVALID_REQUEST', 'STRIPE_NETWORK']);
    for (const error of errors) {
      const everything = `${error.message} ${JSON.stringify(error.detail)} ${JSON.stringify(error)} ${String(error)} ${error.stack ?? ''}`;
      expect(everything).not.toContain(secretKey);
      expect(everything).not.toContain('SECRETsecretSECRET');
    }
  });

  it("even when Stripe's own message quotes the key, the connector's error does not", () => {
    const secretKey = 'sk_live_QUOTEDquotedQUOTED0123456789';
    const quoted = new Stripe.errors.StripeAuthenticationError({ message: `Invalid API Key provided: ${secretKey}`, statusCode: 401, type: 'invalid_request_error' });

    const error = toStripeConnectorError(quoted, { operation: { action: 'retrieve', objectType: 'charge', objectId: 'ch_1' }, apiKey: secretKey, nowMs: 0 });

    expect(error.code).toBe('STRIPE_AUTH');
    expect(error.detail.stripeMessage).toBe('Invalid API Key provided: [redacted key]');
    expect(JSON.stringify({ message: error.message, detail: error.detail })).not.toContain('QUOTEDquoted');
  });
});
