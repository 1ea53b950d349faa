import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { buildPayoutJournal, type PayoutAccountRole } from '../../../src/accounting/payout-journal.ts';
import { normalizeBalanceTransaction } from '../../../src/connectors/stripe/stripe-balance-transactions.ts';
import { buildStripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { startReaderHarness, virtualClock } from './support/stripe-reader-harness.ts';

const ACCOUNTS: Record<PayoutAccountRole, string> = {
  clearing: '1190',
  bank: '1000',
  revenue: '4000',
  fees: '6100',
  refunds: '4100',
  disputes: '4200',
  fx: '7100',
  adjustments: '6900',
};

describe("listing a payout's balance transactions", () => {
  it('returns all 10,000 transactions of a payout once each, over every page, their nets summing exactly to the payout', async () => {
    const scenario = buildStripeScenario({ seed: 10_000, size: 10_000, events: false });
    const harness = await startReaderHarness();
    await harness.load(scenario.objects);
    const reader = harness.reader();

    const seen = new Set<string>();
    let netOfContents = 0n;
    let count = 0;
    for await (const transaction of reader.listPayoutBalanceTransactions(scenario.payout.id)) {
      count += 1;
      seen.add(transaction.id);
      const normalized = normalizeBalanceTransaction(transaction);
      if (normalized.type !== 'payout') netOfContents += normalized.netMinor;
    }

    expect(count).toBe(10_000);
    expect(seen.size).toBe(10_000);
    expect(netOfContents).toBe(BigInt(scenario.payout.amount));
    const pages = harness.requests().filter((request) => request.path === '/v1/balance_transactions');
    expect(pages).toHaveLength(100);
    expect(pages.every((page) => page.query.limit === '100' && page.query.payout === scenario.payout.id)).toBe(true);
  });

  it('the normalised transactions are what the payout journal takes, and it balances', async () => {
    const scenario = buildStripeScenario({ seed: 11, size: 250, currency: 'bhd' });
    const harness = await startReaderHarness();
    await harness.load(scenario.objects);

    const transactions = [];
    for await (const transaction of harness.reader().listPayoutBalanceTransactions(scenario.payout.id)) {
      transactions.push(normalizeBalanceTransaction(transaction));
    }
    const journal = buildPayoutJournal({
      payout: { id: scenario.payout.id, amountMinor: BigInt(scenario.payout.amount), currency: 'BHD', automatic: true, arrivalDate: '2025-01-10' },
      transactions,
      mode: 'per_transaction',
      accountsFor: () => ACCOUNTS,
    });

    expect(transactions).toHaveLength(250);
    expect(journal.ok).toBe(true);
  });

  it('expands each transaction’s source when asked, so the sync need not fetch them one by one', async () => {
    const scenario = buildStripeScenario({ seed: 12, size: 30 });
    const harness = await startReaderHarness();
    await harness.load(scenario.objects);

    const sources: Array<Stripe.BalanceTransaction['source']> = [];
    for await (const transaction of harness.reader().listPayoutBalanceTransactions(scenario.payout.id, { expandSource: true })) {
      sources.push(transaction.source);
    }

    const charges = sources.filter((source) => typeof source === 'object' && source?.object === 'charge');
    expect(charges.length).toBe(scenario.charges.length);
    expect(harness.requests()[0]?.query.expand).toEqual(['data.source']);
  });

  it('pages a large payout within the test-mode read budget: 100 pages take at least eight seconds of the clock', async () => {
    const scenario = buildStripeScenario({ seed: 13, size: 10_000, events: false });
    const harness = await startReaderHarness();
    await harness.load(scenario.objects);
    const clock = virtualClock(0);

    let count = 0;
    for await (const _ of harness.reader({ now: clock.now, sleep: clock.sleep }).listPayoutBalanceTransactions(scenario.payout.id)) count += 1;

    expect(count).toBe(10_000);
    // 12 requests a second: the 100th page cannot start before 8 whole seconds have passed.
    expect(clock.now()).toBeGreaterThanOrEqual(8_000);
  });
});
