import { DEFAULT_GL_ACCOUNTS } from '@sagesync/db';
import { describe, expect, it } from 'vitest';
import { buildPayoutJournal, INDIVIDUALLY_POSTED_CATEGORIES, type JournalLineDraft, type PayoutTransaction } from './payout-journal.ts';

const accounts = DEFAULT_GL_ACCOUNTS.sage_pro;
const accountsFor = () => accounts;

let seq = 0;
function txn(reportingCategory: string, amount: number, fee = 0, currency = 'usd', type = reportingCategory): PayoutTransaction {
  seq += 1;
  return { id: `txn_${seq}`, type, reportingCategory, amountMinor: BigInt(amount), feeMinor: BigInt(fee), netMinor: BigInt(amount - fee), currency };
}

function payoutOf(transactions: PayoutTransaction[], currency = 'usd') {
  const net = transactions.reduce((sum, t) => sum + t.netMinor, 0n);
  return { id: 'po_1', amountMinor: net, currency, automatic: true, arrivalDate: '2026-01-31' };
}

const movement = (lines: JournalLineDraft[], account: string) => lines.filter((l) => l.account === account).reduce((sum, l) => sum + l.debitMinor - l.creditMinor, 0n);
const balanced = (lines: JournalLineDraft[]) => lines.reduce((sum, l) => sum + l.debitMinor - l.creditMinor, 0n) === 0n;

/** What per-transaction mode posted before the payout: each charge/refund/dispute at gross through clearing. */
function individualClearingMovement(transactions: PayoutTransaction[]): bigint {
  return transactions.filter((t) => INDIVIDUALLY_POSTED_CATEGORIES.has(t.reportingCategory)).reduce((sum, t) => sum + t.amountMinor, 0n);
}

describe('the payout journal', () => {
  const mixed = () => [txn('charge', 10_000, 320), txn('charge', 10_000, 320), txn('refund', -5_000), txn('dispute', -3_000, 1_500), txn('other_adjustment', -100)];

  it('in per-transaction mode balances, puts the net in the bank, and leaves clearing at exactly zero', () => {
    const transactions = mixed();
    const payout = payoutOf(transactions);
    const result = buildPayoutJournal({ payout, transactions: [...transactions, txn('payout', -Number(payout.amountMinor), 0, 'usd', 'payout')], mode: 'per_transaction', accountsFor });
    if (!result.ok) throw new Error(result.message);
    expect(balanced(result.lines)).toBe(true);
    expect(movement(result.lines, accounts.bank)).toBe(9_760n);
    expect(movement(result.lines, accounts.fees)).toBe(2_140n);
    expect(movement(result.lines, accounts.adjustments)).toBe(100n);
    expect(individualClearingMovement(transactions) + movement(result.lines, accounts.clearing)).toBe(0n);
    expect(result.totals.map((t) => [t.category, t.count])).toEqual([['charge', 2], ['dispute', 1], ['other_adjustment', 1], ['refund', 1]]);
  });

  it('in payout-summary mode posts each category to its own account and never touches clearing', () => {
    const transactions = mixed();
    const result = buildPayoutJournal({ payout: payoutOf(transactions), transactions, mode: 'payout_summary', accountsFor });
    if (!result.ok) throw new Error(result.message);
    expect(balanced(result.lines)).toBe(true);
    expect(movement(result.lines, accounts.clearing)).toBe(0n);
    expect(movement(result.lines, accounts.revenue)).toBe(-20_000n);
    expect(movement(result.lines, accounts.refunds)).toBe(5_000n);
    expect(movement(result.lines, accounts.disputes)).toBe(3_000n);
    expect(movement(result.lines, accounts.bank)).toBe(9_760n);
  });

  it('is exact for zero-decimal JPY and three-decimal BHD', () => {
    for (const [currency, charge, fee] of [['jpy', 5_000, 180], ['bhd', 12_340, 371]] as const) {
      const transactions = [txn('charge', charge, fee, currency), txn('refund', -1_000, 0, currency)];
      const result = buildPayoutJournal({ payout: payoutOf(transactions, currency), transactions, mode: 'per_transaction', accountsFor });
      if (!result.ok) throw new Error(result.message);
      expect(balanced(result.lines)).toBe(true);
      expect(movement(result.lines, accounts.bank)).toBe(BigInt(charge - fee - 1_000));
      expect(result.currency).toBe(currency.toUpperCase());
    }
  });

  it('holds a payout whose transactions do not add up to it, showing the difference', () => {
    const transactions = mixed();
    const payout = { ...payoutOf(transactions), amountMinor: 9_761n };
    const result = buildPayoutJournal({ payout, transactions, mode: 'per_transaction', accountsFor });
    expect(result).toMatchObject({ ok: false, reason: 'sum_mismatch', differenceMinor: 1n });
  });

  it('holds a manual payout rather than guessing its transactions', () => {
    const result = buildPayoutJournal({ payout: { ...payoutOf([]), automatic: false, amountMinor: 5_000n }, transactions: [], mode: 'per_transaction', accountsFor });
    expect(result).toMatchObject({ ok: false, reason: 'manual_payout' });
  });

  it('holds a transaction in another currency and one whose amount minus fee is not its net', () => {
    const foreign = [txn('charge', 1_000, 30, 'eur')];
    expect(buildPayoutJournal({ payout: payoutOf(foreign, 'usd'), transactions: foreign, mode: 'per_transaction', accountsFor })).toMatchObject({ ok: false, reason: 'currency_mismatch' });
    const broken = [{ ...txn('charge', 1_000, 30), netMinor: 971n }];
    expect(buildPayoutJournal({ payout: payoutOf(broken), transactions: broken, mode: 'per_transaction', accountsFor })).toMatchObject({ ok: false, reason: 'net_mismatch' });
  });

  it('handles a negative payout that debits the bank', () => {
    const transactions = [txn('refund', -8_000), txn('charge', 1_000, 59)];
    const result = buildPayoutJournal({ payout: payoutOf(transactions), transactions, mode: 'per_transaction', accountsFor });
    if (!result.ok) throw new Error(result.message);
    expect(balanced(result.lines)).toBe(true);
    expect(movement(result.lines, accounts.bank)).toBe(-7_059n);
  });
});
