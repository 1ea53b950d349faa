import Stripe from 'stripe';
import { StripeConnectorError, toStripeConnectorError, type StripeOperation } from './stripe-error.ts';
import { budgetKeyFor, defaultBudgetPerSecond, InMemoryRequestBudget, type StripeRateLimiter } from './stripe-request-budget.ts';

// The product's one way to talk to Stripe. The sync engine and the backfill read through it, and
// it writes the Sage ids back into Stripe metadata. Every request goes through the account's
// request budget and our own retry policy; the SDK's retries are off so both are honoured.

export type StripeReaderOptions = {
  apiKey: string;
  /** A connected account (`acct_…`): every request carries `Stripe-Account`. */
  stripeAccount?: string;
  /** For the Stripe fake; real Stripe by default. */
  host?: string;
  port?: number;
  protocol?: 'http' | 'https';
  /**
   * Shared by every reader of the process (or a PostgreSQL-backed one across workers) so an
   * account's budget is one budget. Defaults to a budget of this reader's own.
   */
  rateLimiter?: StripeRateLimiter;
  /** Only for the default limiter: requests per second per account (default half of Stripe's limit for the key's mode). */
  budgetPerSecond?: number;
  /** Tries per request, the first included. Default 5. */
  maxAttempts?: number;
  /** Exponential backoff: first delay and cap, before jitter. Defaults 500 ms and 20 s. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Longest wait we sit through inside one call (a long Retry-After); beyond it the error goes to
   * the caller, with retryAfterMs, so the job queue can reschedule instead. Default 60 s.
   */
  maxWaitMs?: number;
  /** Per request, passed to the SDK. Default 30 s. */
  timeoutMs?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** For jitter; [0, 1). */
  random?: () => number;
};

/** Resources the backfill walks by creation time, and the object each lists. */
export type CreatedListObjects = {
  charges: Stripe.Charge;
  customers: Stripe.Customer;
  refunds: Stripe.Refund;
  disputes: Stripe.Dispute;
  payouts: Stripe.Payout;
  invoices: Stripe.Invoice;
  subscriptions: Stripe.Subscription;
  payment_intents: Stripe.PaymentIntent;
  balance_transactions: Stripe.BalanceTransaction;
  events: Stripe.Event;
};
export type CreatedListResource = keyof CreatedListObjects;

/** Unix seconds: `gte ≤ created < lt`. */
export type CreatedRange = { gte: number; lt: number };

export type CreatedPage<T> = {
  /** Newest first, as Stripe lists. */
  objects: T[];
  /** Save it; pass it back to continue after this page (null when this was the last page). */
  nextCursor: string | null;
  hasMore: boolean;
};

export type ExpandOption = { expand?: string[] };

export type InvoicePaymentFilter = { invoice: string } | { paymentIntent: string };

/** What the charge sync needs in one request: the settlement amounts and the customer. */
export const CHARGE_SYNC_EXPAND = ['balance_transaction', 'customer'] as const;

export interface StripeReader {
  readonly stripeAccount: string | undefined;
  retrieveCharge(id: string, options?: ExpandOption): Promise<Stripe.Charge>;
  retrievePaymentIntent(id: string, options?: ExpandOption): Promise<Stripe.PaymentIntent>;
  /** The PaymentIntent's latest charge (with `expand` applied to the charge), or null when it has none yet. One request. */
  resolvePaymentIntentCharge(paymentIntentId: string, options?: ExpandOption): Promise<Stripe.Charge | null>;
  retrieveRefund(id: string, options?: ExpandOption): Promise<Stripe.Refund>;
  /**
   * Every refund of a charge, over all pages (newest first, as Stripe lists). A charge's own
   * `refunds` list is no longer included on current API versions, so this is how a charge's job
   * finds the refunds it was told about (`charge.refunded`).
   */
  listChargeRefunds(chargeId: string): Promise<Stripe.Refund[]>;
  retrieveDispute(id: string, options?: ExpandOption): Promise<Stripe.Dispute>;
  /** A deleted customer comes back as Stripe's `{ id, deleted: true }`. */
  retrieveCustomer(id: string, options?: ExpandOption): Promise<Stripe.Customer | Stripe.DeletedCustomer>;
  /**
   * With every line: when Stripe embeds only the first page, the rest are fetched. The same for
   * its `payments` when `expand` asks for them.
   */
  retrieveInvoice(id: string, options?: ExpandOption): Promise<Stripe.Invoice>;
  /**
   * Every InvoicePayment of an invoice, or of a PaymentIntent (the invoices it pays), over all
   * pages. This is how a charge is matched to its invoice: on current API versions neither the
   * charge nor its PaymentIntent names the invoice.
   */
  listInvoicePayments(filter: InvoicePaymentFilter): Promise<Stripe.InvoicePayment[]>;
  retrieveSubscription(id: string, options?: ExpandOption): Promise<Stripe.Subscription>;
  /** An invoice's tax lines are named from it: its line taxes carry only the rate's id. */
  retrieveTaxRate(id: string): Promise<Stripe.TaxRate>;
  retrievePayout(id: string, options?: ExpandOption): Promise<Stripe.Payout>;
  /** Every balance transaction of a payout (its own included), over all pages of 100, each once. */
  listPayoutBalanceTransactions(payoutId: string, options?: { expandSource?: boolean }): AsyncGenerator<Stripe.BalanceTransaction, void, undefined>;
  /** One page of objects created in the range, continuing after `startingAfter` (a saved nextCursor). */
  listCreated<R extends CreatedListResource>(
    resource: R,
    range: CreatedRange,
    startingAfter?: string | null,
    options?: { limit?: number },
  ): Promise<CreatedPage<CreatedListObjects[R]>>;
  /** Merges keys into the charge's metadata (an empty value deletes a key). The key makes a retry, or a replay after a crash, a no-op. */
  updateChargeMetadata(chargeId: string, metadata: Stripe.MetadataParam, idempotencyKey: string): Promise<Stripe.Charge>;
  updateCustomerMetadata(customerId: string, metadata: Stripe.MetadataParam, idempotencyKey: string): Promise<Stripe.Customer>;
}

const PAGE_SIZE = 100;

const CREATED_LISTERS: {
  [R in CreatedListResource]: (
    stripe: Stripe,
    params: { created: CreatedRange; limit: number; starting_after?: string },
    options: Stripe.RequestOptions,
  ) => Promise<Stripe.ApiList<CreatedListObjects[R]>>;
} = {
  charges: (stripe, params, options) => stripe.charges.list(params, options),
  customers: (stripe, params, options) => stripe.customers.list(params, options),
  refunds: (stripe, params, options) => stripe.refunds.list(params, options),
  disputes: (stripe, params, options) => stripe.disputes.list(params, options),
  payouts: (stripe, params, options) => stripe.payouts.list(params, options),
  invoices: (stripe, params, options) => stripe.invoices.list(params, options),
  // Without a status Stripe hides canceled subscriptions; a backfill wants every one.
  subscriptions: (stripe, params, options) => stripe.subscriptions.list({ ...params, status: 'all' }, options),
  payment_intents: (stripe, params, options) => stripe.paymentIntents.list(params, options),
  balance_transactions: (stripe, params, options) => stripe.balanceTransactions.list(params, options),
  events: (stripe, params, options) => stripe.events.list(params, options),
};

const OBJECT_TYPE_OF: Record<CreatedListResource, string> = {
  charges: 'charge',
  customers: 'customer',
  refunds: 'refund',
  disputes: 'dispute',
  payouts: 'payout',
  invoices: 'invoice',
  subscriptions: 'subscription',
  payment_intents: 'payment_intent',
  balance_transactions: 'balance_transaction',
  events: 'event',
};

type RequestKind = 'read' | 'write';

function expandParams(options: ExpandOption | undefined): { expand?: string[] } {
  return options?.expand && options.expand.length > 0 ? { expand: [...options.expand] } : {};
}

export function createStripeReader(options: StripeReaderOptions): StripeReader {
  const { apiKey, stripeAccount } = options;
  if (!apiKey) throw new TypeError('createStripeReader: apiKey is required');
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  const initialBackoffMs = options.initialBackoffMs ?? 500;
  const maxBackoffMs = options.maxBackoffMs ?? 20_000;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const limiter =
    options.rateLimiter ?? new InMemoryRequestBudget({ perSecond: options.budgetPerSecond ?? defaultBudgetPerSecond(apiKey), now, sleep });
  const budgetKey = budgetKeyFor(apiKey, stripeAccount);
  // Stripe limits reads and writes separately, so each has its own budget.
  const budgetKeys: Record<RequestKind, string> = { read: `${budgetKey}:read`, write: `${budgetKey}:write` };

  const stripe = new Stripe(apiKey, {
    maxNetworkRetries: 0,
    // The SDK's latency telemetry header buffers per request and warns once many run at once; we keep our own metrics.
    telemetry: false,
    timeout: options.timeoutMs ?? 30_000,
    ...(options.host ? { host: options.host } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.protocol ? { protocol: options.protocol } : {}),
  });

  const requestOptions = (idempotencyKey?: string): Stripe.RequestOptions => ({
    ...(stripeAccount ? { stripeAccount } : {}),
    ...(idempotencyKey ? { idempotencyKey } : {}),
  });

  /** Equal jitter: half the exponential delay is fixed, so a retry never comes back at once. */
  const backoffMs = (attempt: number): number => {
    const ceiling = Math.min(maxBackoffMs, initialBackoffMs * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + random() * (ceiling / 2));
  };

  async function send<T>(kind: RequestKind, operation: StripeOperation, call: (requestOptions: Stripe.RequestOptions) => Promise<T>, idempotencyKey?: string): Promise<T> {
    const key = budgetKeys[kind];
    for (let attempt = 1; ; attempt += 1) {
      await limiter.acquire(key);
      try {
        return await call(requestOptions(idempotencyKey));
      } catch (raw) {
        const error = toStripeConnectorError(raw, { operation, apiKey, stripeAccount, nowMs: now() }).withAttempts(attempt);
        if (!error.retryable) throw error;
        const waitMs = error.retryAfterMs ?? backoffMs(attempt);
        // Every request of this account waits, not only this call: the limit is the account's.
        // Paused even when we give up here, so the caller's other work holds off too.
        if (error.code === 'STRIPE_RATE_LIMITED') limiter.pause(key, now() + waitMs);
        if (attempt >= maxAttempts || waitMs > maxWaitMs) throw error;
        await sleep(waitMs);
      }
    }
  }

  const read = <T>(operation: StripeOperation, call: (requestOptions: Stripe.RequestOptions) => Promise<T>) => send('read', operation, call);

  const requireIdempotencyKey = (idempotencyKey: string, operation: StripeOperation) => {
    if (typeof idempotencyKey !== 'string' || idempotencyKey.trim() === '') {
      // A write without a key could apply twice when its answer is lost; refuse before sending.
      throw new StripeConnectorError('STRIPE_INVALID_REQUEST', 'A metadata write-back was attempted without an idempotency key; it was not sent.', {
        operation: `${operation.action} ${operation.objectType} ${operation.objectId ?? ''}`.trim(),
      });
    }
  };

  /** Every page of a list, each through the budget and the retries (not the SDK's auto-pager). */
  async function allPages<T extends { id: string }>(
    operation: StripeOperation,
    list: (page: { limit: number; starting_after?: string }, requestOptions: Stripe.RequestOptions) => Promise<Stripe.ApiList<T>>,
  ): Promise<T[]> {
    const items: T[] = [];
    let startingAfter: string | undefined;
    for (;;) {
      const page = await read(operation, (o) => list({ limit: PAGE_SIZE, ...(startingAfter ? { starting_after: startingAfter } : {}) }, o));
      items.push(...page.data);
      const last = page.data.at(-1);
      if (!page.has_more || !last) return items;
      startingAfter = last.id;
    }
  }

  const listInvoicePayments = (filter: InvoicePaymentFilter): Promise<Stripe.InvoicePayment[]> =>
    'invoice' in filter
      ? allPages({ action: 'list payments of', objectType: 'invoice', objectId: filter.invoice }, (page, o) =>
          stripe.invoicePayments.list({ ...page, invoice: filter.invoice }, o),
        )
      : allPages({ action: 'list invoice payments of', objectType: 'payment_intent', objectId: filter.paymentIntent }, (page, o) =>
          stripe.invoicePayments.list({ ...page, payment: { type: 'payment_intent', payment_intent: filter.paymentIntent } }, o),
        );

  const retrieveCharge = (id: string, retrieveOptions?: ExpandOption): Promise<Stripe.Charge> =>
    read({ action: 'retrieve', objectType: 'charge', objectId: id }, (o) => stripe.charges.retrieve(id, expandParams(retrieveOptions), o));

  return {
    stripeAccount,
    retrieveCharge,

    retrievePaymentIntent: (id, retrieveOptions) =>
      read({ action: 'retrieve', objectType: 'payment_intent', objectId: id }, (o) =>
        stripe.paymentIntents.retrieve(id, expandParams(retrieveOptions), o),
      ),

    async resolvePaymentIntentCharge(paymentIntentId, resolveOptions) {
      const expand = ['latest_charge', ...(resolveOptions?.expand ?? []).map((path) => `latest_charge.${path}`)];
      const intent = await read({ action: 'retrieve', objectType: 'payment_intent', objectId: paymentIntentId }, (o) =>
        stripe.paymentIntents.retrieve(paymentIntentId, { expand }, o),
      );
      const charge = intent.latest_charge;
      if (charge === null || charge === undefined) return null;
      // Expanded above, so a string here means Stripe ignored the expansion: fetch it.
      if (typeof charge === 'string') return retrieveCharge(charge, resolveOptions);
      return charge;
    },

    retrieveRefund: (id, retrieveOptions) =>
      read({ action: 'retrieve', objectType: 'refund', objectId: id }, (o) => stripe.refunds.retrieve(id, expandParams(retrieveOptions), o)),

    listChargeRefunds: (chargeId) =>
      allPages({ action: 'list refunds of', objectType: 'charge', objectId: chargeId }, (page, o) => stripe.refunds.list({ ...page, charge: chargeId }, o)),

    retrieveDispute: (id, retrieveOptions) =>
      read({ action: 'retrieve', objectType: 'dispute', objectId: id }, (o) => stripe.disputes.retrieve(id, expandParams(retrieveOptions), o)),

    retrieveCustomer: (id, retrieveOptions) =>
      read({ action: 'retrieve', objectType: 'customer', objectId: id }, (o) => stripe.customers.retrieve(id, expandParams(retrieveOptions), o)),

    async retrieveInvoice(id, retrieveOptions) {
      const operation = { action: 'retrieve', objectType: 'invoice', objectId: id };
      let invoice = await read(operation, (o) => stripe.invoices.retrieve(id, expandParams(retrieveOptions), o));
      // Embedded lists are only their first page; read them all, from the start, in Stripe's order.
      if (invoice.lines?.has_more) {
        const lines = await allPages({ action: 'list lines of', objectType: 'invoice', objectId: id }, (page, o) => stripe.invoices.listLineItems(id, page, o));
        invoice = { ...invoice, lines: { ...invoice.lines, data: lines, has_more: false } };
      }
      if (invoice.payments?.has_more) {
        const payments = await listInvoicePayments({ invoice: id });
        invoice = { ...invoice, payments: { ...invoice.payments, data: payments, has_more: false } };
      }
      return invoice;
    },

    listInvoicePayments,

    retrieveSubscription: (id, retrieveOptions) =>
      read({ action: 'retrieve', objectType: 'subscription', objectId: id }, (o) =>
        stripe.subscriptions.retrieve(id, expandParams(retrieveOptions), o),
      ),

    retrieveTaxRate: (id) => read({ action: 'retrieve', objectType: 'tax_rate', objectId: id }, (o) => stripe.taxRates.retrieve(id, {}, o)),

    retrievePayout: (id, retrieveOptions) =>
      read({ action: 'retrieve', objectType: 'payout', objectId: id }, (o) => stripe.payouts.retrieve(id, expandParams(retrieveOptions), o)),

    async *listPayoutBalanceTransactions(payoutId, listOptions) {
      const operation = { action: 'list balance transactions of', objectType: 'payout', objectId: payoutId };
      let startingAfter: string | undefined;
      for (;;) {
        // Paged here rather than with the SDK's auto-pager, so every page goes through the budget and retries.
        const page = await read(operation, (o) =>
          stripe.balanceTransactions.list(
            {
              payout: payoutId,
              limit: PAGE_SIZE,
              ...(listOptions?.expandSource ? { expand: ['data.source'] } : {}),
              ...(startingAfter ? { starting_after: startingAfter } : {}),
            },
            o,
          ),
        );
        yield* page.data;
        const last = page.data.at(-1);
        if (!page.has_more || !last) return;
        startingAfter = last.id;
      }
    },

    async listCreated(resource, range, startingAfter, listOptions) {
      const limit = listOptions?.limit ?? PAGE_SIZE;
      const page = await read({ action: 'list', objectType: OBJECT_TYPE_OF[resource] }, (o) =>
        CREATED_LISTERS[resource](stripe, { created: { gte: range.gte, lt: range.lt }, limit, ...(startingAfter ? { starting_after: startingAfter } : {}) }, o),
      );
      const last = page.data.at(-1);
      const hasMore = page.has_more && last !== undefined;
      return { objects: page.data, nextCursor: hasMore && last ? last.id : null, hasMore };
    },

    async updateChargeMetadata(chargeId, metadata, idempotencyKey) {
      const operation = { action: 'update metadata of', objectType: 'charge', objectId: chargeId };
      requireIdempotencyKey(idempotencyKey, operation);
      return send('write', operation, (o) => stripe.charges.update(chargeId, { metadata }, o), idempotencyKey);
    },

    async updateCustomerMetadata(customerId, metadata, idempotencyKey) {
      const operation = { action: 'update metadata of', objectType: 'customer', objectId: customerId };
      requireIdempotencyKey(idempotencyKey, operation);
      return send('write', operation, (o) => stripe.customers.update(customerId, { metadata }, o), idempotencyKey);
    },
  };
}
