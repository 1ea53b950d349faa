import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { buildInvoiceScenario } from '../../../src/sandbox/stripe-fake/invoice-scenario-builder.ts';
import { startReaderHarness } from '../../connectors/stripe/support/stripe-reader-harness.ts';

// Invoices with coupons and tax, shaped as Stripe shapes them: a line's `amount` is before its
// discounts (inclusive tax inside it), `discount_amounts` holds its own coupon and its share of the
// invoice's, `taxes` its tax by rate; the invoice's totals aggregate them, and its TaxRate can be
// retrieved by the id the line taxes carry.

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);

function discountsOf(line: Stripe.InvoiceLineItem): number {
  return sum((line.discount_amounts ?? []).map((each) => each.amount));
}

function taxesOf(line: Stripe.InvoiceLineItem, behavior: 'inclusive' | 'exclusive'): number {
  return sum((line.taxes ?? []).filter((tax) => tax.tax_behavior === behavior).map((tax) => tax.amount));
}

describe('invoices with discounts and tax in the invoice scenario builder', () => {
  it('spreads an invoice coupon over the lines after their own coupons and adds exclusive tax per line, the totals agreeing', () => {
    const { invoice, taxRates } = buildInvoiceScenario({
      seed: 30,
      lines: [
        { description: 'A', amount: 12_000, discount: 2_000 },
        { description: 'B', amount: 3_000 },
      ],
      invoiceDiscount: 1_300,
      tax: { displayName: 'Sales Tax', percentage: 8.25, inclusive: false, jurisdiction: 'Texas' },
    });
    const [a, b] = invoice.lines.data as [Stripe.InvoiceLineItem, Stripe.InvoiceLineItem];
    const [lineCoupon, invoiceCoupon] = [a.discounts[0] as string, invoice.discounts[0] as string];

    expect(a.discount_amounts).toEqual([{ amount: 2_000, discount: lineCoupon }, { amount: 1_000, discount: invoiceCoupon }]);
    expect(b.discount_amounts).toEqual([{ amount: 300, discount: invoiceCoupon }]);
    expect(b.discounts).toEqual([]);
    expect(a.taxes).toEqual([{ amount: 743, tax_behavior: 'exclusive', tax_rate_details: { tax_rate: taxRates[0]!.id }, taxability_reason: 'standard_rated', taxable_amount: 9_000, type: 'tax_rate_details' }]);
    expect(taxesOf(b, 'exclusive')).toBe(223);
    expect(invoice.total_discount_amounts).toEqual([{ amount: 2_000, discount: lineCoupon }, { amount: 1_300, discount: invoiceCoupon }]);
    expect(invoice.total_taxes?.map((tax) => tax.amount)).toEqual([966]);
    expect(invoice).toMatchObject({ subtotal: 15_000, total_excluding_tax: 11_700, total: 12_666, amount_paid: 12_666 });
    expect(invoice.total).toBe(sum(invoice.lines.data.map((line) => line.amount - discountsOf(line) + taxesOf(line, 'exclusive'))));
  });

  it('keeps inclusive tax inside the line amounts, the total being what the lines owe', () => {
    const { invoice, charges } = buildInvoiceScenario({
      seed: 31,
      currency: 'jpy',
      lines: [{ description: 'A', amount: 999 }, { description: 'B', amount: 1_100 }],
      tax: { displayName: 'JCT', percentage: 10, inclusive: true, country: 'JP' },
    });

    expect(invoice.lines.data.map((line) => taxesOf(line, 'inclusive'))).toEqual([91, 100]);
    expect(invoice.lines.data.map((line) => line.taxes?.[0]?.taxable_amount)).toEqual([908, 1_000]);
    expect(invoice).toMatchObject({ subtotal: 2_099, subtotal_excluding_tax: 1_908, total_excluding_tax: 1_908, total: 2_099 });
    expect(charges[0]!.amount).toBe(2_099);
  });

  it('serves the TaxRate the line taxes name to the real SDK', async () => {
    const harness = await startReaderHarness();
    const scenario = buildInvoiceScenario({ seed: 32, lines: [{ description: 'A', amount: 10_000 }], tax: { displayName: 'VAT', percentage: 20, inclusive: true, jurisdiction: 'GB', country: 'GB' } });
    await harness.load(scenario.objects);

    const rateId = scenario.invoice.lines.data[0]!.taxes![0]!.tax_rate_details!.tax_rate;
    const rate = await harness.reader().retrieveTaxRate(rateId);

    expect(rate).toMatchObject({ id: rateId, object: 'tax_rate', display_name: 'VAT', percentage: 20, inclusive: true, jurisdiction: 'GB' });
  });

  it('puts shipping with exclusive tax in `shipping_cost` as Stripe does, outside the subtotal and inside the total', () => {
    const { invoice, taxRates, charges } = buildInvoiceScenario({
      seed: 34,
      lines: [{ description: 'Lamp', amount: 10_000 }],
      shipping: { amount: 1_250, taxed: true },
      tax: { displayName: 'Sales Tax', percentage: 8.25, inclusive: false, jurisdiction: 'Texas' },
    });

    expect(invoice.shipping_cost).toEqual({
      amount_subtotal: 1_250,
      amount_tax: 103,
      amount_total: 1_353,
      shipping_rate: expect.stringMatching(/^shr_/),
      taxes: [{ amount: 103, rate: taxRates[0], taxability_reason: 'standard_rated', taxable_amount: 1_250 }],
    });
    expect(invoice).toMatchObject({ amount_shipping: 1_250, subtotal: 10_000, total_excluding_tax: 11_250, total: 12_178, amount_paid: 12_178 });
    expect(invoice.total_taxes?.map((tax) => tax.amount)).toEqual([825]);
    expect(charges[0]!.amount).toBe(12_178);
  });

  it('serves an invoice’s untaxed shipping to the real SDK, and refuses taxed shipping without an exclusive tax', async () => {
    const harness = await startReaderHarness();
    const scenario = buildInvoiceScenario({ seed: 35, lines: [{ description: 'A', amount: 10_000 }], shipping: { amount: 900 } });
    await harness.load(scenario.objects);

    const invoice = await harness.reader().retrieveInvoice(scenario.invoice.id);

    expect(invoice).toMatchObject({ amount_shipping: 900, total: 10_900, shipping_cost: { amount_subtotal: 900, amount_tax: 0, amount_total: 900, taxes: [] } });
    expect(() => buildInvoiceScenario({ seed: 36, lines: [{ description: 'A', amount: 100 }], shipping: { amount: 50, taxed: true } })).toThrow(/exclusive `tax`/);
    expect(() =>
      buildInvoiceScenario({ seed: 36, lines: [{ description: 'A', amount: 100 }], shipping: { amount: 50, taxed: true }, tax: { displayName: 'VAT', percentage: 20, inclusive: true } }),
    ).toThrow(/exclusive `tax`/);
  });

  it('refuses a line coupon larger than its line', () => {
    expect(() => buildInvoiceScenario({ seed: 33, lines: [{ description: 'A', amount: 100, discount: 101 }] })).toThrow(/line discount/);
  });
});
