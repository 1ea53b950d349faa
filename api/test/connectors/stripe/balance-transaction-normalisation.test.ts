import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { MoneyError } from '../../../src/accounting/money.ts';
import { normalizeBalanceTransaction } from '../../../src/connectors/stripe/stripe-balance-transactions.ts';
import { servedFixtureObjects } from '../../../src/sandbox/stripe-fake/fixtures.ts';

function balanceTransaction(overrides: Partial<Stripe.BalanceTransaction>): Stripe.BalanceTransaction {
  return { ...(structuredClone(servedFixtureObjects().balance_transaction) as unknown as Stripe.BalanceTransaction), ...overrides };
}

describe('normalising a balance transaction for the accounting code', () => {
  it('carries amount, fee and net as bigint minor units with an upper-case currency and the reporting category', () => {
    const normalized = normalizeBalanceTransaction(
      balanceTransaction({ id: 'txn_1', type: 'charge', reporting_category: 'charge', amount: 10_000, fee: 320, net: 9_680, currency: 'usd', source: 'ch_1', created: 1_736_121_600, exchange_rate: null }),
    );

    expect(normalized).toEqual({
      id: 'txn_1',
      type: 'charge',
      reportingCategory: 'charge',
      amountMinor: 10_000n,
      feeMinor: 320n,
      netMinor: 9_680n,
      currency: 'USD',
      sourceId: 'ch_1',
      created: 1_736_121_600,
    });
  });

  it('keeps the exchange rate exactly as Stripe wrote it, as text for the memo', () => {
    const normalized = normalizeBalanceTransaction(balanceTransaction({ exchange_rate: 1.234567, currency: 'eur' }));

    expect(normalized.exchangeRate).toBe('1.234567');
    expect(normalized.currency).toBe('EUR');
  });

  it('reads the source id from an expanded source as from a plain id, and a missing source as null', () => {
    const expanded = normalizeBalanceTransaction(balanceTransaction({ source: { id: 're_9', object: 'refund' } as Stripe.Refund }));
    const missing = normalizeBalanceTransaction(balanceTransaction({ source: null }));

    expect(expanded.sourceId).toBe('re_9');
    expect(missing.sourceId).toBeNull();
  });

  it('keeps zero-decimal and three-decimal amounts as the integers Stripe sent, never dividing them', () => {
    expect(normalizeBalanceTransaction(balanceTransaction({ amount: 5_000, fee: 180, net: 4_820, currency: 'jpy' })).netMinor).toBe(4_820n);
    expect(normalizeBalanceTransaction(balanceTransaction({ amount: 12_340, fee: 458, net: 11_882, currency: 'bhd' })).feeMinor).toBe(458n);
  });

  it('takes net as Stripe gives it, so a payout whose sums disagree is held rather than silently corrected', () => {
    expect(normalizeBalanceTransaction(balanceTransaction({ amount: 1_000, fee: 30, net: 971 })).netMinor).toBe(971n);
  });

  it('refuses an amount that is not a whole number of minor units', () => {
    expect(() => normalizeBalanceTransaction(balanceTransaction({ id: 'txn_odd', amount: 10.5 }))).toThrow(MoneyError);
  });
});
