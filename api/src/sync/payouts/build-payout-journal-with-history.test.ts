import { DEFAULT_GL_ACCOUNTS } from '@sagesync/db';
import { describe, expect, it } from 'vitest';
import type { JournalLineDraft, PayoutTransaction } from '../../accounting/payout-journal.ts';
import { buildPayoutJournalWithHistory, categoryTotalsOf } from './build-payout-journal-with-history.ts';

const accounts = DEFAULT_GL_ACCOUNTS.sage50;
const SYNC_START = 1_000;

type Dated = PayoutTransaction & { created: number };
let seq = 0;
function txn(reportingCategory: string, amount: number, created: number, fee = 0): Dated {
  seq += 1;
  return { id: `txn_${seq}`, type: reportingCategory, reportingCategory, amountMinor: BigInt(amount), feeMinor: BigInt(fee), netMinor: BigInt(amount - fee), currency: 'USD', created };
}

const movement = (lines: JournalLineDraft[], account: string) => lines.filter((l) => l.account === account).reduce((sum, l) => sum + l.debitMinor - l.creditMinor, 0n);

function build(transactions: Dated[], mode: 'per_transaction' | 'payout_summary' = 'per_transaction') {
  const amountMinor = transactions.reduce((sum, t) => sum + t.netMinor, 0n);
  return buildPayoutJournalWithHistory({
    payout: { id: 'po_first', amountMinor, currency: 'USD', automatic: true, arrivalDate: '2026-02-02' },
    transactions,
    mode,
    accountsFor: () => accounts,
    postedIndividually: (t) => t.created >= SYNC_START,
  });
}

describe('the payout journal with history before the sync start', () => {
  it('posts history charges, refunds and disputes to their own accounts and only synced ones out of clearing', () => {
    const result = build([txn('charge', 10_000, 500, 320), txn('refund', -2_000, 600), txn('dispute', -1_000, 700, 1_500), txn('charge', 4_000, 1_500, 146), txn('refund', -500, 1_600), txn('fee', -50, 1_700)]);
    if (!result.ok) throw new Error(result.message);
    // Only the synced charge (4,000 in) and refund (500 out) ever reached clearing; the journal takes exactly them out.
    expect(movement(result.lines, accounts.clearing)).toBe(-3_500n);
    expect(movement(result.lines, accounts.revenue)).toBe(-10_000n);
    expect(movement(result.lines, accounts.refunds)).toBe(2_000n);
    expect(movement(result.lines, accounts.disputes)).toBe(1_000n);
    expect(movement(result.lines, accounts.fees)).toBe(320n + 1_500n + 146n + 50n);
    expect(result.lines.reduce((sum, l) => sum + l.debitMinor - l.creditMinor, 0n)).toBe(0n);
    expect(result.historyTransactionCount).toBe(3);
    expect(categoryTotalsOf(result.totals).filter((t) => t.category === 'charge').map((t) => [t.history, t.count])).toEqual([
      [false, 1],
      [true, 1],
    ]);
  });

  it('changes nothing when every transaction went through the sync, or in payout-summary mode', () => {
    const synced = [txn('charge', 10_000, 2_000, 320), txn('refund', -2_000, 2_100)];
    const result = build(synced);
    if (!result.ok) throw new Error(result.message);
    expect(result.historyTransactionCount).toBe(0);
    expect(movement(result.lines, accounts.clearing)).toBe(-8_000n);

    const summary = build([txn('charge', 10_000, 1, 320)], 'payout_summary');
    if (!summary.ok) throw new Error(summary.message);
    expect(movement(summary.lines, accounts.clearing)).toBe(0n);
    expect(summary.historyTransactionCount).toBe(0);
  });
});
