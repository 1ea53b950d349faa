import type Stripe from 'stripe';
import { requireGlAccounts } from '../../accounting/gl-rules.ts';
import { postsIndividually } from '../../accounting/payout-journal.ts';
import { unixToLocalDate } from '../../accounting/local-date.ts';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { ensureChargeSynced, fetchCharge } from './post-charge-receipt.ts';
import { expandedBalanceTransaction, loadGlRules, memoOf, NeedsHumanError, postOnce, type ProcessOutcome, type ProcessorContext } from './processor-context.ts';
import { sageCustomerForCharge } from './sync-customer.ts';

// Each refund, partial or one of several, is one credit memo out of the Stripe clearing account,
// idempotent on the refund id, for the amount that left the Stripe balance.

export function fetchRefund(stripe: StripeReader, id: string): Promise<Stripe.Refund> {
  return stripe.retrieveRefund(id, { expand: ['balance_transaction'] });
}

export async function postRefundCreditMemo(ctx: ProcessorContext, refund: Stripe.Refund): Promise<ProcessOutcome> {
  const chargeId = typeof refund.charge === 'string' ? refund.charge : refund.charge?.id;
  if (!chargeId) {
    return { kind: 'skipped', code: 'REFUND_WITHOUT_CHARGE', message: 'The refund names no charge (a refund of a non-card payment): nothing to post against.' };
  }
  if (!postsIndividually(ctx.integration.postingMode)) {
    // Before the charge is made sure of: in this mode the charge posts nothing on its own either.
    return { kind: 'skipped', code: 'POSTED_WITH_PAYOUT', message: 'This integration posts one summary journal per payout: the refund is in its payout’s journal, not posted on its own.' };
  }
  const chargeRecord = await ensureChargeSynced(ctx, chargeId);
  const parentId = chargeRecord.id;

  if (refund.status === 'failed' || refund.status === 'canceled') {
    const posted = await ctx.sage.findDocumentByReference('credit_memo', refund.id);
    if (posted) {
      // Stripe gave the money back to the balance (a refund_failure transaction) after the memo posted.
      throw new NeedsHumanError(
        'REFUND_FAILED_AFTER_POSTING',
        `The refund ${refund.status === 'failed' ? 'failed' : 'was canceled'} after credit memo ${posted.number} was posted: the money is back in the Stripe balance. Reverse credit memo ${posted.number} in Sage.`,
      );
    }
    return { kind: 'skipped', code: 'REFUND_NOT_PAID', message: `The refund ${refund.status === 'failed' ? 'failed' : 'was canceled'}: no money left the Stripe balance, so nothing is posted.`, parentId };
  }
  if (chargeRecord.status === 'held') {
    return { kind: 'held', code: 'PARENT_HELD', message: `Its charge ${chargeId} is held for review; the refund posts after the charge is approved.`, parentId };
  }
  if (chargeRecord.status === 'skipped') {
    return { kind: 'skipped', code: 'PARENT_SKIPPED', message: `Its charge ${chargeId} was not posted, so there is no receipt to refund against.`, parentId };
  }
  // A pending refund has already left the balance (Stripe debits it at creation), so it posts now;
  // one without a balance transaction yet has moved nothing and waits for its next event.
  if (!refund.balance_transaction) {
    return { kind: 'skipped', code: 'REFUND_NOT_SETTLED', message: 'Stripe has not moved the money for this refund yet; it posts on its next update.', parentId };
  }
  const settled = expandedBalanceTransaction(refund.balance_transaction, `refund ${refund.id}`);
  const currency = settled.currency.toUpperCase();
  // The refund's transaction takes money out of the balance: its amount is negative.
  const amountMinor = -BigInt(settled.amount);

  const found = await ctx.sage.findDocumentByReference('credit_memo', refund.id);
  const document =
    found ??
    (await (async () => {
      const accounts = requireGlAccounts(
        await loadGlRules(ctx.db, ctx.integration),
        { reportingCategory: settled.reporting_category, balanceTransactionType: settled.type, currency, amountMinor, metadata: refund.metadata ?? {} },
        ['refunds', 'clearing'],
      );
      const charge = await fetchCharge(ctx.stripe, chargeId);
      const customer = await sageCustomerForCharge(ctx, charge);
      const posted = await postOnce(ctx.sage, 'credit_memo', refund.id, () =>
        ctx.sage.createCreditMemo({
          reference: refund.id,
          date: unixToLocalDate(refund.created, ctx.integration.timeZone),
          currency,
          customerId: customer.id,
          lines: [{ description: `Refund of Stripe charge ${chargeId}`, quantity: 1, unitAmountMinor: amountMinor, glAccount: accounts.refunds }],
          refundAccount: accounts.clearing,
          ...(() => {
            const memo = memoOf(`Stripe refund of ${chargeId}`, refund.reason);
            return memo ? { memo } : {};
          })(),
        }),
      );
      return posted.document;
    })());
  return { kind: 'synced', documentType: 'credit_memo', document, amountMinor, currency, parentId };
}
