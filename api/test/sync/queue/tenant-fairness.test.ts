import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { charge, customer } from '../processors/support/stripe-objects.ts';
import { enqueue, startQueueHarness, waitForSyncJob, type QueueHarness } from './support/queue-harness.ts';

// One tenant's flood of live events (a busy sale, a replay of a day's webhooks) must not delay
// another tenant's events: the product's worker keeps a slot the flooding tenant cannot take.

const FLOOD = 300;

describe('two tenants on the product worker', () => {
  let harness: QueueHarness;
  beforeAll(async () => {
    harness = await startQueueHarness();
  }, 120_000);
  afterAll(() => harness.close(), 120_000);

  it("syncs a quiet tenant's one event while most of another tenant's flood of 300, enqueued before it, still waits", async () => {
    const flooding = await harness.createTenant();
    const quiet = await harness.createTenant();
    const buyer = customer();
    const flood = Array.from({ length: FLOOD }, (_, n) => charge({ amount: 1_000 + n, currency: 'usd', customer: buyer }));
    await flooding.load([buyer, ...flood.flatMap((set) => set.objects.filter((object) => object.id !== buyer.id))]);
    const lone = charge({ amount: 7_700, currency: 'usd', customer: customer() });
    await quiet.load(lone.objects);

    // As ingest enqueues them: the flood first, then the other tenant's event, behind all of it.
    await enqueue(
      harness.boss,
      flood.map((set) => flooding.payload('charge', set.charge.id as string)),
    );
    const [loneJob] = await enqueue(harness.boss, [quiet.payload('charge', lone.charge.id as string)]);

    const worker = await harness.startWorker();
    await waitForSyncJob(harness.boss, loneJob!, ['completed']);
    // Read at once: the flood only moves on from here, so this undercounts what still waited when
    // the quiet tenant's job completed.
    const floodJobs = await harness.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { data: { integrationId: flooding.integration.id } });
    await worker.stop();

    expect(floodJobs).toHaveLength(FLOOD);
    const waiting = floodJobs.filter((job) => job.state === 'created').length;
    expect(waiting).toBeGreaterThan(FLOOD / 2);
    expect(await harness.prisma.syncRecord.findFirst({ where: { integrationId: quiet.integration.id, sourceObjectId: lone.charge.id as string } })).toMatchObject({ status: 'synced' });
  }, 180_000);
});
