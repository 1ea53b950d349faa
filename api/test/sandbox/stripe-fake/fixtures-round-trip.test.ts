import { describe, expect, it } from 'vitest';
import { SERVED_FIXTURE_KEYS, servedFixtureObjects } from '../../../src/sandbox/stripe-fake/fixtures.ts';
import { startStripeFake } from './support/stripe-fake-harness.ts';
import type Stripe from 'stripe';

const fixtures = servedFixtureObjects();

/**
 * stripe-node 23 turns `*_decimal` strings into Decimal objects (whose JSON is the same string),
 * so objects are compared as the JSON they stand for.
 */
const asJson = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** The SDK's retrieve call for each served resource. */
function retrieve(stripe: Stripe, key: (typeof SERVED_FIXTURE_KEYS)[number], id: string): Promise<unknown> {
  switch (key) {
    case 'account':
      return stripe.accounts.retrieve(id);
    case 'balance_transaction':
      return stripe.balanceTransactions.retrieve(id);
    case 'charge':
      return stripe.charges.retrieve(id);
    case 'customer':
      return stripe.customers.retrieve(id);
    case 'dispute':
      return stripe.disputes.retrieve(id);
    case 'event':
      return stripe.events.retrieve(id);
    case 'invoice':
      return stripe.invoices.retrieve(id);
    case 'payment_intent':
      return stripe.paymentIntents.retrieve(id);
    case 'payout':
      return stripe.payouts.retrieve(id);
    case 'refund':
      return stripe.refunds.retrieve(id);
    case 'subscription':
      return stripe.subscriptions.retrieve(id);
  }
}

describe("Stripe's example objects through the fake and the SDK", () => {
  it.each(SERVED_FIXTURE_KEYS)('the %s example loads through /_fake/objects and comes back equal through the SDK', async (key) => {
    const { stripe, load } = await startStripeFake();
    const example = fixtures[key];
    await load([example]);

    const retrieved = await retrieve(stripe, key, example.id);

    expect(asJson(retrieved)).toEqual(example);
  });

  it('every example loads in one batch, and each list endpoint returns its example', async () => {
    const { stripe, load } = await startStripeFake();
    const summary = await load(Object.values(fixtures));

    expect(summary.loaded).toBe(SERVED_FIXTURE_KEYS.length);
    expect((await stripe.charges.list()).data).toEqual([fixtures.charge]);
    expect((await stripe.balanceTransactions.list()).data).toEqual([fixtures.balance_transaction]);
    expect((await stripe.refunds.list({ charge: fixtures.refund.charge as string })).data).toEqual([fixtures.refund]);
    expect((await stripe.disputes.list()).data).toEqual([fixtures.dispute]);
    expect((await stripe.payouts.list()).data).toEqual([fixtures.payout]);
    expect((await stripe.invoices.list({ customer: fixtures.invoice.customer as string })).data).toEqual([fixtures.invoice]);
    expect(asJson((await stripe.subscriptions.list()).data)).toEqual([fixtures.subscription]);
    expect((await stripe.paymentIntents.list()).data).toEqual([fixtures.payment_intent]);
    expect((await stripe.events.list({ type: 'plan.*' })).data).toEqual([fixtures.event]);
    expect((await stripe.customers.list()).data).toEqual([fixtures.customer]);
  });

  it('the fake answers with exactly the loaded JSON, before the SDK parses it', async () => {
    const { request, load } = await startStripeFake();
    await load([fixtures.subscription]);

    const response = await request(`/v1/subscriptions/${fixtures.subscription.id}`, { headers: { authorization: 'Bearer sk_test_fake' } });

    expect(response.status).toBe(200);
    expect(response.body).toEqual(fixtures.subscription);
  });

  it("an invoice's embedded lines page through the SDK's listLineItems", async () => {
    const { stripe, load } = await startStripeFake();
    await load([fixtures.invoice]);

    const lines = await stripe.invoices.listLineItems(fixtures.invoice.id);

    expect(lines.data).toEqual((fixtures.invoice.lines as { data: unknown[] }).data);
    expect(lines.has_more).toBe(false);
    expect(lines.url).toBe(`/v1/invoices/${fixtures.invoice.id}/lines`);
  });

  it("the example charge's balance transaction expands from the example balance transaction", async () => {
    const { stripe, load } = await startStripeFake();
    await load([fixtures.charge, fixtures.balance_transaction]);

    const charge = await stripe.charges.retrieve(fixtures.charge.id, { expand: ['balance_transaction'] });

    expect(charge.balance_transaction).toEqual(fixtures.balance_transaction);
  });
});
