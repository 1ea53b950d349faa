import { randomUUID } from 'node:crypto';
import { Prisma, type AuditActorKind, type PrismaClient, type SyncRecord } from '@sagesync/db';
import { fromPrisma } from 'pg-boss';
import { z } from 'zod';
import type { Queue } from '../queue/create-queue.ts';
import { ZSyncedObjectType } from './ingest/handled-events.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, syncObjectJob } from './ingest/sync-object-job.ts';
import { consumeDeadLetters, findDeadLetterIds } from './redrive-dead-letters.ts';

// "Redrive": an admin sends an organization's dead items (the ones whose last attempt failed) back
// through the sync, many at once, after fixing what killed them (Sage back up, credentials
// renewed). Each item gets a fresh job on its own object key, exactly like a resync, so a redrive
// never posts a document Sage already has; its copies in the dead-letter queue are consumed in the
// same transaction, so a second redrive does not send them again. Only the given organization's
// items are ever read or touched.

/** Most items one redrive call handles; call again for the rest (`remaining`). */
export const REDRIVE_MAX_ITEMS = 1000;

export const ZRedriveFilter = z.object({
  integrationId: z.string().trim().min(1, 'Choose an integration.').optional(),
  objectType: ZSyncedObjectType.optional(),
  syncRecordIds: z.array(z.string().min(1)).min(1, 'Choose at least one item.').max(REDRIVE_MAX_ITEMS, `At most ${REDRIVE_MAX_ITEMS} items at once.`).optional(),
  max: z.number().int().min(1, 'Redrive at least one item.').max(REDRIVE_MAX_ITEMS, `At most ${REDRIVE_MAX_ITEMS} items at once.`).default(100),
});
export type RedriveFilter = z.infer<typeof ZRedriveFilter>;

export const ZRedriveResult = z.object({
  dryRun: z.boolean(),
  /** Dead items matching the filter, up to `max` (the ones this call looked at). */
  matched: z.number().int(),
  /** Items sent back through the sync (dry run: that would be). */
  redriven: z.number().int(),
  /** Copies in the dead-letter queue consumed with them (dry run: that would be). */
  deadLettersConsumed: z.number().int(),
  /** Items another redrive or resync took first: no longer dead when this call got to them. */
  skipped: z.number().int(),
  /** Dead items matching the filter beyond `max`, left for the next call. */
  remaining: z.number().int(),
});
export type RedriveResult = z.infer<typeof ZRedriveResult>;

export type RedriveActor = { kind: AuditActorKind; id: string | null; requestId?: string | null; via?: 'portal' | 'cli' };

function deadRecordsWhere(orgId: string, filter: RedriveFilter): Prisma.SyncRecordWhereInput {
  return {
    orgId,
    status: 'dead',
    ...(filter.integrationId ? { integrationId: filter.integrationId } : {}),
    // Only Stripe objects: the sync-object job is the Stripe sync.
    sourceObjectType: filter.objectType ?? { in: [...ZSyncedObjectType.options] },
    ...(filter.syncRecordIds ? { id: { in: filter.syncRecordIds } } : {}),
  };
}

export async function redriveDeadRecords(
  db: PrismaClient,
  boss: Queue,
  request: { orgId: string; filter: RedriveFilter; dryRun?: boolean },
  actor: RedriveActor,
): Promise<RedriveResult> {
  const filter = ZRedriveFilter.parse(request.filter);
  const where = deadRecordsWhere(request.orgId, filter);
  const [records, total] = await Promise.all([
    db.syncRecord.findMany({ where, orderBy: [{ updatedAt: 'asc' }, { id: 'asc' }], take: filter.max }),
    db.syncRecord.count({ where }),
  ]);
  await ensureSyncObjectQueue(boss);
  const result: RedriveResult = { dryRun: request.dryRun ?? false, matched: records.length, redriven: 0, deadLettersConsumed: 0, skipped: 0, remaining: total - records.length };
  for (const record of records) {
    const objectType = ZSyncedObjectType.parse(record.sourceObjectType);
    const object = { orgId: record.orgId, integrationId: record.integrationId, objectType, objectId: record.sourceObjectId };
    const deadLetterIds = await findDeadLetterIds(boss, object);
    if (result.dryRun) {
      result.redriven += 1;
      result.deadLettersConsumed += deadLetterIds.length;
      continue;
    }
    const sent = await redriveOne(db, boss, record, { ...object, deadLetterIds }, actor);
    if (!sent) {
      result.skipped += 1;
      continue;
    }
    result.redriven += 1;
    result.deadLettersConsumed += sent.consumed;
  }
  return result;
}

/** One item, in one transaction: claim it (still dead?), send its fresh job, consume its dead letters, audit. */
async function redriveOne(
  db: PrismaClient,
  boss: Queue,
  record: SyncRecord,
  object: { orgId: string; integrationId: string; objectType: z.infer<typeof ZSyncedObjectType>; objectId: string; deadLetterIds: string[] },
  actor: RedriveActor,
): Promise<{ jobId: string | null; consumed: number } | null> {
  return db.$transaction(async (tx) => {
    // The claim is the status change itself: of two redrives racing for one item, one wins.
    const claimed = await tx.syncRecord.updateMany({ where: { id: record.id, orgId: record.orgId, status: 'dead' }, data: { status: 'pending', nextAttemptAt: null } });
    if (claimed.count !== 1) return null;
    // `db` on every pg-boss call here (PGlite would otherwise wait on this very transaction).
    const txDb = fromPrisma(tx);
    const job = syncObjectJob({ orgId: object.orgId, integrationId: object.integrationId, objectType: object.objectType, objectId: object.objectId, eventId: `redrive:${randomUUID()}` });
    const jobId = await boss.send(SYNC_OBJECT_QUEUE, job.data ?? null, { singletonKey: job.singletonKey, group: job.group, db: txDb });
    const consumed = await consumeDeadLetters(boss, object.deadLetterIds, { redrivenAs: jobId, syncRecordId: record.id }, { db: txDb });
    await tx.auditLogEntry.create({
      data: {
        orgId: record.orgId,
        actorKind: actor.kind,
        actorId: actor.id,
        action: 'sync.redrive',
        targetType: record.sourceObjectType,
        targetId: record.sourceObjectId,
        data: {
          syncRecordId: record.id,
          previousStatus: 'dead',
          lastError: (record.lastError ?? null) as Prisma.InputJsonValue,
          jobId,
          deadLetterJobIds: object.deadLetterIds,
          ...(actor.via ? { via: actor.via } : {}),
        },
        requestId: actor.requestId ?? null,
      },
    });
    return { jobId, consumed };
  });
}
