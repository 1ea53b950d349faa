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

  it('refuses an invoice whose total its lines, discounts and tax do not explain, naming the difference and shipping as its likely cause', () => {
    const { invoice } = buildInvoiceScenario({ seed: 8, lines: [{ description: 'Lamp', amount: 10_000 }] });
    const shipped: Stripe.Invoice = { ...invoice, amount_shipping: 1_500, total: 11_500 };

    expect(() => buildInvoiceSageLines(shipped, { rules: rules(), taxRates: new Map() })).toThrow(
      expect.objectContaining({
        code: 'INVOICE_LINES_DO_NOT_ADD_UP',
        retryable: false,
        message: expect.stringMatching(/add up to 10000 minor units but the invoice total is 11500: 1500 minor units are unexplained, most likely shipping of 1500/),
      }),
    );
  });
});
