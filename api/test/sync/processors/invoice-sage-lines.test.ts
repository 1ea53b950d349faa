import { DEFAULT_GL_ACCOUNTS, defaultGlRules, type GlAccounts } from '@sagesync/db';
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { GlRuleError, type GlRuleRow } from '../../../src/accounting/gl-rules.ts';
import { buildInvoiceScenario } from '../../../src/sandbox/stripe-fake/invoice-scenario-builder.ts';
import { buildInvoiceSageLines, taxRateIdsOf, type TaxRateLabel } from '../../../src/sync/processors/invoice-sage-lines.ts';

// The Sage invoice's lines from a Stripe invoice, as a pure function: revenue net of discounts,
// tax on lines of its own to the sales tax account, always adding up to the Stripe total.

const accounts = DEFAULT_GL_ACCOUNTS.sage_pro;

function rules(change: (accounts: GlAccounts) => GlAccounts = (same) => same): GlRuleRow[] {
  return defaultGlRules('sage_pro').map((rule, position) => ({
    id: `rule_${position}`,
    name: rule.name,
    position,
    enabled: true,
    conditions: rule.conditions,
    accounts: rule.conditions.length === 0 ? change(rule.accounts) : rule.accounts,
  }));
}

function labelsOf(taxRates: readonly Stripe.TaxRate[]): Map<string, TaxRateLabel> {
  return new Map(taxRates.map((rate) => [rate.id, rate]));
}

const total = (lines: readonly { unitAmountMinor: bigint; quantity: number }[]) => lines.reduce((sum, line) => sum + line.unitAmountMinor * BigInt(line.quantity), 0n);

/**
 * An invoice of one currency with inclusive tax as Stripe sends it: each line's `amount` holds its
 * tax, and `taxes` says how much, as Stripe worked it out (its rounding, not ours).
 */
function inclusiveInvoice(currency: string, lines: readonly { amount: number; tax: number }[]): Stripe.Invoice {
  const built = buildInvoiceScenario({ seed: 5, currency, lines: lines.map((line, index) => ({ description: `Item ${index + 1}`, amount: line.amount })) });
  const taxRate = 'txr_vat';
  return {
    ...built.invoice,
    lines: {
      ...built.invoice.lines,
      data: built.invoice.lines.data.map((line, index) => ({
        ...line,
        taxes: [{ amount: lines[index]!.tax, tax_behavior: 'inclusive', tax_rate_details: { tax_rate: taxRate }, taxability_reason: 'standard_rated', taxable_amount: lines[index]!.amount - lines[index]!.tax, type: 'tax_rate_details' }],
      })),
    },
  };
}

const vat: TaxRateLabel = { display_name: 'VAT', percentage: 10, jurisdiction: null, rate_type: 'percentage' };

describe('the Sage lines of a Stripe invoice', () => {
  it('posts a discounted line at its net amount and 8.25% exclusive tax on a line of its own to the sales tax account, adding up to the total', () => {
    const { invoice, taxRates } = buildInvoiceScenario({
      seed: 1,
      lines: [
        { description: 'Annual licence', amount: 12_000, discount: 2_000 },
        { description: 'Setup', amount: 3_000 },
      ],
      invoiceDiscount: 1_300,
      tax: { displayName: 'Sales Tax', percentage: 8.25, inclusive: false, jurisdiction: 'Texas', country: 'US' },
    });
    // 10,000 and 3,000 owed after the line coupon; the invoice coupon spread 1,000 and 300.
    expect(invoice.lines.data.map((line) => line.discount_amounts?.map((each) => each.amount))).toEqual([[2_000, 1_000], [300]]);
    expect(taxRateIdsOf(invoice)).toEqual([taxRates[0]!.id]);

    const lines = buildInvoiceSageLines(invoice, { rules: rules(), taxRates: labelsOf(taxRates) });

    expect(lines).toEqual([
      { description: 'Annual licence, after discount', quantity: 1, unitAmountMinor: 9_000n, glAccount: accounts.revenue },
      { description: 'Setup, after discount', quantity: 1, unitAmountMinor: 2_700n, glAccount: accounts.revenue },
      // 8.25% of 9,000 is 742.5 and of 2,700 is 222.75: Stripe's per-line 743 and 223.
      { description: 'Sales Tax 8.25% (Texas)', quantity: 1, unitAmountMinor: 966n, glAccount: accounts.sales_tax },
    ]);
    expect(total(lines)).toBe(BigInt(invoice.total));
    expect(invoice.total).toBe(12_666);
  });

  it('takes inclusive VAT out of each line’s revenue and posts it on its own line', () => {
    const { invoice, taxRates } = buildInvoiceScenario({
      seed: 2,
      currency: 'gbp',
      lines: [
        { description: 'Consulting', amount: 12_000 },
        { description: 'Travel', amount: 1_001 },
      ],
      tax: { displayName: 'VAT', percentage: 20, inclusive: true, jurisdiction: 'GB', country: 'GB' },
    });

    const lines = buildInvoiceSageLines(invoice, { rules: rules(), taxRates: labelsOf(taxRates) });

    expect(lines).toEqual([
      { description: 'Consulting', quantity: 1, unitAmountMinor: 10_000n, glAccount: accounts.revenue },
      // 1,001 / 1.2 = 834.17: Stripe's net 834 and tax 167.
      { description: 'Travel', quantity: 1, unitAmountMinor: 834n, glAccount: accounts.revenue },
      { description: 'VAT 20% (GB), included', quantity: 1, unitAmountMinor: 2_167n, glAccount: accounts.sales_tax },
    ]);
    expect(total(lines)).toBe(13_001n);
    expect(invoice.total).toBe(13_001);
  });

  it('splits inclusive tax in yen by Stripe’s own per-line amounts, never by re-applying the rate', () => {
    // ¥999 at 10% included is ¥90.8 of tax: Stripe says 91 on the first line; on the second it
    // says 90 (as it may when it rounds the invoice as a whole), and that is what is posted.
    const invoice = inclusiveInvoice('jpy', [
      { amount: 999, tax: 91 },
      { amount: 999, tax: 90 },
      { amount: 1_100, tax: 100 },
    ]);

    const lines = buildInvoiceSageLines(invoice, { rules: rules(), taxRates: new Map([['txr_vat', vat]]) });

    expect(lines.map((line) => [line.description, line.unitAmountMinor, line.glAccount])).toEqual([
      ['Item 1', 908n, accounts.revenue],
      ['Item 2', 909n, accounts.revenue],
      ['Item 3', 1_000n, accounts.revenue],
      ['VAT 10%, included', 281n, accounts.sales_tax],
    ]);
    expect(total(lines)).toBe(3_098n);
    expect(invoice.total).toBe(3_098);
  });

  it('splits inclusive tax in Bahraini dinars (three decimals) in whole fils', () => {
    // BHD 10.505 with 10% VAT included: Stripe's tax 0.955, net 9.550.
    const invoice = inclusiveInvoice('bhd', [
      { amount: 10_505, tax: 955 },
      { amount: 2_010, tax: 183 },
    ]);

    const lines = buildInvoiceSageLines(invoice, { rules: rules(), taxRates: new Map([['txr_vat', vat]]) });

    expect(lines.map((line) => line.unitAmountMinor)).toEqual([9_550n, 1_827n, 1_138n]);
    expect(total(lines)).toBe(BigInt(invoice.total));
  });

  it('skips zero-amount and fully discounted lines', () => {
    const { invoice } = buildInvoiceScenario({
      seed: 3,
      lines: [
        { description: 'Free trial', amount: 0 },
        { description: 'Onboarding', amount: 5_000, discount: 5_000 },
        { description: 'Plan', amount: 7_000 },
      ],
    });

    const lines = buildInvoiceSageLines(invoice, { rules: rules(), taxRates: new Map() });

    expect(lines).toEqual([{ description: 'Plan', quantity: 1, unitAmountMinor: 7_000n, glAccount: accounts.revenue }]);
    expect(invoice.total).toBe(7_000);
  });

  it('names a tax line by its rate id when the rate’s label is unknown', () => {
    const { invoice, taxRates } = buildInvoiceScenario({ seed: 4, lines: [{ description: 'Plan', amount: 10_000 }], tax: { displayName: 'GST', percentage: 5, inclusive: false } });

    const lines = buildInvoiceSageLines(invoice, { rules: rules(), taxRates: new Map() });

    expect(lines.at(-1)).toEqual({ description: `Tax (${taxRates[0]!.id})`, quantity: 1, unitAmountMinor: 500n, glAccount: accounts.sales_tax });
  });

  it('keeps long descriptions within Sage’s 60 characters with the discount note whole', () => {
    const { invoice } = buildInvoiceScenario({ seed: 6, lines: [{ description: 'A'.repeat(80), amount: 10_000, discount: 1 }] });

    const [line] = buildInvoiceSageLines(invoice, { rules: rules(), taxRates: new Map() });

    expect(line!.description).toBe(`${'A'.repeat(44)}, after discount`);
    expect([...line!.description].length).toBe(60);
  });

  it('refuses an invoice with tax when no GL rule names the sales_tax account, naming the role and what to do', () => {
    const { invoice, taxRates } = buildInvoiceScenario({ seed: 7, lines: [{ description: 'Plan', amount: 10_000 }], tax: { displayName: 'Sales Tax', percentage: 8.25, inclusive: false } });
    const withoutSalesTax = rules(({ sales_tax: _dropped, ...rest }) => rest);

    const refusal = (() => {
      try {
        buildInvoiceSageLines(invoice, { rules: withoutSalesTax, taxRates: labelsOf(taxRates) });
      } catch (error) {
        return error;
      }
      throw new Error('expected a refusal');
    })();

    expect(refusal).toBeInstanceOf(GlRuleError);
    expect(refusal).toMatchObject({ code: 'GL_ACCOUNT_MISSING', retryable: false, missingRoles: ['sales_tax'] });
    expect((refusal as Error).message).toMatch(/No GL rule names the sales_tax account .*Add it to the default GL rule/);
    // The same invoice without tax needs no sales tax account.
    const untaxed = buildInvoiceScenario({ seed: 7, lines: [{ description: 'Plan', amount: 10_000 }] }).invoice;
    expect(total(buildInvoiceSageLines(untaxed, { rules: withoutSalesTax, taxRates: new Map() }))).toBe(10_000n);
  });

  it('posts shipping without tax on a revenue line of its own, adding up to the total', () => {
    const { invoice } = buildInvoiceScenario({ seed: 9, lines: [{ description: 'Lamp', amount: 10_000 }], shipping: { amount: 1_500 } });

    const lines = buildInvoiceSageLines(invoice, { rules: rules(), taxRates: new Map() });

    expect(lines).toEqual([
      { description: 'Lamp', quantity: 1, unitAmountMinor: 10_000n, glAccount: accounts.revenue },
      { description: 'Shipping', quantity: 1, unitAmountMinor: 1_500n, glAccount: accounts.revenue },
    ]);
    expect(invoice.total).toBe(11_500);
  });

  it('adds exclusive tax on shipping into the tax line of its rate, named from the shipping tax’s own rate when no label was fetched', () => {
    const { invoice } = buildInvoiceScenario({
      seed: 10,
      lines: [{ description: 'Lamp', amount: 10_000 }],
      shipping: { amount: 1_250, taxed: true },
      tax: { displayName: 'Sales Tax', percentage: 8.25, inclusive: false, jurisdiction: 'Texas', country: 'US' },
    });
    // 8.25% of 1,250 is 103.125: Stripe's 103, on top of the shipping.
    expect(invoice.shipping_cost).toMatchObject({ amount_subtotal: 1_250, amount_tax: 103, amount_total: 1_353 });

    const lines = buildInvoiceSageLines(invoice, { rules: rules(), taxRates: new Map() });

    expect(lines).toEqual([
      { description: 'Lamp', quantity: 1, unitAmountMinor: 10_000n, glAccount: accounts.revenue },
      { description: 'Shipping', quantity: 1, unitAmountMinor: 1_250n, glAccount: accounts.revenue },
      { description: 'Sales Tax 8.25% (Texas)', quantity: 1, unitAmountMinor: 928n, glAccount: accounts.sales_tax },
    ]);
    expect(total(lines)).toBe(12_178n);
    expect(invoice.total).toBe(12_178);
  });

  it('takes inclusive tax out of shipping in yen by Stripe’s own amount and names the expanded shipping rate', () => {
    const { invoice, taxRates } = buildInvoiceScenario({ seed: 11, currency: 'jpy', lines: [{ description: 'Teapot', amount: 1_100 }], tax: { displayName: 'JCT', percentage: 10, inclusive: true, country: 'JP' } });
    const [jct] = taxRates as [Stripe.TaxRate];
    // ¥550 of shipping with 10% JCT inside: Stripe's tax ¥50, the shipping earned ¥500.
    const shipped: Stripe.Invoice = {
      ...invoice,
      amount_shipping: 550,
      shipping_cost: {
        amount_subtotal: 550,
        amount_tax: 50,
        amount_total: 550,
        shipping_rate: { id: 'shr_yamato', object: 'shipping_rate', display_name: 'Yamato next day' } as Stripe.ShippingRate,
        taxes: [{ amount: 50, rate: jct, taxability_reason: 'standard_rated', taxable_amount: 500 }],
      },
      total: invoice.total + 550,
    };

    const lines = buildInvoiceSageLines(shipped, { rules: rules(), taxRates: labelsOf(taxRates) });

    expect(lines).toEqual([
      { description: 'Teapot', quantity: 1, unitAmountMinor: 1_000n, glAccount: accounts.revenue },
      { description: 'Shipping (Yamato next day)', quantity: 1, unitAmountMinor: 500n, glAccount: accounts.revenue },
      { description: 'JCT 10%, included', quantity: 1, unitAmountMinor: 150n, glAccount: accounts.sales_tax },
    ]);
    expect(total(lines)).toBe(1_650n);
  });

  it('takes inclusive tax out of shipping in Bahraini dinars in whole fils', () => {
    const invoice = inclusiveInvoice('bhd', [{ amount: 10_505, tax: 955 }]);
    const rate = { ...buildInvoiceScenario({ seed: 12, currency: 'bhd', lines: [{ description: 'A', amount: 1_000 }], tax: { displayName: 'VAT', percentage: 10, inclusive: true } }).taxRates[0]!, id: 'txr_vat' };
    // BHD 2.010 of shipping with 10% VAT inside: Stripe's tax 0.183, the shipping earned 1.827.
    const shipped: Stripe.Invoice = {
      ...invoice,
      amount_shipping: 2_010,
      shipping_cost: { amount_subtotal: 2_010, amount_tax: 183, amount_total: 2_010, shipping_rate: 'shr_1', taxes: [{ amount: 183, rate, taxability_reason: 'standard_rated', taxable_amount: 1_827 }] },
      total: invoice.total + 2_010,
    };

    const lines = buildInvoiceSageLines(shipped, { rules: rules(), taxRates: new Map([['txr_vat', vat]]) });

    expect(lines.map((line) => [line.description, line.unitAmountMinor])).toEqual([
      ['Item 1', 9_550n],
      ['Shipping', 1_827n],
      ['VAT 10%, included', 1_138n],
    ]);
    expect(total(lines)).toBe(12_515n);
  });

  it('refuses shipping tax that Stripe does not break down by rate, rather than guessing it', () => {
    const { invoice } = buildInvoiceScenario({ seed: 13, lines: [{ description: 'Lamp', amount: 10_000 }], shipping: { amount: 1_250, taxed: true }, tax: { displayName: 'Sales Tax', percentage: 8.25, inclusive: false } });
    const { taxes: _unexpanded, ...shippingCost } = invoice.shipping_cost!;

    expect(() => buildInvoiceSageLines({ ...invoice, shipping_cost: shippingCost }, { rules: rules(), taxRates: new Map() })).toThrow(
      expect.objectContaining({ code: 'INVOICE_LINES_DO_NOT_ADD_UP', retryable: false, message: expect.stringMatching(/shipping tax of 103 minor units is not broken down by tax rate/) }),
    );
  });

  it('no longer blames shipping it posted for a difference it cannot explain', () => {
    const { invoice } = buildInvoiceScenario({ seed: 14, lines: [{ description: 'Lamp', amount: 10_000 }], shipping: { amount: 1_500 } });

    expect(() => buildInvoiceSageLines({ ...invoice, total: invoice.total + 7 }, { rules: rules(), taxRates: new Map() })).toThrow(
      expect.objectContaining({
        code: 'INVOICE_LINES_DO_NOT_ADD_UP',
        message: expect.stringMatching(/add up to 11500 minor units but the invoice total is 11507: 7 minor units are unexplained, most likely an adjustment Stripe made/),
      }),
    );
  });

  it('refuses an invoice whose total its lines, discounts and tax do not explain, naming the difference and shipping as its likely cause', () => {
    const { invoice } = buildInvoiceScenario({ seed: 8, lines: [{ description: 'Lamp', amount: 10_000 }] });
    const shipped: Stripe.Invoice = { ...invoice, amount_shipping: 1_500, total: 11_500 };

    expect(() => buildInvoiceSageLines(shipped, { rules: rules(), taxRates: new Map() })).toThrow(
      expect.objectContaining({
        code: 'INVOICE_LINES_DO_NOT_ADD_UP',
        retryable: false,
        message: expect.stringMatching(/add up to 10000 minor units but the invoice total is 11500: 1500 minor units are unexplained, most likely shipping of 1500 minor units that Stripe sent without its shipping cost/),
      }),
    );
  });
});
