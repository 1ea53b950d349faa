import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildInvoiceScenario, type InvoiceScenarioOptions, type InvoiceScenario } from '../../../src/sandbox/stripe-fake/invoice-scenario-builder.ts';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import type { InspectedDocument } from '../../sandbox/sage/support/sandbox-harness.ts';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';
import { connectTenant, EDITIONS, expectBooksBalanced, LANDS_AS, type Tenant } from './support/tenant.ts';
import { minor, movementOf } from './support/account-movement.ts';

// Invoices with discounts and sales tax, as finance teams send most of them, reach Sage whole: one
// Sage invoice whose revenue lines are net of every discount (the line's own coupon and its share
// of the invoice's) and whose tax sits on a line of its own in the sales tax payable account,
// totalling exactly what Stripe billed, shipping and its tax included; the paying charge's receipt
// applies to it and clears it.

let stack: EndToEndStack;

beforeAll(async () => {
  stack = await startEndToEndStack();
}, 60_000);
afterAll(() => stack?.close());

/** The credits of the invoice's lines to `account`, in minor units, in posting order. */
function creditsTo(document: InspectedDocument, account: string): bigint[] {
  return document.lines.filter((line) => line.account === account).map((line) => minor(line.credit, document.currency) - minor(line.debit, document.currency));
}

let seed = 700;

type Case = {
  name: string;
  currency: string;
  options: Omit<InvoiceScenarioOptions, 'seed' | 'currency' | 'events'>;
  total: bigint;
  /** The revenue lines, net of discounts and of any tax inside them. */
  revenue: bigint[];
  tax: bigint;
  taxLabel: RegExp;
  /** The memo of the shipping line, when the invoice ships. */
  shippingLabel?: RegExp;
};

const CASES: Case[] = [
  {
    name: 'a discounted line, an invoice-level coupon and 8.25% exclusive sales tax',
    currency: 'usd',
    options: {
      lines: [
        { description: 'Annual licence', amount: 12_000, discount: 2_000 },
        { description: 'Setup', amount: 3_000 },
      ],
      invoiceDiscount: 1_300,
      tax: { displayName: 'Sales Tax', percentage: 8.25, inclusive: false, jurisdiction: 'Texas', country: 'US' },
    },
    // 12,000 - 2,000 - 1,000 and 3,000 - 300; tax 743 + 223.
    revenue: [9_000n, 2_700n],
    tax: 966n,
    total: 12_666n,
    taxLabel: /Sales Tax 8\.25% \(Texas\)/,
  },
  {
    name: 'VAT included in the prices',
    currency: 'usd',
    options: {
      lines: [
        { description: 'Consulting', amount: 12_000 },
        { description: 'Travel', amount: 1_001 },
      ],
      tax: { displayName: 'VAT', percentage: 20, inclusive: true, jurisdiction: 'GB', country: 'GB' },
    },
    // 12,000 / 1.2 and 1,001 / 1.2 = 834.17, as Stripe's per-line tax says (2,000 and 167).
    revenue: [10_000n, 834n],
    tax: 2_167n,
    total: 13_001n,
    taxLabel: /VAT 20% \(GB\), included/,
  },
  {
    name: 'shipping, with 8.25% exclusive sales tax on the line and on the shipping',
    currency: 'usd',
    options: {
      lines: [{ description: 'Desk lamp', amount: 10_000 }],
      shipping: { amount: 1_250, taxed: true },
      tax: { displayName: 'Sales Tax', percentage: 8.25, inclusive: false, jurisdiction: 'Texas', country: 'US' },
    },
    // The shipping is revenue of its own; tax 825 on the line and 103 (of 103.125) on the shipping.
    revenue: [10_000n, 1_250n],
    tax: 928n,
    total: 12_178n,
    taxLabel: /Sales Tax 8\.25% \(Texas\)/,
    shippingLabel: /^Shipping$/,
  },
];

async function taxedInvoice(t: Tenant, taxCase: Case): Promise<InvoiceScenario> {
  seed += 1;
  const scenario = buildInvoiceScenario({ seed, currency: taxCase.currency, events: false, ...taxCase.options });
  await t.load(scenario.objects);
  return scenario;
}

describe.concurrent.each(EDITIONS)('invoices with discounts and tax, into %s', { timeout: 90_000 }, (edition) => {
  for (const taxCase of CASES) {
    it(`posts one Sage invoice of the net revenue lines and the tax line to the sales tax account, and applies the receipt to it (${taxCase.name})`, async () => {
      const t = await connectTenant(stack, { edition });
      const scenario = await taxedInvoice(t, taxCase);
      const [charge] = scenario.charges;
      expect(BigInt(scenario.invoice.total)).toBe(taxCase.total);
      expect(BigInt(charge!.amount)).toBe(taxCase.total);

      await t.deliver(t.event('charge.succeeded', charge as unknown as LoadableStripeObject), t.event('invoice.paid', scenario.invoice as unknown as LoadableStripeObject));
      await t.settle();

      const invoices = await t.documents({ reference: scenario.invoice.id });
      expect(invoices.map((each) => each.type)).toEqual(['invoice']);
      const [sageInvoice] = invoices as [InspectedDocument];
      const currency = taxCase.currency.toUpperCase();
      expect(minor(sageInvoice.amount, currency)).toBe(taxCase.total);
      expect(creditsTo(sageInvoice, t.accounts.revenue)).toEqual(taxCase.revenue);
      expect(creditsTo(sageInvoice, t.accounts.sales_tax)).toEqual([taxCase.tax]);
      expect(sageInvoice.lines.find((line) => line.account === t.accounts.sales_tax)?.memo).toMatch(taxCase.taxLabel);
      if (taxCase.shippingLabel) expect(sageInvoice.lines.filter((line) => line.account === t.accounts.revenue).at(-1)?.memo).toMatch(taxCase.shippingLabel);

      const receipts = await t.documents({ reference: charge!.id });
      expect(receipts.map((each) => each.type)).toEqual(LANDS_AS[edition].receipt);
      const [receipt] = receipts as [InspectedDocument];
      expect(minor(receipt.amount, currency)).toBe(taxCase.total);
      if (edition === 'sage500') {
        // A journal names no invoice: it clears receivables, and its memo names the invoice.
        expect(JSON.stringify(receipt.lines)).toContain(sageInvoice.number);
      } else {
        expect(receipt.appliesToInvoice).toBe(sageInvoice.number);
      }
      expect((await t.documents()).map((each) => each.reference).sort()).toEqual([charge!.id, scenario.invoice.id].sort());

      const { body: company } = await stack.sandbox.getJson<{ receivablesAccount: string }>(`/_sandbox/companies/${t.company}`);
      const documents = [sageInvoice, receipt];
      // Billed and paid: receivables back to zero, the money in clearing, revenue net, tax owed.
      expect(movementOf(documents, company.receivablesAccount)).toBe(0n);
      expect(movementOf(documents, t.accounts.clearing)).toBe(taxCase.total);
      expect(movementOf(documents, t.accounts.revenue)).toBe(-taxCase.revenue.reduce((sum, each) => sum + each, 0n));
      expect(movementOf(documents, t.accounts.sales_tax)).toBe(-taxCase.tax);

      const invoiceRecord = await t.record('invoice', scenario.invoice.id);
      expect(invoiceRecord).toMatchObject({ status: 'synced', sageDocumentType: 'invoice', amountMinor: taxCase.total });
      expect(await t.record('charge', charge!.id)).toMatchObject({ status: 'synced', sageDocumentType: 'cash_receipt', parentId: invoiceRecord!.id, amountMinor: taxCase.total });
      await expectBooksBalanced(t);
    });
  }

  it('refuses an invoice with tax when no GL rule names a sales tax account, saying which role to add, and posts nothing', async () => {
    const t = await connectTenant(stack, { edition });
    // An integration whose admin removed the sales tax account from the default rule.
    const rule = await stack.db.prisma.glRule.findFirstOrThrow({ where: { integrationId: t.integration.id, conditions: { equals: [] } } });
    const { sales_tax: _removed, ...accounts } = rule.accounts as Record<string, string>;
    await stack.db.prisma.glRule.update({ where: { id: rule.id }, data: { accounts } });
    const scenario = await taxedInvoice(t, CASES[0]!);
    const [charge] = scenario.charges;

    await t.deliver(t.event('invoice.paid', scenario.invoice as unknown as LoadableStripeObject), t.event('charge.succeeded', charge as unknown as LoadableStripeObject));
    await t.settle();

    for (const [type, id] of [['invoice', scenario.invoice.id], ['charge', charge!.id]] as const) {
      const record = await t.record(type, id);
      expect(record).toMatchObject({ status: 'failed', lastError: { code: 'GL_ACCOUNT_MISSING', retryable: false } });
      expect((record!.lastError as { message: string }).message).toMatch(/No GL rule names the sales_tax account .*Add it to the default GL rule/);
    }
    expect(await t.documents()).toEqual([]);
  });
});
