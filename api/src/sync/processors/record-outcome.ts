import type { PrismaClient, SyncRecord } from '@sagesync/db';
import { recordHeld, recordSkipped, recordSynced } from '../sync-records.ts';
import type { AttemptInfo, ProcessOutcome } from './processor-context.ts';

/**
 * Writes what a processor did onto the object's record, with one attempt row: one statement,
 * which also stores the parent, amount and currency the outcome names.
 */
export async function recordOutcome(
  db: PrismaClient,
  record: SyncRecord,
  outcome: ProcessOutcome,
  attempt: AttemptInfo,
  version: { objectVersionAt?: Date; eventId?: string | null } = {},
): Promise<SyncRecord> {
  const extra = {
    ...(outcome.parentId !== undefined ? { parentId: outcome.parentId } : {}),
    ...(outcome.kind !== 'skipped' && outcome.amountMinor !== undefined ? { amountMinor: outcome.amountMinor } : {}),
    ...(outcome.kind !== 'skipped' && outcome.currency !== undefined ? { currency: outcome.currency } : {}),
  };
  switch (outcome.kind) {
    case 'synced':
      return recordSynced(
        db,
        record,
        {
          documentType: outcome.documentType,
          documentId: outcome.document.id,
          documentNumber: outcome.document.number,
          ...(outcome.postedHash !== undefined ? { postedHash: outcome.postedHash } : {}),
          ...(version.objectVersionAt ? { objectVersionAt: version.objectVersionAt } : {}),
          eventId: version.eventId ?? null,
        },
        attempt,
        extra,
      );
    case 'skipped':
      return recordSkipped(db, record, { code: outcome.code, retryable: false, message: outcome.message }, attempt, extra);
    case 'held':
      return recordHeld(db, record, { code: outcome.code, retryable: false, message: outcome.message, ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}) }, attempt, extra);
  }
}
