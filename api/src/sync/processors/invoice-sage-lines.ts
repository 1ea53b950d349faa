import type Stripe from 'stripe';
import { requireGlAccounts, type GlRuleRow } from '../../accounting/gl-rules.ts';
import type { SageLine } from '../../connectors/sage/sage-documents.ts';
import { NeedsHumanError } from './processor-context.ts';

// The lines of a Stripe invoice's Sage invoice: one revenue line per invoice line at what the
// customer really owes for it, then one line per tax rate crediting the tax payable account.
// - A line's `amount` is before its discounts; `discount_amounts` holds its own discounts and its
//   share of the invoice-level ones (Stripe spreads those over the lines), so revenue is net of both
//   and needs no discount account.
// - Exclusive tax is on top of `amount`; inclusive tax is inside it. Either way the tax is owed to
//   the authorities, not earned: it leaves revenue for the tax lines. Stripe's per-line tax amounts
//   decide the split, never a rate re-applied here, so there is nothing to round.
// - Shipping (`invoice.shipping_cost`) is not an invoice line: it gets a revenue line of its own at
//   its total less its taxes, which is right whether those are on top (exclusive) or inside it
//   (inclusive), and its taxes join the per-rate tax lines.
// The result must add up to `invoice.total` exactly; an invoice that does not (billing credits,
// ...) is refused rather than posted with a total the customer was not billed.

/** What a tax line says about its rate, from Stripe's TaxRate (the line taxes carry only its id). */
export type TaxRateLabel = Pick<Stripe.TaxRate, 'display_name' | 'percentage' | 'jurisdiction' | 'rate_type'>;

export type InvoiceLineInputs = {
  rules: readonly GlRuleRow[];
  /** By TaxRate id. A rate missing here is still posted, under a plainer description. */
  taxRates: ReadonlyMap<string, TaxRateLabel>;
};

/** Sage's shortest description field, across the editions. */
const DESCRIPTION_LENGTH = 60;

/** `text` cut to the description length by code points, keeping `suffix` whole. */
function description(text: string, suffix = ''): string {
  const room = DESCRIPTION_LENGTH - [...suffix].length;
  return [...text].slice(0, room).join('').trimEnd() + suffix;
}

function productOf(line: Stripe.InvoiceLineItem): string | undefined {
  const loose = line as unknown as { price?: { product?: unknown } | null; pricing?: { price_details?: { product?: unknown } } | null };
  const product = loose.pricing?.price_details?.product ?? loose.price?.product;
  return typeof product === 'string' ? product : undefined;
}

const sum = (amounts: readonly { amount: number }[] | null | undefined): bigint => (amounts ?? []).reduce((total, each) => total + BigInt(each.amount), 0n);

/** The shipping rate's name when Stripe expanded it, for the shipping line. */
function shippingDescription(shipping: Stripe.Invoice.ShippingCost): string {
  const name = typeof shipping.shipping_rate === 'object' ? shipping.shipping_rate?.display_name?.trim() : undefined;
  return description(name ? `Shipping (${name}` : 'Shipping', name ? ')' : '');
}

/** The TaxRate ids an invoice's non-zero line taxes name, in first-seen order: the labels to fetch. */
export function taxRateIdsOf(invoice: Stripe.Invoice): string[] {
  const ids = new Set<string>();
  for (const line of invoice.lines.data) {
    for (const tax of line.taxes ?? []) {
      if (tax.amount !== 0 && tax.tax_rate_details?.tax_rate) ids.add(tax.tax_rate_details.tax_rate);
    }
  }
  return [...ids];
}

function taxDescription(rateId: string | null, label: TaxRateLabel | undefined, inclusive: boolean): string {
  const suffix = inclusive ? ', included' : '';
  if (!label) return description(rateId ? `Tax (${rateId})` : 'Tax', suffix);
  const percentage = label.rate_type === 'flat_amount' ? '' : ` ${label.percentage}%`;
  const jurisdiction = label.jurisdiction ? ` (${label.jurisdiction})` : '';
  return description(`${label.display_name}${percentage}${jurisdiction}`, suffix);
}

/** What most likely makes an invoice's total differ from its lines, discounts and tax. */
function likelyCause(invoice: Stripe.Invoice): string {
  const causes: string[] = [];
  // Shipping is posted from `shipping_cost`; a shipping amount without it is one nothing here explains.
  if (invoice.amount_shipping && !invoice.shipping_cost) causes.push(`shipping of ${invoice.amount_shipping} minor units that Stripe sent without its shipping cost`);
  const credits = sum((invoice.total_pretax_credit_amounts ?? []).filter((credit) => credit.type !== 'discount'));
  if (credits !== 0n) causes.push(`billing credits of ${credits} minor units applied before tax`);
  return causes.length ? causes.join(' and ') : 'an adjustment Stripe made to the total that no line, discount or tax explains';
}

/** The Sage invoice's lines; throws when they cannot add up to the Stripe total or a GL role is missing. */
export function buildInvoiceSageLines(invoice: Stripe.Invoice, inputs: InvoiceLineInputs): SageLine[] {
  const currency = invoice.currency.toUpperCase();
  const metadata = invoice.metadata ?? {};
  const revenueLines: SageLine[] = [];
  // Per rate, in first-seen order; a rate is either inclusive or exclusive (TaxRate.inclusive).
  const taxes = new Map<string | null, { amountMinor: bigint; inclusive: boolean }>();
  const addTax = (key: string | null, amount: number, inclusive: boolean) => {
    const rate = taxes.get(key) ?? { amountMinor: 0n, inclusive };
    taxes.set(key, { amountMinor: rate.amountMinor + BigInt(amount), inclusive: rate.inclusive });
  };

  for (const line of invoice.lines.data) {
    if (line.amount === 0) continue;
    const discounts = sum(line.discount_amounts);
    let includedTax = 0n;
    for (const tax of line.taxes ?? []) {
      if (tax.amount === 0) continue;
      const inclusive = tax.tax_behavior === 'inclusive';
      if (inclusive) includedTax += BigInt(tax.amount);
      addTax(tax.tax_rate_details?.tax_rate ?? null, tax.amount, inclusive);
    }
    const net = BigInt(line.amount) - discounts - includedTax;
    // Fully discounted: nothing earned, nothing to post.
    if (net === 0n) continue;
    const product = productOf(line);
    const { revenue } = requireGlAccounts(inputs.rules, { reportingCategory: 'charge', currency, amountMinor: net, products: product ? [product] : [], metadata: line.metadata ?? {} }, ['revenue']);
    revenueLines.push({
      description: description(line.description?.trim() || `Stripe invoice ${invoice.id} line`, discounts !== 0n ? ', after discount' : ''),
      quantity: 1,
      unitAmountMinor: net,
      glAccount: revenue,
    });
  }

  // Shipping taxes carry their whole TaxRate, so they label their tax line when the caller did not.
  const shippingRateLabels = new Map<string, TaxRateLabel>();
  const shipping = invoice.shipping_cost;
  if (shipping) {
    const shippingTaxes = (shipping.taxes ?? []).filter((tax) => tax.amount !== 0);
    const taxTotal = sum(shippingTaxes);
    // `taxes` is missing unless expanded: without it the tax cannot be split by rate nor told apart
    // from the shipping revenue, so it is left unexplained rather than guessed.
    if (taxTotal !== BigInt(shipping.amount_tax)) {
      throw new NeedsHumanError(
        'INVOICE_LINES_DO_NOT_ADD_UP',
        `The invoice's shipping tax of ${shipping.amount_tax} minor units is not broken down by tax rate (its rates account for ${taxTotal}), so it cannot be posted to the sales tax account. Post this invoice in Sage by hand.`,
        { shippingTax: shipping.amount_tax, shippingTaxByRate: taxTotal.toString(), invoiceTotal: invoice.total },
      );
    }
    for (const tax of shippingTaxes) {
      addTax(tax.rate.id, tax.amount, tax.rate.inclusive);
      shippingRateLabels.set(tax.rate.id, tax.rate);
    }
    // `amount_total` holds exclusive tax on top and inclusive tax inside, so less all its taxes it is the shipping earned.
    const net = BigInt(shipping.amount_total) - taxTotal;
    if (net !== 0n) {
      const { revenue } = requireGlAccounts(inputs.rules, { reportingCategory: 'charge', currency, amountMinor: net, products: [], metadata }, ['revenue']);
      revenueLines.push({ description: shippingDescription(shipping), quantity: 1, unitAmountMinor: net, glAccount: revenue });
    }
  }

  const taxLines: SageLine[] = [];
  for (const [rateId, { amountMinor, inclusive }] of taxes) {
    if (amountMinor === 0n) continue;
    const { sales_tax: salesTax } = requireGlAccounts(inputs.rules, { reportingCategory: 'charge', currency, amountMinor, metadata }, ['sales_tax']);
    const label = rateId ? (inputs.taxRates.get(rateId) ?? shippingRateLabels.get(rateId)) : undefined;
    taxLines.push({ description: taxDescription(rateId, label, inclusive), quantity: 1, unitAmountMinor: amountMinor, glAccount: salesTax });
  }

  const lines = [...revenueLines, ...taxLines];
  const linesTotal = lines.reduce((total, line) => total + line.unitAmountMinor * BigInt(line.quantity), 0n);
  if (linesTotal !== BigInt(invoice.total)) {
    const difference = BigInt(invoice.total) - linesTotal;
    throw new NeedsHumanError(
      'INVOICE_LINES_DO_NOT_ADD_UP',
      `The Sage invoice lines (revenue net of discounts, shipping, plus tax) add up to ${linesTotal} minor units but the invoice total is ${invoice.total}: ${difference} minor units are unexplained, most likely ${likelyCause(invoice)}. Post this invoice in Sage by hand.`,
      { linesTotal: linesTotal.toString(), invoiceTotal: invoice.total, amountShipping: invoice.amount_shipping },
    );
  }
  return lines;
}
