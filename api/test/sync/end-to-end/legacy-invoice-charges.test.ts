import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvoiceScenario, type InvoiceScenario } from '../../../src/sandbox/stripe-fake/invoice-scenario-builder.ts';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import type { InspectedDocument } from '../../sandbox/sage/support/sandbox-harness.ts';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';
import { connectTenant, EDITIONS, expectBooksBalanced, LANDS_AS, type SignedEvent, type Tenant } from './support/tenant.ts';
import { minor, movementOf } from './support/account-movement.ts';

// A legacy invoice (older API versions) paid by a charge of the Charges API: the charge has no
// PaymentIntent and names its invoice (`charge.invoice`), the invoice names its charge
// (`invoice.charge`), and Stripe keeps no InvoicePayments for them. The invoice posts once and the
// charge's receipt once, applied to it, whichever event arrives first, and also when only
// invoice.paid arrives: the payment is never counted twice, nor left out.

let stack: EndToEndStack;

beforeAll(async () => {
  stack = await startEndToEndStack();
}, 60_000);
afterAll(() => stack?.close());

let seed = 400;

async function legacyInvoice(t: Tenant): Promise<InvoiceScenario> {
  seed += 1;
  const scenario = buildInvoiceScenario({ seed, legacy: true, lines: [{ description: 'Annual licence', amount: 9_000 }, { description: 'Setup', amount: 1_500 }], events: false });
  await t.load(scenario.objects);
  return scenario;
}

async function expectInvoicePaidOnce(t: Tenant, scenario: InvoiceScenario): Promise<void> {
  const [charge] = scenario.charges;
  const { receipt: receiptTypes } = LANDS_AS[t.edition];
  const invoices = await t.documents({ reference: scenario.invoice.id });
  expect(invoices.map((each) => each.type)).toEqual(['invoice']);
  const [sageInvoice] = invoices as [InspectedDocument];
  expect(minor(sageInvoice.amount, 'USD')).toBe(10_500n);

  const receipts = await t.documents({ reference: charge!.id });
  expect(receipts.map((each) => each.type)).toEqual(receiptTypes);
  const [receipt] = receipts as [InspectedDocument];
  expect(minor(receipt.amount, 'USD')).toBe(10_500n);
  if (t.edition === 'sage500') {
    // A journal names no invoice: it clears receivables, and its memo names the invoice.
    expect(JSON.stringify(receipt.lines)).toContain(sageInvoice.number);
  } else {
    expect(receipt.appliesToInvoice).toBe(sageInvoice.number);
  }
  // Nothing else was posted: no standalone receipt under another reference, no second payment.
  expect((await t.documents()).map((each) => each.reference).sort()).toEqual([charge!.id, scenario.invoice.id].sort());

  const { body: company } = await stack.sandbox.getJson<{ receivablesAccount: string }>(`/_sandbox/companies/${t.company}`);
  const documents = [sageInvoice, receipt];
  // Billed and paid: receivables back to zero, the money in clearing, the lines in revenue.
  expect(movementOf(documents, company.receivablesAccount)).toBe(0n);
  expect(movementOf(documents, t.accounts.clearing)).toBe(10_500n);
  expect(movementOf(documents, t.accounts.revenue)).toBe(-10_500n);

  const invoiceRecord = await t.record('invoice', scenario.invoice.id);
  expect(invoiceRecord).toMatchObject({ status: 'synced', sageDocumentType: 'invoice' });
  expect(await t.record('charge', charge!.id)).toMatchObject({ status: 'synced', sageDocumentType: 'cash_receipt', parentId: invoiceRecord!.id, amountMinor: 10_500n });
  await expectBooksBalanced(t);
}

describe.concurrent.each(EDITIONS)('a legacy invoice paid by a charge without a PaymentIntent, into %s', { timeout: 90_000 }, (edition) => {
  const orders: [string, (t: Tenant, scenario: InvoiceScenario) => SignedEvent[]][] = [
    ['invoice.paid first', (t, scenario) => [t.event('invoice.paid', scenario.invoice as unknown as LoadableStripeObject), t.event('charge.succeeded', scenario.charges[0] as unknown as LoadableStripeObject)]],
    ['charge.succeeded first', (t, scenario) => [t.event('charge.succeeded', scenario.charges[0] as unknown as LoadableStripeObject), t.event('invoice.paid', scenario.invoice as unknown as LoadableStripeObject)]],
    ['only invoice.paid', (t, scenario) => [t.event('invoice.paid', scenario.invoice as unknown as LoadableStripeObject)]],
  ];

  for (const [order, eventsOf] of orders) {
    it(`posts the invoice and the charge’s receipt applied to it, each once (${order})`, async () => {
      const t = await connectTenant(stack, { edition });
      const scenario = await legacyInvoice(t);

      for (const event of eventsOf(t, scenario)) {
        await t.deliver(event);
        await t.settle();
      }

      await expectInvoicePaidOnce(t, scenario);
    });
  }

  it('posts each once when both events arrive together and twice over', async () => {
    const t = await connectTenant(stack, { edition });
    const scenario = await legacyInvoice(t);
    const events = [t.event('charge.succeeded', scenario.charges[0] as unknown as LoadableStripeObject), t.event('invoice.paid', scenario.invoice as unknown as LoadableStripeObject)];

    await t.deliver(...events, ...[...events].reverse().map((each) => t.event(each.type, JSON.parse(each.payload).data.object)));
    await t.settle();

    await expectInvoicePaidOnce(t, scenario);
  });
});
