import type { PrismaClient, SyncRecord } from '@sagesync/db';
import { ensureSyncRecord, recordHeld, recordSkipped, recordSynced } from '../sync-records.ts';
import type { AttemptInfo, ProcessOutcome } from './processor-context.ts';

/** Writes what a processor did onto the object's record, with one attempt row. */
export async function recordOutcome(
  db: PrismaClient,
  record: SyncRecord,
  outcome: ProcessOutcome,
  attempt: AttemptInfo,
  version: { objectVersionAt?: Date; eventId?: string | null } = {},
): Promise<SyncRecord> {
  let current = record;
  const extra = {
    ...(outcome.parentId !== undefined ? { parentId: outcome.parentId } : {}),
    ...(outcome.kind === 'synced' && outcome.amountMinor !== undefined ? { amountMinor: outcome.amountMinor } : {}),
    ...(outcome.kind === 'synced' && outcome.currency !== undefined ? { currency: outcome.currency } : {}),
  };
  if (Object.keys(extra).length > 0) {
    current = await ensureSyncRecord(db, { orgId: record.orgId, integrationId: record.integrationId, objectType: record.sourceObjectType, objectId: record.sourceObjectId }, extra);
  }
  switch (outcome.kind) {
    case 'synced':
      return recordSynced(
        db,
        current,
        {
          documentType: outcome.documentType,
          documentId: outcome.document.id,
          documentNumber: outcome.document.number,
          ...(version.objectVersionAt ? { objectVersionAt: version.objectVersionAt } : {}),
          eventId: version.eventId ?? null,
        },
        attempt,
      );
    case 'skipped':
      return recordSkipped(db, current, { code: outcome.code, retryable: false, message: outcome.message }, attempt);
    case 'held':
      return recordHeld(db, current, { code: outcome.code, retryable: false, message: outcome.message, ...(outcome.detail !== undefined ? { detail: outcome.detail } : {}) }, attempt);
  }
}
