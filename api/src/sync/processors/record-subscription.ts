import type Stripe from 'stripe';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import { ensureSyncRecord } from '../sync-records.ts';
import { objectKey, type ProcessOutcome, type ProcessorContext } from './processor-context.ts';
import { recordOutcome } from './record-outcome.ts';
import { syncCustomer } from './sync-customer.ts';

// A subscription moves no money by itself: its invoices and charges do, and they post on their own
// events. Sage has no subscription document in any edition, and the connector interface has no
// customer update, so the subscription's state is kept on its own record and the customer it
// belongs to is made sure to exist in Sage.

export function fetchSubscription(stripe: StripeReader, id: string): Promise<Stripe.Subscription> {
  return stripe.retrieveSubscription(id);
}

export async function recordSubscription(ctx: ProcessorContext, subscription: Stripe.Subscription): Promise<ProcessOutcome> {
  const customerId = typeof subscription.customer === 'string' ? subscription.customer : subscription.customer.id;
  const customerRecord = await ensureSyncRecord(ctx.db, objectKey(ctx.integration, 'customer', customerId));
  if (customerRecord.status !== 'synced') {
    const customer = await ctx.stripe.retrieveCustomer(customerId);
    await recordOutcome(ctx.db, customerRecord, await syncCustomer(ctx, customer), ctx.attempt);
  }
  return {
    kind: 'skipped',
    code: 'SUBSCRIPTION_NO_DOCUMENT',
    message: `Subscriptions are kept on the customer record (status ${subscription.status}); their invoices and payments post on their own.`,
    parentId: customerRecord.id,
  };
}
