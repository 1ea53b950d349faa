import type Stripe from 'stripe';
import { requireGlAccounts } from '../../accounting/gl-rules.ts';
import { unixToLocalDate } from '../../accounting/local-date.ts';
import { formatDecimal, money } from '../../accounting/money.ts';
import { postsIndividually } from '../../accounting/payout-journal.ts';
import { CHARGE_SYNC_EXPAND, type StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { ensureSyncRecord } from '../sync-records.ts';
import { withInvoiceLock } from './invoice-posting-lock.ts';
import {
  activeMappingDefinition,
  expandedBalanceTransaction,
  loadGlRules,
  mapOrRefuse,
  memoOf,
  NeedsHumanError,
  objectKey,
  postOnce,
  type ProcessOutcome,
  type ProcessorContext,
} from './processor-context.ts';
import { recordOutcome } from './record-outcome.ts';
import { postSageInvoiceOnce, prepareSageInvoice } from './sage-invoice.ts';
import { sageCustomerForCharge } from './sync-customer.ts';

// A succeeded, captured charge becomes one cash receipt into the Stripe clearing account, for the
// amount Stripe settled (the balance transaction), on the tenant's local date of the charge,
// referenced by the charge id. A charge that pays a Stripe invoice applies its receipt to that
// invoice's Sage invoice, posting the invoice first if `invoice.paid` has not yet (see post-invoice.ts).

export function fetchCharge(stripe: StripeReader, id: string): Promise<Stripe.Charge> {
  return stripe.retrieveCharge(id, { expand: [...CHARGE_SYNC_EXPAND] });
}

/** "Charged 100.00 EUR at 1.0825" when the settlement differs from what the customer paid. */
function presentmentNote(charge: Stripe.Charge, settled: Stripe.BalanceTransaction): string | null {
  if (settled.currency.toLowerCase() === charge.currency.toLowerCase() && settled.exchange_rate === null) return null;
  const paid = `${formatDecimal(money(charge.amount, charge.currency))} ${charge.currency.toUpperCase()}`;
  return `Charged ${paid}${settled.exchange_rate !== null ? ` at ${settled.exchange_rate}` : ''}`;
}

/** The invoice a charge pays, with what Stripe says was paid on it; null for a direct sale. */
export type InvoicePaid = { invoice: Stripe.Invoice; payment: Stripe.InvoicePayment | null };

/**
 * Which invoice the charge pays. Older API versions name it on the charge; current ones only in
 * the InvoicePayment objects of the charge's PaymentIntent (Stripe filters them by PaymentIntent,
 * never by charge). For a charge without a PaymentIntent (the legacy Charges API) that names no
 * invoice either, only the paid invoice's own job can tell (`known`, from the invoice's payments
 * or, on a legacy invoice without any, its `charge`).
 */
async function invoicePaidBy(ctx: ProcessorContext, charge: Stripe.Charge, known: InvoicePaid | undefined): Promise<InvoicePaid | null> {
  const named = (charge as Stripe.Charge & { invoice?: string | { id: string } | null }).invoice;
  if (named) return { invoice: await ctx.stripe.retrieveInvoice(typeof named === 'string' ? named : named.id), payment: null };
  const paymentIntent = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
  if (!paymentIntent) return known ?? null;
  const payments = (await ctx.stripe.listInvoicePayments({ paymentIntent })).filter((payment) => payment.status !== 'canceled');
  const invoiceIds = [...new Set(payments.map((payment) => (typeof payment.invoice === 'string' ? payment.invoice : payment.invoice.id)))];
  if (invoiceIds.length === 0) return null;
  if (invoiceIds.length > 1) {
    throw new NeedsHumanError(
      'CHARGE_PAYS_SEVERAL_INVOICES',
      `Charge ${charge.id} pays ${invoiceIds.length} Stripe invoices (${invoiceIds.join(', ')}). One receipt can be applied to one invoice only: post this receipt in Sage by hand, split across the invoices.`,
      { invoiceIds },
    );
  }
  const [invoiceId] = invoiceIds as [string];
  return { invoice: await ctx.stripe.retrieveInvoice(invoiceId), payment: payments.find((payment) => payment.status === 'paid') ?? payments[0] ?? null };
}

/** Refuses, with the reason, a receipt that could not be applied to its invoice as it stands. */
function requireApplicable(charge: Stripe.Charge, settled: Stripe.BalanceTransaction, paid: InvoicePaid): void {
  const { invoice, payment } = paid;
  const name = invoice.number ?? invoice.id;
  if (settled.currency.toLowerCase() !== invoice.currency.toLowerCase()) {
    throw new NeedsHumanError(
      'INVOICE_PAYMENT_CURRENCY_DIFFERS',
      `Charge ${charge.id} settled in ${settled.currency.toUpperCase()} but invoice ${name} is in ${invoice.currency.toUpperCase()}, so its receipt cannot be applied to the invoice. Apply the payment in Sage by hand.`,
    );
  }
  const applied = payment?.amount_paid ?? payment?.amount_requested;
  if (applied !== undefined && applied !== null && applied !== charge.amount) {
    throw new NeedsHumanError(
      'INVOICE_PAYMENT_AMOUNT_DIFFERS',
      `Charge ${charge.id} is for ${charge.amount} minor units but pays ${applied} of invoice ${name}; the receipt would not match the invoice. Apply the payment in Sage by hand.`,
      { chargeAmount: charge.amount, appliedAmount: applied },
    );
  }
}

export type ChargeReceiptOptions = {
  /** Said by the job of the invoice this charge paid, which knows the link from the invoice's side. */
  paidInvoice?: InvoicePaid;
};

export async function postChargeReceipt(ctx: ProcessorContext, charge: Stripe.Charge, options: ChargeReceiptOptions = {}): Promise<ProcessOutcome> {
  if (charge.status !== 'succeeded') {
    return { kind: 'skipped', code: 'CHARGE_NOT_SUCCEEDED', message: `The charge is ${charge.status}: only succeeded charges move money, so nothing is posted.` };
  }
  if (!charge.captured) {
    return { kind: 'skipped', code: 'CHARGE_NOT_CAPTURED', message: 'The charge is authorized but not captured: it posts when it is captured.' };
  }
  if (!postsIndividually(ctx.integration.postingMode)) {
    // A receipt of its own as well as the payout journal's revenue line would count it twice.
    return { kind: 'skipped', code: 'POSTED_WITH_PAYOUT', message: 'This integration posts one summary journal per payout: the charge is in its payout’s journal, not posted on its own.' };
  }

  const settled = expandedBalanceTransaction(charge.balance_transaction, `charge ${charge.id}`);
  const currency = settled.currency.toUpperCase();
  const amountMinor = BigInt(settled.amount);
  const found = await ctx.sage.findDocumentByReference('cash_receipt', charge.id);
  if (found) {
    await writeDocumentIdBack(ctx, charge, found.id);
    const parentId = options.paidInvoice ? (await ensureSyncRecord(ctx.db, objectKey(ctx.integration, 'invoice', options.paidInvoice.invoice.id))).id : undefined;
    return { kind: 'synced', documentType: 'cash_receipt', document: found, amountMinor, currency, ...(parentId ? { parentId } : {}) };
  }

  const values = mapOrRefuse(await activeMappingDefinition(ctx.db, ctx.integration, 'cash_receipt'), charge, ctx.integration, 'cash receipt');
  const paid = await invoicePaidBy(ctx, charge, options.paidInvoice);
  // Editions that post a receipt as a journal need its credit side: receivables when it pays an
  // invoice (whose own posting debited them), revenue for a direct sale. The others credit the
  // customer's receivable themselves; a direct sale still names revenue, as it always has.
  const journalEdition = ctx.sage.capabilities.documents.cash_receipt === 'journal_entry';
  const offsetRole = paid ? (journalEdition ? 'receivables' : undefined) : 'revenue';
  const accounts = requireGlAccounts(
    await loadGlRules(ctx.db, ctx.integration),
    {
      reportingCategory: settled.reporting_category,
      balanceTransactionType: settled.type,
      currency,
      amountMinor,
      metadata: charge.metadata ?? {},
      customerId: typeof charge.customer === 'string' ? charge.customer : (charge.customer?.id ?? null),
    },
    offsetRole ? ['clearing', offsetRole] : ['clearing'],
  );
  const offsetAccount = journalEdition && offsetRole ? accounts[offsetRole] : undefined;
  const receipt = (customerId: string, invoiceNumber: string | null | undefined) =>
    ctx.sage.createCashReceipt({
      reference: charge.id,
      // Accounting rules, not mapping choices: the Stripe id, the tenant's date, the settled amount.
      date: unixToLocalDate(charge.created, ctx.integration.timeZone),
      currency,
      amountMinor,
      customerId,
      depositAccount: accounts.clearing,
      ...(offsetAccount ? { offsetAccount } : {}),
      ...(invoiceNumber ? { invoiceNumber } : {}),
      ...(values.paymentMethod ? { paymentMethod: values.paymentMethod } : {}),
      ...(() => {
        const memo = memoOf(presentmentNote(charge, settled), values.memo);
        return memo ? { memo } : {};
      })(),
    });

  if (!paid) {
    const customer = await sageCustomerForCharge(ctx, charge);
    // Looked up above in this job (`found`), so not again: a create racing ours meets Sage's
    // duplicate reference, which the connector resolves to the existing receipt.
    const posted = { document: await receipt(customer.id, values.invoiceNumber) };
    await writeDocumentIdBack(ctx, charge, posted.document.id);
    return { kind: 'synced', documentType: 'cash_receipt', document: posted.document, amountMinor, currency };
  }

  // The receipt pays the Sage invoice: the invoice is posted first if nothing has posted it yet,
  // and both under the invoice's lock, since the invoice's own job may be doing the same.
  requireApplicable(charge, settled, paid);
  const prepared = await prepareSageInvoice(ctx, paid.invoice);
  const posted = await withInvoiceLock(ctx.db, ctx.integration.id, paid.invoice.id, async () => {
    const sageInvoice = await postSageInvoiceOnce(ctx, prepared);
    return postOnce(ctx.sage, 'cash_receipt', charge.id, () => receipt(sageInvoice.customer.id, sageInvoice.document.number));
  });
  const invoiceRecord = await ensureSyncRecord(ctx.db, objectKey(ctx.integration, 'invoice', paid.invoice.id));
  await writeDocumentIdBack(ctx, charge, posted.document.id);
  return { kind: 'synced', documentType: 'cash_receipt', document: posted.document, amountMinor, currency, parentId: invoiceRecord.id };
}

async function writeDocumentIdBack(ctx: ProcessorContext, charge: Stripe.Charge, documentId: string): Promise<void> {
  const { writeBackMetadata, writeBackMetadataKey } = ctx.integration;
  if (!writeBackMetadata || charge.metadata?.[writeBackMetadataKey] === documentId) return;
  await ctx.stripe.updateChargeMetadata(charge.id, { [writeBackMetadataKey]: documentId }, `sagesync:charge:${charge.id}:${documentId}`);
}

/**
 * Makes sure a charge is in Sage before something that hangs off it (a refund, a dispute) posts,
 * inline in the same job: events arrive out of order, and a credit memo for a receipt that is not
 * there yet would leave the clearing account negative in between. Returns the charge's record.
 * A paid invoice looks again at a skipped charge (`recheckSkipped`): the invoice's payment is
 * proof that it moved money, whatever an earlier look found.
 */
export async function ensureChargeSynced(ctx: ProcessorContext, chargeId: string, options: ChargeReceiptOptions & { recheckSkipped?: boolean } = {}) {
  const record = await ensureSyncRecord(ctx.db, objectKey(ctx.integration, 'charge', chargeId));
  if (record.status === 'synced' || (record.status === 'skipped' && !options.recheckSkipped)) return record;
  if (record.status === 'held') return record;
  const charge = await fetchCharge(ctx.stripe, chargeId);
  const verdict = await ctx.assessAnomaly({ integration: ctx.integration, object: charge, kind: 'charge' });
  if (verdict.hold) {
    return recordOutcome(ctx.db, record, { kind: 'held', code: 'ANOMALY_HOLD', message: verdict.reasons.join(' '), detail: { score: verdict.score } }, ctx.attempt);
  }
  ctx.log.info({ chargeId }, 'syncing the charge first');
  return recordOutcome(ctx.db, record, await postChargeReceipt(ctx, charge, options.paidInvoice ? { paidInvoice: options.paidInvoice } : {}), ctx.attempt);
}
