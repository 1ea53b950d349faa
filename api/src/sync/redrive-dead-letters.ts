import type { Db } from 'pg-boss';
import type { Queue } from '../queue/create-queue.ts';
import { SYNC_OBJECT_DEAD_QUEUE, syncObjectKey, type SyncObjectJobPayload } from './ingest/sync-object-job.ts';

// The dead-letter queue's side of a redrive or resync: the copies of an object's dead jobs, and
// consuming them once a fresh job has been sent for the object, so no later redrive sends another.

type DeadObject = Pick<SyncObjectJobPayload, 'orgId' | 'integrationId' | 'objectType' | 'objectId'>;

/** Ids of the object's dead jobs still waiting in the dead-letter queue (its key, and its org as a second check). */
export async function findDeadLetterIds(boss: Queue, object: DeadObject, options: { db?: Db } = {}): Promise<string[]> {
  const jobs = await boss.findJobs(SYNC_OBJECT_DEAD_QUEUE, {
    key: syncObjectKey(object),
    data: { orgId: object.orgId, integrationId: object.integrationId },
    queued: true,
    ...(options.db ? { db: options.db } : {}),
  });
  return jobs.map((job) => job.id);
}

/**
 * Marks the dead jobs consumed: completed, with what replaced them as their output (kept for the
 * dead-letter queue's deleteAfterSeconds, as the trace of the redrive). Pass the transaction's `db`
 * so they are consumed only if the fresh job commits. Resolves to how many were consumed.
 */
export async function consumeDeadLetters(boss: Queue, ids: readonly string[], replacedBy: Record<string, unknown>, options: { db?: Db } = {}): Promise<number> {
  if (ids.length === 0) return 0;
  const response = await boss.complete(SYNC_OBJECT_DEAD_QUEUE, [...ids], replacedBy, { includeQueued: true, ...(options.db ? { db: options.db } : {}) });
  // pg-boss 12.38 returns `{ affected }` though its typings declare an empty CommandResponse.
  const affected = (response as { affected?: unknown }).affected;
  return typeof affected === 'number' ? affected : 0;
}
