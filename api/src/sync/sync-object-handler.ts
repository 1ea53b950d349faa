import type { Integration, ReceivedEvent, SyncRecord } from '@sagesync/db';
import type { JobWithMetadata } from 'pg-boss';
import type Stripe from 'stripe';
import type { Logger } from '../observability/logger.ts';
import type { Queue } from '../queue/create-queue.ts';
import { assessAnomaly as defaultAssessAnomaly, type AssessAnomaly } from './anomaly-hook.ts';
import type { SyncedObjectType } from './ingest/handled-events.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, SYNC_OBJECT_QUEUE_OPTIONS, SyncObjectDeadError, ZSyncObjectJobPayload, type SyncObjectJobPayload } from './ingest/sync-object-job.ts';
import type { JobContext, JobDefinition } from './job-registry.ts';
import { fetchCharge, postChargeReceipt } from './processors/post-charge-receipt.ts';
import { fetchDispute, postDisputeJournals } from './processors/post-dispute-journals.ts';
import { fetchInvoice, postInvoice } from './processors/post-invoice.ts';
import { fetchRefund, postRefundCreditMemo } from './processors/post-refund-credit-memo.ts';
import { objectKey, type AttemptInfo, type ProcessOutcome, type ProcessorContext } from './processors/processor-context.ts';
import { recordOutcome } from './processors/record-outcome.ts';
import { fetchSubscription, recordSubscription } from './processors/record-subscription.ts';
import { reconcilePayout, type ReconcilePayoutResult } from './payouts/reconcile-payout.ts';
import { fetchCustomer, syncCustomer } from './processors/sync-customer.ts';
import { ChargeRefundsNotQueuedError, queueChargeRefunds } from './queue-charge-refunds.ts';
import { ensureSyncRecord, isStaleVersion, recordFailed, recordSkipped, type StoredError } from './sync-records.ts';
import type { SyncServices } from './sync-services.ts';

// The `sync-object` job: "bring this Stripe object's current state into Sage". The event only says
// which object to look at again; the object is always fetched fresh (events arrive late, twice and
// out of order), checked against the version already applied, offered to the anomaly hook, and
// handed to the processor for its kind. Whatever happens is written on the object's record.
//
// A charge's job also queues a job for each of the charge's refunds not yet in Sage
// (queue-charge-refunds.ts): an endpoint may hear of refunds only through `charge.refunded`.
//
// Payouts go to the payout reconciliation (payouts/reconcile-payout.ts), which proves and posts
// the payout journal and keeps its own PayoutReconciliation row; the record mirrors its result.
//
// Failures, by what can fix them:
// - a retry (Sage or Stripe unavailable, rate limited, timed out): a short Retry-After is waited out
//   inside the job without spending an attempt; otherwise the record says `failed` and the job
//   throws, so pg-boss retries with backoff. On the last attempt the record says `dead` and the job
//   throws too: pg-boss copies it to the dead-letter queue and the worker frees the object's key
//   (api/src/queue/dead-letter.ts), so later events still run; an admin's redrive or resync sends a
//   fresh job.
// - a person (mapping, GL account, master data, closed period, refused document): the record says
//   `failed` with the message and `retryable: false`, and the job ends: a retry cannot help and
//   would only hold back the object's later events.

/** Waits of at most this long are sat through inside the job (Sage's per-minute window, Stripe's second). */
export const MAX_IN_JOB_WAIT_MS = 30_000;
/** How many such waits one job sits through before handing the retry to pg-boss. */
const MAX_IN_JOB_WAITS = 3;

export type SyncObjectJobOptions = {
  assessAnomaly?: AssessAnomaly;
  sleep?: (ms: number) => Promise<void>;
  /** Polling and batching; the queue's options are fixed (SYNC_OBJECT_QUEUE_OPTIONS). */
  work?: JobDefinition['work'];
};

export function createSyncObjectJob(options: SyncObjectJobOptions = {}): JobDefinition<SyncObjectJobPayload> {
  return {
    name: SYNC_OBJECT_QUEUE,
    payload: ZSyncObjectJobPayload,
    queue: SYNC_OBJECT_QUEUE_OPTIONS,
    ensureQueue: ensureSyncObjectQueue,
    needs: 'sync-services',
    ...(options.work ? { work: options.work } : {}),
    handle: (payload, context) => handleSyncObject(payload, context, options),
  };
}

type Fetched = { object: unknown; process: (ctx: ProcessorContext) => Promise<ProcessOutcome> };

async function fetchForProcessing(kind: Exclude<SyncedObjectType, 'payout'>, ctx: ProcessorContext, id: string): Promise<Fetched> {
  switch (kind) {
    case 'charge': {
      const object = await fetchCharge(ctx.stripe, id);
      return { object, process: (c) => postChargeReceipt(c, object) };
    }
    case 'refund': {
      const object = await fetchRefund(ctx.stripe, id);
      return { object, process: (c) => postRefundCreditMemo(c, object) };
    }
    case 'dispute': {
      const object = await fetchDispute(ctx.stripe, id);
      return { object, process: (c) => postDisputeJournals(c, object) };
    }
    case 'customer': {
      const object = await fetchCustomer(ctx.stripe, id);
      return { object, process: (c) => syncCustomer(c, object) };
    }
    case 'invoice': {
      const object = await fetchInvoice(ctx.stripe, id);
      return { object, process: (c) => postInvoice(c, object) };
    }
    case 'subscription': {
      const object = await fetchSubscription(ctx.stripe, id);
      return { object, process: (c) => recordSubscription(c, object) };
    }
  }
}

/** Stripe's `updated` where the object has one, else the event's creation time; null for a resync without an event. */
function versionOf(object: unknown, event: ReceivedEvent | null): Date | null {
  const updated = (object as { updated?: unknown }).updated;
  if (typeof updated === 'number' && Number.isSafeInteger(updated)) return new Date(updated * 1000);
  return event?.sourceCreatedAt ?? null;
}

/** Every typed error of the product carries a code and whether a retry can help; anything else is a bug, retried. */
export function toStoredError(error: unknown): StoredError {
  const typed = error as { code?: unknown; retryable?: unknown; message?: unknown; detail?: unknown; missingRoles?: unknown } | null;
  if (typed && typeof typed.code === 'string' && typeof typed.retryable === 'boolean' && typeof typed.message === 'string') {
    const detail = typed.detail ?? (typed.missingRoles ? { missingRoles: typed.missingRoles } : undefined);
    return { code: typed.code, retryable: typed.retryable, message: typed.message, ...(detail !== undefined ? { detail: JSON.parse(JSON.stringify(detail, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v))) as unknown } : {}) };
  }
  return {
    code: 'SYNC_INTERNAL',
    retryable: true,
    message: 'An unexpected error stopped this sync. It is retried automatically; contact support if it persists.',
    detail: { error: error instanceof Error ? error.message : String(error) },
  };
}

function retryAfterOf(error: unknown): number | undefined {
  const typed = error as { retryable?: unknown; retryAfterMs?: unknown } | null;
  return typed?.retryable === true && typeof typed.retryAfterMs === 'number' ? typed.retryAfterMs : undefined;
}

/** When pg-boss will try again: its exponential backoff before jitter, for the record's display. */
function nextAttemptAt(job: JobWithMetadata<unknown>): Date {
  const base = job.retryDelay || SYNC_OBJECT_QUEUE_OPTIONS.retryDelay;
  const max = job.retryDelayMax ?? SYNC_OBJECT_QUEUE_OPTIONS.retryDelayMax;
  const seconds = job.retryBackoff ? Math.min(max, base * 2 ** job.retryCount) : base;
  return new Date(Date.now() + seconds * 1000);
}

export async function handleSyncObject(payload: SyncObjectJobPayload, context: JobContext, options: SyncObjectJobOptions = {}): Promise<void> {
  const { db, log, job } = context;
  const services = context.services;
  if (!services) throw new Error('the sync-object job needs the sync services; startWorker refuses to run it without them');
  const attempt: AttemptInfo = { jobId: job.id, eventId: payload.eventId, startedAt: new Date() };
  const jobLog = log.child({ integrationId: payload.integrationId, objectType: payload.objectType, objectId: payload.objectId, eventId: payload.eventId });

  // Scoped by the org too: a job names its tenant, and the two must agree.
  const integration = await db.integration.findFirst({ where: { id: payload.integrationId, orgId: payload.orgId } });
  if (!integration) {
    jobLog.warn('integration not found (deleted?): nothing to sync');
    return;
  }
  const record = await ensureSyncRecord(db, objectKey(integration, payload.objectType, payload.objectId));
  if (integration.status !== 'active') {
    if (record.status !== 'synced') {
      await recordSkipped(db, record, { code: 'INTEGRATION_NOT_ACTIVE', retryable: false, message: `The integration is ${integration.status}; resync this item after it is active again.` }, attempt);
    }
    return;
  }
  const event = await db.receivedEvent.findFirst({ where: { source: 'stripe', eventId: payload.eventId, integrationId: integration.id } });
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  try {
    for (let waits = 0; ; waits += 1) {
      try {
        await syncOnce(payload.objectType, payload.objectId, { services, boss: context.boss, integration, record, event, attempt, log: jobLog, assess: options.assessAnomaly ?? defaultAssessAnomaly });
        return;
      } catch (error) {
        const waitMs = retryAfterOf(error);
        if (waitMs === undefined || waitMs > MAX_IN_JOB_WAIT_MS || waits >= MAX_IN_JOB_WAITS) throw error;
        jobLog.info({ waitMs }, 'asked to come back shortly: waiting inside the job');
        await sleep(waitMs);
      }
    }
  } catch (error) {
    const stored = toStoredError(error);
    if (!stored.retryable) {
      await recordFailed(db, record, stored, { ...attempt, final: false, nextAttemptAt: null });
      jobLog.warn({ code: stored.code, message: stored.message }, 'sync needs a person: recorded, not retried');
      return;
    }
    const final = job.retryCount >= job.retryLimit;
    if (error instanceof ChargeRefundsNotQueuedError && !final) {
      // The charge itself is in Sage and its record says so; only its refunds wait for the retry.
      jobLog.warn({ err: error, retryCount: job.retryCount }, 'charge synced, its refunds not queued yet: pg-boss retries with backoff');
      throw error;
    }
    await recordFailed(db, record, stored, { ...attempt, final, nextAttemptAt: final ? null : nextAttemptAt(job) });
    if (final) {
      jobLog.error({ code: stored.code, attempts: job.retryCount + 1 }, 'sync gave up after its last attempt: dead, waiting for an admin');
      // Thrown, not returned: pg-boss dead-letters only a job that fails, with this as its error.
      throw new SyncObjectDeadError(stored, job.retryCount + 1);
    }
    jobLog.warn({ err: error, code: stored.code, retryCount: job.retryCount }, 'sync failed: pg-boss retries with backoff');
    throw error;
  }
}

/** A payout is reconciled as a whole (its journal proves itself against its transactions, and holds itself). */
function payoutOutcome(payoutId: string, result: ReconcilePayoutResult): ProcessOutcome {
  const amount = { amountMinor: result.amountMinor, currency: result.currency };
  switch (result.status) {
    case 'posted':
      return { kind: 'synced', documentType: 'journal_entry', document: { type: 'journal_entry', id: result.documentId ?? payoutId, number: result.documentNumber ?? payoutId, reference: payoutId }, ...amount };
    case 'held':
      return { kind: 'held', code: 'PAYOUT_HELD', message: result.reason ?? 'The payout journal is held for review.', ...amount };
    case 'pending':
      return { kind: 'skipped', code: 'PAYOUT_PENDING', message: result.reason ?? 'The payout is not ready to reconcile yet; it is reconciled on its next event.' };
  }
}

/**
 * What a held object is worth, for its reviewer: the settled amount when Stripe's answer carries its
 * balance transaction, else the amount the object names (a charge's presentment amount, an
 * invoice's amount paid). Nothing when it names none (a customer).
 */
export function heldAmountOf(object: unknown): { amountMinor: bigint; currency: string } | Record<string, never> {
  const named = object as { balance_transaction?: unknown; amount?: unknown; amount_paid?: unknown; currency?: unknown } | null;
  const settled = named?.balance_transaction as { amount?: unknown; currency?: unknown } | string | null | undefined;
  if (settled && typeof settled === 'object' && Number.isSafeInteger(settled.amount) && typeof settled.currency === 'string') {
    return { amountMinor: BigInt(settled.amount as number), currency: settled.currency.toUpperCase() };
  }
  const amount = named?.amount ?? named?.amount_paid;
  if (Number.isSafeInteger(amount) && typeof named?.currency === 'string') return { amountMinor: BigInt(amount as number), currency: named.currency.toUpperCase() };
  return {};
}

async function syncOnce(
  kind: SyncedObjectType,
  objectId: string,
  input: { services: SyncServices; boss: Queue; integration: Integration; record: SyncRecord; event: ReceivedEvent | null; attempt: AttemptInfo; log: Logger; assess: AssessAnomaly },
): Promise<void> {
  const { services, integration, record, event, attempt, log } = input;
  const ctx: ProcessorContext = {
    db: services.prisma,
    log,
    integration,
    stripe: await services.stripeFor(integration),
    sage: await services.sageFor(integration),
    attempt,
    assessAnomaly: input.assess,
  };
  if (kind === 'payout') {
    const result = await reconcilePayout({ services, integration, payoutId: objectId, eventId: event?.eventId ?? attempt.eventId, log });
    await recordOutcome(services.prisma, record, payoutOutcome(objectId, result), attempt, { eventId: event?.eventId ?? null });
    log.info({ outcome: result.status }, 'payout reconciled');
    return;
  }
  const fetched = await fetchForProcessing(kind, ctx, objectId);
  await applyFetched(fetched, { ...input, kind, ctx });
  if (kind === 'charge') {
    // After the charge (its refunds' jobs find it done), and also when this event was stale or the
    // charge held: the refunds are the refund path's business, and a retry after a crash between
    // the charge's record and this point must still queue them.
    const charge = fetched.object as Stripe.Charge;
    await queueChargeRefunds({
      db: services.prisma,
      boss: input.boss,
      stripe: ctx.stripe,
      integration,
      log,
      charge,
      job: { id: attempt.jobId ?? `${integration.id}:${objectId}`, eventId: attempt.eventId ?? `charge:${objectId}` },
    }).catch((error: unknown) => {
      throw new ChargeRefundsNotQueuedError(charge.id, error);
    });
  }
}

/** Checks the fetched object against what was applied, offers it to the anomaly hook, and posts it. */
async function applyFetched(
  fetched: Fetched,
  input: { kind: Exclude<SyncedObjectType, 'payout'>; services: SyncServices; integration: Integration; record: SyncRecord; event: ReceivedEvent | null; attempt: AttemptInfo; log: Logger; assess: AssessAnomaly; ctx: ProcessorContext },
): Promise<void> {
  const { kind, services, integration, record, event, attempt, log, ctx } = input;
  const version = versionOf(fetched.object, event);
  if (version && isStaleVersion(record, version)) {
    // A newer state of this object was already applied; this event has nothing to add.
    log.info({ version, applied: record.objectVersionAt }, 'stale event: a newer version is already in Sage');
    return;
  }
  // Re-read: a refund or dispute of this job may have synced this very charge inline meanwhile.
  const current = (await services.prisma.syncRecord.findUnique({ where: { id: record.id } })) ?? record;
  if (current.status !== 'synced') {
    const verdict = await input.assess({ integration, object: fetched.object, kind });
    if (verdict.hold) {
      await recordOutcome(
        services.prisma,
        current,
        { kind: 'held', code: 'ANOMALY_HOLD', message: verdict.reasons.join(' ') || 'Held for review.', detail: { score: verdict.score, reasons: verdict.reasons }, ...heldAmountOf(fetched.object) },
        attempt,
      );
      log.info({ score: verdict.score }, 'held for review');
      return;
    }
  }
  const outcome = await fetched.process(ctx);
  await recordOutcome(services.prisma, current, outcome, attempt, { ...(version ? { objectVersionAt: version } : {}), eventId: event?.eventId ?? null });
  log.info({ outcome: outcome.kind, ...(outcome.kind === 'synced' ? { documentNumber: outcome.document.number } : { code: outcome.code }) }, 'object synced');
}
