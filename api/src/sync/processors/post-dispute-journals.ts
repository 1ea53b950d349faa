import type Stripe from 'stripe';
import { requireGlAccounts } from '../../accounting/gl-rules.ts';
import { unixToLocalDate } from '../../accounting/local-date.ts';
import { postsIndividually } from '../../accounting/payout-journal.ts';
import type { SageDocumentRef } from '../../connectors/sage/sage-documents.ts';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { ensureChargeSynced } from './post-charge-receipt.ts';
import { loadGlRules, postOnce, type ProcessOutcome, type ProcessorContext } from './processor-context.ts';

// A dispute moves money twice at most: the withdrawal (the disputed amount leaves the balance) and,
// when the merchant wins, the reinstatement. The dispute's own list of balance transactions says
// which have happened, so whichever event arrives (late, twice, out of order) the postings converge
// on exactly those, each once: `<dispute id>:withdrawn` and `<dispute id>:reinstated`.
//
// Only the disputed amount goes through the clearing account here. The dispute fee is in the
// transaction's `fee`, and the payout journal expenses every fee of the payout (dispute fees
// included) and moves each category's gross amount out of clearing; posting the fee here too would
// expense it twice and leave the clearing account off by the fee after the payout.

export function fetchDispute(stripe: StripeReader, id: string): Promise<Stripe.Dispute> {
  return stripe.retrieveDispute(id);
}

type Movement = { reference: string; transaction: Stripe.BalanceTransaction; direction: 'withdrawn' | 'reinstated' };

/** The postings the dispute's balance transactions call for, oldest first. */
export function disputeMovements(dispute: Stripe.Dispute): Movement[] {
  const seen: Record<Movement['direction'], number> = { withdrawn: 0, reinstated: 0 };
  return [...dispute.balance_transactions]
    .sort((a, b) => a.created - b.created || a.id.localeCompare(b.id))
    .filter((transaction) => transaction.amount !== 0)
    .map((transaction) => {
      const direction = transaction.amount < 0 ? 'withdrawn' : 'reinstated';
      seen[direction] += 1;
      // A second withdrawal (rare: a dispute re-opened) gets its own reference, still stable.
      const reference = `${dispute.id}:${direction}${seen[direction] > 1 ? `:${seen[direction]}` : ''}`;
      return { reference, transaction, direction };
    });
}

export async function postDisputeJournals(ctx: ProcessorContext, dispute: Stripe.Dispute): Promise<ProcessOutcome> {
  if (!postsIndividually(ctx.integration.postingMode)) {
    return { kind: 'skipped', code: 'POSTED_WITH_PAYOUT', message: 'This integration posts one summary journal per payout: the dispute’s money is in its payout’s journal, not posted on its own.' };
  }
  const chargeId = typeof dispute.charge === 'string' ? dispute.charge : dispute.charge.id;
  const chargeRecord = await ensureChargeSynced(ctx, chargeId);
  const parentId = chargeRecord.id;
  const movements = disputeMovements(dispute);
  if (movements.length === 0) {
    return { kind: 'skipped', code: 'DISPUTE_NO_FUNDS_MOVED', message: `The dispute is ${dispute.status.replaceAll('_', ' ')} and no funds have moved yet: nothing to post.`, parentId };
  }
  const rules = await loadGlRules(ctx.db, ctx.integration);
  let last: SageDocumentRef | undefined;
  for (const movement of movements) {
    const { transaction, direction, reference } = movement;
    const currency = transaction.currency.toUpperCase();
    const amountMinor = BigInt(Math.abs(transaction.amount));
    const posted = await postOnce(ctx.sage, 'journal_entry', reference, async () => {
      const accounts = requireGlAccounts(
        rules,
        { reportingCategory: transaction.reporting_category, balanceTransactionType: transaction.type, currency, amountMinor, metadata: dispute.metadata ?? {} },
        ['disputes', 'clearing'],
      );
      const memo = direction === 'withdrawn' ? `Stripe dispute ${dispute.id}: funds withdrawn` : `Stripe dispute ${dispute.id}: funds reinstated`;
      const [debit, credit] = direction === 'withdrawn' ? [accounts.disputes, accounts.clearing] : [accounts.clearing, accounts.disputes];
      return ctx.sage.createJournalEntry({
        reference,
        date: unixToLocalDate(transaction.created, ctx.integration.timeZone),
        currency,
        memo,
        lines: [
          { account: debit, debitMinor: amountMinor, creditMinor: 0n, memo: `${chargeId} ${direction}` },
          { account: credit, debitMinor: 0n, creditMinor: amountMinor, memo: `${chargeId} ${direction}` },
        ],
      });
    });
    if (posted.created) ctx.log.info({ reference, documentNumber: posted.document.number }, 'dispute journal posted');
    last = posted.document;
  }
  const latest = movements.at(-1)!;
  return {
    kind: 'synced',
    documentType: 'journal_entry',
    document: last!,
    amountMinor: BigInt(latest.transaction.amount),
    currency: latest.transaction.currency.toUpperCase(),
    parentId,
  };
}
