import type { SyncAttempt, SyncRecord } from '@sagesync/db';
import { z } from 'zod';

// How a stored sync record and its attempts read to a finance user. The Stripe App (http/stripe-app)
// and the portal (trpc/records-router) both show them, so the words live here, once.

export const ZUserErrorSchema = z.object({ message: z.string(), action: z.string() });
export type UserError = z.infer<typeof ZUserErrorSchema>;

/** What an attempt means to a reader: a `failed` attempt was the last one (the record went dead). */
export const ZExplainedAttemptOutcomeSchema = z.enum(['succeeded', 'failed', 'held', 'skipped', 'dead']);
export type ExplainedAttemptOutcome = z.infer<typeof ZExplainedAttemptOutcomeSchema>;

function storedMessage(stored: unknown): { message: string | null; retryable: boolean } {
  if (typeof stored !== 'object' || stored === null) return { message: null, retryable: false };
  const { message, retryable } = stored as { message?: unknown; retryable?: unknown };
  return { message: typeof message === 'string' && message.trim() !== '' ? message : null, retryable: retryable === true };
}

/** The stored `{ code, retryable, message }` of a failure, in a finance admin's words. */
export function userError(stored: unknown, status: SyncRecord['status']): UserError {
  const { message, retryable } = storedMessage(stored);
  if (status === 'held') {
    return { message: message ?? 'This item is held for review before it is posted to Sage.', action: 'Approve or reject it in the review queue.' };
  }
  if (status === 'skipped') {
    return { message: message ?? 'Sage Sync does not post this item.', action: 'No action is needed.' };
  }
  return {
    message: message ?? 'This item could not be posted to Sage.',
    action: retryable ? 'Press Resync to try again; if it fails again, open the record in Sage Sync.' : 'Open the record in Sage Sync to fix the cause, then press Resync.',
  };
}

/** The statuses whose record carries an error worth showing (a reason it is not, or not yet, in Sage). */
export function recordError(record: Pick<SyncRecord, 'status' | 'lastError'>): UserError | null {
  if (record.status === 'failed' || record.status === 'dead' || record.status === 'held' || record.status === 'skipped') {
    return userError(record.lastError, record.status);
  }
  return null;
}

// An anomaly case's reasons are `[{ signal, weight, explanation }]`; a hold recorded by the sync
// engine keeps its reasons as plain strings in the error's `detail.reasons`. Either may be
// missing or malformed in an older row, so each is read leniently and anything else is ignored.
const ZCaseReasons = z.array(z.unknown()).catch([]);
const ZCaseReason = z.union([z.string(), z.object({ explanation: z.string() }).transform((reason) => reason.explanation)]);
const ZHoldDetailReasons = z.object({ detail: z.object({ reasons: z.array(z.unknown()) }) }).transform((error) => error.detail.reasons);

function readableReasons(values: unknown[]): string[] {
  return values.flatMap((value) => {
    const parsed = ZCaseReason.safeParse(value);
    return parsed.success && parsed.data.trim() !== '' ? [parsed.data.trim()] : [];
  });
}

/**
 * Why a held record is held: the explanations of its open review cases first, then the reasons the
 * hold itself recorded, each once. With neither, the hold's message is the one reason there is.
 */
export function anomalyReasons(record: Pick<SyncRecord, 'lastError'>, openCases: { reasons: unknown }[]): string[] {
  const fromCases = openCases.flatMap((anomalyCase) => readableReasons(ZCaseReasons.parse(anomalyCase.reasons)));
  const detail = ZHoldDetailReasons.safeParse(record.lastError);
  const fromHold = detail.success ? readableReasons(detail.data) : [];
  const reasons = [...new Set([...fromCases, ...fromHold])];
  if (reasons.length > 0) return reasons;
  const { message } = storedMessage(record.lastError);
  return message ? [message] : [];
}

/** `retry_scheduled` is a failure with a retry to come; a `failed` attempt was the last one (the record went dead). */
export function explainAttempt(attempt: Pick<SyncAttempt, 'outcome' | 'error'>): { outcome: ExplainedAttemptOutcome; error: UserError | null } {
  const outcome: ExplainedAttemptOutcome = attempt.outcome === 'retry_scheduled' ? 'failed' : attempt.outcome === 'failed' ? 'dead' : attempt.outcome;
  const error =
    outcome !== 'succeeded' && attempt.error ? userError(attempt.error, outcome === 'held' ? 'held' : outcome === 'skipped' ? 'skipped' : 'failed') : null;
  return { outcome, error };
}
