import { Prisma, type AttemptOutcome, type PrismaClient, type SageDocumentType, type SourceObjectType, type SyncRecord } from '@sagesync/db';

// Where each source object stands in Sage, and the history of attempts that got it there. Every
// write here is what the Stripe App and the portal show a finance user, so errors are stored with
// the code, whether a retry can help, and a message they can act on.

export type ObjectKey = { orgId: string; integrationId: string; objectType: SourceObjectType; objectId: string };

export type StoredError = { code: string; retryable: boolean; message: string; detail?: unknown };

/** The record for a source object, created pending on first sight. */
export async function ensureSyncRecord(db: PrismaClient, key: ObjectKey, extra: { parentId?: string | null; amountMinor?: bigint | null; currency?: string | null } = {}): Promise<SyncRecord> {
  return db.syncRecord.upsert({
    where: { integrationId_sourceObjectType_sourceObjectId: { integrationId: key.integrationId, sourceObjectType: key.objectType, sourceObjectId: key.objectId } },
    create: {
      orgId: key.orgId,
      integrationId: key.integrationId,
      sourceObjectType: key.objectType,
      sourceObjectId: key.objectId,
      parentId: extra.parentId ?? null,
      amountMinor: extra.amountMinor ?? null,
      currency: extra.currency ?? null,
    },
    update: {
      ...(extra.parentId !== undefined ? { parentId: extra.parentId } : {}),
      ...(extra.amountMinor !== undefined ? { amountMinor: extra.amountMinor } : {}),
      ...(extra.currency !== undefined ? { currency: extra.currency } : {}),
    },
  });
}

/**
 * Is this version of the object older than what was already applied? Stripe's `created`/`updated`
 * have one-second resolution: two events in the same second are a tie, not "older", and a tie is
 * applied (after re-fetching the current object). A strict `<` here is what keeps the newer state.
 */
export function isStaleVersion(record: Pick<SyncRecord, 'objectVersionAt'>, incoming: Date): boolean {
  return record.objectVersionAt !== null && incoming.getTime() < record.objectVersionAt.getTime();
}

type AttemptInput = { jobId?: string | null; eventId?: string | null; startedAt: Date };

async function addAttempt(tx: Prisma.TransactionClient, record: SyncRecord, outcome: AttemptOutcome, attempt: AttemptInput, error?: StoredError) {
  const last = await tx.syncAttempt.findFirst({ where: { syncRecordId: record.id }, orderBy: { number: 'desc' }, select: { number: true } });
  const finishedAt = new Date();
  await tx.syncAttempt.create({
    data: {
      orgId: record.orgId,
      syncRecordId: record.id,
      number: (last?.number ?? 0) + 1,
      jobId: attempt.jobId ?? null,
      eventId: attempt.eventId ?? null,
      outcome,
      error: error ? (error as unknown as Prisma.InputJsonValue) : undefined,
      startedAt: attempt.startedAt,
      finishedAt,
      durationMs: Math.max(0, finishedAt.getTime() - attempt.startedAt.getTime()),
    },
  });
}

export async function recordSynced(
  db: PrismaClient,
  record: SyncRecord,
  result: { documentType: SageDocumentType; documentId: string; documentNumber: string; postedHash?: string; objectVersionAt?: Date; eventId?: string | null },
  attempt: AttemptInput,
): Promise<SyncRecord> {
  return db.$transaction(async (tx) => {
    await addAttempt(tx, record, 'succeeded', attempt);
    return tx.syncRecord.update({
      where: { id: record.id },
      data: {
        status: 'synced',
        sageDocumentType: result.documentType,
        sageDocumentId: result.documentId,
        sageDocumentNumber: result.documentNumber,
        postedHash: result.postedHash ?? null,
        objectVersionAt: result.objectVersionAt ?? record.objectVersionAt,
        lastEventId: result.eventId ?? record.lastEventId,
        attempts: { increment: 1 },
        lastError: Prisma.DbNull,
        nextAttemptAt: null,
        syncedAt: new Date(),
      },
    });
  });
}

/** A failure: `dead` when no retry is left (visible and retryable by an admin), else `failed`. */
export async function recordFailed(
  db: PrismaClient,
  record: SyncRecord,
  error: StoredError,
  attempt: AttemptInput & { final: boolean; nextAttemptAt?: Date | null },
): Promise<SyncRecord> {
  return db.$transaction(async (tx) => {
    await addAttempt(tx, record, attempt.final ? 'failed' : 'retry_scheduled', attempt, error);
    return tx.syncRecord.update({
      where: { id: record.id },
      data: {
        status: attempt.final ? 'dead' : 'failed',
        attempts: { increment: 1 },
        lastError: error as unknown as Prisma.InputJsonValue,
        nextAttemptAt: attempt.final ? null : (attempt.nextAttemptAt ?? null),
      },
    });
  });
}

export async function recordHeld(db: PrismaClient, record: SyncRecord, reason: StoredError, attempt: AttemptInput): Promise<SyncRecord> {
  return db.$transaction(async (tx) => {
    await addAttempt(tx, record, 'held', attempt, reason);
    return tx.syncRecord.update({ where: { id: record.id }, data: { status: 'held', attempts: { increment: 1 }, lastError: reason as unknown as Prisma.InputJsonValue } });
  });
}

export async function recordSkipped(db: PrismaClient, record: SyncRecord, reason: StoredError, attempt: AttemptInput): Promise<SyncRecord> {
  return db.$transaction(async (tx) => {
    await addAttempt(tx, record, 'skipped', attempt, reason);
    return tx.syncRecord.update({ where: { id: record.id }, data: { status: 'skipped', lastError: reason as unknown as Prisma.InputJsonValue } });
  });
}
