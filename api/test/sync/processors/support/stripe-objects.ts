import { randomBytes } from 'node:crypto';
import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';

// Small builders for the Stripe objects a sync test needs, shaped as Stripe sends them (only the
// fields the sync reads, plus the ones that say what the object is).

export function stripeId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString('hex')}`;
}

/** Unix seconds of a wall-clock time in UTC. */
export function utc(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000);
}

type Obj = LoadableStripeObject;

export function customer(fields: { email?: string | null; name?: string; metadata?: Record<string, string> } = {}): Obj {
  const id = stripeId('cus');
  return {
    id,
    object: 'customer',
    created: utc('2026-01-02T10:00:00Z'),
    email: fields.email === undefined ? `${id}@example.test` : fields.email,
    name: fields.name ?? 'Ada Lovelace',
    address: null,
    phone: null,
    metadata: fields.metadata ?? {},
    livemode: false,
  };
}

export function balanceTransaction(fields: {
  amount: number;
  currency: string;
  created: number;
  source: string;
  type: string;
  reportingCategory: string;
  fee?: number;
  exchangeRate?: number | null;
}): Obj {
  const fee = fields.fee ?? 0;
  return {
    id: stripeId('txn'),
    object: 'balance_transaction',
    amount: fields.amount,
    currency: fields.currency,
    created: fields.created,
    available_on: fields.created + 2 * 86_400,
    exchange_rate: fields.exchangeRate ?? null,
    fee,
    fee_details: fee ? [{ amount: fee, application: null, currency: fields.currency, description: 'Stripe fee', type: 'stripe_fee' }] : [],
    net: fields.amount - fee,
    reporting_category: fields.reportingCategory,
    source: fields.source,
    status: 'available',
    type: fields.type,
    description: null,
  };
}

export type ChargeSet = { charge: Obj; transaction: Obj; objects: Obj[] };

/** A charge and its balance transaction; `settled` when Stripe settled it in another currency. */
export function charge(fields: {
  amount: number;
  currency: string;
  created?: number;
  customer?: Obj | null;
  billingEmail?: string | null;
  status?: 'succeeded' | 'failed' | 'pending';
  captured?: boolean;
  metadata?: Record<string, string>;
  description?: string;
  settled?: { amount: number; currency: string; exchangeRate: number };
}): ChargeSet {
  const id = stripeId('ch');
  const created = fields.created ?? utc('2026-01-15T15:00:00Z');
  const transaction = balanceTransaction({
    amount: fields.settled?.amount ?? fields.amount,
    currency: fields.settled?.currency ?? fields.currency,
    exchangeRate: fields.settled?.exchangeRate ?? null,
    created,
    source: id,
    type: 'charge',
    reportingCategory: 'charge',
    fee: Math.round((fields.settled?.amount ?? fields.amount) * 0.03),
  });
  const status = fields.status ?? 'succeeded';
  const theCharge: Obj = {
    id,
    object: 'charge',
    amount: fields.amount,
    amount_captured: fields.captured === false ? 0 : fields.amount,
    amount_refunded: 0,
    balance_transaction: status === 'succeeded' ? transaction.id : null,
    billing_details: { address: null, email: fields.billingEmail ?? (fields.customer?.email as string | null) ?? null, name: 'Ada Lovelace', phone: null },
    captured: fields.captured ?? status === 'succeeded',
    created,
    currency: fields.currency,
    customer: fields.customer ? fields.customer.id : null,
    description: fields.description ?? `Order ${id.slice(-6)}`,
    metadata: fields.metadata ?? {},
    paid: status === 'succeeded',
    payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } },
    refunded: false,
    status,
    livemode: false,
  };
  return { charge: theCharge, transaction, objects: [...(fields.customer ? [fields.customer] : []), transaction, theCharge] };
}

export function refund(of: ChargeSet, fields: { amount: number; created?: number; status?: string }): { refund: Obj; objects: Obj[] } {
  const id = stripeId('re');
  const created = fields.created ?? (of.charge.created as number) + 3_600;
  const currency = of.transaction.currency as string;
  const transaction = balanceTransaction({ amount: -fields.amount, currency, created, source: id, type: 'refund', reportingCategory: 'refund' });
  const theRefund: Obj = {
    id,
    object: 'refund',
    amount: fields.amount,
    balance_transaction: transaction.id,
    charge: of.charge.id,
    created,
    currency: of.charge.currency,
    metadata: {},
    reason: 'requested_by_customer',
    status: fields.status ?? 'succeeded',
  };
  return { refund: theRefund, objects: [transaction, theRefund] };
}

/** A dispute whose balance transactions are the ones given (none: just opened). */
export function dispute(of: ChargeSet, id = stripeId('du')): { id: string; withTransactions(...kinds: ('withdrawn' | 'reinstated')[]): Obj } {
  const amount = of.charge.amount as number;
  const currency = of.transaction.currency as string;
  const opened = (of.charge.created as number) + 86_400;
  const transactions = {
    withdrawn: { ...balanceTransaction({ amount: -amount, currency, created: opened, source: id, type: 'adjustment', reportingCategory: 'dispute', fee: 1_500 }), id: `txn_${id}_w` },
    reinstated: { ...balanceTransaction({ amount, currency, created: opened + 86_400 * 10, source: id, type: 'adjustment', reportingCategory: 'dispute_reversal', fee: -1_500 }), id: `txn_${id}_r` },
  };
  return {
    id,
    withTransactions: (...kinds) => ({
      id,
      object: 'dispute',
      amount,
      charge: of.charge.id,
      created: opened,
      currency: of.charge.currency,
      balance_transactions: kinds.map((kind) => transactions[kind]),
      metadata: {},
      reason: 'fraudulent',
      status: kinds.includes('reinstated') ? 'won' : kinds.length ? 'needs_response' : 'warning_needs_response',
    }),
  };
}
