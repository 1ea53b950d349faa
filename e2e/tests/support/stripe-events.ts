import { createHmac, randomBytes } from 'node:crypto';
import { expect, type APIRequestContext } from '@playwright/test';
import { apiURL, stripeFakeURL } from './urls';

// Money moving in a demo Stripe account, as the product sees it: the objects go into the Stripe
// fake (which the worker reads through the real SDK), and Stripe's signed webhook announces them
// to the api. The embedded demo verifies webhooks with its public secret.
const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET?.split(',')[0]?.trim() || 'whsec_demo_local';

type StripeObject = Record<string, unknown> & { id: string; object: string };

export function stripeId(prefix: string): string {
  return `${prefix}_e2e${randomBytes(8).toString('hex')}`;
}

function balanceTransaction(fields: { amount: number; fee: number; currency: string; created: number; source: string; type: string }): StripeObject {
  return {
    id: stripeId('txn'),
    object: 'balance_transaction',
    amount: fields.amount,
    currency: fields.currency,
    created: fields.created,
    available_on: fields.created + 2 * 86_400,
    exchange_rate: null,
    fee: fields.fee,
    fee_details: fields.fee ? [{ amount: fields.fee, application: null, currency: fields.currency, description: 'Stripe fee', type: 'stripe_fee' }] : [],
    net: fields.amount - fields.fee,
    reporting_category: fields.type,
    source: fields.source,
    status: 'available',
    type: fields.type,
    description: null,
  };
}

/** A succeeded card charge with its balance transaction, paid by a new customer. */
export function succeededCharge(amount: number, currency: string) {
  const created = Math.floor(Date.now() / 1000) - 60;
  const id = stripeId('ch');
  const customer: StripeObject = {
    id: stripeId('cus'),
    object: 'customer',
    created,
    email: `${id}@example.test`,
    name: 'E2E Customer',
    address: null,
    phone: null,
    metadata: {},
    livemode: false,
  };
  const transaction = balanceTransaction({ amount, fee: Math.round(amount * 0.03), currency, created, source: id, type: 'charge' });
  const charge: StripeObject = {
    id,
    object: 'charge',
    amount,
    amount_captured: amount,
    amount_refunded: 0,
    balance_transaction: transaction.id,
    billing_details: { address: null, email: customer.email, name: customer.name, phone: null },
    captured: true,
    created,
    currency,
    customer: customer.id,
    description: `E2E order ${id.slice(-6)}`,
    metadata: {},
    paid: true,
    payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } },
    refunded: false,
    status: 'succeeded',
    livemode: false,
  };
  return { charge, objects: [customer, transaction, charge] };
}

/** A paid manual payout: Stripe does not say which transactions it paid out, so the sync holds it for a person. */
export function paidManualPayout(amount: number, currency: string) {
  const created = Math.floor(Date.now() / 1000) - 60;
  const id = stripeId('po');
  const own = balanceTransaction({ amount: -amount, fee: 0, currency, created, source: id, type: 'payout' });
  const payout: StripeObject = {
    id,
    object: 'payout',
    amount,
    arrival_date: created + 86_400,
    automatic: false,
    balance_transaction: own.id,
    created,
    currency,
    description: 'E2E MANUAL PAYOUT',
    metadata: {},
    method: 'standard',
    source_type: 'card',
    status: 'paid',
    type: 'bank_account',
    livemode: false,
  };
  return { payout, objects: [own, payout] };
}

/** Puts objects into a demo account of the Stripe fake (the same id again replaces, as Stripe's state moves on). */
export async function loadIntoStripe(request: APIRequestContext, account: string, objects: StripeObject[]): Promise<void> {
  const response = await request.post(`${stripeFakeURL}/_fake/objects?account=${encodeURIComponent(account)}`, { data: objects });
  expect(response.status(), `loading objects into the Stripe fake: ${await response.text()}`).toBe(200);
}

/** Delivers `type` about `object` to the api's platform webhook, signed as Stripe signs it. */
export async function deliverWebhook(request: APIRequestContext, account: string, type: string, object: StripeObject): Promise<void> {
  const payload = JSON.stringify(
    {
      id: stripeId('evt'),
      object: 'event',
      api_version: '2025-09-30.clover',
      account,
      created: Math.floor(Date.now() / 1000),
      data: { object },
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type,
    },
    null,
    2,
  );
  const timestamp = Math.floor(Date.now() / 1000);
  const signature = createHmac('sha256', webhookSecret).update(`${timestamp}.${payload}`).digest('hex');
  const response = await request.post(`${apiURL}/webhooks/stripe`, {
    headers: { 'Content-Type': 'application/json', 'Stripe-Signature': `t=${timestamp},v1=${signature}` },
    data: payload,
  });
  expect(response.status(), `delivering ${type}: ${await response.text()}`).toBe(200);
}
