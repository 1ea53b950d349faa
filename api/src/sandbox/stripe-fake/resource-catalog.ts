import { equalsFilter, rangeFilter, referenceId, type ListContext, type ListFilter } from './list-pagination.ts';
import { requireString } from './param-parsing.ts';
import type { StripeObject } from './object-store.ts';
import { invalidRequest, resourceMissing, unknownParameter } from './stripe-errors.ts';

/**
 * A field Stripe leaves out of an object unless `expand[]` asks for it (an invoice's `payments`),
 * built from the account's other objects when asked.
 */
export type IncludableField = (object: StripeObject, context: ListContext) => unknown;

/** A Stripe resource the fake serves with retrieve (`GET /v1/<path>/:id`) and list (`GET /v1/<path>`). */
export type ResourceDefinition = { type: string; path: string; filters: readonly ListFilter[]; includable?: Readonly<Record<string, IncludableField>> };

const created = rangeFilter('created');

/**
 * `payout=po_…` on balance transactions: the transactions paid out in that payout, which are the
 * ones loaded with that payout hint, plus the payout's own transaction (its `source` is the payout).
 */
const payoutFilter: ListFilter = {
  name: 'payout',
  prepare(value, { store, account }) {
    const payoutId = requireString(value, 'payout');
    if (!store.get(account, 'payout', payoutId)) throw resourceMissing('payout', payoutId, 'payout');
    return (object) =>
      store.payoutOfTransaction(account, object.id) === payoutId ||
      (object.type === 'payout' && referenceId(object.source) === payoutId);
  },
};

/** `type=charge.*` matches a family of events, as in Stripe. */
function eventTypeMatcher(pattern: string): (type: unknown) => boolean {
  if (!pattern.includes('*')) return (type) => type === pattern;
  const escaped = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  const regex = new RegExp(`^${escaped.join('.*')}$`);
  return (type) => typeof type === 'string' && regex.test(type);
}

const eventTypeFilter: ListFilter = {
  name: 'type',
  prepare(value) {
    const matches = eventTypeMatcher(requireString(value, 'type'));
    return (object) => matches(object.type);
  },
};

const eventTypesFilter: ListFilter = {
  name: 'types',
  prepare(value) {
    const patterns = typeof value === 'string' ? [value] : Array.isArray(value) ? value : null;
    if (!patterns || patterns.some((pattern) => typeof pattern !== 'string')) {
      throw invalidRequest('Invalid array: types must be a list of event types', { param: 'types' });
    }
    const matchers = (patterns as string[]).map(eventTypeMatcher);
    return (object) => matchers.some((matches) => matches(object.type));
  },
};

/** Without `status`, Stripe lists the subscriptions that have not ended. */
const ENDED_SUBSCRIPTION_STATUSES = new Set(['canceled', 'incomplete_expired']);
const subscriptionStatusFilter: ListFilter = {
  name: 'status',
  prepare(value) {
    const status = requireString(value, 'status');
    if (status === 'all') return () => true;
    if (status === 'ended') return (object) => ENDED_SUBSCRIPTION_STATUSES.has(String(object.status));
    return (object) => object.status === status;
  },
  whenAbsent: () => (object) => !ENDED_SUBSCRIPTION_STATUSES.has(String(object.status)),
};

function subscriptionItems(object: StripeObject): unknown[] {
  const items = object.items as { data?: unknown } | undefined;
  return Array.isArray(items?.data) ? items.data : [];
}

const subscriptionPriceFilter: ListFilter = {
  name: 'price',
  prepare(value) {
    const priceId = requireString(value, 'price');
    return (object) => subscriptionItems(object).some((item) => referenceId((item as { price?: unknown }).price) === priceId);
  },
};

/** Newer API versions moved an invoice's subscription under `parent.subscription_details`. */
const invoiceSubscriptionFilter: ListFilter = {
  name: 'subscription',
  prepare(value) {
    const subscriptionId = requireString(value, 'subscription');
    return (object) => {
      const parent = object.parent as { subscription_details?: { subscription?: unknown } } | null | undefined;
      return (
        referenceId(object.subscription) === subscriptionId ||
        referenceId(parent?.subscription_details?.subscription) === subscriptionId
      );
    };
  },
};

/** The payment kinds `payment[type]` may name, each with the field of `payment` that holds its id. */
const INVOICE_PAYMENT_TYPES = new Set(['payment_intent', 'payment_record']);

/**
 * `payment[type]=payment_intent&payment[payment_intent]=pi_…` on invoice payments: the invoices a
 * PaymentIntent pays. Stripe filters by PaymentIntent or PaymentRecord only, never by charge.
 */
const invoicePaymentFilter: ListFilter = {
  name: 'payment',
  prepare(value) {
    if (typeof value !== 'object' || Array.isArray(value)) {
      throw invalidRequest('Invalid hash: payment must be a hash with a type', { param: 'payment' });
    }
    for (const key of Object.keys(value)) {
      if (key !== 'type' && !INVOICE_PAYMENT_TYPES.has(key)) throw unknownParameter(`payment[${key}]`);
    }
    if (value.type === undefined) throw invalidRequest('Missing required param: payment[type].', { param: 'payment[type]' });
    const type = requireString(value.type, 'payment[type]');
    if (!INVOICE_PAYMENT_TYPES.has(type)) {
      throw invalidRequest(`Invalid payment[type]: must be one of payment_intent or payment_record`, { param: 'payment[type]' });
    }
    for (const other of INVOICE_PAYMENT_TYPES) {
      if (other !== type && value[other] !== undefined) {
        throw invalidRequest(`payment[${other}] cannot be used with payment[type]=${type}`, { param: `payment[${other}]` });
      }
    }
    const wanted = value[type] === undefined ? undefined : requireString(value[type], `payment[${type}]`);
    return (object) => {
      const payment = object.payment as Record<string, unknown> | undefined;
      return payment?.type === type && (wanted === undefined || referenceId(payment[type]) === wanted);
    };
  },
};

/** How many of an invoice's payments Stripe embeds when `payments` is expanded: its default page. */
const EMBEDDED_PAYMENTS = 10;

/** An invoice's `payments`: the first page of `GET /v1/invoice_payments?invoice=…`, which pages the rest. */
const invoicePayments: IncludableField = (invoice, { store, account }) => {
  const all = store.listNewestFirst(account, 'invoice_payment').filter((payment) => referenceId(payment.invoice) === invoice.id);
  return {
    object: 'list',
    data: all.slice(0, EMBEDDED_PAYMENTS),
    has_more: all.length > EMBEDDED_PAYMENTS,
    total_count: all.length,
    url: `/v1/invoice_payments?invoice=${invoice.id}`,
  };
};

export const RESOURCES: readonly ResourceDefinition[] = [
  {
    type: 'charge',
    path: 'charges',
    filters: [created, equalsFilter('customer'), equalsFilter('payment_intent'), equalsFilter('transfer_group')],
  },
  { type: 'customer', path: 'customers', filters: [created, equalsFilter('email'), equalsFilter('test_clock')] },
  { type: 'refund', path: 'refunds', filters: [created, equalsFilter('charge'), equalsFilter('payment_intent')] },
  { type: 'dispute', path: 'disputes', filters: [created, equalsFilter('charge'), equalsFilter('payment_intent')] },
  {
    type: 'payout',
    path: 'payouts',
    filters: [created, rangeFilter('arrival_date'), equalsFilter('status'), equalsFilter('destination')],
  },
  {
    type: 'balance_transaction',
    path: 'balance_transactions',
    filters: [created, payoutFilter, equalsFilter('type'), equalsFilter('source'), equalsFilter('currency')],
  },
  {
    type: 'invoice',
    path: 'invoices',
    filters: [
      created,
      rangeFilter('due_date'),
      equalsFilter('customer'),
      equalsFilter('status'),
      equalsFilter('collection_method'),
      invoiceSubscriptionFilter,
    ],
    includable: { payments: invoicePayments },
  },
  {
    type: 'invoice_payment',
    path: 'invoice_payments',
    filters: [created, equalsFilter('invoice'), equalsFilter('status'), invoicePaymentFilter],
  },
  {
    type: 'subscription',
    path: 'subscriptions',
    filters: [created, equalsFilter('customer'), equalsFilter('collection_method'), subscriptionStatusFilter, subscriptionPriceFilter],
  },
  { type: 'payment_intent', path: 'payment_intents', filters: [created, equalsFilter('customer')] },
  { type: 'tax_rate', path: 'tax_rates', filters: [created] },
  { type: 'event', path: 'events', filters: [created, eventTypeFilter, eventTypesFilter] },
];
