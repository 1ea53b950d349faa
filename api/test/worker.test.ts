import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { createQueue, type Queue } from '../src/queue/create-queue.ts';
import { SYNC_OBJECT_QUEUE, SYNC_OBJECT_QUEUE_OPTIONS } from '../src/sync/ingest/sync-object-job.ts';
import { defineJob, jobRegistry } from '../src/sync/job-registry.ts';
import { startWorker, type Worker } from '../src/worker/start-worker.ts';
import { captureLogs } from './support/log-capture.ts';

describe('worker', () => {
  const logs = captureLogs();
  let db: TestDatabase;
  let boss: Queue;
  let worker: Worker;
  const received: { greeting: string; orgId: string }[] = [];
  let firstJobHandled: () => void;
  const handled = new Promise<void>((resolve) => (firstJobHandled = resolve));

  // A job defined by this test only, to exercise the worker's plumbing; the product's registry
  // holds only real jobs.
  const greet = defineJob({
    name: 'test-greet',
    payload: z.object({ greeting: z.string(), orgId: z.string() }),
    queue: { retryLimit: 0 },
    work: { pollingIntervalSeconds: 0.5 },
    async handle(payload) {
      received.push(payload);
      firstJobHandled();
    },
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    boss = await createQueue(db, { log: logs.log, supervise: false, schedule: false });
    worker = await startWorker({ boss, prisma: db.prisma, log: logs.log, registry: [greet] });
  });
  afterAll(async () => {
    await worker.stop();
    await boss.stop({ graceful: false, close: true });
    await db.dispose();
  });

  it('registers the sync-object job, on the queue options ingest fixed', () => {
    expect(jobRegistry.map((definition) => definition.name)).toEqual([SYNC_OBJECT_QUEUE]);
    expect(jobRegistry[0]?.queue).toEqual(SYNC_OBJECT_QUEUE_OPTIONS);
  });

  it('creates each registered queue and hands its handler the validated payload, logging with job and org ids', async () => {
    expect(worker.queues).toEqual(['test-greet']);
    const jobId = await boss.send('test-greet', { greeting: 'hello', orgId: 'org_1' });
    await handled;
    expect(received).toEqual([{ greeting: 'hello', orgId: 'org_1' }]);
    await vi.waitFor(() => expect(logs.lines).toContainEqual(expect.objectContaining({ msg: 'job done', jobId, orgId: 'org_1' })));
  });

  it('fails a job whose payload does not pass the schema, without calling the handler', async () => {
    const jobId = await boss.send('test-greet', { greeting: 42 });
    await vi.waitFor(
      async () => {
        const [job] = await boss.findJobs('test-greet', { id: jobId ?? '' });
        expect(job?.state).toBe('failed');
      },
      { timeout: 15_000, interval: 100 },
    );
    expect(received).toHaveLength(1);
  });

  it('overlaps the jobs of one batch up to jobsAtOnce', async () => {
    const AT_ONCE = 4;
    let inFlight = 0;
    let mostAtOnce = 0;
    let allIn!: () => void;
    const together = new Promise<void>((resolve) => (allIn = resolve));
    const wait = defineJob({
      name: 'test-overlap',
      payload: z.object({ n: z.number() }),
      queue: { retryLimit: 0 },
      work: { batchSize: AT_ONCE, pollingIntervalSeconds: 0.5 },
      async handle() {
        inFlight += 1;
        mostAtOnce = Math.max(mostAtOnce, inFlight);
        if (inFlight === AT_ONCE) allIn();
        // Each job waits for the others to start (or gives up): one at a time, only one would be in.
        await Promise.race([together, new Promise((resolve) => setTimeout(resolve, 5_000))]);
        inFlight -= 1;
      },
    });
    await boss.createQueue('test-overlap', { retryLimit: 0 });
    const ids = await Promise.all(Array.from({ length: AT_ONCE }, (_, n) => boss.send('test-overlap', { n })));
    const overlapping = await startWorker({ boss, prisma: db.prisma, log: logs.log, registry: [wait], jobsAtOnce: { 'test-overlap': AT_ONCE } });
    try {
      await vi.waitFor(
        async () => {
          const jobs = await boss.findJobs('test-overlap', {});
          expect(jobs.filter((job) => ids.includes(job.id) && job.state === 'completed')).toHaveLength(AT_ONCE);
        },
        { timeout: 20_000, interval: 100 },
      );
    } finally {
      await overlapping.stop();
    }
    expect(mostAtOnce).toBe(AT_ONCE);
  });
});
