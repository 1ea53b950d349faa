import { z } from 'zod';

/**
 * The Stripe event types we sync, each with the kind of object its job syncs. The job always
 * fetches the object's current state, so an event only says "look at this object again": a refund
 * event points at the refund, a dispute event at the dispute, and `charge.refunded` at the charge.
 * A charge's job lists the charge's refunds and queues a job for each one not yet in Sage
 * (queue-charge-refunds.ts), since an endpoint may listen to `charge.refunded` but not `refund.*`.
 */
export const HANDLED_STRIPE_EVENTS = {
  'charge.succeeded': 'charge',
  'charge.captured': 'charge',
  'charge.refunded': 'charge',
  'charge.updated': 'charge',
  'refund.created': 'refund',
  'refund.updated': 'refund',
  'charge.dispute.created': 'dispute',
  'charge.dispute.funds_withdrawn': 'dispute',
  'charge.dispute.funds_reinstated': 'dispute',
  'charge.dispute.closed': 'dispute',
  'customer.created': 'customer',
  'customer.updated': 'customer',
  'invoice.paid': 'invoice',
  'customer.subscription.created': 'subscription',
  'customer.subscription.updated': 'subscription',
  'customer.subscription.deleted': 'subscription',
  'payout.paid': 'payout',
} as const satisfies Record<string, SyncedObjectType>;

/** The Stripe object kinds a sync job works on (the Stripe half of the schema's SourceObjectType). */
export const ZSyncedObjectType = z.enum(['charge', 'refund', 'dispute', 'customer', 'invoice', 'subscription', 'payout']);
export type SyncedObjectType = z.infer<typeof ZSyncedObjectType>;

export type HandledStripeEventType = keyof typeof HANDLED_STRIPE_EVENTS;

export function isHandledStripeEventType(type: string): type is HandledStripeEventType {
  return Object.hasOwn(HANDLED_STRIPE_EVENTS, type);
}

/** The object an event of a handled type asks us to sync, or null when the event names none. */
export function syncedObjectOf(
  type: HandledStripeEventType,
  object: { id?: unknown },
): { objectType: SyncedObjectType; objectId: string } | null {
  const objectId = object.id;
  if (typeof objectId !== 'string' || objectId.trim() === '') return null;
  return { objectType: HANDLED_STRIPE_EVENTS[type], objectId };
}
