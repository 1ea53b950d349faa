import { DEFAULT_GL_ACCOUNTS, type SageEdition } from '@sagesync/db';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildInvoiceScenario, type InvoiceScenario } from '../../../src/sandbox/stripe-fake/invoice-scenario-builder.ts';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { parseAmountToMinor } from '../../../src/sandbox/sage/money.ts';
import { jobsAtInvoiceLock } from '../../../src/sync/processors/invoice-posting-lock.ts';
import type { InspectedDocument } from '../../sandbox/sage/support/sandbox-harness.ts';
import { createInvoiceTenant, startInvoiceHarness, waitForCompletedJob, type InvoiceHarness, type InvoiceTenant } from './support/invoice-harness.ts';
import { refund } from './support/stripe-objects.ts';

const EDITIONS: SageEdition[] = ['sage_pro', 'sage500', 'sage50', 'sage_accounting'];
/** A database, a queue, the Sage sandbox and the Stripe fake start per edition: slow on a busy machine. */
const HARNESS_TIMEOUT_MS = 120_000;

function minor(amount: string, currency: string): number {
  const parsed = parseAmountToMinor(amount, currency);
  if (!parsed.ok) throw new Error(`not an amount: ${amount}`);
  return parsed.minor;
}

/** Debits minus credits per account over the documents, in minor units. */
function movements(documents: readonly InspectedDocument[]): Map<string, number> {
  const byAccount = new Map<string, number>();
  for (const document of documents) {
    for (const line of document.lines) {
      const signed = minor(line.debit, document.currency) - minor(line.credit, document.currency);
      byAccount.set(line.account, (byAccount.get(line.account) ?? 0) + signed);
    }
  }
  return byAccount;
}

function expectEveryDocumentBalanced(documents: readonly InspectedDocument[]): void {
  for (const document of documents) {
    const debits = document.lines.reduce((sum, line) => sum + minor(line.debit, document.currency), 0);
    const credits = document.lines.reduce((sum, line) => sum + minor(line.credit, document.currency), 0);
    expect({ reference: document.reference, debits, credits: debits }).toEqual({ reference: document.reference, debits, credits });
  }
}

function isInvoiceRequest(request: { url: URL }, invoiceId: string): boolean {
  return /invoices/i.test(request.url.pathname) && request.url.search.includes(invoiceId);
}

describe.each(EDITIONS)('paid Stripe invoices into %s', (edition) => {
  let harness: InvoiceHarness;
  let tenant: InvoiceTenant;
  let receivables: string;
  const accounts = DEFAULT_GL_ACCOUNTS[edition];
  const journalReceipts = edition === 'sage500';

  beforeAll(async () => {
    harness = await startInvoiceHarness();
    tenant = await createInvoiceTenant(harness, edition);
    const company = await harness.sandbox.getJson<{ receivablesAccount: string }>(`/_sandbox/companies/${tenant.company}`);
    receivables = company.body.receivablesAccount;
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => harness.close(), HARNESS_TIMEOUT_MS);

  /**
   * Sage holds exactly one invoice for the Stripe invoice, with its lines, and exactly one receipt
   * per charge, referenced by the charge id and applied to that invoice; the books balance: every
   * document, receivables back to zero, the charges in clearing and the lines in revenue.
   */
  async function expectInvoiceWithOneReceiptPerCharge(scenario: InvoiceScenario, charges: readonly Stripe.Charge[] = scenario.charges): Promise<void> {
    const currency = scenario.currency.toUpperCase();
    const [sageInvoice, ...moreInvoices] = await tenant.documents(scenario.invoice.id);
    expect(moreInvoices).toEqual([]);
    expect(sageInvoice).toMatchObject({ type: 'invoice', currency, amount: expect.any(String) });
    expect(minor(sageInvoice!.amount, currency)).toBe(scenario.invoice.total);
    const revenueLines = sageInvoice!.lines.filter((line) => line.account === accounts.revenue);
    expect(revenueLines.map((line) => minor(line.credit, currency))).toEqual(scenario.invoice.lines.data.map((line) => line.amount));

    const receipts: InspectedDocument[] = [];
    for (const charge of charges) {
      const [receipt, ...more] = await tenant.documents(charge.id);
      expect(more).toEqual([]);
      expect(minor(receipt!.amount, currency)).toBe(charge.amount);
      if (journalReceipts) {
        // A journal names no invoice: its lines clear receivables, and its memo names the invoice.
        expect(receipt).toMatchObject({ type: 'journal' });
        expect(JSON.stringify(receipt!.lines)).toContain(sageInvoice!.number);
      } else {
        expect(receipt!.appliesToInvoice).toBe(sageInvoice!.number);
      }
      receipts.push(receipt!);
    }

    const documents = [sageInvoice!, ...receipts];
    expectEveryDocumentBalanced(documents);
    const moved = movements(documents);
    const paid = charges.reduce((sum, charge) => sum + charge.amount, 0);
    expect(moved.get(receivables)).toBe(scenario.invoice.total - paid);
    expect(moved.get(accounts.clearing)).toBe(paid);
    expect(moved.get(accounts.revenue)).toBe(-scenario.invoice.total);
  }

  async function expectRecordsLinked(scenario: InvoiceScenario): Promise<void> {
    const invoiceRecord = await tenant.record('invoice', scenario.invoice.id);
    expect(invoiceRecord).toMatchObject({ status: 'synced', sageDocumentType: 'invoice', amountMinor: BigInt(scenario.invoice.total) });
    for (const charge of scenario.charges) {
      expect(await tenant.record('charge', charge.id)).toMatchObject({ status: 'synced', sageDocumentType: 'cash_receipt', amountMinor: BigInt(charge.amount) });
    }
  }

  it('charge.succeeded first posts the invoice with both lines and the charge’s receipt applied to it; invoice.paid then posts nothing more', async () => {
    const scenario = buildInvoiceScenario({ seed: 1, lines: [{ description: 'Consulting, January', amount: 12_000 }, { description: 'Support plan', amount: 3_499 }] });
    await tenant.load(scenario.objects);

    await tenant.sync('charge', scenario.charges[0]!.id);
    await expectInvoiceWithOneReceiptPerCharge(scenario);
    const [charge] = scenario.charges as [Stripe.Charge];
    const invoiceRecord = await tenant.record('invoice', scenario.invoice.id);
    expect(await tenant.record('charge', charge.id)).toMatchObject({ status: 'synced', parentId: invoiceRecord!.id });
    const postsBefore = harness.sageRequests.filter((request) => request.method === 'POST').length;

    await tenant.sync('invoice', scenario.invoice.id);

    expect(harness.sageRequests.filter((request) => request.method === 'POST').length).toBe(postsBefore);
    await expectInvoiceWithOneReceiptPerCharge(scenario);
    await expectRecordsLinked(scenario);
  });

  it('invoice.paid first posts the invoice and its charge’s receipt; charge.succeeded then posts nothing more', async () => {
    const scenario = buildInvoiceScenario({ seed: 2 });
    await tenant.load(scenario.objects);

    await tenant.sync('invoice', scenario.invoice.id);
    await expectInvoiceWithOneReceiptPerCharge(scenario);
    await expectRecordsLinked(scenario);
    const postsBefore = harness.sageRequests.filter((request) => request.method === 'POST').length;

    await tenant.sync('charge', scenario.charges[0]!.id);

    expect(harness.sageRequests.filter((request) => request.method === 'POST').length).toBe(postsBefore);
    await expectInvoiceWithOneReceiptPerCharge(scenario);
  });

  it('posts one invoice and one receipt when invoice.paid and charge.succeeded run at the same time', async () => {
    const scenario = buildInvoiceScenario({ seed: 3 });
    const [charge] = scenario.charges as [Stripe.Charge];
    const invoiceId = scenario.invoice.id;
    await tenant.load(scenario.objects);
    // The first Sage lookup of the invoice is held until the other job is provably racing for the
    // same invoice: queued behind this one at the invoice's lock, or at this same lookup (which is
    // what would happen without the lock, and then both jobs would create the invoice).
    let raced = false;
    let heldLookups = 0;
    harness.beforeSageRequest = async (request) => {
      if (raced || request.method !== 'GET' || !isInvoiceRequest(request, invoiceId)) return;
      heldLookups += 1;
      await vi.waitFor(() => expect(heldLookups >= 2 || jobsAtInvoiceLock(tenant.integration.id, invoiceId) >= 2).toBe(true), { timeout: 25_000, interval: 10 });
      raced = true;
    };
    const sentBefore = harness.sageRequests.length;
    try {
      const jobs = [await tenant.deliver('invoice', invoiceId), await tenant.deliver('charge', charge.id)];
      await Promise.all(jobs.map((jobId) => waitForCompletedJob(harness, jobId)));
    } finally {
      harness.beforeSageRequest = null;
    }

    expect(raced).toBe(true);
    const posts = harness.sageRequests.slice(sentBefore).filter((request) => request.method === 'POST');
    expect(posts.filter((request) => /invoices/i.test(request.url.pathname) && request.body.includes(invoiceId))).toHaveLength(1);
    expect(posts.filter((request) => request.body.includes(charge.id))).toHaveLength(1);
    await expectInvoiceWithOneReceiptPerCharge(scenario);
    await expectRecordsLinked(scenario);
  });

  it('posts a charge that pays no invoice as its own receipt, as before, and no invoice', async () => {
    const scenario = buildStripeScenario({ seed: 4, size: 2, dispute: false, events: false });
    const [charge] = scenario.charges as [Stripe.Charge];
    await tenant.load(scenario.objects);

    await tenant.sync('charge', charge.id);

    const [receipt, ...others] = await tenant.documents(charge.id);
    expect(others).toEqual([]);
    expect(minor(receipt!.amount, 'USD')).toBe(charge.amount);
    expect(receipt!.appliesToInvoice).toBeNull();
    expectEveryDocumentBalanced([receipt!]);
    // A direct sale: Sage 500's receipt journal credits revenue; native receipts credit receivables.
    expect(movements([receipt!]).get(journalReceipts ? accounts.revenue : receivables)).toBe(-charge.amount);
    expect(harness.sageRequests.filter((request) => request.method === 'POST' && /invoices/i.test(request.url.pathname) && request.body.includes(charge.id))).toEqual([]);
    expect(await tenant.record('charge', charge.id)).toMatchObject({ status: 'synced', parentId: null });
  });

  it('posts an invoice paid by two charges once, with each charge’s receipt applied to it', async () => {
    const scenario = buildInvoiceScenario({ seed: 5, lines: [{ description: 'Retainer', amount: 8_000 }, { description: 'Travel', amount: 2_000 }], payments: [4_000, 6_000] });
    const [first, second] = scenario.charges as [Stripe.Charge, Stripe.Charge];
    await tenant.load(scenario.objects);

    await tenant.sync('charge', first.id);
    await expectInvoiceWithOneReceiptPerCharge(scenario, [first]);
    await tenant.sync('invoice', scenario.invoice.id);
    await tenant.sync('charge', second.id);

    await expectInvoiceWithOneReceiptPerCharge(scenario);
    await expectRecordsLinked(scenario);
  });

  it('applies the receipt of a legacy charge without a PaymentIntent, which only the invoice’s payments name, when invoice.paid runs first', async () => {
    const built = buildInvoiceScenario({ seed: 10 });
    const charge = { ...built.charges[0]!, payment_intent: null };
    const payment = { ...built.invoicePayments[0]!, payment: { type: 'charge' as const, charge: charge.id } };
    const scenario: InvoiceScenario = { ...built, charges: [charge], invoicePayments: [payment] };
    await tenant.load([...built.objects, charge, payment] as LoadableStripeObject[]);

    await tenant.sync('invoice', scenario.invoice.id);
    await tenant.sync('charge', charge.id);

    await expectInvoiceWithOneReceiptPerCharge(scenario);
    await expectRecordsLinked(scenario);
    const invoiceRecord = await tenant.record('invoice', scenario.invoice.id);
    expect(await tenant.record('charge', charge.id)).toMatchObject({ parentId: invoiceRecord!.id });
  });

  it('posts the refund of an invoice’s charge as its credit memo, after the charge’s receipt and the invoice', async () => {
    const scenario = buildInvoiceScenario({ seed: 6 });
    const [charge] = scenario.charges as [Stripe.Charge];
    const transaction = scenario.balanceTransactions.find((each) => each.source === charge.id)!;
    const back = refund({ charge: charge as unknown as LoadableStripeObject, transaction: transaction as unknown as LoadableStripeObject, objects: [] }, { amount: 1_000 });
    await tenant.load([...scenario.objects, ...back.objects]);

    await tenant.sync('refund', back.refund.id);

    await expectInvoiceWithOneReceiptPerCharge(scenario);
    // Sage Accounting pays a credit note out with a customer refund of the same reference.
    const refundDocuments = await tenant.documents(back.refund.id);
    const [memo, ...more] = refundDocuments.filter((document) => document.type !== 'customer_refund');
    expect(more).toEqual([]);
    expect(minor(memo!.amount, 'USD')).toBe(1_000);
    expectEveryDocumentBalanced(refundDocuments);
    expect(movements(refundDocuments).get(accounts.clearing)).toBe(-1_000);
    const chargeRecord = await tenant.record('charge', charge.id);
    expect(await tenant.record('refund', back.refund.id)).toMatchObject({ status: 'synced', sageDocumentType: 'credit_memo', parentId: chargeRecord!.id });
  });
});

describe.each(['sage_pro', 'sage500'] as const)('invoices into %s that need a person', (edition) => {
  let harness: InvoiceHarness;

  beforeAll(async () => {
    harness = await startInvoiceHarness();
  }, HARNESS_TIMEOUT_MS);
  afterAll(() => harness.close(), HARNESS_TIMEOUT_MS);

  it('refuses an invoice whose lines do not add up to its total (tax), from either job, and posts neither the invoice nor the receipt', async () => {
    const tenant = await createInvoiceTenant(harness, edition);
    const built = buildInvoiceScenario({ seed: 7, lines: [{ description: 'Widget', amount: 10_000 }] });
    // Stripe added 8.25% tax that has no line of its own.
    const taxed = { ...built.invoice, total: 10_825, amount_due: 10_825, amount_paid: 10_825 };
    const charge = { ...built.charges[0]!, amount: 10_825, amount_captured: 10_825 };
    const transaction = built.balanceTransactions[0]!;
    const payment = { ...built.invoicePayments[0]!, amount_paid: 10_825, amount_requested: 10_825 };
    await tenant.load([...built.objects, taxed, charge, { ...transaction, amount: 10_825, net: 10_825 - transaction.fee }, payment] as LoadableStripeObject[]);

    await tenant.sync('charge', charge.id);
    await tenant.sync('invoice', taxed.id);

    for (const [type, id] of [['charge', charge.id], ['invoice', taxed.id]] as const) {
      const record = await tenant.record(type, id);
      expect(record).toMatchObject({ status: 'failed', lastError: { code: 'INVOICE_LINES_DO_NOT_ADD_UP', retryable: false } });
      expect((record!.lastError as { message: string }).message).toMatch(/add up to 10000 minor units but the invoice total is 10825/);
    }
    expect(await tenant.documents(taxed.id)).toEqual([]);
    expect(await tenant.documents(charge.id)).toEqual([]);
  });

  it('refuses a charge whose PaymentIntent pays two invoices, since one receipt applies to one invoice, and posts nothing for it', async () => {
    const tenant = await createInvoiceTenant(harness, edition);
    const first = buildInvoiceScenario({ seed: 11, lines: [{ description: 'A', amount: 5_000 }] });
    const second = buildInvoiceScenario({ seed: 12, lines: [{ description: 'B', amount: 5_000 }] });
    const [charge] = first.charges as [Stripe.Charge];
    // The second invoice claims the same PaymentIntent: one payment split over two invoices.
    const alsoPays = { ...second.invoicePayments[0]!, payment: { type: 'payment_intent' as const, payment_intent: charge.payment_intent as string } };
    await tenant.load([...first.objects, ...second.objects, alsoPays] as LoadableStripeObject[]);

    await tenant.sync('charge', charge.id);

    const record = await tenant.record('charge', charge.id);
    expect(record).toMatchObject({ status: 'failed', lastError: { code: 'CHARGE_PAYS_SEVERAL_INVOICES', retryable: false } });
    expect((record!.lastError as { message: string }).message).toContain(second.invoice.id);
    expect(await tenant.documents(charge.id)).toEqual([]);
  });

  if (edition === 'sage500') {
    it('posts the invoice but refuses its payment journal while no GL rule names a receivables account, saying so', async () => {
      const tenant = await createInvoiceTenant(harness, edition, ({ receivables: _receivables, ...rest }) => rest);
      const scenario = buildInvoiceScenario({ seed: 8 });
      await tenant.load(scenario.objects);

      await tenant.sync('invoice', scenario.invoice.id);

      expect(await tenant.documents(scenario.invoice.id)).toEqual([expect.objectContaining({ type: 'invoice' })]);
      expect(await tenant.documents(scenario.charges[0]!.id)).toEqual([]);
      const record = await tenant.record('invoice', scenario.invoice.id);
      expect(record).toMatchObject({ status: 'failed', lastError: { code: 'GL_ACCOUNT_MISSING', retryable: false } });
      expect((record!.lastError as { message: string }).message).toMatch(/receivables account/);
    });

    it('debits clearing and credits receivables in the payment journal, so the invoice is settled', async () => {
      const tenant = await createInvoiceTenant(harness, edition);
      const scenario = buildInvoiceScenario({ seed: 9 });
      await tenant.load(scenario.objects);

      await tenant.sync('charge', scenario.charges[0]!.id);

      const [journal] = await tenant.documents(scenario.charges[0]!.id);
      const total = scenario.invoice.total;
      expect(journal!.lines.map((line) => [line.account, minor(line.debit, 'USD'), minor(line.credit, 'USD')])).toEqual([
        [DEFAULT_GL_ACCOUNTS.sage500.clearing, total, 0],
        [DEFAULT_GL_ACCOUNTS.sage500.receivables, 0, total],
      ]);
    });
  }
});
