import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYNC_OBJECT_DEAD_QUEUE, SYNC_OBJECT_QUEUE, syncObjectKey, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { ensureSyncRecord } from '../../../src/sync/sync-records.ts';
import { charge, customer } from '../processors/support/stripe-objects.ts';
import { COMPANY, enqueue, runRetryNow, startQueueHarness, waitForSyncJob, type QueueHarness, type Tenant } from './support/queue-harness.ts';

// What happens to a sync job whose last attempt fails: it lands in the dead-letter queue with its
// payload and error, its record says `dead` with the same error, and the object's later events
// still run (pg-boss's key_strict_fifo would otherwise hold them back behind the failed job).

describe('a sync job that fails its last attempt', () => {
  let harness: QueueHarness;
  let tenant: Tenant;
  beforeAll(async () => {
    harness = await startQueueHarness();
    tenant = await harness.createTenant();
  }, 120_000);
  afterEach(async () => {
    await harness.sandbox.clearFaults(COMPANY);
  });
  afterAll(() => harness.close(), 120_000);

  it('relies on pg-boss holding back a key behind a job that failed for good, until that job is deleted', async () => {
    const { boss } = harness;
    const queue = 'fifo-probe';
    await boss.createQueue(queue, { policy: 'key_strict_fifo', retryLimit: 0 });
    const first = await boss.send(queue, { n: 1 }, { singletonKey: 'object-1' });
    const second = await boss.send(queue, { n: 2 }, { singletonKey: 'object-1' });

    const [taken] = await boss.fetch(queue);
    expect(taken?.id).toBe(first);
    await boss.fail(queue, taken!.id, { message: 'gave up' });
    expect(await boss.fetch(queue)).toEqual([]);
    expect(await boss.getBlockedKeys(queue)).toEqual(['object-1']);

    await boss.deleteJob(queue, first!);
    const [next] = await boss.fetch(queue);
    expect(next?.id).toBe(second);
  });

  const deadLetters = (payload: SyncObjectJobPayload) => harness.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_DEAD_QUEUE, { key: syncObjectKey(payload) });
  const recordOf = (objectId: string) => harness.prisma.syncRecord.findFirstOrThrow({ where: { integrationId: tenant.integration.id, sourceObjectId: objectId } });

  it('goes to the dead-letter queue with its payload and error, and its record says dead with that error', async () => {
    const paid = charge({ amount: 4_200, currency: 'usd', customer: customer() });
    await tenant.load(paid.objects);
    await harness.sandbox.setFaults(COMPANY, { errorShare: 1 });
    const payload = tenant.payload('charge', paid.charge.id as string);
    const [jobId] = await enqueue(harness.boss, [{ data: payload, retryLimit: 1 }]);
    const worker = await harness.startWorker();

    await waitForSyncJob(harness.boss, jobId!, ['retry']);
    expect(await recordOf(payload.objectId)).toMatchObject({ status: 'failed' });
    await runRetryNow(harness.boss, jobId!);
    await vi.waitFor(async () => expect(await deadLetters(payload)).toHaveLength(1), { timeout: 60_000, interval: 100 });
    await worker.stop();

    const record = await recordOf(payload.objectId);
    expect(record).toMatchObject({ status: 'dead', attempts: 2, nextAttemptAt: null, lastError: expect.objectContaining({ code: 'SAGE_UNAVAILABLE', retryable: true }) });
    const lastError = record.lastError as { code: string; message: string };
    const [dead] = await deadLetters(payload);
    expect(dead).toMatchObject({ state: 'created', data: payload, sourceName: SYNC_OBJECT_QUEUE, sourceId: jobId, sourceRetryCount: 1 });
    expect(dead?.sourceOutput).toMatchObject({ code: lastError.code, message: lastError.message, retryable: true });

    // The failed original is gone, so nothing holds the object's key.
    expect(await harness.boss.getJobById(SYNC_OBJECT_QUEUE, jobId!)).toBeNull();
    expect(await harness.boss.getBlockedKeys(SYNC_OBJECT_QUEUE)).toEqual([]);
  }, 120_000);

  it("lets the object's next event, queued behind the dying job, run after it", async () => {
    const paid = charge({ amount: 5_100, currency: 'usd', customer: customer() });
    await tenant.load(paid.objects);
    await harness.sandbox.setFaults(COMPANY, { errorShare: 1 });
    const dying = tenant.payload('charge', paid.charge.id as string);
    const later = tenant.payload('charge', paid.charge.id as string);
    // Ids in order: two inserts can share a creation time (PGlite's clock is coarse), and the key's
    // order then falls back to the id.
    const [firstId, secondId] = [randomUUID(), randomUUID()].sort();
    await enqueue(harness.boss, [{ data: dying, id: firstId!, retryLimit: 0 }]);
    await enqueue(harness.boss, [{ data: later, id: secondId! }]);
    const worker = await harness.startWorker();

    // The later event ran (and, Sage still down, failed into a retry) only because the dead job let go of the key.
    await waitForSyncJob(harness.boss, secondId!, ['retry']);
    expect(await deadLetters(dying)).toEqual([expect.objectContaining({ data: dying, sourceId: firstId })]);
    await harness.sandbox.clearFaults(COMPANY);
    await runRetryNow(harness.boss, secondId!);
    await waitForSyncJob(harness.boss, secondId!, ['completed']);
    await worker.stop();

    const record = await recordOf(dying.objectId);
    expect(record.status).toBe('synced');
    const attempts = await harness.prisma.syncAttempt.findMany({ where: { syncRecordId: record.id }, orderBy: { number: 'asc' } });
    expect(attempts.map((attempt) => [attempt.eventId, attempt.outcome])).toEqual([
      [dying.eventId, 'failed'],
      [later.eventId, 'retry_scheduled'],
      [later.eventId, 'succeeded'],
    ]);
    expect(await harness.sandbox.documents(COMPANY, { reference: dying.objectId })).toHaveLength(1);
  }, 120_000);

  it('frees the key of a job that failed for good outside the handler (its worker died), and says dead on its record', async () => {
    const paid = charge({ amount: 6_300, currency: 'usd', customer: customer() });
    await tenant.load(paid.objects);
    const lost = tenant.payload('charge', paid.charge.id as string);
    const next = tenant.payload('charge', paid.charge.id as string);
    await ensureSyncRecord(harness.prisma, { orgId: lost.orgId, integrationId: lost.integrationId, objectType: 'charge', objectId: lost.objectId });
    const [lostId] = await enqueue(harness.boss, [{ data: lost, retryLimit: 0 }]);
    // What pg-boss's supervisor does to a last attempt whose worker stopped heartbeating.
    const [taken] = await harness.boss.fetch(SYNC_OBJECT_QUEUE);
    expect(taken?.id).toBe(lostId);
    await harness.boss.fail(SYNC_OBJECT_QUEUE, lostId!, { message: 'job heartbeat expired' });
    const [nextId] = await enqueue(harness.boss, [next]);
    expect(await harness.boss.getBlockedKeys(SYNC_OBJECT_QUEUE)).toEqual([syncObjectKey(lost)]);

    // The worker frees such keys as it starts (and every minute after).
    const worker = await harness.startWorker();
    await waitForSyncJob(harness.boss, nextId!, ['completed']);
    await worker.stop();

    expect(await deadLetters(lost)).toEqual([expect.objectContaining({ data: lost, sourceOutput: { message: 'job heartbeat expired' } })]);
    const record = await recordOf(lost.objectId);
    const attempts = await harness.prisma.syncAttempt.findMany({ where: { syncRecordId: record.id }, orderBy: { number: 'asc' } });
    expect(attempts.map((attempt) => [attempt.jobId, attempt.outcome, (attempt.error as { code?: string } | null)?.code ?? null])).toEqual([
      [lostId, 'failed', 'SYNC_ATTEMPT_LOST'],
      [nextId, 'succeeded', null],
    ]);
    expect(record.status).toBe('synced');
  }, 120_000);
});
