import { equalsFilter, rangeFilter, referenceId, type ListFilter } from './list-pagination.ts';
import { requireString } from './param-parsing.ts';
import type { StripeObject } from './object-store.ts';
import { invalidRequest, resourceMissing } from './stripe-errors.ts';

/** A Stripe resource the fake serves with retrieve (`GET /v1/<path>/:id`) and list (`GET /v1/<path>`). */
export type ResourceDefinition = { type: string; path: string; filters: readonly ListFilter[] };

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
  },
  {
    type: 'subscription',
    path: 'subscriptions',
    filters: [created, equalsFilter('customer'), equalsFilter('collection_method'), subscriptionStatusFilter, subscriptionPriceFilter],
  },
  { type: 'payment_intent', path: 'payment_intents', filters: [created, equalsFilter('customer')] },
  { type: 'event', path: 'events', filters: [created, eventTypeFilter, eventTypesFilter] },
];
