import type { GlAccountRole } from '@sagesync/db';

// The payout reconciliation journal, under the clearing-account method. Pure: given a payout and
// every one of its balance transactions (all pages), it builds balanced journal lines grouped by
// reporting category, or says why it must be held for a person instead.
//
// per_transaction: charges, refunds and disputes were already posted one by one into (or out of)
//   the Stripe clearing account at their gross amount. The payout journal moves those gross
//   amounts back out of clearing, expenses the fees, posts what was never posted on its own
//   (adjustments and the like) to its account, and puts the net in the bank. Afterwards the
//   clearing account's movement for the payout is exactly zero.
// payout_summary: nothing was posted before; one journal posts every category to its own account
//   (revenue, refunds, disputes, fees, adjustments) and the net to the bank, as A2X does.

export type PostingModeName = 'per_transaction' | 'payout_summary';

export type PayoutFacts = {
  id: string;
  /** Minor units, settlement currency. Negative for a payout that debits the bank. */
  amountMinor: bigint;
  currency: string;
  /** Stripe cannot link a manual payout's transactions: such payouts are held, never guessed. */
  automatic: boolean;
  /** Tenant-local date the money arrives. */
  arrivalDate: string;
};

export type PayoutTransaction = {
  id: string;
  type: string;
  reportingCategory: string;
  amountMinor: bigint;
  feeMinor: bigint;
  netMinor: bigint;
  currency: string;
};

export type JournalLineDraft = { account: string; debitMinor: bigint; creditMinor: bigint; memo: string };

export type CategoryTotal = { category: string; count: number; amountMinor: bigint; feeMinor: bigint; netMinor: bigint };

export type PayoutJournalResult =
  | {
      ok: true;
      reference: string;
      date: string;
      currency: string;
      memo: string;
      lines: JournalLineDraft[];
      totals: CategoryTotal[];
      transactionsNetMinor: bigint;
    }
  | {
      ok: false;
      reason: 'manual_payout' | 'sum_mismatch' | 'currency_mismatch' | 'net_mismatch';
      /** What a reviewer reads. */
      message: string;
      /** payout amount − sum of its transactions' net (zero unless the sums disagree). */
      differenceMinor: bigint;
      totals: CategoryTotal[];
      transactionsNetMinor: bigint;
    };

/** Categories the sync posts one by one in per-transaction mode (so they sit in clearing). */
export const INDIVIDUALLY_POSTED_CATEGORIES = new Set(['charge', 'refund', 'refund_failure', 'dispute', 'dispute_reversal']);

/**
 * Whether charges, refunds and disputes post one by one as they happen. Only in per_transaction:
 * in payout_summary their payout's journal posts them, and a document of their own as well would
 * count the money twice and leave it in the clearing account.
 */
export function postsIndividually(mode: PostingModeName): boolean {
  return mode === 'per_transaction';
}

const PAYOUT_CATEGORIES = new Set(['payout', 'payout_reversal']);

/** The roles a payout journal posts to: receivables and sales tax belong to invoices, never to a payout. */
export type PayoutAccountRole = Exclude<GlAccountRole, 'receivables' | 'sales_tax'>;

/** Which GL role a reporting category posts to when it is posted to its own account. */
export function roleForCategory(category: string): PayoutAccountRole {
  if (category === 'charge' || category === 'payment') return 'revenue';
  if (category === 'refund' || category === 'refund_failure' || category === 'partial_capture_reversal') return 'refunds';
  if (category === 'dispute' || category === 'dispute_reversal') return 'disputes';
  if (category === 'fee' || category === 'network_cost' || category === 'tax') return 'fees';
  if (PAYOUT_CATEGORIES.has(category)) return 'bank';
  return 'adjustments';
}

export type AccountsForCategory = (category: string) => Record<PayoutAccountRole, string>;

function line(account: string, signedMinor: bigint, memo: string): JournalLineDraft | null {
  if (signedMinor === 0n) return null;
  // Positive: money came in to the Stripe balance from this category: credit its account.
  return signedMinor > 0n
    ? { account, debitMinor: 0n, creditMinor: signedMinor, memo }
    : { account, debitMinor: -signedMinor, creditMinor: 0n, memo };
}

function totalsByCategory(transactions: readonly PayoutTransaction[]): CategoryTotal[] {
  const totals = new Map<string, CategoryTotal>();
  for (const t of transactions) {
    const total = totals.get(t.reportingCategory) ?? { category: t.reportingCategory, count: 0, amountMinor: 0n, feeMinor: 0n, netMinor: 0n };
    total.count += 1;
    total.amountMinor += t.amountMinor;
    total.feeMinor += t.feeMinor;
    total.netMinor += t.netMinor;
    totals.set(t.reportingCategory, total);
  }
  return [...totals.values()].sort((a, b) => a.category.localeCompare(b.category));
}

export function buildPayoutJournal(input: {
  payout: PayoutFacts;
  /** Every balance transaction of the payout, including the payout's own. */
  transactions: readonly PayoutTransaction[];
  mode: PostingModeName;
  accountsFor: AccountsForCategory;
}): PayoutJournalResult {
  const { payout, mode } = input;
  // The payout's own balance transaction (type `payout`) is the other side of the bank line.
  const contents = input.transactions.filter((t) => t.type !== 'payout');
  const totals = totalsByCategory(contents);
  const transactionsNetMinor = contents.reduce((sum, t) => sum + t.netMinor, 0n);
  const hold = (reason: Exclude<PayoutJournalResult, { ok: true }>['reason'], message: string) => ({
    ok: false as const,
    reason,
    message,
    differenceMinor: payout.amountMinor - transactionsNetMinor,
    totals,
    transactionsNetMinor,
  });

  if (!payout.automatic) {
    return hold('manual_payout', 'This is a manual payout: Stripe does not link it to the transactions it paid out, so it is held for review rather than guessed.');
  }
  const foreign = contents.find((t) => t.currency.toUpperCase() !== payout.currency.toUpperCase());
  if (foreign) {
    return hold('currency_mismatch', `Balance transaction ${foreign.id} is in ${foreign.currency.toUpperCase()}, the payout in ${payout.currency.toUpperCase()}.`);
  }
  const inconsistent = contents.find((t) => t.amountMinor - t.feeMinor !== t.netMinor);
  if (inconsistent) {
    return hold('net_mismatch', `Balance transaction ${inconsistent.id}: amount − fee ≠ net.`);
  }
  if (transactionsNetMinor !== payout.amountMinor) {
    return hold('sum_mismatch', `The payout's transactions add up to ${transactionsNetMinor} minor units, the payout is ${payout.amountMinor}: held with the difference shown.`);
  }

  const lines: JournalLineDraft[] = [];
  const push = (draft: JournalLineDraft | null) => draft && lines.push(draft);
  let feesMinor = 0n;
  let feesAccount: string | undefined;
  for (const total of totals) {
    const accounts = input.accountsFor(total.category);
    const sitsInClearing = mode === 'per_transaction' && INDIVIDUALLY_POSTED_CATEGORIES.has(total.category);
    const account = sitsInClearing ? accounts.clearing : accounts[roleForCategory(total.category)];
    const memo = `${total.category} × ${total.count}${sitsInClearing ? ' (out of clearing)' : ''}`;
    push(line(account, total.amountMinor, memo));
    feesMinor += total.feeMinor;
    feesAccount ??= accounts.fees;
  }
  if (feesAccount) push(line(feesAccount, -feesMinor, 'Stripe fees'));
  // The net reaches (or, when negative, leaves) the bank.
  push(line(input.accountsFor('payout').bank, -payout.amountMinor, `Stripe payout ${payout.id}`));

  const debits = lines.reduce((sum, l) => sum + l.debitMinor, 0n);
  const credits = lines.reduce((sum, l) => sum + l.creditMinor, 0n);
  if (debits !== credits) {
    // Unreachable when the sums above agree; kept as the last proof before anything is posted.
    throw new Error(`payout ${payout.id}: journal does not balance (${debits} ≠ ${credits})`);
  }
  return {
    ok: true,
    reference: payout.id,
    date: payout.arrivalDate,
    currency: payout.currency.toUpperCase(),
    memo: `Stripe payout ${payout.id}: ${contents.length} transactions`,
    lines,
    totals,
    transactionsNetMinor,
  };
}
