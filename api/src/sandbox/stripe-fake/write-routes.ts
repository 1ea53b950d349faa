import type { FastifyInstance, FastifyRequest } from 'fastify';
import { recordEvent } from './event-log.ts';
import { expandObject } from './expand.ts';
import type { FormParams } from './form-decoding.ts';
import { referenceId } from './list-pagination.ts';
import { mergeMetadata } from './metadata-update.ts';
import type { StripeObject } from './object-store.ts';
import { asFormParams, optionalString, parseExpand, parseInteger, rejectUnknownParams } from './param-parsing.ts';
import type { RouteContext } from './route-context.ts';
import { invalidRequest, resourceMissing } from './stripe-errors.ts';

type WithId = { Params: { id: string } };

/** `previous_attributes` as Stripe writes it for metadata: the old value of each changed key, null for a new key. */
function previousMetadata(before: unknown, after: Record<string, string>): Record<string, string | null> | null {
  const old = (before && typeof before === 'object' ? before : {}) as Record<string, string>;
  const changed: Record<string, string | null> = {};
  for (const key of new Set([...Object.keys(old), ...Object.keys(after)])) {
    if (old[key] !== after[key]) changed[key] = old[key] ?? null;
  }
  return Object.keys(changed).length > 0 ? changed : null;
}

/**
 * Applies the simple fields and metadata of an update, Stripe style: an empty string unsets a
 * field (null). Returns the new version and the previous values of what changed.
 */
function applyUpdate(
  object: StripeObject,
  params: FormParams,
  stringFields: readonly string[],
): { updated: StripeObject; previous: Record<string, unknown> } {
  const updated: StripeObject = { ...object };
  const previous: Record<string, unknown> = {};
  for (const field of stringFields) {
    const value = optionalString(params[field], field);
    if (value === undefined) continue;
    if (field === 'email' || field === 'receipt_email') assertEmail(value, field);
    const next = value === '' ? null : value;
    if (object[field] !== next) {
      previous[field] = object[field] ?? null;
      updated[field] = next;
    }
  }
  if (params.metadata !== undefined) {
    const metadata = mergeMetadata(object.metadata, params.metadata);
    const changed = previousMetadata(object.metadata, metadata);
    if (changed) {
      previous.metadata = changed;
      updated.metadata = metadata;
    }
  }
  return { updated, previous };
}

function assertEmail(value: string, param: string): void {
  if (value !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw invalidRequest(`Invalid email address: ${value}`, { param, code: 'email_invalid' });
}

const ADDRESS_FIELDS = ['city', 'country', 'line1', 'line2', 'postal_code', 'state'] as const;

function parseAddress(value: FormParams[string] | undefined): Record<string, string | null> | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidRequest('Invalid object: address must be a hash', { param: 'address' });
  rejectUnknownParams(value, ADDRESS_FIELDS.map(String));
  return Object.fromEntries(
    ADDRESS_FIELDS.map((field) => {
      const entry = optionalString(value[field], `address[${field}]`);
      return [field, entry ? entry : null];
    }),
  );
}

function newCustomer(id: string, created: number): StripeObject {
  return {
    id,
    object: 'customer',
    address: null,
    balance: 0,
    created,
    currency: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: null,
    invoice_prefix: id.slice(4, 12).toUpperCase(),
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: null,
    next_invoice_sequence: 1,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
}

const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

function resolveRefundedCharge(params: FormParams, request: FastifyRequest, context: RouteContext): StripeObject {
  const account = context.accountOf(request);
  const chargeId = optionalString(params.charge, 'charge');
  const paymentIntentId = optionalString(params.payment_intent, 'payment_intent');
  if (chargeId) {
    return context.store.get(account, 'charge', chargeId) ?? throwMissing('charge', chargeId, 'charge');
  }
  if (paymentIntentId) {
    const paymentIntent = context.store.get(account, 'payment_intent', paymentIntentId) ?? throwMissing('payment_intent', paymentIntentId, 'payment_intent');
    const latestCharge = referenceId(paymentIntent.latest_charge);
    const charge = latestCharge ? context.store.get(account, 'charge', latestCharge) : undefined;
    if (!charge) throw invalidRequest(`PaymentIntent ${paymentIntentId} has no successful charge to refund.`, { param: 'payment_intent' });
    return charge;
  }
  throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.', {
    param: 'charge',
    code: 'parameter_missing',
  });
}

function throwMissing(type: string, id: string, param: string): never {
  throw resourceMissing(type, id, param);
}

/** The refund's balance transaction is in the settlement currency of the charge's own, at its exchange rate. */
function refundSettlementAmount(amount: number, chargeTransaction: StripeObject | undefined): { amount: number; currency: string | undefined } {
  const rate = chargeTransaction?.exchange_rate;
  const currency = typeof chargeTransaction?.currency === 'string' ? chargeTransaction.currency : undefined;
  return { amount: typeof rate === 'number' ? Math.round(amount * rate) : amount, currency };
}

export function registerWriteRoutes(app: FastifyInstance, context: RouteContext): void {
  const { store } = context;

  // The product writes its Sage document ids back into charge metadata.
  app.post<WithId>('/v1/charges/:id', async (request) => {
    const params = asFormParams(request.body);
    rejectUnknownParams(params, ['metadata', 'description', 'receipt_email', 'transfer_group', 'expand']);
    const account = context.accountOf(request);
    const charge = store.get(account, 'charge', request.params.id);
    if (!charge) throw resourceMissing('charge', request.params.id);
    const { updated, previous } = applyUpdate(charge, params, ['description', 'receipt_email', 'transfer_group']);
    store.put(account, updated);
    if (Object.keys(previous).length > 0) {
      recordEvent(store, account, { type: 'charge.updated', object: updated, previousAttributes: previous, created: context.now(), request: context.requestInfo(request) });
    }
    return expandObject(updated, parseExpand(params.expand), { store, account });
  });

  app.post('/v1/customers', async (request) => {
    const params = asFormParams(request.body);
    rejectUnknownParams(params, ['email', 'name', 'description', 'phone', 'metadata', 'address', 'expand']);
    const account = context.accountOf(request);
    const blank = newCustomer(store.newId(account, 'cus', 14), context.now());
    const { updated: customer } = applyUpdate(blank, params, ['email', 'name', 'description', 'phone']);
    const address = parseAddress(params.address);
    if (address) customer.address = address;
    store.put(account, customer);
    recordEvent(store, account, { type: 'customer.created', object: customer, created: context.now(), request: context.requestInfo(request) });
    return expandObject(customer, parseExpand(params.expand), { store, account });
  });

  app.post<WithId>('/v1/customers/:id', async (request) => {
    const params = asFormParams(request.body);
    rejectUnknownParams(params, ['email', 'name', 'description', 'phone', 'metadata', 'address', 'expand']);
    const account = context.accountOf(request);
    const customer = store.get(account, 'customer', request.params.id);
    if (!customer || customer.deleted === true) throw resourceMissing('customer', request.params.id);
    const { updated, previous } = applyUpdate(customer, params, ['email', 'name', 'description', 'phone']);
    const address = parseAddress(params.address);
    if (address) {
      previous.address = customer.address ?? null;
      updated.address = address;
    }
    store.put(account, updated);
    if (Object.keys(previous).length > 0) {
      recordEvent(store, account, { type: 'customer.updated', object: updated, previousAttributes: previous, created: context.now(), request: context.requestInfo(request) });
    }
    return expandObject(updated, parseExpand(params.expand), { store, account });
  });

  // Refunds are not written by the product; tests use this to make a refund happen "in Stripe".
  app.post('/v1/refunds', async (request) => {
    const params = asFormParams(request.body);
    rejectUnknownParams(params, ['charge', 'payment_intent', 'amount', 'reason', 'metadata', 'expand']);
    const account = context.accountOf(request);
    const charge = resolveRefundedCharge(params, request, context);
    const chargeAmount = Number(charge.amount);
    const alreadyRefunded = Number(charge.amount_refunded ?? 0);
    const refundable = chargeAmount - alreadyRefunded;
    if (charge.disputed === true) {
      throw invalidRequest(`Charge ${charge.id} has been charged back; cannot issue a refund.`, { code: 'charge_disputed', param: 'charge' });
    }
    if (refundable <= 0) throw invalidRequest(`Charge ${charge.id} has already been refunded.`, { code: 'charge_already_refunded', param: 'charge' });
    const amount = params.amount === undefined ? refundable : parseInteger(params.amount, 'amount');
    if (amount < 1) throw invalidRequest('Invalid positive integer', { param: 'amount' });
    if (amount > refundable) {
      throw invalidRequest(`Refund amount (${amount}) is greater than unrefunded amount on charge (${refundable})`, { code: 'amount_too_large', param: 'amount' });
    }
    const reason = optionalString(params.reason, 'reason');
    if (reason !== undefined && !REFUND_REASONS.includes(reason)) {
      throw invalidRequest(`Invalid reason: must be one of ${REFUND_REASONS.join(', ')}`, { param: 'reason' });
    }
    const metadata = params.metadata === undefined ? {} : mergeMetadata({}, params.metadata);
    const created = context.now();
    const refundId = store.newId(account, 're');
    const transactionId = store.newId(account, 'txn');
    const chargeTransactionId = referenceId(charge.balance_transaction);
    const settlement = refundSettlementAmount(amount, chargeTransactionId ? store.get(account, 'balance_transaction', chargeTransactionId) : undefined);
    const transaction: StripeObject = {
      id: transactionId,
      object: 'balance_transaction',
      amount: -settlement.amount,
      available_on: created,
      balance_type: 'payments',
      created,
      currency: settlement.currency ?? charge.currency,
      description: null,
      exchange_rate: null,
      fee: 0,
      fee_details: [],
      net: -settlement.amount,
      reporting_category: 'refund',
      source: refundId,
      status: 'pending',
      type: 'refund',
    };
    const refund: StripeObject = {
      id: refundId,
      object: 'refund',
      amount,
      balance_transaction: transactionId,
      charge: charge.id,
      created,
      currency: charge.currency,
      customer: referenceId(charge.customer) ?? null,
      customer_account: null,
      destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
      metadata,
      payment_intent: referenceId(charge.payment_intent) ?? null,
      payment_method: typeof charge.payment_method === 'string' ? charge.payment_method : null,
      reason: reason ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    const refunds = charge.refunds as { data?: StripeObject[] } | undefined;
    const updatedCharge: StripeObject = {
      ...charge,
      amount_refunded: alreadyRefunded + amount,
      refunded: alreadyRefunded + amount === chargeAmount,
      ...(refunds && Array.isArray(refunds.data) ? { refunds: { ...refunds, data: [refund, ...refunds.data] } } : {}),
    };
    store.put(account, transaction);
    store.put(account, refund);
    store.put(account, updatedCharge);
    const requestInfo = context.requestInfo(request);
    recordEvent(store, account, { type: 'refund.created', object: refund, created, request: requestInfo });
    recordEvent(store, account, {
      type: 'charge.refunded',
      object: updatedCharge,
      previousAttributes: { amount_refunded: alreadyRefunded, refunded: charge.refunded ?? false },
      created,
      request: requestInfo,
    });
    return expandObject(refund, parseExpand(params.expand), { store, account });
  });
}
