import type { AttemptOutcome, PrismaClient, SageDocumentType, SourceObjectType, SyncRecord, SyncStatus } from '@sagesync/db';

// Where each source object stands in Sage, and the history of attempts that got it there. Every
// write here is what the Stripe App and the portal show a finance user, so errors are stored with
// the code, whether a retry can help, and a message they can act on.

export type ObjectKey = { orgId: string; integrationId: string; objectType: SourceObjectType; objectId: string };

export type StoredError = { code: string; retryable: boolean; message: string; detail?: unknown };

type RecordExtras = { parentId?: string | null; amountMinor?: bigint | null; currency?: string | null };

// First sight inserts the record; every later sight reads it. One statement for both: the insert
// skips an existing record and the second half of the union answers it instead. Prisma's upsert
// with nothing to update runs a transaction of four statements instead, on every job. New rows get
// a random UUID for an id (as received_events do): ids are opaque everywhere.
const ENSURE_RECORD_SQL = `
WITH inserted AS (
  INSERT INTO "sync_records" ("id", "orgId", "integrationId", "sourceObjectType", "sourceObjectId", "status", "attempts", "createdAt", "updatedAt")
  VALUES (gen_random_uuid()::text, $1, $2, $3::"SourceObjectType", $4, 'pending', 0, $5::timestamptz, $5::timestamptz)
  ON CONFLICT ("integrationId", "sourceObjectType", "sourceObjectId") DO NOTHING
  RETURNING *
)
SELECT * FROM inserted
UNION ALL
SELECT * FROM "sync_records"
WHERE "integrationId" = $2 AND "sourceObjectType" = $3::"SourceObjectType" AND "sourceObjectId" = $4 AND NOT EXISTS (SELECT 1 FROM inserted)`;

/** The record for a source object, created pending on first sight; `extra` fields are written either way. */
export async function ensureSyncRecord(db: PrismaClient, key: ObjectKey, extra: RecordExtras = {}): Promise<SyncRecord> {
  const where = { integrationId_sourceObjectType_sourceObjectId: { integrationId: key.integrationId, sourceObjectType: key.objectType, sourceObjectId: key.objectId } };
  const update = {
    ...(extra.parentId !== undefined ? { parentId: extra.parentId } : {}),
    ...(extra.amountMinor !== undefined ? { amountMinor: extra.amountMinor } : {}),
    ...(extra.currency !== undefined ? { currency: extra.currency } : {}),
  };
  if (Object.keys(update).length > 0) {
    // With fields to write, Prisma's upsert is one INSERT ... ON CONFLICT DO UPDATE statement.
    return db.syncRecord.upsert({
      where,
      create: { orgId: key.orgId, integrationId: key.integrationId, sourceObjectType: key.objectType, sourceObjectId: key.objectId, ...update },
      update,
    });
  }
  const [record] = await db.$queryRawUnsafe<SyncRecord[]>(ENSURE_RECORD_SQL, key.orgId, key.integrationId, key.objectType, key.objectId, new Date().toISOString());
  if (record) return record;
  // Another job inserted it at the same moment: the insert waited for that commit, which this
  // statement's snapshot predates. The next statement sees it.
  return db.syncRecord.findUniqueOrThrow({ where });
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

/** A column of sync_records and the value an outcome gives it ("attempts + 1" is written as `increment`). */
type RecordAssignments = {
  status: SyncStatus;
  attempts?: 'increment';
  sageDocumentType?: SageDocumentType;
  sageDocumentId?: string;
  sageDocumentNumber?: string;
  postedHash?: string | null;
  objectVersionAt?: Date | null;
  lastEventId?: string | null;
  lastError?: StoredError | null;
  nextAttemptAt?: Date | null;
  syncedAt?: Date;
} & RecordExtras;

const COLUMN_CASTS: Record<Exclude<keyof RecordAssignments, 'attempts'>, string> = {
  status: '"SyncStatus"',
  sageDocumentType: '"SageDocumentType"',
  sageDocumentId: 'text',
  sageDocumentNumber: 'text',
  postedHash: 'text',
  objectVersionAt: 'timestamptz',
  lastEventId: 'text',
  lastError: 'jsonb',
  nextAttemptAt: 'timestamptz',
  syncedAt: 'timestamptz',
  parentId: 'text',
  amountMinor: 'bigint',
  currency: 'text',
};

function sqlValue(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  return value;
}

/**
 * Writes an outcome onto the record and appends its numbered attempt row, in one statement (so
 * one round trip, and atomic as the transaction it replaces was): the record's update and the
 * attempt's insert are CTEs of the same statement, and the attempt is numbered after the last one.
 */
async function writeOutcome(
  db: PrismaClient,
  record: SyncRecord,
  set: RecordAssignments,
  outcome: AttemptOutcome,
  attempt: AttemptInput,
  error?: StoredError,
): Promise<SyncRecord> {
  const finishedAt = new Date();
  const values: unknown[] = [record.id];
  const param = (value: unknown, cast: string) => {
    values.push(sqlValue(value));
    return `$${values.length}::${cast}`;
  };
  const assignments = [`"updatedAt" = ${param(finishedAt, 'timestamptz')}`];
  for (const [column, value] of Object.entries(set) as [keyof RecordAssignments, unknown][]) {
    if (value === undefined) continue;
    if (column === 'attempts') assignments.push('"attempts" = "attempts" + 1');
    else assignments.push(`"${column}" = ${param(value, COLUMN_CASTS[column])}`);
  }
  const attemptValues = [
    param(attempt.jobId ?? null, 'text'),
    param(attempt.eventId ?? null, 'text'),
    param(outcome, '"AttemptOutcome"'),
    param(error ?? null, 'jsonb'),
    param(attempt.startedAt, 'timestamptz'),
    param(finishedAt, 'timestamptz'),
    param(Math.max(0, finishedAt.getTime() - attempt.startedAt.getTime()), 'int'),
  ].join(', ');
  const sql = `
WITH updated AS (
  UPDATE "sync_records" SET ${assignments.join(', ')} WHERE "id" = $1 RETURNING *
), attempt AS (
  INSERT INTO "sync_attempts" ("id", "orgId", "syncRecordId", "number", "jobId", "eventId", "outcome", "error", "startedAt", "finishedAt", "durationMs")
  SELECT gen_random_uuid()::text, u."orgId", u."id",
         COALESCE((SELECT max(a."number") FROM "sync_attempts" a WHERE a."syncRecordId" = u."id"), 0) + 1,
         ${attemptValues}
  FROM updated u
)
SELECT * FROM updated`;
  const [written] = await runNumbering(() => db.$queryRawUnsafe<SyncRecord[]>(sql, ...values));
  if (!written) throw new Error(`The sync record ${record.id} (${record.sourceObjectType} ${record.sourceObjectId}) no longer exists.`);
  return written;
}

/**
 * Two jobs can write one record at once (a refund's job syncs its charge while the charge's own
 * job, or another refund's, does the same). The second statement's UPDATE waits for the first to
 * commit, but its attempt number was counted on the snapshot taken before that commit, so it
 * collides with the first's. The whole statement then changed nothing; run again, it counts anew.
 */
async function runNumbering<T>(write: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries += 1) {
    try {
      return await write();
    } catch (error) {
      if (tries >= 5 || !isAttemptNumberTaken(error)) throw error;
    }
  }
}

function isAttemptNumberTaken(error: unknown): boolean {
  const { meta, message } = (error ?? {}) as { meta?: { code?: unknown; message?: unknown }; message?: unknown };
  const text = [meta?.code, meta?.message, message].map(String).join(' ');
  return text.includes('23505') && text.includes('sync_attempts_syncRecordId_number_key');
}

export async function recordSynced(
  db: PrismaClient,
  record: SyncRecord,
  result: { documentType: SageDocumentType; documentId: string; documentNumber: string; postedHash?: string; objectVersionAt?: Date; eventId?: string | null },
  attempt: AttemptInput,
  extra: RecordExtras = {},
): Promise<SyncRecord> {
  return writeOutcome(
    db,
    record,
    {
      ...extra,
      status: 'synced',
      sageDocumentType: result.documentType,
      sageDocumentId: result.documentId,
      sageDocumentNumber: result.documentNumber,
      postedHash: result.postedHash ?? null,
      objectVersionAt: result.objectVersionAt ?? record.objectVersionAt,
      lastEventId: result.eventId ?? record.lastEventId,
      attempts: 'increment',
      lastError: null,
      nextAttemptAt: null,
      syncedAt: new Date(),
    },
    'succeeded',
    attempt,
  );
}

/** A failure: `dead` when no retry is left (visible and retryable by an admin), else `failed`. */
export async function recordFailed(
  db: PrismaClient,
  record: SyncRecord,
  error: StoredError,
  attempt: AttemptInput & { final: boolean; nextAttemptAt?: Date | null },
): Promise<SyncRecord> {
  return writeOutcome(
    db,
    record,
    { status: attempt.final ? 'dead' : 'failed', attempts: 'increment', lastError: error, nextAttemptAt: attempt.final ? null : (attempt.nextAttemptAt ?? null) },
    attempt.final ? 'failed' : 'retry_scheduled',
    attempt,
    error,
  );
}

export async function recordHeld(db: PrismaClient, record: SyncRecord, reason: StoredError, attempt: AttemptInput, extra: RecordExtras = {}): Promise<SyncRecord> {
  return writeOutcome(db, record, { ...extra, status: 'held', attempts: 'increment', lastError: reason }, 'held', attempt, reason);
}

export async function recordSkipped(db: PrismaClient, record: SyncRecord, reason: StoredError, attempt: AttemptInput, extra: RecordExtras = {}): Promise<SyncRecord> {
  return writeOutcome(db, record, { ...extra, status: 'skipped', lastError: reason }, 'skipped', attempt, reason);
}
