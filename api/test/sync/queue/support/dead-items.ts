import { randomBytes } from 'node:crypto';
import type { Integration, PrismaClient, SyncRecord } from '@sagesync/db';
import type { JobWithMetadata } from 'pg-boss';
import { expect } from 'vitest';
import type { Queue } from '../../../../src/queue/create-queue.ts';
import { deadLetterAndReleaseKey } from '../../../../src/queue/dead-letter.ts';
import type { SyncedObjectType } from '../../../../src/sync/ingest/handled-events.ts';
import { SYNC_OBJECT_QUEUE, syncObjectJob, type SyncObjectJobPayload } from '../../../../src/sync/ingest/sync-object-job.ts';
import { ensureSyncRecord, recordFailed } from '../../../../src/sync/sync-records.ts';

export const SAGE_DOWN = { code: 'SAGE_UNAVAILABLE', retryable: true, message: 'Sage answered with a server error (500). We will retry.' };

export type DeadItem = { record: SyncRecord; payload: SyncObjectJobPayload; jobId: string };

/**
 * An item the way the worker leaves it after its last attempt failed (the handler's record write
 * and the worker's dead-lettering, with the product's own functions): record `dead`, job copied to
 * the dead-letter queue, its key free. The sync queue must exist (ensureSyncObjectQueue).
 */
export async function killSyncObject(
  boss: Queue,
  prisma: PrismaClient,
  integration: Integration,
  objectType: SyncedObjectType,
  objectId = `${objectType.slice(0, 2)}_${randomBytes(6).toString('hex')}`,
): Promise<DeadItem> {
  const payload: SyncObjectJobPayload = { integrationId: integration.id, orgId: integration.orgId, objectType, objectId, eventId: `evt_${randomBytes(6).toString('hex')}` };
  // Ahead of any fresh job already queued, so the fetch below takes this one.
  const [jobId] = (await boss.insert(SYNC_OBJECT_QUEUE, [{ ...syncObjectJob(payload), retryLimit: 0, priority: 100 }], { returnId: true })) ?? [];
  const [job] = (await boss.fetch(SYNC_OBJECT_QUEUE, { includeMetadata: true })) as JobWithMetadata<unknown>[];
  expect(job?.id).toBe(jobId);
  let record = await ensureSyncRecord(prisma, { orgId: integration.orgId, integrationId: integration.id, objectType, objectId });
  record = await recordFailed(prisma, record, SAGE_DOWN, { jobId, startedAt: new Date(), final: true });
  expect(await deadLetterAndReleaseKey(boss, job!, SAGE_DOWN)).toBe('dead_lettered');
  return { record, payload, jobId: jobId! };
}
