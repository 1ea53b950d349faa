import { randomUUID } from 'node:crypto';
import type { AuditActorKind, PrismaClient, SyncRecord } from '@sagesync/db';
import { fromPrisma } from 'pg-boss';
import type { Queue } from '../queue/create-queue.ts';
import { ZSyncedObjectType } from './ingest/handled-events.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, syncObjectJob } from './ingest/sync-object-job.ts';
import { consumeDeadLetters, findDeadLetterIds } from './redrive-dead-letters.ts';

// "Resync" from the portal or the Stripe App: fetch the object's current state again and post what
// is missing. Safe to press twice: the job is the live path's own, keyed per object and idempotent
// on the Stripe id, so a resync never posts a document that already exists. The fresh job replaces
// the object's copies in the dead-letter queue (consumed with it), so a later redrive skips them.

export class ResyncRefusedError extends Error {
  readonly code = 'RESYNC_REFUSED';
  readonly retryable = false;
}

export async function requestResync(
  db: PrismaClient,
  boss: Queue,
  record: Pick<SyncRecord, 'id' | 'orgId' | 'integrationId' | 'sourceObjectType' | 'sourceObjectId' | 'status'>,
  actor: { kind: AuditActorKind; id: string | null; requestId?: string | null },
): Promise<{ jobId: string | null }> {
  const objectType = ZSyncedObjectType.safeParse(record.sourceObjectType);
  if (!objectType.success) throw new ResyncRefusedError(`${record.sourceObjectType} objects are not synced from Stripe, so they cannot be resynced here.`);
  if (record.status === 'held') throw new ResyncRefusedError('This item is held for review: approve or reject it in the review queue instead.');

  await ensureSyncObjectQueue(boss);
  const job = syncObjectJob({
    integrationId: record.integrationId,
    orgId: record.orgId,
    objectType: objectType.data,
    objectId: record.sourceObjectId,
    eventId: `resync:${randomUUID()}`,
  });
  const deadLetterIds = await findDeadLetterIds(boss, { orgId: record.orgId, integrationId: record.integrationId, objectType: objectType.data, objectId: record.sourceObjectId });
  // One transaction: the job, the consumed dead letters, the status and the audit entry commit together.
  const jobId = await db.$transaction(async (tx) => {
    // `db` on every pg-boss call here (PGlite would otherwise wait on this very transaction).
    const txDb = fromPrisma(tx);
    const sent = await boss.send(SYNC_OBJECT_QUEUE, job.data ?? null, { singletonKey: job.singletonKey, group: job.group, db: txDb });
    await consumeDeadLetters(boss, deadLetterIds, { resyncedAs: sent, syncRecordId: record.id }, { db: txDb });
    await tx.syncRecord.update({ where: { id: record.id }, data: { status: record.status === 'synced' ? 'synced' : 'pending', nextAttemptAt: null } });
    await tx.auditLogEntry.create({
      data: {
        orgId: record.orgId,
        actorKind: actor.kind,
        actorId: actor.id,
        action: 'sync.resync',
        targetType: record.sourceObjectType,
        targetId: record.sourceObjectId,
        data: { syncRecordId: record.id, previousStatus: record.status, jobId: sent, ...(deadLetterIds.length > 0 ? { deadLetterJobIds: deadLetterIds } : {}) },
        requestId: actor.requestId ?? null,
      },
    });
    return sent;
  });
  return { jobId };
}
