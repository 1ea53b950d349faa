import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../../src/queue/create-queue.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, SYNC_OBJECT_QUEUE_OPTIONS, syncObjectJob } from '../../../src/sync/ingest/sync-object-job.ts';

// Objects that fail together (a Sage outage hits a whole batch) must not all come back at the same
// moment: the sync queue's backoff is exponential with jitter.

describe('the sync queue\'s retry backoff', () => {
  let db: TestDatabase;
  let boss: Queue;
  beforeAll(async () => {
    db = await createTestDatabase();
    boss = await createQueue(db, { log: createLogger({ level: 'silent' }), supervise: false, schedule: false });
    await ensureSyncObjectQueue(boss);
  }, 120_000);
  afterAll(async () => {
    await boss.stop({ graceful: false, close: true });
    await db.dispose();
  }, 120_000);

  it('spreads the first retries of twenty jobs that failed at once over retryDelay to twice retryDelay', async () => {
    const jobs = Array.from({ length: 20 }, (_, n) => syncObjectJob({ integrationId: 'int_jitter', orgId: 'org_jitter', objectType: 'charge', objectId: `ch_${n}`, eventId: `evt_${n}` }));
    await boss.insert(SYNC_OBJECT_QUEUE, jobs);
    const taken = await boss.fetch(SYNC_OBJECT_QUEUE, { batchSize: 20 });
    expect(taken).toHaveLength(20);

    const before = Date.now();
    await boss.fail(SYNC_OBJECT_QUEUE, taken, { message: 'Sage answered 500' });
    const after = Date.now();

    const retries = await boss.findJobs(SYNC_OBJECT_QUEUE, { data: { integrationId: 'int_jitter' } });
    expect(retries.map((job) => job.state)).toEqual(Array.from({ length: 20 }, () => 'retry'));
    const delay = SYNC_OBJECT_QUEUE_OPTIONS.retryDelay * 1000;
    for (const job of retries) {
      // A second of slack each way: the database's clock against this process's.
      expect(job.startAfter.getTime()).toBeGreaterThanOrEqual(before + delay - 1_000);
      expect(job.startAfter.getTime()).toBeLessThanOrEqual(after + 2 * delay + 1_000);
    }
    expect(new Set(retries.map((job) => job.startAfter.getTime())).size).toBeGreaterThan(10);
  });
});
