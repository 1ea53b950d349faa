import { randomUUID } from 'node:crypto';
import type { AuditActorKind, PrismaClient, SyncRecord } from '@sagesync/db';
import type { Queue } from '../queue/create-queue.ts';
import { ZSyncedObjectType } from './ingest/handled-events.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, syncObjectJob } from './ingest/sync-object-job.ts';

// "Resync" from the portal or the Stripe App: fetch the object's current state again and post what
// is missing. Safe to press twice: the job is the live path's own, keyed per object and idempotent
// on the Stripe id, so a resync never posts a document that already exists.

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
  const jobId = await boss.send(SYNC_OBJECT_QUEUE, job.data, { singletonKey: job.singletonKey });
  await db.$transaction([
    db.syncRecord.update({ where: { id: record.id }, data: { status: record.status === 'synced' ? 'synced' : 'pending', nextAttemptAt: null } }),
    db.auditLogEntry.create({
      data: {
        orgId: record.orgId,
        actorKind: actor.kind,
        actorId: actor.id,
        action: 'sync.resync',
        targetType: record.sourceObjectType,
        targetId: record.sourceObjectId,
        data: { syncRecordId: record.id, previousStatus: record.status, jobId },
        requestId: actor.requestId ?? null,
      },
    }),
  ]);
  return { jobId };
}
