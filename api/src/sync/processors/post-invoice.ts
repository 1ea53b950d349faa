import type Stripe from 'stripe';
import { requireGlAccounts, type GlRuleRow } from '../../accounting/gl-rules.ts';
import { unixToLocalDate } from '../../accounting/local-date.ts';
import type { SageLine } from '../../connectors/sage/sage-documents.ts';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { loadGlRules, NeedsHumanError, postOnce, type ProcessOutcome, type ProcessorContext } from './processor-context.ts';
import { sageCustomerFor } from './sync-customer.ts';

// A paid Stripe invoice becomes the Sage invoice with its lines (revenue per line, chosen by the
// GL rules from the line's product), then the payment applied to it: a receipt into clearing that
// names the Sage invoice number. Both are idempotent on the invoice id (`in_x`, `in_x:payment`).

export function fetchInvoice(stripe: StripeReader, id: string): Promise<Stripe.Invoice> {
  return stripe.retrieveInvoice(id);
}

function productOf(line: Stripe.InvoiceLineItem): string | undefined {
  const loose = line as unknown as { price?: { product?: unknown } | null; pricing?: { price_details?: { product?: unknown } } | null };
  const product = loose.pricing?.price_details?.product ?? loose.price?.product;
  return typeof product === 'string' ? product : undefined;
}

function linesOf(invoice: Stripe.Invoice, rules: GlRuleRow[], currency: string): SageLine[] {
  return invoice.lines.data
    .filter((line) => line.amount !== 0)
    .map((line) => {
      const product = productOf(line);
      const { revenue } = requireGlAccounts(rules, { reportingCategory: 'charge', currency, amountMinor: BigInt(line.amount), products: product ? [product] : [], metadata: line.metadata ?? {} }, ['revenue']);
      return {
        description: [...(line.description?.trim() || `Stripe invoice ${invoice.id} line`)].slice(0, 60).join(''),
        quantity: 1,
        unitAmountMinor: BigInt(line.amount),
        glAccount: revenue,
      };
    });
}

export async function postInvoice(ctx: ProcessorContext, invoice: Stripe.Invoice): Promise<ProcessOutcome> {
  if (invoice.status !== 'paid') {
    return { kind: 'skipped', code: 'INVOICE_NOT_PAID', message: `The invoice is ${invoice.status ?? 'a draft'}: invoices post when they are paid.` };
  }
  if (invoice.total === 0) {
    return { kind: 'skipped', code: 'INVOICE_ZERO', message: 'The invoice totals zero: nothing to post.' };
  }
  const customerId = typeof invoice.customer === 'string' ? invoice.customer : invoice.customer?.id;
  if (!customerId) throw new NeedsHumanError('INVOICE_WITHOUT_CUSTOMER', 'The invoice names no Stripe customer, so it has no Sage customer to be billed to.');
  const currency = invoice.currency.toUpperCase();
  const rules = await loadGlRules(ctx.db, ctx.integration);
  const lines = linesOf(invoice, rules, currency);
  const linesTotal = lines.reduce((sum, line) => sum + line.unitAmountMinor * BigInt(line.quantity), 0n);
  if (linesTotal !== BigInt(invoice.total)) {
    // Tax and invoice-level discounts have no line of their own yet: never post a total that differs.
    throw new NeedsHumanError('INVOICE_LINES_DO_NOT_ADD_UP', `The invoice lines add up to ${linesTotal} minor units but the invoice total is ${invoice.total} (tax or discounts). Post it by hand or map tax first.`);
  }
  const customerObject = await ctx.stripe.retrieveCustomer(customerId);
  if (customerObject.deleted) throw new NeedsHumanError('CUSTOMER_DELETED', `The invoice's customer ${customerId} was deleted in Stripe; create or choose the Sage customer by hand.`);
  const customer = await sageCustomerFor(ctx, customerObject as Stripe.Customer);
  const date = unixToLocalDate(invoice.status_transitions?.finalized_at ?? invoice.created, ctx.integration.timeZone);

  const sageInvoice = await postOnce(ctx.sage, 'invoice', invoice.id, () =>
    ctx.sage.createInvoice({ reference: invoice.id, date, currency, customerId: customer.id, lines, memo: `Stripe invoice ${invoice.number ?? invoice.id}` }),
  );
  if (invoice.amount_paid <= 0) {
    return { kind: 'synced', documentType: 'invoice', document: sageInvoice.document, amountMinor: BigInt(invoice.total), currency };
  }
  if (ctx.sage.capabilities.documents.cash_receipt === 'journal_entry') {
    throw new NeedsHumanError(
      'RECEIVABLES_ACCOUNT_MISSING',
      `Invoice ${sageInvoice.document.number} is posted. Its payment must credit receivables, and ${ctx.integration.sageEdition} posts receipts as journals: the GL rules cannot name a receivables account yet, so apply the payment in Sage by hand.`,
    );
  }
  const { clearing } = requireGlAccounts(rules, { reportingCategory: 'charge', currency, amountMinor: BigInt(invoice.amount_paid) }, ['clearing']);
  const paidAt = invoice.status_transitions?.paid_at ?? invoice.created;
  await postOnce(ctx.sage, 'cash_receipt', `${invoice.id}:payment`, () =>
    ctx.sage.createCashReceipt({
      reference: `${invoice.id}:payment`,
      date: unixToLocalDate(paidAt, ctx.integration.timeZone),
      currency,
      customerId: customer.id,
      amountMinor: BigInt(invoice.amount_paid),
      depositAccount: clearing,
      invoiceNumber: sageInvoice.document.number,
      memo: `Stripe payment of invoice ${invoice.number ?? invoice.id}`.slice(0, 60),
    }),
  );
  return { kind: 'synced', documentType: 'invoice', document: sageInvoice.document, amountMinor: BigInt(invoice.total), currency };
}
