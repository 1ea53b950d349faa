import type Stripe from 'stripe';
import { requireGlAccounts } from '../../accounting/gl-rules.ts';
import { unixToLocalDate } from '../../accounting/local-date.ts';
import { formatDecimal, money } from '../../accounting/money.ts';
import { CHARGE_SYNC_EXPAND, type StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { ensureSyncRecord } from '../sync-records.ts';
import {
  activeMappingDefinition,
  expandedBalanceTransaction,
  loadGlRules,
  mapOrRefuse,
  memoOf,
  objectKey,
  postOnce,
  type ProcessOutcome,
  type ProcessorContext,
} from './processor-context.ts';
import { recordOutcome } from './record-outcome.ts';
import { sageCustomerForCharge } from './sync-customer.ts';

// A succeeded, captured charge becomes one cash receipt into the Stripe clearing account, for the
// amount Stripe settled (the balance transaction), on the tenant's local date of the charge.

export function fetchCharge(stripe: StripeReader, id: string): Promise<Stripe.Charge> {
  return stripe.retrieveCharge(id, { expand: [...CHARGE_SYNC_EXPAND] });
}

/** "Charged 100.00 EUR at 1.0825" when the settlement differs from what the customer paid. */
function presentmentNote(charge: Stripe.Charge, settled: Stripe.BalanceTransaction): string | null {
  if (settled.currency.toLowerCase() === charge.currency.toLowerCase() && settled.exchange_rate === null) return null;
  const paid = `${formatDecimal(money(charge.amount, charge.currency))} ${charge.currency.toUpperCase()}`;
  return `Charged ${paid}${settled.exchange_rate !== null ? ` at ${settled.exchange_rate}` : ''}`;
}

export async function postChargeReceipt(ctx: ProcessorContext, charge: Stripe.Charge): Promise<ProcessOutcome> {
  if (charge.status !== 'succeeded') {
    return { kind: 'skipped', code: 'CHARGE_NOT_SUCCEEDED', message: `The charge is ${charge.status}: only succeeded charges move money, so nothing is posted.` };
  }
  if (!charge.captured) {
    return { kind: 'skipped', code: 'CHARGE_NOT_CAPTURED', message: 'The charge is authorized but not captured: it posts when it is captured.' };
  }
  const invoiceId = (charge as Stripe.Charge & { invoice?: string | { id: string } | null }).invoice;
  if (invoiceId) {
    const id = typeof invoiceId === 'string' ? invoiceId : invoiceId.id;
    return { kind: 'skipped', code: 'CHARGE_PAYS_INVOICE', message: `The charge pays Stripe invoice ${id}; its receipt is posted with the invoice (${id}:payment).` };
  }

  const settled = expandedBalanceTransaction(charge.balance_transaction, `charge ${charge.id}`);
  const currency = settled.currency.toUpperCase();
  const amountMinor = BigInt(settled.amount);
  const found = await ctx.sage.findDocumentByReference('cash_receipt', charge.id);
  const document =
    found ??
    (await (async () => {
      const values = mapOrRefuse(await activeMappingDefinition(ctx.db, ctx.integration, 'cash_receipt'), charge, ctx.integration, 'cash receipt');
      const rules = await loadGlRules(ctx.db, ctx.integration);
      const accounts = requireGlAccounts(
        rules,
        {
          reportingCategory: settled.reporting_category,
          balanceTransactionType: settled.type,
          currency,
          amountMinor,
          metadata: charge.metadata ?? {},
          customerId: typeof charge.customer === 'string' ? charge.customer : (charge.customer?.id ?? null),
        },
        ['clearing', 'revenue'],
      );
      const customer = await sageCustomerForCharge(ctx, charge);
      const journalEdition = ctx.sage.capabilities.documents.cash_receipt === 'journal_entry';
      const posted = await postOnce(ctx.sage, 'cash_receipt', charge.id, () =>
        ctx.sage.createCashReceipt({
          reference: charge.id,
          // Accounting rules, not mapping choices: the Stripe id, the tenant's date, the settled amount.
          date: unixToLocalDate(charge.created, ctx.integration.timeZone),
          currency,
          amountMinor,
          customerId: customer.id,
          depositAccount: accounts.clearing,
          // Editions that post a receipt as a journal need its credit side: revenue, for a direct sale.
          ...(journalEdition ? { offsetAccount: accounts.revenue } : {}),
          ...(values.invoiceNumber ? { invoiceNumber: values.invoiceNumber } : {}),
          ...(values.paymentMethod ? { paymentMethod: values.paymentMethod } : {}),
          ...(() => {
            const memo = memoOf(presentmentNote(charge, settled), values.memo);
            return memo ? { memo } : {};
          })(),
        }),
      );
      return posted.document;
    })());

  await writeDocumentIdBack(ctx, charge, document.id);
  return { kind: 'synced', documentType: 'cash_receipt', document, amountMinor, currency };
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
 */
export async function ensureChargeSynced(ctx: ProcessorContext, chargeId: string) {
  const record = await ensureSyncRecord(ctx.db, objectKey(ctx.integration, 'charge', chargeId));
  if (record.status === 'synced' || record.status === 'skipped') return record;
  if (record.status === 'held') return record;
  const charge = await fetchCharge(ctx.stripe, chargeId);
  const verdict = await ctx.assessAnomaly({ integration: ctx.integration, object: charge, kind: 'charge' });
  if (verdict.hold) {
    return recordOutcome(ctx.db, record, { kind: 'held', code: 'ANOMALY_HOLD', message: verdict.reasons.join(' '), detail: { score: verdict.score } }, ctx.attempt);
  }
  ctx.log.info({ chargeId }, 'syncing the charge first');
  return recordOutcome(ctx.db, record, await postChargeReceipt(ctx, charge), ctx.attempt);
}
