import type Stripe from 'stripe';
import { FAKE_API_VERSION } from './event-log.ts';
import type { LoadableStripeObject, StripeObject } from './object-store.ts';
import { createSeededRandom, type SeededRandom } from './seeded-random.ts';

/**
 * How Stripe charges in a currency, as far as the scenarios need: the exponent (minor units per
 * major unit), a plausible charge range, the processing fee (basis points + fixed) and the dispute
 * fee, all in minor units. `amountStep` is 10 for three-decimal currencies: Stripe requires their
 * card amounts to end in 0 (they settle to two decimals), while fees may use all three.
 */
export type CurrencyRules = {
  exponent: 0 | 2 | 3;
  minCharge: number;
  maxCharge: number;
  feeBasisPoints: number;
  fixedFee: number;
  disputeFee: number;
  amountStep: number;
};

export const CURRENCY_RULES: Readonly<Record<string, CurrencyRules>> = {
  usd: { exponent: 2, minCharge: 500, maxCharge: 50_000, feeBasisPoints: 290, fixedFee: 30, disputeFee: 1_500, amountStep: 1 },
  eur: { exponent: 2, minCharge: 500, maxCharge: 50_000, feeBasisPoints: 250, fixedFee: 25, disputeFee: 2_000, amountStep: 1 },
  gbp: { exponent: 2, minCharge: 500, maxCharge: 50_000, feeBasisPoints: 250, fixedFee: 20, disputeFee: 2_000, amountStep: 1 },
  jpy: { exponent: 0, minCharge: 500, maxCharge: 60_000, feeBasisPoints: 360, fixedFee: 0, disputeFee: 1_500, amountStep: 1 },
  krw: { exponent: 0, minCharge: 5_000, maxCharge: 600_000, feeBasisPoints: 340, fixedFee: 0, disputeFee: 20_000, amountStep: 1 },
  bhd: { exponent: 3, minCharge: 2_000, maxCharge: 200_000, feeBasisPoints: 290, fixedFee: 100, disputeFee: 6_000, amountStep: 10 },
  kwd: { exponent: 3, minCharge: 2_000, maxCharge: 150_000, feeBasisPoints: 290, fixedFee: 100, disputeFee: 5_000, amountStep: 10 },
  jod: { exponent: 3, minCharge: 3_000, maxCharge: 300_000, feeBasisPoints: 290, fixedFee: 200, disputeFee: 11_000, amountStep: 10 },
};

export type ScenarioOptions = {
  seed: number;
  /** One of CURRENCY_RULES (lower case, as Stripe writes currencies). Default usd. */
  currency?: string;
  /**
   * How many balance transactions the payout lists (its charges, refunds, dispute, fee and the
   * payout's own), exactly. Default 40; at least 2.
   */
  size?: number;
  customers?: number;
  /** Unix seconds of the first charge. Default 2025-01-06T00:00:00Z. */
  startAt?: number;
  /** Adds the fake's `account` hint to every object, for a Connect account's data. */
  account?: string;
  /** A dispute (with its funds-withdrawn transaction) needs at least 30 transactions; default on. */
  dispute?: boolean;
  /** The events Stripe would have sent (charge.succeeded, charge.refunded, ...). Default on. */
  events?: boolean;
};

export type StripeScenario = {
  currency: string;
  account: string | undefined;
  customers: Stripe.Customer[];
  charges: Stripe.Charge[];
  paymentIntents: Stripe.PaymentIntent[];
  refunds: Stripe.Refund[];
  disputes: Stripe.Dispute[];
  payout: Stripe.Payout;
  /** Every balance transaction of the payout, its own included, oldest first. */
  balanceTransactions: Stripe.BalanceTransaction[];
  events: Stripe.Event[];
  /** All of the above with the fake's hints (`payout` on balance transactions, `account`), ready for `POST /_fake/objects`. */
  objects: LoadableStripeObject[];
};

export const DAY = 86_400;
export const DEFAULT_START = 1_736_121_600; // 2025-01-06T00:00:00Z

const FIRST_NAMES = ['Ada', 'Grace', 'Alan', 'Katherine', 'Edsger', 'Barbara', 'Donald', 'Frances', 'Ken', 'Radia'];
const LAST_NAMES = ['Lovelace', 'Hopper', 'Turing', 'Johnson', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'Thompson', 'Perlman'];
const BRANDS = ['visa', 'mastercard', 'amex'] as const;

/** Stripe's fee: a percentage rounded half up, plus a fixed part, in integer minor units. */
export function processingFee(amount: number, rules: CurrencyRules): number {
  return Math.floor((amount * rules.feeBasisPoints + 5_000) / 10_000) + rules.fixedFee;
}

function roundDownToStep(amount: number, step: number): number {
  return Math.floor(amount / step) * step;
}

export type Ids = { next(prefix: string, length?: number): string };

export function idFactory(random: SeededRandom): Ids {
  const used = new Set<string>();
  return {
    next(prefix, length = 24) {
      for (;;) {
        const id = `${prefix}_${random.token(length)}`;
        if (!used.has(id)) {
          used.add(id);
          return id;
        }
      }
    },
  };
}

export function balanceTransaction(fields: {
  id: string;
  amount: number;
  fee: number;
  feeDetails: Stripe.BalanceTransaction.FeeDetail[];
  currency: string;
  created: number;
  availableOn: number;
  description: string | null;
  source: string | null;
  type: Stripe.BalanceTransaction.Type;
  reportingCategory: string;
}): Stripe.BalanceTransaction {
  return {
    id: fields.id,
    object: 'balance_transaction',
    amount: fields.amount,
    available_on: fields.availableOn,
    balance_type: 'payments',
    created: fields.created,
    currency: fields.currency,
    description: fields.description,
    exchange_rate: null,
    fee: fields.fee,
    fee_details: fields.feeDetails,
    net: fields.amount - fields.fee,
    reporting_category: fields.reportingCategory,
    source: fields.source,
    status: 'available',
    type: fields.type,
  };
}

export function feeDetail(amount: number, currency: string, type: string, description: string): Stripe.BalanceTransaction.FeeDetail {
  return { amount, application: null, currency, description, type };
}

function emptyAddress(): Stripe.Address {
  return { city: null, country: null, line1: null, line2: null, postal_code: null, state: null };
}

export function customer(id: string, index: number, created: number, random: SeededRandom): Stripe.Customer {
  const first = random.pick(FIRST_NAMES);
  const last = random.pick(LAST_NAMES);
  return {
    id,
    object: 'customer',
    address: { ...emptyAddress(), city: 'Chicago', country: 'US', line1: `${100 + index} Main Street`, postal_code: '60601', state: 'IL' },
    balance: 0,
    created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    email: `${first}.${last}.${index}@example.com`.toLowerCase(),
    invoice_prefix: id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: `${first} ${last}`,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

function cardDetails(random: SeededRandom): Stripe.Charge.PaymentMethodDetails {
  const brand = random.pick(BRANDS);
  return {
    card: {
      amount_authorized: null,
      authorization_code: null,
      brand,
      checks: { address_line1_check: null, address_postal_code_check: 'pass', cvc_check: 'pass' },
      country: 'US',
      electronic_commerce_indicator: null,
      installments: null,
      exp_month: random.integer(1, 12),
      exp_year: 2030,
      fingerprint: random.token(16),
      funding: 'credit',
      last4: String(random.integer(0, 9999)).padStart(4, '0'),
      mandate: null,
      network: brand,
      network_token: { used: false },
      network_transaction_id: null,
      regulated_status: 'unregulated',
      three_d_secure: null,
      transaction_link_id: null,
      wallet: null,
    },
    type: 'card',
  };
}

type PlannedCharge = {
  charge: Stripe.Charge;
  refunds: Stripe.Refund[];
};

export function charge(fields: {
  id: string;
  amount: number;
  currency: string;
  created: number;
  customer: Stripe.Customer;
  paymentIntentId: string;
  transactionId: string;
  random: SeededRandom;
}): Stripe.Charge {
  return {
    id: fields.id,
    object: 'charge',
    amount: fields.amount,
    amount_captured: fields.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: fields.transactionId,
    billing_details: { address: emptyAddress(), email: fields.customer.email, name: fields.customer.name ?? null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'SAGESYNC DEMO',
    captured: true,
    created: fields.created,
    currency: fields.currency,
    customer: fields.customer.id,
    description: `Order ${fields.id.slice(-6)}`,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: fields.paymentIntentId,
    payment_method: `pm_${fields.id.slice(3)}`,
    payment_method_details: cardDetails(fields.random),
    receipt_email: null,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    refunds: { object: 'list', data: [], has_more: false, url: `/v1/charges/${fields.id}/refunds` },
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

export function paymentIntentFor(charge: Stripe.Charge, id: string): Stripe.PaymentIntent {
  return {
    id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: charge.amount,
    amount_capturable: 0,
    amount_received: charge.amount,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: { enabled: true },
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic',
    client_secret: `${id}_secret_${id.slice(-12)}`,
    confirmation_method: 'automatic',
    created: charge.created,
    currency: charge.currency,
    customer: charge.customer,
    customer_account: null,
    description: charge.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: charge.id,
    livemode: false,
    managed_payments: null,
    metadata: {},
    next_action: null,
    on_behalf_of: null,
    payment_method: charge.payment_method,
    payment_method_configuration_details: null,
    payment_method_options: {},
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

function refund(fields: { id: string; amount: number; charge: Stripe.Charge; created: number; transactionId: string }): Stripe.Refund {
  return {
    id: fields.id,
    object: 'refund',
    amount: fields.amount,
    balance_transaction: fields.transactionId,
    charge: fields.charge.id,
    created: fields.created,
    currency: fields.charge.currency,
    customer: fields.charge.customer,
    customer_account: null,
    destination_details: { card: { reference_status: 'available', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
    metadata: {},
    payment_intent: fields.charge.payment_intent,
    payment_method: fields.charge.payment_method,
    reason: 'requested_by_customer',
    receipt_number: null,
    source_transfer_reversal: null,
    status: 'succeeded',
    transfer_reversal: null,
  };
}

function dispute(fields: { id: string; charge: Stripe.Charge; created: number; transaction: Stripe.BalanceTransaction }): Stripe.Dispute {
  const brand = fields.charge.payment_method_details?.card?.brand ?? 'visa';
  return {
    id: fields.id,
    object: 'dispute',
    amount: fields.charge.amount,
    balance_transactions: [fields.transaction],
    charge: fields.charge.id,
    created: fields.created,
    currency: fields.charge.currency,
    enhanced_eligibility_types: [],
    evidence: {
      access_activity_log: null,
      billing_address: null,
      cancellation_policy: null,
      cancellation_policy_disclosure: null,
      cancellation_rebuttal: null,
      customer_communication: null,
      customer_email_address: null,
      customer_name: null,
      customer_purchase_ip: null,
      customer_signature: null,
      duplicate_charge_documentation: null,
      duplicate_charge_explanation: null,
      duplicate_charge_id: null,
      enhanced_evidence: {},
      product_description: null,
      receipt: null,
      refund_policy: null,
      refund_policy_disclosure: null,
      refund_refusal_explanation: null,
      service_date: null,
      service_documentation: null,
      shipping_address: null,
      shipping_carrier: null,
      shipping_date: null,
      shipping_documentation: null,
      shipping_tracking_number: null,
      uncategorized_file: null,
      uncategorized_text: null,
    },
    evidence_details: { due_by: fields.created + 7 * DAY, enhanced_eligibility: {}, has_evidence: false, past_due: false, submission_count: 0, submission_method: 'not_submitted' },
    intended_submission_method: null,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: fields.charge.payment_intent,
    payment_method_details: { card: { brand, case_type: 'chargeback', network: brand, network_reason_code: '10.4' }, type: 'card' },
    reason: 'fraudulent',
    status: 'needs_response',
  };
}

export function event<T extends Stripe.Event>(id: string, type: T['type'], object: unknown, created: number, account: string | undefined): T {
  return {
    id,
    object: 'event',
    ...(account ? { account } : {}),
    api_version: FAKE_API_VERSION,
    created,
    data: { object: structuredClone(object) },
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type,
  } as T;
}

/**
 * Builds a consistent Stripe data set for one payout, deterministically from a seed (no clock, no
 * Math.random): customers; charges whose balance transactions have integer `amount`, `fee`
 * (= the sum of `fee_details`) and `net = amount − fee`; partial and multiple refunds (never more
 * than half a charge), each with its own transaction; a dispute whose `funds_withdrawn` transaction
 * takes the amount and the dispute fee; a Stripe fee adjustment; and the payout, whose own
 * transaction is `−payout.amount` while the others' `net` sums exactly to `payout.amount`.
 */
export function buildStripeScenario(options: ScenarioOptions): StripeScenario {
  const currency = (options.currency ?? 'usd').toLowerCase();
  const rules = CURRENCY_RULES[currency];
  if (!rules) throw new Error(`No scenario rules for currency "${currency}"; known: ${Object.keys(CURRENCY_RULES).join(', ')}`);
  const size = options.size ?? 40;
  if (!Number.isInteger(size) || size < 2) throw new Error(`size must be an integer of at least 2 (the payout and one charge), got ${size}`);
  const random = createSeededRandom(`scenario:${options.seed}:${currency}`);
  const ids = idFactory(random);
  const startAt = options.startAt ?? DEFAULT_START;
  const account = options.account;

  const withDispute = (options.dispute ?? true) && size >= 30;
  const withFeeAdjustment = size >= 4;
  // Slots for the charges and refunds: the payout's own transaction, the dispute's and the fee's are reserved.
  let slots = size - 1 - (withDispute ? 1 : 0) - (withFeeAdjustment ? 1 : 0);

  const customers = Array.from({ length: Math.max(1, options.customers ?? 3) }, (_, index) =>
    customer(ids.next('cus', 14), index, startAt - 30 * DAY + index * 3_600, random),
  );

  // Two days of activity, spread evenly with jitter so `created` rises with the charge number.
  const window = 2 * DAY;
  const estimatedCharges = Math.max(1, Math.ceil(slots / 1.2));
  const spacing = Math.max(1, Math.floor(window / estimatedCharges));
  const windowEnd = startAt + window + DAY;

  const planned: PlannedCharge[] = [];
  const transactions: Stripe.BalanceTransaction[] = [];
  let created = startAt;
  while (slots > 0) {
    const amount = roundDownToStep(random.integer(rules.minCharge, rules.maxCharge), rules.amountStep);
    const chargeId = ids.next('ch');
    const transactionId = ids.next('txn');
    const theCharge = charge({
      id: chargeId,
      amount,
      currency,
      created,
      customer: random.pick(customers),
      paymentIntentId: ids.next('pi'),
      transactionId,
      random,
    });
    slots -= 1;
    const fee = processingFee(amount, rules);
    // Some fees carry tax (VAT on Stripe's fee): the details still sum to the fee.
    const tax = random.chance(0.2) ? Math.floor(fee / 11) : 0;
    const details = [feeDetail(fee - tax, currency, 'stripe_fee', 'Stripe processing fees')];
    if (tax > 0) details.push(feeDetail(tax, currency, 'tax', 'VAT'));
    transactions.push(
      balanceTransaction({
        id: transactionId,
        amount,
        fee,
        feeDetails: details,
        currency,
        created,
        availableOn: created + 2 * DAY,
        description: theCharge.description,
        source: chargeId,
        type: 'charge',
        reportingCategory: 'charge',
      }),
    );
    const plan: PlannedCharge = { charge: theCharge, refunds: [] };
    // The first charge is kept whole for the dispute; later ones may be refunded once or twice.
    const roll = random.next();
    const refundTenths = planned.length === 0 ? [] : roll < 0.12 && slots >= 1 ? [random.integer(1, 5)] : roll < 0.17 && slots >= 2 ? [random.integer(1, 3), random.integer(1, 2)] : [];
    let refundAt = created;
    for (const tenths of refundTenths) {
      const refundAmount = Math.max(rules.amountStep, roundDownToStep(Math.floor((amount * tenths) / 10), rules.amountStep));
      refundAt = Math.min(windowEnd, refundAt + random.integer(60, 6 * 3_600));
      const refundTransactionId = ids.next('txn');
      const theRefund = refund({ id: ids.next('re'), amount: refundAmount, charge: theCharge, created: refundAt, transactionId: refundTransactionId });
      plan.refunds.push(theRefund);
      transactions.push(
        balanceTransaction({
          id: refundTransactionId,
          amount: -refundAmount,
          fee: 0,
          feeDetails: [],
          currency,
          created: refundAt,
          availableOn: refundAt,
          description: 'REFUND FOR CHARGE',
          source: theRefund.id,
          type: 'refund',
          reportingCategory: 'refund',
        }),
      );
      slots -= 1;
    }
    const refunded = plan.refunds.reduce((sum, each) => sum + each.amount, 0);
    if (plan.refunds.length > 0) {
      plan.charge = {
        ...theCharge,
        amount_refunded: refunded,
        refunded: refunded === amount,
        refunds: { ...theCharge.refunds, data: [...plan.refunds].reverse() } as Stripe.ApiList<Stripe.Refund>,
      };
    }
    planned.push(plan);
    created += spacing + random.integer(0, Math.max(0, Math.floor(spacing / 2)));
  }

  const disputes: Stripe.Dispute[] = [];
  if (withDispute) {
    const disputed = planned[0] as PlannedCharge;
    const disputedAt = disputed.charge.created + random.integer(3_600, DAY);
    const disputeId = ids.next('dp');
    const transaction = balanceTransaction({
      id: ids.next('txn'),
      amount: -disputed.charge.amount,
      fee: rules.disputeFee,
      feeDetails: [feeDetail(rules.disputeFee, currency, 'stripe_fee', 'Dispute fee')],
      currency,
      created: disputedAt,
      availableOn: disputedAt,
      description: `Chargeback withdrawal for ${disputed.charge.id}`,
      source: disputeId,
      type: 'adjustment',
      reportingCategory: 'dispute',
    });
    transactions.push(transaction);
    disputes.push(dispute({ id: disputeId, charge: disputed.charge, created: disputedAt, transaction }));
    disputed.charge = { ...disputed.charge, disputed: true };
  }

  if (withFeeAdjustment) {
    // A Radar-style per-charge fee, billed from the balance as its own `stripe_fee` transaction.
    const perCharge = rules.exponent === 3 ? 20 : rules.exponent === 0 ? 7 : 5;
    const feeAmount = perCharge * planned.length;
    transactions.push(
      balanceTransaction({
        id: ids.next('txn'),
        amount: -feeAmount,
        fee: 0,
        feeDetails: [],
        currency,
        created: windowEnd,
        availableOn: windowEnd,
        description: `Radar (${planned.length} screened charges)`,
        source: null,
        type: 'stripe_fee',
        reportingCategory: 'fee',
      }),
    );
  }

  const payoutAmount = transactions.reduce((sum, transaction) => sum + transaction.net, 0);
  if (payoutAmount <= 0) {
    throw new Error(`scenario seed ${options.seed} (${currency}, size ${size}) nets ${payoutAmount}: no payout; try another seed`);
  }
  const payoutId = ids.next('po');
  const payoutCreated = windowEnd + 2 * DAY + 3_600;
  const payoutTransaction = balanceTransaction({
    id: ids.next('txn'),
    amount: -payoutAmount,
    fee: 0,
    feeDetails: [],
    currency,
    created: payoutCreated,
    availableOn: payoutCreated,
    description: 'STRIPE PAYOUT',
    source: payoutId,
    type: 'payout',
    reportingCategory: 'payout',
  });
  transactions.push(payoutTransaction);
  const payout = {
    id: payoutId,
    object: 'payout',
    amount: payoutAmount,
    application_fee: null,
    application_fee_amount: null,
    arrival_date: payoutCreated + 2 * DAY,
    automatic: true,
    balance_transaction: payoutTransaction.id,
    created: payoutCreated,
    currency,
    description: 'STRIPE PAYOUT',
    destination: ids.next('ba'),
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    livemode: false,
    metadata: {},
    method: 'standard',
    original_payout: null,
    payout_method: null,
    reconciliation_status: 'completed',
    reversed_by: null,
    source_type: 'card',
    statement_descriptor: null,
    status: 'paid',
    trace_id: { status: 'supported', value: random.token(15) },
    type: 'bank_account',
  } satisfies Stripe.Payout;

  const charges = planned.map((plan) => plan.charge);
  const refunds = planned.flatMap((plan) => plan.refunds);
  const paymentIntents = charges.map((each) => paymentIntentFor(each, each.payment_intent as string));

  const events: Stripe.Event[] = [];
  if (options.events ?? true) {
    for (const each of customers) events.push(event<Stripe.CustomerCreatedEvent>(ids.next('evt'), 'customer.created', each, each.created, account));
    for (const plan of planned) {
      const original = { ...plan.charge, amount_refunded: 0, refunded: false, disputed: false };
      events.push(event<Stripe.ChargeSucceededEvent>(ids.next('evt'), 'charge.succeeded', original, plan.charge.created, account));
      for (const each of plan.refunds) {
        events.push(event<Stripe.ChargeRefundedEvent>(ids.next('evt'), 'charge.refunded', plan.charge, each.created, account));
      }
    }
    for (const each of disputes) events.push(event<Stripe.ChargeDisputeCreatedEvent>(ids.next('evt'), 'charge.dispute.created', each, each.created, account));
    events.push(event<Stripe.PayoutPaidEvent>(ids.next('evt'), 'payout.paid', payout, payout.arrival_date, account));
  }

  const hinted = (object: object): LoadableStripeObject => ({ ...(object as StripeObject), ...(account ? { account } : {}) });
  const objects: LoadableStripeObject[] = [
    ...customers.map(hinted),
    ...paymentIntents.map(hinted),
    ...charges.map(hinted),
    ...refunds.map(hinted),
    ...disputes.map(hinted),
    hinted(payout),
    ...transactions.map((transaction) => ({ ...hinted(transaction), payout: payoutId })),
    ...events.map(hinted),
  ];

  return {
    currency,
    account,
    customers,
    charges,
    paymentIntents,
    refunds,
    disputes,
    payout,
    balanceTransactions: transactions,
    events,
    objects,
  };
}
