import { z } from 'zod';

// The `summary` JSON column of a PayoutReconciliation: what the Stripe App and the portal show for
// a payout. Money is a string of minor units, because JSON has no bigint and a float would lose
// cents on a large payout.

const ZMinorString = z.string().regex(/^-?\d+$/, 'an integer number of minor units');

export const ZPayoutCategorySummary = z.object({
  /** Stripe's reporting category (charge, refund, dispute, fee, ...). */
  category: z.string().min(1),
  /** Created before the integration's sync start: posted in this journal to its own account, not out of clearing. */
  history: z.boolean(),
  count: z.number().int().nonnegative(),
  amountMinor: ZMinorString,
  feeMinor: ZMinorString,
  netMinor: ZMinorString,
});

export const ZPayoutJournalLineSummary = z.object({
  account: z.string().min(1),
  debitMinor: ZMinorString,
  creditMinor: ZMinorString,
  memo: z.string(),
});

export const ZPayoutReconciliationSummary = z.object({
  mode: z.enum(['per_transaction', 'payout_summary']),
  categories: z.array(ZPayoutCategorySummary),
  /** The journal lines as built (empty when held). */
  lines: z.array(ZPayoutJournalLineSummary),
  historyTransactionCount: z.number().int().nonnegative(),
  /** Why the payout is held, as a code for filters; the message is in `heldReason`. */
  holdCode: z.string().optional(),
});
export type PayoutReconciliationSummary = z.infer<typeof ZPayoutReconciliationSummary>;
