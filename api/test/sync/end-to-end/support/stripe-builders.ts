import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';
import type { StripeScenario } from '../../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { balanceTransaction, charge, customer, dispute, refund, stripeId, utc, type ChargeSet } from '../../processors/support/stripe-objects.ts';
import type { SignedEvent, Tenant } from './tenant.ts';

// Stripe objects as their state moves on (authorized → captured, refunded, paid out), on top of
// the processors' small builders. Loading a later version into the fake replaces the earlier one,
// as Stripe's own state does; the events then carry whichever version Stripe sent at the time.

export { charge, customer, dispute, refund, stripeId, utc };

type Obj = LoadableStripeObject;

/** The charge as Stripe shows it before capture: authorized, no money moved, no balance transaction yet. */
export function authorizedOnly(set: ChargeSet): Obj {
  return { ...set.charge, captured: false, amount_captured: 0, balance_transaction: null };
}

/** The charge after refunds of these amounts (what `charge.refunded` carries). */
export function refundedCharge(set: ChargeSet, refundedAmounts: readonly number[]): Obj {
  const refunded = refundedAmounts.reduce((sum, amount) => sum + amount, 0);
  return { ...set.charge, amount_refunded: refunded, refunded: refunded === set.charge.amount };
}

export function subscription(customerId: string, status: string, created: number, id = stripeId('sub')): Obj {
  return {
    id,
    object: 'subscription',
    customer: customerId,
    status,
    created,
    currency: 'usd',
    cancel_at_period_end: false,
    canceled_at: status === 'canceled' ? created + 86_400 : null,
    items: { object: 'list', data: [], has_more: false, url: `/v1/subscription_items?subscription=${id}` },
    metadata: {},
    livemode: false,
  };
}

export type PayoutSet = { payout: Obj; ownTransaction: Obj; objects: Obj[]; amount: number };

/**
 * An automatic, paid payout of exactly these balance transactions: its amount is their net, its own
 * transaction mirrors it, and each transaction carries the fake's `payout` hint so that listing the
 * payout's transactions finds them (Stripe knows this from its ledger).
 */
export function payoutOf(transactions: readonly Obj[], fields: { created: number; arrival?: number; id?: string }): PayoutSet {
  const currency = transactions[0]?.currency as string;
  const amount = transactions.reduce((sum, transaction) => sum + (transaction.net as number), 0);
  const id = fields.id ?? stripeId('po');
  const own = balanceTransaction({ amount: -amount, currency, created: fields.created, source: id, type: 'payout', reportingCategory: 'payout' });
  const payout: Obj = {
    id,
    object: 'payout',
    amount,
    arrival_date: fields.arrival ?? fields.created + 2 * 86_400,
    automatic: true,
    balance_transaction: own.id,
    created: fields.created,
    currency,
    description: 'STRIPE PAYOUT',
    metadata: {},
    method: 'standard',
    source_type: 'card',
    status: 'paid',
    type: 'bank_account',
    livemode: false,
  };
  return { payout, ownTransaction: own, amount, objects: [...transactions.map((transaction) => ({ ...transaction, payout: id })), own, payout] };
}

/** A dispute's balance transactions as standalone objects (Stripe lists them in the payout too). */
export function transactionsOf(dispute: Obj): Obj[] {
  return (dispute.balance_transactions as Obj[]).map((transaction) => ({ ...transaction }));
}

/**
 * The webhooks Stripe sends for a generated payout's history, in the order it sends them: each
 * customer created, each charge succeeded, each refund (`charge.refunded` about the charge and
 * `refund.created` about the refund), each dispute opened with its funds withdrawn, and the payout
 * paid. Each event is dated when its object changed, so the order is Stripe's.
 */
export function scenarioEvents(tenant: Pick<Tenant, 'event'>, scenario: StripeScenario): SignedEvent[] {
  const timed: { at: number; type: string; object: Obj }[] = [];
  const asObject = (value: unknown) => value as Obj;
  for (const each of scenario.customers) timed.push({ at: each.created, type: 'customer.created', object: asObject(each) });
  for (const each of scenario.charges) timed.push({ at: each.created, type: 'charge.succeeded', object: asObject(each) });
  for (const each of scenario.refunds) {
    const refunded = scenario.charges.find((candidate) => candidate.id === each.charge);
    timed.push({ at: each.created, type: 'charge.refunded', object: asObject(refunded) }, { at: each.created, type: 'refund.created', object: asObject(each) });
  }
  for (const each of scenario.disputes) {
    timed.push({ at: each.created, type: 'charge.dispute.created', object: asObject(each) }, { at: each.created, type: 'charge.dispute.funds_withdrawn', object: asObject(each) });
  }
  timed.push({ at: scenario.payout.arrival_date, type: 'payout.paid', object: asObject(scenario.payout) });
  return timed.sort((a, b) => a.at - b.at).map(({ at, type, object }) => tenant.event(type, object, at));
}

/**
 * A payout's worth of USD history, small enough to run on every edition and mode: two customers,
 * three charges (3 % fees), two partial refunds of one charge and a full refund of another, a
 * chargeback of the third (its 15.00 fee), a 0.15 Radar fee billed on its own, and the payout.
 *
 * | charges 100.00 + 75.00 + 40.00 | fees 3.00 + 2.25 + 1.20 + 15.00 + 0.15 | refunds 10.00 + 25.00 + 75.00 |
 * | dispute 40.00 | payout 43.40 |
 */
export function smallPayoutStory(start = utc('2026-06-01T15:00:00Z')) {
  const ada = customer({ name: 'Ada Lovelace' });
  const grace = customer({ name: 'Grace Hopper' });
  const hour = 3_600;
  const first = charge({ amount: 10_000, currency: 'usd', customer: ada, created: start });
  const second = charge({ amount: 7_500, currency: 'usd', customer: grace, created: start + hour });
  const third = charge({ amount: 4_000, currency: 'usd', customer: ada, created: start + 2 * hour });
  const partOfFirst = refund(first, { amount: 1_000, created: start + 3 * hour });
  const moreOfFirst = refund(first, { amount: 2_500, created: start + 4 * hour });
  const allOfSecond = refund(second, { amount: 7_500, created: start + 5 * hour });
  const chargeback = dispute(third).withTransactions('withdrawn');
  const radar = { ...balanceTransaction({ amount: -15, currency: 'usd', created: start + 6 * hour, source: 'radar', type: 'stripe_fee', reportingCategory: 'fee' }), source: null };
  const refunds = [partOfFirst, moreOfFirst, allOfSecond];
  const paidOut = payoutOf([first.transaction, second.transaction, third.transaction, ...refunds.map((each) => each.objects[0]!), ...transactionsOf(chargeback), radar], {
    created: start + 2 * 86_400,
  });
  const objects = [ada, grace, ...[first, second, third].flatMap((each) => each.objects), ...refunds.flatMap((each) => each.objects), chargeback, ...paidOut.objects];
  return { customers: [ada, grace], charges: [first, second, third], refunds, chargeback, paidOut, objects };
}

/** The webhooks Stripe sends for the small payout story, in its order. */
export function smallPayoutStoryEvents(tenant: Pick<Tenant, 'event'>, story: ReturnType<typeof smallPayoutStory>): SignedEvent[] {
  const [first, second] = story.charges;
  const [partOfFirst, moreOfFirst, allOfSecond] = story.refunds;
  return [
    ...story.customers.map((each) => tenant.event('customer.created', each)),
    ...story.charges.map((each) => tenant.event('charge.succeeded', each.charge)),
    tenant.event('charge.refunded', refundedCharge(first!, [1_000])),
    tenant.event('refund.created', partOfFirst!.refund),
    tenant.event('charge.refunded', refundedCharge(first!, [1_000, 2_500])),
    tenant.event('refund.created', moreOfFirst!.refund),
    tenant.event('charge.refunded', refundedCharge(second!, [7_500])),
    tenant.event('refund.created', allOfSecond!.refund),
    tenant.event('charge.dispute.created', story.chargeback),
    tenant.event('charge.dispute.funds_withdrawn', story.chargeback),
    tenant.event('payout.paid', story.paidOut.payout),
  ];
}
