import { createHash } from 'node:crypto';
import type { Integration, PrismaClient } from '@sagesync/db';
import { fromPrisma } from 'pg-boss';
import type Stripe from 'stripe';
import { postsIndividually } from '../accounting/payout-journal.ts';
import type { StripeReader } from '../connectors/stripe/stripe-client.ts';
import type { Logger } from '../observability/logger.ts';
import type { Queue } from '../queue/create-queue.ts';
import { SYNC_OBJECT_QUEUE, syncObjectJob } from './ingest/sync-object-job.ts';

// A Stripe endpoint may listen to `charge.refunded` and not to `refund.*` (many do), so a charge's
// job is the only one that hears of its refunds. It does not post them itself: it queues one
// `sync-object` job per refund, keyed by the refund like the refund's own events, so the refund is
// posted through the refund path, on the refund's record, in order with whatever `refund.*` events
// do arrive; whichever comes first posts the credit memo and the other finds it.

/**
 * The charge is in Sage but its refunds could not be listed or queued. The charge's record stays
 * synced while the job retries (the retry finds the receipt and lists again); only a job that gives
 * up writes this on the record, so the refunds' gap is visible instead of silent.
 */
export class ChargeRefundsNotQueuedError extends Error {
  readonly code = 'CHARGE_REFUNDS_NOT_QUEUED';
  readonly retryable: boolean;
  readonly retryAfterMs: number | undefined;
  readonly detail: { cause: string; causeCode?: string };

  constructor(chargeId: string, cause: unknown) {
    const typed = cause as { code?: unknown; retryable?: unknown; retryAfterMs?: unknown; message?: unknown } | null;
    const reason = typeof typed?.message === 'string' ? typed.message : String(cause);
    super(
      `The charge ${chargeId} is in Sage, but its refunds could not be read from Stripe (${reason}). ` +
        'They are retried automatically; if this stays, fix the cause and resync the charge to bring its refunds in.',
    );
    this.name = 'ChargeRefundsNotQueuedError';
    this.retryable = typed?.retryable !== false;
    this.retryAfterMs = typeof typed?.retryAfterMs === 'number' ? typed.retryAfterMs : undefined;
    this.detail = { cause: reason, ...(typeof typed?.code === 'string' ? { causeCode: typed.code } : {}) };
  }
}

/** The job id a charge job gives a refund's job: the same on every retry of that charge job, so a retry queues nothing more. */
function refundJobId(chargeJobId: string, integrationId: string, refundId: string): string {
  const hex = createHash('sha256').update(`${chargeJobId}\n${integrationId}\n${refundId}`).digest('hex');
  // Shaped as a version 5 (name-based) UUID, the column's type.
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${((parseInt(hex.slice(16, 18), 16) & 0x3f) | 0x80).toString(16)}${hex.slice(18, 20)}-${hex.slice(20, 32)}`;
}

export type QueueChargeRefundsInput = {
  db: PrismaClient;
  boss: Queue;
  stripe: StripeReader;
  integration: Integration;
  log: Logger;
  charge: Pick<Stripe.Charge, 'id' | 'amount_refunded'>;
  /** The charge's job: its id makes the queued jobs idempotent; its event is theirs too. */
  job: { id: string; eventId: string };
};

/**
 * Queues a sync job for every refund of the charge that is not in Sage yet. Returns the refund ids
 * it queued (a job already queued by an earlier try of the same charge job is not queued again).
 */
export async function queueChargeRefunds({ db, boss, stripe, integration, log, charge, job }: QueueChargeRefundsInput): Promise<string[]> {
  if (!(charge.amount_refunded > 0)) return [];
  // In payout-summary mode a refund is a line of its payout's journal, never a document of its own.
  if (!postsIndividually(integration.postingMode)) return [];
  const refunds = await stripe.listChargeRefunds(charge.id);
  if (refunds.length === 0) return [];
  const done = await db.syncRecord.findMany({
    where: { orgId: integration.orgId, integrationId: integration.id, sourceObjectType: 'refund', sourceObjectId: { in: refunds.map((refund) => refund.id) }, status: 'synced' },
    select: { sourceObjectId: true },
  });
  const synced = new Set(done.map((record) => record.sourceObjectId));
  const wanted = refunds.filter((refund) => !synced.has(refund.id));
  if (wanted.length === 0) return [];
  // One statement: all of them or none. A job id that exists already (this charge job's earlier
  // try queued it) is skipped by pg-boss's ON CONFLICT DO NOTHING; a refund job from another event
  // is a separate job on the same key, which finds the credit memo posted and posts nothing.
  await boss.insert(
    SYNC_OBJECT_QUEUE,
    wanted.map((refund) => ({
      ...syncObjectJob({ integrationId: integration.id, orgId: integration.orgId, objectType: 'refund', objectId: refund.id, eventId: job.eventId }),
      id: refundJobId(job.id, integration.id, refund.id),
    })),
    // Through the application's own client: on PGlite, pg-boss's separate handle would interleave
    // with a transaction another job holds open on the one connection.
    { db: fromPrisma(db) },
  );
  const ids = wanted.map((refund) => refund.id);
  log.info({ chargeId: charge.id, refundIds: ids }, 'queued the charge’s refunds');
  return ids;
}
