import { z } from 'zod';
import type { CreatedListResource } from '../../connectors/stripe/stripe-client.ts';

/**
 * The Stripe objects a backfill brings in, in the order each time slice lists them: customers
 * before the charges that name them, charges before their refunds and disputes, payouts last so a
 * payout's reconciliation finds its transactions already on their way. (Processors cope with any
 * order; this one just makes the least work for them.)
 */
export const BACKFILL_OBJECT_TYPES = ['customer', 'charge', 'refund', 'dispute', 'invoice', 'payout'] as const;

export const ZBackfillObjectType = z.enum(BACKFILL_OBJECT_TYPES);
export type BackfillObjectType = z.infer<typeof ZBackfillObjectType>;

/** The Stripe list endpoint of each object type. */
export const BACKFILL_LIST_RESOURCE: Record<BackfillObjectType, CreatedListResource> = {
  customer: 'customers',
  charge: 'charges',
  refund: 'refunds',
  dispute: 'disputes',
  invoice: 'invoices',
  payout: 'payouts',
};

export function isBackfillObjectType(value: string): value is BackfillObjectType {
  return (BACKFILL_OBJECT_TYPES as readonly string[]).includes(value);
}

/** Segments run oldest slice first, and within a slice in BACKFILL_OBJECT_TYPES order. */
export function compareSegments(
  a: { rangeStart: Date; objectType: string },
  b: { rangeStart: Date; objectType: string },
): number {
  const byTime = a.rangeStart.getTime() - b.rangeStart.getTime();
  if (byTime !== 0) return byTime;
  const rank = (type: string) => (isBackfillObjectType(type) ? BACKFILL_OBJECT_TYPES.indexOf(type) : BACKFILL_OBJECT_TYPES.length);
  return rank(a.objectType) - rank(b.objectType);
}
