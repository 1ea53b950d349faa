import type { PrismaClient } from '@sagesync/db';
import type { JobWithMetadata } from 'pg-boss';
import { z } from 'zod';
import type { Logger } from '../observability/logger.ts';
import type { Queue } from '../queue/create-queue.ts';
import { deleteFailedJobs, findFailedJobs } from '../queue/dead-letter.ts';
import { SYNC_OBJECT_QUEUE, ZSyncObjectJobPayload, type SyncObjectJobPayload } from '../sync/ingest/sync-object-job.ts';
import { defineJob, type JobDefinition } from '../sync/job-registry.ts';
import { recordFailed, type StoredError } from '../sync/sync-records.ts';

// The worker frees a dead sync job's key the moment it dead-letters it. Three ways leave a failed
// job behind in the sync queue all the same, holding back its object's later events: the last
// attempt ran out of time (the worker was killed, or the job expired, and pg-boss's supervisor
// failed it), the worker stopped between dead-lettering and freeing, or the worker refused the
// job's payload (dead-lettered by pg-boss at once). This sweep, at worker start and every minute,
// finds those jobs (their copies are already in the dead-letter queue), says `dead` on the record
// where no handler got to, and deletes them.

export const RELEASE_DEAD_SYNC_KEYS_QUEUE = 'release-dead-sync-keys';
export const RELEASE_DEAD_SYNC_KEYS_CRON = '* * * * *';

const ZStoredOutput = z.object({ code: z.string().min(1), message: z.string().min(1), retryable: z.boolean().optional(), detail: z.unknown().optional() });

/** The job's own error when the handler wrote one; otherwise the attempt never finished. */
function errorOf(job: JobWithMetadata<unknown>): StoredError {
  const output = ZStoredOutput.safeParse(job.output);
  if (output.success) return { retryable: true, ...output.data };
  return {
    code: 'SYNC_ATTEMPT_LOST',
    retryable: true,
    message: 'The last attempt did not finish (the worker stopped or the attempt timed out). Redrive or resync this item.',
    detail: { output: job.output ?? null },
  };
}

async function markDead(prisma: PrismaClient, payload: SyncObjectJobPayload, job: JobWithMetadata<unknown>): Promise<boolean> {
  const record = await prisma.syncRecord.findFirst({
    where: { orgId: payload.orgId, integrationId: payload.integrationId, sourceObjectType: payload.objectType, sourceObjectId: payload.objectId },
  });
  // Only an item still in flight: `dead` is already said, and a synced/held/skipped item was settled by a later run.
  if (!record || (record.status !== 'pending' && record.status !== 'failed')) return false;
  await recordFailed(prisma, record, errorOf(job), { jobId: job.id, eventId: payload.eventId, startedAt: job.startedOn ?? new Date(), final: true });
  return true;
}

export async function releaseDeadSyncKeys({ boss, prisma, log }: { boss: Queue; prisma: PrismaClient; log: Logger }): Promise<{ released: number; markedDead: number }> {
  const failed = await findFailedJobs(boss, SYNC_OBJECT_QUEUE);
  let markedDead = 0;
  for (const job of failed) {
    const payload = ZSyncObjectJobPayload.safeParse(job.data);
    if (payload.success && (await markDead(prisma, payload.data, job))) markedDead += 1;
  }
  const released = await deleteFailedJobs(boss, SYNC_OBJECT_QUEUE, failed);
  if (released > 0) log.warn({ released, markedDead }, 'freed the keys of sync jobs that failed for good (their copies are in the dead-letter queue)');
  return { released, markedDead };
}

export function createReleaseDeadSyncKeysJob({ boss }: { boss: Queue }): JobDefinition<unknown> {
  return defineJob({
    name: RELEASE_DEAD_SYNC_KEYS_QUEUE,
    payload: z.unknown(),
    async handle(_payload, { db, log }) {
      await releaseDeadSyncKeys({ boss, prisma: db, log });
    },
  });
}
