import type Stripe from 'stripe';
import { unixToLocalDate } from '../../accounting/local-date.ts';
import type { SageCustomer, SageDocumentRef, SageLine } from '../../connectors/sage/sage-documents.ts';
import { buildInvoiceSageLines, taxRateIdsOf, type TaxRateLabel } from './invoice-sage-lines.ts';
import { loadGlRules, NeedsHumanError, postOnce, type ProcessorContext } from './processor-context.ts';
import { sageCustomerFor } from './sync-customer.ts';

// The Sage invoice of a Stripe invoice, wanted by two jobs: the invoice's own (`invoice.paid`)
// and each charge that pays it (`charge.succeeded`), which applies its receipt to it. Its lines are
// the revenue net of discounts plus the tax (invoice-sage-lines.ts); idempotent on the invoice id.

/** The labels of the tax rates the invoice's taxes name: Stripe gives each line tax only the rate's id. */
async function taxRateLabels(ctx: ProcessorContext, invoice: Stripe.Invoice): Promise<Map<string, TaxRateLabel>> {
  const labels = new Map<string, TaxRateLabel>();
  for (const id of taxRateIdsOf(invoice)) labels.set(id, await ctx.stripe.retrieveTaxRate(id));
  return labels;
}

export type SageInvoice = { document: SageDocumentRef; customer: SageCustomer; currency: string };

/** Everything the Sage invoice needs, checked before anything is posted or locked. */
export type PreparedInvoice = { invoice: Stripe.Invoice; customer: Stripe.Customer; currency: string; lines: SageLine[]; date: string };

/** Stripe's finalized states: a draft can still change, a void one was never owed. */
const POSTABLE_STATUSES = new Set<Stripe.Invoice.Status>(['open', 'paid', 'uncollectible']);

export async function prepareSageInvoice(ctx: ProcessorContext, invoice: Stripe.Invoice): Promise<PreparedInvoice> {
  if (!invoice.status || !POSTABLE_STATUSES.has(invoice.status)) {
    throw new NeedsHumanError('INVOICE_NOT_FINALIZED', `Stripe invoice ${invoice.number ?? invoice.id} is ${invoice.status ?? 'a draft'}, so it cannot be posted to Sage; its payment is applied once it is finalized. Resync then.`);
  }
  const customerId = typeof invoice.customer === 'string' ? invoice.customer : invoice.customer?.id;
  if (!customerId) throw new NeedsHumanError('INVOICE_WITHOUT_CUSTOMER', 'The invoice names no Stripe customer, so it has no Sage customer to be billed to.');
  const currency = invoice.currency.toUpperCase();
  const lines = buildInvoiceSageLines(invoice, { rules: await loadGlRules(ctx.db, ctx.integration), taxRates: await taxRateLabels(ctx, invoice) });
  const customer = await ctx.stripe.retrieveCustomer(customerId);
  if (customer.deleted) throw new NeedsHumanError('CUSTOMER_DELETED', `The invoice's customer ${customerId} was deleted in Stripe; create or choose the Sage customer by hand.`);
  const date = unixToLocalDate(invoice.status_transitions?.finalized_at ?? invoice.created, ctx.integration.timeZone);
  return { invoice, customer: customer as Stripe.Customer, currency, lines, date };
}

/**
 * The Sage invoice, created unless Sage has it already. Call it under withInvoiceLock: the invoice's
 * job and its charges' jobs may ask at the same time.
 */
export async function postSageInvoiceOnce(ctx: ProcessorContext, prepared: PreparedInvoice): Promise<SageInvoice> {
  const { invoice, currency, lines, date } = prepared;
  const customer = await sageCustomerFor(ctx, prepared.customer);
  const posted = await postOnce(ctx.sage, 'invoice', invoice.id, () =>
    ctx.sage.createInvoice({ reference: invoice.id, date, currency, customerId: customer.id, lines, memo: `Stripe invoice ${invoice.number ?? invoice.id}` }),
  );
  if (posted.created) ctx.log.info({ invoiceId: invoice.id, documentNumber: posted.document.number }, 'Sage invoice posted');
  return { document: posted.document, customer, currency };
}
