import {
  buildPayoutJournal,
  INDIVIDUALLY_POSTED_CATEGORIES,
  roleForCategory,
  type AccountsForCategory,
  type CategoryTotal,
  type PayoutFacts,
  type PayoutJournalResult,
  type PayoutTransaction,
  type PostingModeName,
} from '../../accounting/payout-journal.ts';

// The payout journal when some of the payout's money predates the sync (the first payout after an
// integration starts): in per-transaction mode, a charge, refund or dispute created before
// `syncStartAt` was never posted on its own, so it never reached the clearing account. Moving it
// "out of clearing" would leave clearing off by exactly that history. Instead it posts to its own
// account (revenue, refunds, disputes), as payout-summary mode does, and clearing still nets to zero.
//
// Adapter, not a copy: buildPayoutJournal stays the one place the journal is built. A history
// transaction is relabelled to a category buildPayoutJournal does not post through clearing (it
// falls to the `adjustments` role), and that category's `adjustments` account is made the account
// of the original category's own role. Everything else (holds, sums, fees, bank) is unchanged.

const HISTORY_LABEL = ' (before sync start)';

/** The category a history transaction is shown and posted under. */
export function historyCategory(category: string): string {
  return `${category}${HISTORY_LABEL}`;
}

/** `charge (before sync start)` → `{ category: 'charge', history: true }`. */
export function originalCategory(label: string): { category: string; history: boolean } {
  return label.endsWith(HISTORY_LABEL) ? { category: label.slice(0, -HISTORY_LABEL.length), history: true } : { category: label, history: false };
}

export type PayoutJournalWithHistoryInput<T extends PayoutTransaction> = {
  payout: PayoutFacts;
  /** Every balance transaction of the payout, including the payout's own. */
  transactions: readonly T[];
  mode: PostingModeName;
  /** Accounts of a real reporting category (never called with a history label). */
  accountsFor: AccountsForCategory;
  /**
   * Per-transaction mode only: did the sync post this transaction on its own, into clearing?
   * Asked only for the categories the sync posts individually.
   */
  postedIndividually: (transaction: T) => boolean;
};

export type PayoutJournalWithHistoryResult = PayoutJournalResult & {
  /** How many individually-posted kinds of transaction predate the sync and were posted to their own accounts. */
  historyTransactionCount: number;
};

export function buildPayoutJournalWithHistory<T extends PayoutTransaction>(input: PayoutJournalWithHistoryInput<T>): PayoutJournalWithHistoryResult {
  const { payout, mode, accountsFor } = input;
  if (mode === 'payout_summary') {
    return { ...buildPayoutJournal({ payout, transactions: input.transactions, mode, accountsFor }), historyTransactionCount: 0 };
  }

  let historyTransactionCount = 0;
  const transactions = input.transactions.map((transaction): PayoutTransaction => {
    if (!INDIVIDUALLY_POSTED_CATEGORIES.has(transaction.reportingCategory) || input.postedIndividually(transaction)) return transaction;
    historyTransactionCount += 1;
    return { ...transaction, reportingCategory: historyCategory(transaction.reportingCategory) };
  });

  const adaptedAccountsFor: AccountsForCategory = (label) => {
    const { category, history } = originalCategory(label);
    const accounts = accountsFor(category);
    if (!history) return accounts;
    // The relabelled category must reach buildPayoutJournal's own-account branch through the
    // adjustments role; if that rule ever changes, refuse rather than post to the wrong account.
    if (INDIVIDUALLY_POSTED_CATEGORIES.has(label) || roleForCategory(label) !== 'adjustments') {
      throw new Error(`payout ${payout.id}: history category "${label}" would not post to its own account`);
    }
    return { ...accounts, adjustments: accounts[roleForCategory(category)] };
  };

  return { ...buildPayoutJournal({ payout, transactions, mode, accountsFor: adaptedAccountsFor }), historyTransactionCount };
}

/** Category totals with history shown as a flag rather than in the category's name. */
export function categoryTotalsOf(totals: readonly CategoryTotal[]): (CategoryTotal & { history: boolean })[] {
  return totals.map((total) => ({ ...total, ...originalCategory(total.category) }));
}
