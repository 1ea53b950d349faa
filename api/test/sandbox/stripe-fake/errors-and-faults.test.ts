import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { exampleOf } from './support/example-objects.ts';
import { startStripeFake, stripeErrorOf } from './support/stripe-fake-harness.ts';

describe("Stripe's error shapes become the SDK's typed errors", () => {
  it('a missing object is a StripeInvalidRequestError with code resource_missing and status 404', async () => {
    const { stripe } = await startStripeFake();

    const error = await stripeErrorOf(stripe.payouts.retrieve('po_missing'));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect([error.statusCode, error.code, error.param, error.doc_url]).toEqual([
      404,
      'resource_missing',
      'id',
      'https://stripe.com/docs/error-codes/resource-missing',
    ]);
    expect(error.requestId).toMatch(/^req_/);
  });

  it('a key the fake does not accept is a StripeAuthenticationError', async () => {
    const { client } = await startStripeFake({ apiKeys: ['sk_test_right'] });

    const error = await stripeErrorOf(client('sk_test_wrong').charges.list());

    expect(error).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(error.statusCode).toBe(401);
    expect(error.message).not.toContain('sk_test_wrong');
  });

  it('a live key is refused by default, and a request without a key gets the 401 Stripe sends', async () => {
    const { client, request } = await startStripeFake();

    const live = await stripeErrorOf(client('sk_live_abcdefghijklmnop').charges.list());
    const anonymous = await request('/v1/charges');

    expect(live).toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({ error: { type: 'invalid_request_error', message: expect.stringContaining('You did not provide an API key') } });
  });

  it('an unknown URL is a 404 in Stripe shape', async () => {
    const { request } = await startStripeFake();

    const response = await request('/v1/nonsense', { headers: { authorization: 'Bearer sk_test_x' } });

    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { type: 'invalid_request_error', message: expect.stringContaining('Unrecognized request URL (GET: /v1/nonsense)') } });
  });

  it('a missing required parameter is a 400 parameter_missing', async () => {
    const { stripe } = await startStripeFake();

    const error = await stripeErrorOf(stripe.refunds.create({}));

    expect([error.statusCode, error.code, error.param]).toEqual([400, 'parameter_missing', 'charge']);
  });
});

describe('injected 429s', () => {
  it('rateLimitNext answers the next requests with a StripeRateLimitError carrying Stripe-Should-Retry, then recovers', async () => {
    const { stripe, request, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1' })]);
    await request('/_fake/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimitNext: 2 }) });

    const first = await stripeErrorOf(stripe.charges.retrieve('ch_1'));
    const second = await stripeErrorOf(stripe.charges.list());
    const third = await stripe.charges.retrieve('ch_1');

    for (const error of [first, second]) {
      expect(error).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
      expect([error.statusCode, error.code]).toEqual([429, 'rate_limit']);
      expect(error.headers?.['stripe-should-retry']).toBe('true');
    }
    expect(third.id).toBe('ch_1');
  });

  it("the SDK's own retries get through an injected 429, since the fake says it is safe to retry", async () => {
    const { client, request, load, fake } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1' })]);
    await request('/_fake/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimitNext: 1 }) });

    const charge = await client('sk_test_fake', { maxNetworkRetries: 1 }).charges.update('ch_1', { metadata: { a: '1' } });

    expect(charge.metadata).toMatchObject({ a: '1' });
    const posts = fake.requestLog.list().filter((entry) => entry.method === 'POST');
    expect(posts.map((entry) => entry.status)).toEqual([429, 200]);
    expect(new Set(posts.map((entry) => entry.idempotencyKey)).size).toBe(1);
  });

  it('rateLimitShare fails about that share of requests, the same ones for the same seed', async () => {
    const runOnce = async () => {
      const { stripe, request } = await startStripeFake({ seed: 5 });
      await request('/_fake/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimitShare: 0.3 }) });
      const outcomes: string[] = [];
      for (let i = 0; i < 200; i += 1) {
        outcomes.push(await stripe.charges.list().then(() => 'ok', (error: Stripe.errors.StripeError) => String(error.statusCode)));
      }
      return outcomes;
    };

    const first = await runOnce();
    const second = await runOnce();

    const limited = first.filter((outcome) => outcome === '429').length;
    expect(limited).toBeGreaterThan(30);
    expect(limited).toBeLessThan(90);
    expect(second).toEqual(first);
  });

  it('refuses a share outside 0–1 with a clear 400', async () => {
    const { request } = await startStripeFake();

    const response = await request('/_fake/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rateLimitShare: 2 }) });

    expect(response.status).toBe(400);
    expect(JSON.stringify(response.body)).toContain('rateLimitShare');
  });
});
