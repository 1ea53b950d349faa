import type { Integration, PrismaClient, SyncAttempt, SyncRecord } from '@sagesync/db';
import type Stripe from 'stripe';
import { unixToLocalDate } from '../../accounting/local-date.ts';
import { anomalyReasons, explainAttempt, recordError, userError, type UserError } from '../../records/explain-sync-record.ts';

// What the Stripe App shows, read from the tenant's own rows only. Every query here is scoped by
// the integration resolved from the signed account; the shapes mirror stripe-app/src/api/contract.ts.

export type { UserError };

export type AppRecord = {
  id: string;
  status: 'synced' | 'pending' | 'failed' | 'held' | 'skipped' | 'dead' | 'not_synced';
  sageDocumentType?: string;
  sageDocumentNumber?: string;
  error?: UserError;
  /** Held records: why, in plain language, one sentence each. */
  anomalyReasons?: string[];
  amountMinor?: number;
  currency?: string;
  portalUrl: string;
};

export type AppAttempt = { number: number; outcome: 'succeeded' | 'failed' | 'held' | 'skipped' | 'dead'; at: string; error?: UserError };

export type ChargeStatus = { charge: AppRecord; refunds: AppRecord[]; dispute: AppRecord | null; attempts: AppAttempt[] };

export type AppPayout = {
  id: string;
  amountMinor: number;
  currency: string;
  arrivalDate: string;
  state: 'posted' | 'held' | 'pending' | 'failed';
  differenceMinor?: number;
  journalNumber?: string;
  error?: UserError;
};

export type AppFailure = {
  objectId: string;
  kind: 'charge' | 'refund' | 'dispute';
  chargeId: string;
  status: 'failed' | 'dead';
  amountMinor: number;
  currency: string;
  at: string;
  error: UserError;
  portalUrl: string;
};

export type AppHealth = {
  integration: { state: 'healthy' | 'degraded' | 'down'; sageEdition: Integration['sageEdition']; lastSyncAt: string | null; message?: string } | null;
  failures: AppFailure[];
  heldCount: number;
  reviewQueueUrl: string;
};

export type ViewContext = { db: PrismaClient; integration: Integration; portalOrigin: string };

export const RECENT_PAYOUTS = 20;
export const NEWEST_FAILURES = 10;
const DAY_MS = 24 * 60 * 60 * 1000;

/** Money fits a JS number far beyond any real amount; refuse rather than round if it ever does not. */
function minor(value: bigint): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`amount ${value} is outside the safe integer range`);
  return number;
}

function recordUrl(context: ViewContext, record: Pick<SyncRecord, 'id'>): string {
  return `${context.portalOrigin}/records/${encodeURIComponent(record.id)}`;
}

export function toAppRecord(context: ViewContext, record: SyncRecord, withAmount: boolean, openCases: { reasons: unknown }[] = []): AppRecord {
  const shaped: AppRecord = { id: record.sourceObjectId, status: record.status, portalUrl: recordUrl(context, record) };
  if (record.sageDocumentType) shaped.sageDocumentType = record.sageDocumentType;
  if (record.sageDocumentNumber) shaped.sageDocumentNumber = record.sageDocumentNumber;
  const error = recordError(record);
  if (error) shaped.error = error;
  if (record.status === 'held') {
    const reasons = anomalyReasons(record, openCases);
    if (reasons.length > 0) shaped.anomalyReasons = reasons;
  }
  if (withAmount && record.amountMinor !== null && record.currency) {
    shaped.amountMinor = minor(record.amountMinor);
    shaped.currency = record.currency.trim();
  }
  return shaped;
}

/** `retry_scheduled` is a failure with a retry to come; a `failed` attempt was the last one (the record went dead). */
function toAppAttempt(attempt: SyncAttempt): AppAttempt {
  const { outcome, error } = explainAttempt(attempt);
  const shaped: AppAttempt = { number: attempt.number, outcome, at: (attempt.finishedAt ?? attempt.startedAt).toISOString() };
  if (error) shaped.error = error;
  return shaped;
}

/** The tenant's record of a charge, by `ch_…`/`py_…` id. */
export function findChargeRecord(context: ViewContext, chargeId: string): Promise<SyncRecord | null> {
  return context.db.syncRecord.findUnique({
    where: { integrationId_sourceObjectType_sourceObjectId: { integrationId: context.integration.id, sourceObjectType: 'charge', sourceObjectId: chargeId } },
  });
}

/**
 * A PaymentIntent's latest charge, from the charge events this integration received (their payload
 * names the PaymentIntent), so opening a payment costs no Stripe request when its events came in.
 * A PaymentIntent whose charge never reached Sage Sync resolves to nothing here; the route then
 * asks Stripe.
 */
export async function resolvePaymentIntent(context: ViewContext, paymentIntentId: string): Promise<string | null> {
  const event = await context.db.receivedEvent.findFirst({
    where: {
      integrationId: context.integration.id,
      objectType: 'charge',
      objectId: { not: null },
      payload: { path: ['data', 'object', 'payment_intent'], equals: paymentIntentId },
    },
    orderBy: { sourceCreatedAt: 'desc' },
    select: { objectId: true },
  });
  return event?.objectId ?? null;
}

export async function chargeStatus(context: ViewContext, record: SyncRecord): Promise<ChargeStatus> {
  const [children, attempts] = await Promise.all([
    context.db.syncRecord.findMany({
      where: { integrationId: context.integration.id, parentId: record.id, sourceObjectType: { in: ['refund', 'dispute'] } },
      orderBy: { createdAt: 'asc' },
    }),
    context.db.syncAttempt.findMany({ where: { syncRecordId: record.id }, orderBy: { number: 'asc' } }),
  ]);
  const heldIds = [record, ...children].filter((each) => each.status === 'held').map((each) => each.id);
  const openCases =
    heldIds.length === 0
      ? []
      : await context.db.anomalyCase.findMany({
          where: { integrationId: context.integration.id, syncRecordId: { in: heldIds }, status: 'open' },
          orderBy: { createdAt: 'asc' },
          select: { syncRecordId: true, reasons: true },
        });
  const shape = (each: SyncRecord) => toAppRecord(context, each, true, openCases.filter((anomalyCase) => anomalyCase.syncRecordId === each.id));
  const disputes = children.filter((child) => child.sourceObjectType === 'dispute');
  return {
    charge: shape(record),
    refunds: children.filter((child) => child.sourceObjectType === 'refund').map(shape),
    dispute: disputes.length > 0 ? shape(disputes[disputes.length - 1]!) : null,
    attempts: attempts.map(toAppAttempt),
  };
}

/** What Stripe's own status of a charge means for Sage, for a charge Sage Sync has no record of. */
function notSyncedExplanation(charge: Pick<Stripe.Charge, 'status'>): UserError {
  switch (charge.status) {
    case 'succeeded':
      return { message: 'Sage Sync has not posted this payment to Sage yet: no event about it has reached Sage Sync.', action: 'Press Resync to post it to Sage now.' };
    case 'pending':
      return { message: 'Stripe has not settled this payment yet, so there is nothing to post to Sage.', action: 'It is posted once it succeeds; if it does not appear then, press Resync.' };
    default:
      return { message: 'Stripe reports this payment as failed: no money moved, so nothing is posted to Sage.', action: 'No action is needed.' };
  }
}

/**
 * A charge that exists in Stripe (it was just read with the account's own access) but that Sage
 * Sync has no record of: not synced, with what Resync would do. Nothing is stored by looking.
 */
export function notSyncedChargeStatus(context: ViewContext, charge: Pick<Stripe.Charge, 'id' | 'status' | 'amount' | 'currency'>): ChargeStatus {
  return {
    charge: {
      id: charge.id,
      status: 'not_synced',
      error: notSyncedExplanation(charge),
      ...(Number.isSafeInteger(charge.amount) && charge.currency ? { amountMinor: charge.amount, currency: charge.currency.toLowerCase() } : {}),
      portalUrl: `${context.portalOrigin}/`,
    },
    refunds: [],
    dispute: null,
    attempts: [],
  };
}

export async function recentPayouts(context: ViewContext): Promise<{ payouts: AppPayout[] }> {
  const rows = await context.db.payoutReconciliation.findMany({
    where: { integrationId: context.integration.id },
    orderBy: [{ arrivalDate: { sort: 'desc', nulls: 'last' } }, { createdAt: 'desc' }],
    take: RECENT_PAYOUTS,
  });
  return {
    payouts: rows.map((row) => {
      const payout: AppPayout = {
        id: row.payoutId,
        amountMinor: minor(row.payoutAmountMinor),
        currency: row.currency.trim(),
        arrivalDate: unixToLocalDate(Math.floor((row.arrivalDate ?? row.createdAt).getTime() / 1000), context.integration.timeZone),
        state: row.status,
      };
      if (row.status === 'held' && row.differenceMinor !== null) payout.differenceMinor = minor(row.differenceMinor);
      if (row.journalNumber) payout.journalNumber = row.journalNumber;
      if (row.status === 'held') {
        payout.error = { message: row.heldReason ?? 'The payout journal does not balance.', action: 'Review the payout in Sage Sync before it is posted.' };
      } else if (row.status === 'failed') {
        payout.error = { message: row.heldReason ?? 'The payout journal could not be posted to Sage.', action: 'Open the payout in Sage Sync to see why and retry it.' };
      }
      return payout;
    }),
  };
}

export async function integrationHealth(context: ViewContext, now = new Date()): Promise<AppHealth> {
  const integrationId = context.integration.id;
  const since = new Date(now.getTime() - DAY_MS);
  const [failedToday, deadToday, heldCount, lastSynced, newest, sageConnection] = await Promise.all([
    context.db.syncRecord.count({ where: { integrationId, status: 'failed', updatedAt: { gte: since } } }),
    context.db.syncRecord.count({ where: { integrationId, status: 'dead', updatedAt: { gte: since } } }),
    context.db.syncRecord.count({ where: { integrationId, status: 'held' } }),
    context.db.syncRecord.findFirst({ where: { integrationId, syncedAt: { not: null } }, orderBy: { syncedAt: 'desc' }, select: { syncedAt: true } }),
    context.db.syncRecord.findMany({
      where: { integrationId, status: { in: ['failed', 'dead'] }, sourceObjectType: { in: ['charge', 'refund', 'dispute'] } },
      orderBy: { updatedAt: 'desc' },
      take: NEWEST_FAILURES,
      include: { parent: { select: { sourceObjectId: true } } },
    }),
    context.db.connection.findFirst({ where: { integrationId, provider: context.integration.sageEdition }, select: { status: true } }),
  ]);

  let state: 'healthy' | 'degraded' | 'down' = 'healthy';
  let message: string | undefined;
  if (context.integration.status === 'disconnected' || (sageConnection && sageConnection.status !== 'connected')) {
    state = 'down';
    message = 'The Sage connection needs attention: reconnect it in Sage Sync.';
  } else if (context.integration.status === 'paused') {
    state = 'degraded';
    message = 'Syncing is paused in Sage Sync.';
  } else if (failedToday + deadToday > 0) {
    state = 'degraded';
    message = `In the last 24 hours ${failedToday} item${failedToday === 1 ? '' : 's'} failed and will be retried, and ${deadToday} need${deadToday === 1 ? 's' : ''} a Resync.`;
  }

  const failures: AppFailure[] = newest.map((record) => ({
    objectId: record.sourceObjectId,
    kind: record.sourceObjectType as AppFailure['kind'],
    chargeId: record.sourceObjectType === 'charge' ? record.sourceObjectId : (record.parent?.sourceObjectId ?? record.sourceObjectId),
    status: record.status as AppFailure['status'],
    amountMinor: record.amountMinor === null ? 0 : minor(record.amountMinor),
    currency: (record.currency ?? context.integration.homeCurrency).trim().toLowerCase(),
    at: record.updatedAt.toISOString(),
    error: userError(record.lastError, record.status),
    portalUrl: recordUrl(context, record),
  }));

  return {
    integration: {
      state,
      sageEdition: context.integration.sageEdition,
      lastSyncAt: lastSynced?.syncedAt?.toISOString() ?? null,
      ...(message ? { message } : {}),
    },
    failures,
    heldCount,
    reviewQueueUrl: `${context.portalOrigin}/review`,
  };
}
