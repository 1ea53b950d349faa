import type Stripe from 'stripe';
import type { LoadableStripeObject, StripeObject } from './object-store.ts';
import {
  balanceTransaction,
  charge,
  CURRENCY_RULES,
  customer,
  DEFAULT_START,
  event,
  feeDetail,
  idFactory,
  paymentIntentFor,
  processingFee,
} from './scenario-builder.ts';
import { createSeededRandom } from './seeded-random.ts';

// An invoice paid by one or more charges, linked the way current Stripe API versions link them:
// neither the charge nor its PaymentIntent names the invoice; an InvoicePayment per payment names
// both (`invoice`, `payment.payment_intent`). Deterministic from the seed, like buildStripeScenario.

export type InvoiceLineSpec = {
  description: string;
  /** Before discounts; with an inclusive tax, the tax is inside it (Stripe's `line.amount`). */
  amount: number;
  product?: string;
  /** A coupon on this line alone, in minor units off. */
  discount?: number;
};

/** One TaxRate applied to every line, as `tax_rates` on the invoice items put it there. */
export type InvoiceTaxSpec = {
  displayName: string;
  /** As Stripe shows it (8.25 for 8.25%), at most four decimals. */
  percentage: number;
  inclusive: boolean;
  jurisdiction?: string;
  country?: string;
};

/** Shipping on the invoice (`invoice.shipping_cost`), as a fixed-amount ShippingRate puts it there. */
export type InvoiceShippingSpec = {
  /** What the shipping rate charges, in minor units, before tax. */
  amount: number;
  /** Taxed at the invoice's `tax` rate, which must then be exclusive: the tax goes on top. */
  taxed?: boolean;
};

export type InvoiceScenarioOptions = {
  seed: number;
  /** One of CURRENCY_RULES. Default usd. */
  currency?: string;
  /** The invoice's lines, in minor units. Default: two lines of seeded amounts. */
  lines?: readonly InvoiceLineSpec[];
  /**
   * One charge per entry, in this order, each paying that many minor units of the invoice. Default:
   * one charge for the total. Paying less than the total leaves the invoice open.
   */
  payments?: readonly number[];
  /** Unix seconds at which the invoice is finalized; payments follow an hour apart. */
  startAt?: number;
  /** Adds the fake's `account` hint to every object, for a Connect account's data. */
  account?: string;
  /** The events Stripe would have sent (each charge.succeeded, then invoice.paid). Default on. */
  events?: boolean;
  /**
   * A legacy invoice as older API versions show it: paid by one charge of the Charges API (no
   * PaymentIntent), the charge naming its invoice (`charge.invoice`) and the invoice its charge
   * (`invoice.charge`), and no InvoicePayment objects. One payment only.
   */
  legacy?: boolean;
  /** A tax on every line; each line's tax is worked out as Stripe does, rounded half up per line. */
  tax?: InvoiceTaxSpec;
  /**
   * An invoice-level coupon of this many minor units off, which Stripe spreads over the lines in
   * proportion to what each owes after its own discounts (in each line's `discount_amounts`).
   */
  invoiceDiscount?: number;
  /** Shipping, which no coupon reduces; its tax is worked out as a line's is. */
  shipping?: InvoiceShippingSpec;
};

export type InvoiceScenario = {
  currency: string;
  account: string | undefined;
  customer: Stripe.Customer;
  invoice: Stripe.Invoice;
  /** The TaxRate of `tax`, when given. */
  taxRates: Stripe.TaxRate[];
  /** In payment order. */
  charges: Stripe.Charge[];
  paymentIntents: Stripe.PaymentIntent[];
  invoicePayments: Stripe.InvoicePayment[];
  balanceTransactions: Stripe.BalanceTransaction[];
  events: Stripe.Event[];
  /** All of the above with the `account` hint, ready for `POST /_fake/objects`. */
  objects: LoadableStripeObject[];
};

const HOUR = 3_600;

/** A percentage in millionths of the whole (8.25% is 82_500), so tax is integer arithmetic. */
const MILLION = 1_000_000n;

/** a / b rounded half up, for non-negative a and positive b. */
function divideRoundingHalfUp(a: bigint, b: bigint): bigint {
  return (2n * a + b) / (2n * b);
}

/** The tax of one line that owes `taxable` (after its discounts), as Stripe works it out per line. */
function lineTax(taxable: number, rateMillionths: bigint, inclusive: boolean): number {
  const amount = BigInt(taxable);
  if (amount <= 0n) return 0;
  // Inclusive: the net is the amount over (1 + rate), rounded; the tax is what is left of it.
  return Number(inclusive ? amount - divideRoundingHalfUp(amount * MILLION, MILLION + rateMillionths) : divideRoundingHalfUp(amount * rateMillionths, MILLION));
}

/**
 * `total` spread over `bases` in proportion, each share rounded down and the remainder going to
 * the largest base, so the shares add up to exactly `total`.
 */
function spread(total: number, bases: readonly number[]): number[] {
  const whole = bases.reduce((sum, base) => sum + base, 0);
  if (total === 0 || whole <= 0) return bases.map(() => 0);
  const shares = bases.map((base) => Number((BigInt(total) * BigInt(Math.max(base, 0))) / BigInt(whole)));
  const largest = bases.indexOf(Math.max(...bases));
  shares[largest]! += total - shares.reduce((sum, share) => sum + share, 0);
  return shares;
}

type LineDiscount = { discount: string; amount: number };
type LineTax = { taxRate: string; amount: number; taxable: number; inclusive: boolean };

function lineItem(fields: {
  id: string;
  invoiceId: string;
  spec: InvoiceLineSpec;
  currency: string;
  period: number;
  productId: string;
  priceId: string;
  lineDiscountId: string | null;
  discounts: readonly LineDiscount[];
  tax: LineTax | null;
}): Stripe.InvoiceLineItem {
  return {
    id: fields.id,
    object: 'line_item',
    amount: fields.spec.amount,
    currency: fields.currency,
    description: fields.spec.description,
    discount_amounts: fields.discounts.map(({ discount, amount }) => ({ amount, discount })),
    discountable: true,
    // Only the line's own discounts: the invoice's are on `invoice.discounts`, yet share in `discount_amounts`.
    discounts: fields.lineDiscountId ? [fields.lineDiscountId] : [],
    invoice: fields.invoiceId,
    livemode: false,
    metadata: {},
    parent: null,
    period: { start: fields.period, end: fields.period },
    pretax_credit_amounts: fields.discounts.map(({ discount, amount }) => ({ amount, discount, type: 'discount' })),
    pricing: { type: 'price_details', price_details: { price: fields.priceId, product: fields.productId }, unit_amount_decimal: null },
    quantity: 1,
    quantity_decimal: null,
    subscription: null,
    subtotal: fields.spec.amount,
    taxes: fields.tax
      ? [
          {
            amount: fields.tax.amount,
            tax_behavior: fields.tax.inclusive ? 'inclusive' : 'exclusive',
            tax_rate_details: { tax_rate: fields.tax.taxRate },
            taxability_reason: 'standard_rated',
            taxable_amount: fields.tax.taxable,
            type: 'tax_rate_details',
          },
        ]
      : [],
  };
}

function shippingCost(fields: { rateId: string; amount: number; tax: Stripe.TaxRate | null; taxAmount: number }): Stripe.Invoice.ShippingCost {
  return {
    amount_subtotal: fields.amount,
    amount_tax: fields.taxAmount,
    amount_total: fields.amount + fields.taxAmount,
    // Unexpanded, as in a webhook: the id alone.
    shipping_rate: fields.rateId,
    // Unlike a line's tax, a shipping tax carries its whole TaxRate.
    taxes: fields.tax ? [{ amount: fields.taxAmount, rate: fields.tax, taxability_reason: 'standard_rated', taxable_amount: fields.amount }] : [],
  };
}

function taxRate(id: string, spec: InvoiceTaxSpec, created: number): Stripe.TaxRate {
  return {
    id,
    object: 'tax_rate',
    active: true,
    country: spec.country ?? null,
    created,
    description: null,
    display_name: spec.displayName,
    effective_percentage: spec.percentage,
    flat_amount: null,
    inclusive: spec.inclusive,
    jurisdiction: spec.jurisdiction ?? null,
    jurisdiction_level: null,
    livemode: false,
    metadata: {},
    percentage: spec.percentage,
    rate_type: 'percentage',
    state: null,
    tax_type: spec.inclusive ? 'vat' : 'sales_tax',
  };
}

/** Builds the customer, the finalized invoice, and for each payment its PaymentIntent, charge, balance transaction and InvoicePayment. */
export function buildInvoiceScenario(options: InvoiceScenarioOptions): InvoiceScenario {
  const currency = (options.currency ?? 'usd').toLowerCase();
  const rules = CURRENCY_RULES[currency];
  if (!rules) throw new Error(`No scenario rules for currency "${currency}"; known: ${Object.keys(CURRENCY_RULES).join(', ')}`);
  const random = createSeededRandom(`invoice-scenario:${options.seed}:${currency}`);
  const ids = idFactory(random);
  const finalizedAt = options.startAt ?? DEFAULT_START;
  const account = options.account;
  const seededAmount = () => Math.floor(random.integer(rules.minCharge, Math.floor(rules.maxCharge / 2)) / rules.amountStep) * rules.amountStep;
  const specs = options.lines ?? [
    { description: 'Consulting, January', amount: seededAmount() },
    { description: 'Support plan', amount: seededAmount() },
  ];
  if (specs.length === 0) throw new Error('an invoice needs at least one line');
  if (specs.some((spec) => (spec.discount ?? 0) < 0 || (spec.discount ?? 0) > spec.amount)) throw new Error('a line discount must be between 0 and the line amount');
  const rateMillionths = options.tax ? Math.round(options.tax.percentage * 10_000) : 0;
  if (options.tax && (rateMillionths <= 0 || Math.abs(options.tax.percentage * 10_000 - rateMillionths) > 1e-6)) throw new Error('a tax percentage must be positive with at most four decimals');

  // What each line owes: its amount, less its own coupon, less its share of the invoice's coupon.
  const afterLineDiscounts = specs.map((spec) => spec.amount - (spec.discount ?? 0));
  const invoiceDiscountShares = spread(options.invoiceDiscount ?? 0, afterLineDiscounts);
  if (invoiceDiscountShares.some((share, index) => share > afterLineDiscounts[index]!)) throw new Error('the invoice discount exceeds what the lines owe');
  const owed = afterLineDiscounts.map((amount, index) => amount - invoiceDiscountShares[index]!);
  const lineTaxes = owed.map((amount) => (options.tax ? lineTax(amount, BigInt(rateMillionths), options.tax.inclusive) : 0));
  const shipping = options.shipping;
  if (shipping && (!Number.isInteger(shipping.amount) || shipping.amount < 0)) throw new Error('a shipping amount must be a non-negative integer of minor units');
  if (shipping?.taxed && (!options.tax || options.tax.inclusive)) throw new Error('taxed shipping needs an exclusive `tax`');
  const shippingAmount = shipping?.amount ?? 0;
  const shippingTax = shipping?.taxed ? lineTax(shippingAmount, BigInt(rateMillionths), false) : 0;
  const subtotal = specs.reduce((sum, spec) => sum + spec.amount, 0);
  const discounted = owed.reduce((sum, amount) => sum + amount, 0);
  const taxTotal = lineTaxes.reduce((sum, amount) => sum + amount, 0);
  const inclusiveTax = options.tax?.inclusive ? taxTotal : 0;
  // Shipping is outside `subtotal` and the line taxes, inside the totals.
  const total = discounted + (options.tax?.inclusive ? 0 : taxTotal) + shippingAmount + shippingTax;
  const payments = options.payments ?? [total];
  const paid = payments.reduce((sum, amount) => sum + amount, 0);
  if (payments.some((amount) => !Number.isInteger(amount) || amount <= 0)) throw new Error('each payment must be a positive integer of minor units');
  if (paid > total) throw new Error(`the payments (${paid}) exceed the invoice total (${total})`);
  if (options.legacy && payments.length !== 1) throw new Error('a legacy invoice names one charge: give one payment');

  const buyer = customer(ids.next('cus', 14), 0, finalizedAt - 30 * 86_400, random);
  const invoiceId = ids.next('in');
  const theTaxRate = options.tax ? taxRate(ids.next('txr'), options.tax, finalizedAt - 60 * 86_400) : null;
  const invoiceDiscountId = options.invoiceDiscount ? ids.next('di') : null;
  const theShippingCost = shipping ? shippingCost({ rateId: ids.next('shr'), amount: shippingAmount, tax: shipping.taxed ? theTaxRate : null, taxAmount: shippingTax }) : null;
  const lineDiscountIds = specs.map((spec) => (spec.discount ? ids.next('di') : null));
  const lines = specs.map((spec, index) => {
    const lineDiscountId = lineDiscountIds[index]!;
    const discounts: LineDiscount[] = [
      ...(lineDiscountId ? [{ discount: lineDiscountId, amount: spec.discount! }] : []),
      ...(invoiceDiscountId && invoiceDiscountShares[index] ? [{ discount: invoiceDiscountId, amount: invoiceDiscountShares[index] }] : []),
    ];
    const taxAmount = lineTaxes[index]!;
    const tax: LineTax | null = theTaxRate
      ? { taxRate: theTaxRate.id, amount: taxAmount, taxable: theTaxRate.inclusive ? owed[index]! - taxAmount : owed[index]!, inclusive: theTaxRate.inclusive }
      : null;
    return lineItem({ id: ids.next('il'), invoiceId, spec, currency, period: finalizedAt, productId: spec.product ?? ids.next('prod', 14), priceId: ids.next('price'), lineDiscountId, discounts, tax });
  });
  const totalDiscountAmounts = [...lineDiscountIds.map((id, index) => (id ? { discount: id, amount: specs[index]!.discount! } : null)), invoiceDiscountId ? { discount: invoiceDiscountId, amount: options.invoiceDiscount! } : null].filter(
    (each): each is LineDiscount => each !== null,
  );

  const charges: Stripe.Charge[] = [];
  const paymentIntents: Stripe.PaymentIntent[] = [];
  const invoicePayments: Stripe.InvoicePayment[] = [];
  const transactions: Stripe.BalanceTransaction[] = [];
  payments.forEach((amount, index) => {
    const created = finalizedAt + (index + 1) * HOUR;
    const chargeId = ids.next('ch');
    const transactionId = ids.next('txn');
    const paymentIntentId = ids.next('pi');
    const theCharge: Stripe.Charge = {
      ...charge({ id: chargeId, amount, currency, created, customer: buyer, paymentIntentId, transactionId, random }),
      description: 'Payment for Invoice',
      // `invoice` is not in the current SDK's types; older API versions still send it.
      ...(options.legacy ? { payment_intent: null, invoice: invoiceId } : {}),
    };
    const fee = processingFee(amount, rules);
    transactions.push(
      balanceTransaction({
        id: transactionId,
        amount,
        fee,
        feeDetails: [feeDetail(fee, currency, 'stripe_fee', 'Stripe processing fees')],
        currency,
        created,
        availableOn: created + 2 * 86_400,
        description: theCharge.description,
        source: chargeId,
        type: 'charge',
        reportingCategory: 'charge',
      }),
    );
    charges.push(theCharge);
    if (options.legacy) return;
    paymentIntents.push({ ...paymentIntentFor(theCharge, paymentIntentId), description: theCharge.description });
    invoicePayments.push({
      id: ids.next('inpay'),
      object: 'invoice_payment',
      amount_paid: amount,
      amount_requested: amount,
      created,
      currency,
      invoice: invoiceId,
      is_default: index === 0,
      livemode: false,
      payment: { type: 'payment_intent', payment_intent: paymentIntentId },
      status: 'paid',
      status_transitions: { canceled_at: null, paid_at: created },
    });
  });

  const fullyPaid = paid === total;
  const paidAt = fullyPaid ? (charges.at(-1)?.created ?? finalizedAt) : null;
  const invoice: Stripe.Invoice = {
    id: invoiceId,
    object: 'invoice',
    account_country: 'US',
    account_name: 'SageSync Demo',
    account_tax_ids: null,
    amount_due: total,
    amount_overpaid: 0,
    amount_paid: paid,
    amount_remaining: total - paid,
    amount_shipping: shippingAmount,
    application: null,
    attempt_count: payments.length,
    attempted: payments.length > 0,
    auto_advance: !fullyPaid,
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: 'manual',
    collection_method: 'charge_automatically',
    created: finalizedAt - HOUR,
    currency,
    custom_fields: null,
    customer: buyer.id,
    customer_account: null,
    customer_address: buyer.address ?? null,
    customer_email: buyer.email,
    customer_name: buyer.name ?? null,
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: invoiceDiscountId ? [invoiceDiscountId] : [],
    due_date: null,
    effective_at: finalizedAt,
    ending_balance: 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: null,
    invoice_pdf: null,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${invoiceId}/lines` },
    livemode: false,
    metadata: {},
    next_payment_attempt: null,
    number: `${buyer.invoice_prefix}-0001`,
    on_behalf_of: null,
    parent: null,
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: finalizedAt,
    period_start: finalizedAt,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: theShippingCost,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status: fullyPaid ? 'paid' : 'open',
    status_transitions: { finalized_at: finalizedAt, marked_uncollectible_at: null, paid_at: paidAt, voided_at: null },
    subtotal,
    subtotal_excluding_tax: subtotal - inclusiveTax,
    test_clock: null,
    total,
    total_discount_amounts: totalDiscountAmounts.map(({ discount, amount }) => ({ amount, discount })),
    total_excluding_tax: discounted - inclusiveTax + shippingAmount,
    total_pretax_credit_amounts: totalDiscountAmounts.map(({ discount, amount }) => ({ amount, discount, type: 'discount' })),
    total_taxes: theTaxRate
      ? [
          {
            amount: taxTotal,
            tax_behavior: theTaxRate.inclusive ? 'inclusive' : 'exclusive',
            tax_rate_details: { tax_rate: theTaxRate.id },
            taxability_reason: 'standard_rated',
            taxable_amount: theTaxRate.inclusive ? discounted - taxTotal : discounted,
            type: 'tax_rate_details',
          },
        ]
      : [],
    webhooks_delivered_at: finalizedAt,
    ...(options.legacy ? { charge: charges[0]?.id ?? null } : {}),
  };

  const events: Stripe.Event[] = [];
  if (options.events ?? true) {
    for (const each of charges) events.push(event<Stripe.ChargeSucceededEvent>(ids.next('evt'), 'charge.succeeded', each, each.created, account));
    if (paidAt !== null) events.push(event<Stripe.InvoicePaidEvent>(ids.next('evt'), 'invoice.paid', invoice, paidAt, account));
  }

  const hinted = (object: object): LoadableStripeObject => ({ ...(object as StripeObject), ...(account ? { account } : {}) });
  return {
    currency,
    account,
    customer: buyer,
    invoice,
    taxRates: theTaxRate ? [theTaxRate] : [],
    charges,
    paymentIntents,
    invoicePayments,
    balanceTransactions: transactions,
    events,
    objects: [buyer, ...(theTaxRate ? [theTaxRate] : []), invoice, ...paymentIntents, ...charges, ...transactions, ...invoicePayments, ...events].map(hinted),
  };
}
