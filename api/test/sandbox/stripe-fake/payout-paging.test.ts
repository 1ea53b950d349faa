import { describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { buildStripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { startStripeFake, stripeErrorOf } from './support/stripe-fake-harness.ts';

describe("a payout's balance transactions through the SDK", () => {
  it('auto-paginates 10,000 balance transactions of one payout, each once, their net summing exactly to the payout', async () => {
    const scenario = buildStripeScenario({ seed: 10_000, size: 10_000, events: false });
    const { stripe, load } = await startStripeFake();
    await load(scenario.objects);

    const startedAt = performance.now();
    const seen = new Set<string>();
    let count = 0;
    let netOfContents = 0;
    let netOfAll = 0;
    let payoutTransaction: Stripe.BalanceTransaction | undefined;
    for await (const transaction of stripe.balanceTransactions.list({ payout: scenario.payout.id, limit: 100 })) {
      count += 1;
      seen.add(transaction.id);
      netOfAll += transaction.net;
      if (transaction.type === 'payout') payoutTransaction = transaction;
      else netOfContents += transaction.net;
      expect(Number.isInteger(transaction.net)).toBe(true);
    }
    const elapsedMs = performance.now() - startedAt;

    expect(count).toBe(10_000);
    expect(seen.size).toBe(10_000);
    expect(netOfContents).toBe(scenario.payout.amount);
    expect(payoutTransaction?.amount).toBe(-scenario.payout.amount);
    expect(netOfAll).toBe(0);
    // 100 pages over HTTP: seconds at most, not minutes (about 0.3 s measured on a 2-core machine).
    expect(elapsedMs).toBeLessThan(10_000);
    console.info(`paged 10,000 balance transactions in ${Math.round(elapsedMs)} ms`);
  });

  it('the payout filter returns only that payout’s transactions, its own included', async () => {
    const first = buildStripeScenario({ seed: 1, size: 12 });
    const second = buildStripeScenario({ seed: 2, size: 9 });
    const { stripe, load } = await startStripeFake();
    await load([...first.objects, ...second.objects]);

    const listed = await stripe.balanceTransactions.list({ payout: first.payout.id, limit: 100 });

    expect(listed.data.map((transaction) => transaction.id).sort()).toEqual(first.balanceTransactions.map((transaction) => transaction.id).sort());
    expect(listed.data.filter((transaction) => transaction.type === 'payout').map((transaction) => transaction.source)).toEqual([first.payout.id]);
  });

  it('the old /v1/balance/history path lists the same transactions, without the fake-only payout hint', async () => {
    const scenario = buildStripeScenario({ seed: 3, size: 6 });
    const { request, load } = await startStripeFake();
    await load(scenario.objects);

    const response = await request(`/v1/balance/history?payout=${scenario.payout.id}&limit=100`, { headers: { authorization: 'Bearer sk_test_fake' } });

    const listed = (response.body as { data: Array<Record<string, unknown>> }).data;
    expect(listed.map((transaction) => transaction.id).sort()).toEqual(scenario.balanceTransactions.map((transaction) => transaction.id).sort());
    expect(listed.some((transaction) => 'payout' in transaction)).toBe(false);
  });

  it('filtering by a payout that does not exist is a 400 naming the payout parameter', async () => {
    const { stripe } = await startStripeFake();

    const error = await stripeErrorOf(stripe.balanceTransactions.list({ payout: 'po_missing' }));

    expect([error.type, error.statusCode, error.code, error.param]).toEqual(['StripeInvalidRequestError', 400, 'resource_missing', 'payout']);
  });
});
