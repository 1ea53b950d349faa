import type Stripe from 'stripe';
import { postsIndividually } from '../../accounting/payout-journal.ts';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { withInvoiceLock } from './invoice-posting-lock.ts';
import { ensureChargeSynced } from './post-charge-receipt.ts';
import type { ProcessOutcome, ProcessorContext } from './processor-context.ts';
import { postSageInvoiceOnce, prepareSageInvoice } from './sage-invoice.ts';

// A Stripe invoice becomes the Sage invoice with its lines (revenue per line net of discounts,
// chosen by the GL rules from the line's product, plus a line per tax rate to the sales_tax
// account: see invoice-sage-lines.ts), idempotent on the invoice id. Its money reaches Sage only as the
// receipts of the charges that paid it: one receipt per charge, referenced by the charge id (as
// refunds, disputes and payout reconciliation expect) and applied to the Sage invoice. Whichever
// of `charge.succeeded` and `invoice.paid` runs first posts the invoice and that receipt; the
// other finds them, so nothing is counted twice. Stripe links the two with InvoicePayment objects:
// on current API versions a charge does not name its invoice. Legacy invoices have none; there the
// invoice names its charge (`invoice.charge`) and the charge its invoice (`charge.invoice`).

/** The invoice with every line and every payment. */
export function fetchInvoice(stripe: StripeReader, id: string): Promise<Stripe.Invoice> {
  return stripe.retrieveInvoice(id, { expand: ['payments'] });
}

/** The Stripe charge behind a paid InvoicePayment; null for a payment outside Stripe (a PaymentRecord). */
async function chargeIdOf(ctx: ProcessorContext, payment: Stripe.InvoicePayment): Promise<string | null> {
  const { charge, payment_intent: paymentIntent } = payment.payment;
  if (charge) return typeof charge === 'string' ? charge : charge.id;
  if (!paymentIntent) return null;
  if (typeof paymentIntent !== 'string' && paymentIntent.latest_charge) {
    return typeof paymentIntent.latest_charge === 'string' ? paymentIntent.latest_charge : paymentIntent.latest_charge.id;
  }
  const resolved = await ctx.stripe.resolvePaymentIntentCharge(typeof paymentIntent === 'string' ? paymentIntent : paymentIntent.id);
  return resolved?.id ?? null;
}

async function paymentsOf(ctx: ProcessorContext, invoice: Stripe.Invoice): Promise<Stripe.InvoicePayment[]> {
  // fetchInvoice embeds them all; an invoice fetched otherwise lists them.
  return invoice.payments && !invoice.payments.has_more ? invoice.payments.data : ctx.stripe.listInvoicePayments({ invoice: invoice.id });
}

/**
 * The charge an invoice of an older API version names (`invoice.charge`), for an invoice Stripe
 * keeps no InvoicePayments of (legacy invoices, paid by a charge without a PaymentIntent).
 */
function legacyChargeOf(invoice: Stripe.Invoice): string | null {
  const charge = (invoice as Stripe.Invoice & { charge?: string | { id: string } | null }).charge;
  if (!charge) return null;
  return typeof charge === 'string' ? charge : charge.id;
}

export async function postInvoice(ctx: ProcessorContext, invoice: Stripe.Invoice): Promise<ProcessOutcome> {
  if (invoice.status !== 'paid') {
    return { kind: 'skipped', code: 'INVOICE_NOT_PAID', message: `The invoice is ${invoice.status ?? 'a draft'}: invoices post when they are paid.` };
  }
  if (invoice.total === 0) {
    return { kind: 'skipped', code: 'INVOICE_ZERO', message: 'The invoice totals zero: nothing to post.' };
  }
  if (!postsIndividually(ctx.integration.postingMode)) {
    // Its payments are revenue in their payouts' journals; an invoice as well would count them twice.
    return { kind: 'skipped', code: 'POSTED_WITH_PAYOUT', message: 'This integration posts one summary journal per payout: the invoice’s payments are in their payouts’ journals, not posted on their own.' };
  }
  const prepared = await prepareSageInvoice(ctx, invoice);
  const sageInvoice = await withInvoiceLock(ctx.db, ctx.integration.id, invoice.id, () => postSageInvoiceOnce(ctx, prepared));

  // Each charge that paid it posts its own receipt, applied to this invoice (the charge's record
  // says so); one already posted by its charge.succeeded is found, not posted again.
  const payments = await paymentsOf(ctx, invoice);
  const legacyCharge = payments.length === 0 ? legacyChargeOf(invoice) : null;
  if (legacyCharge) await ensureChargeSynced(ctx, legacyCharge, { recheckSkipped: true, paidInvoice: { invoice, payment: null } });
  for (const payment of payments) {
    if (payment.status !== 'paid') continue;
    const chargeId = await chargeIdOf(ctx, payment);
    if (!chargeId) {
      // Paid outside Stripe: no money passed through the clearing account, so no receipt from here.
      ctx.log.info({ invoiceId: invoice.id, invoicePaymentId: payment.id, paymentType: payment.payment.type }, 'invoice payment made outside Stripe: no receipt posted');
      continue;
    }
    await ensureChargeSynced(ctx, chargeId, { recheckSkipped: true, paidInvoice: { invoice, payment } });
  }
  return { kind: 'synced', documentType: 'invoice', document: sageInvoice.document, amountMinor: BigInt(invoice.total), currency: sageInvoice.currency };
}
