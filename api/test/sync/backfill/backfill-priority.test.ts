import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackfill } from '../../../src/sync/backfill/plan-backfill.ts';
import { runBackfill } from '../../../src/sync/backfill/run-backfill.ts';
import { SYNC_OBJECT_QUEUE, syncObjectJob, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { startReaderHarness } from '../../connectors/stripe/support/stripe-reader-harness.ts';
import { createTenant, openBackfillDatabase, runDeps, stripeHistory, syncJobs, type BackfillDatabase } from './support/backfill-harness.ts';

describe('a backfill beside live events', () => {
  let database: BackfillDatabase;
  beforeAll(async () => {
    database = await openBackfillDatabase();
  });
  afterAll(() => database.close());

  it('another tenant\'s live event enqueued after 2,000 backfill jobs is handed out first', async () => {
    const harness = await startReaderHarness();
    await harness.load(stripeHistory({ charges: 2_000, days: 2, refundEvery: 1_000_000, prefix: 'busy' }).objects);
    const busy = await createTenant(database);
    const { run } = await startBackfill(database.db.prisma, { orgId: busy.org.id, integrationId: busy.integration.id, from: '2025-01-06', to: '2025-01-08' });
    const result = await runBackfill(runDeps(database, harness.reader()), run.id);
    expect(result.outcome.enqueued).toBeGreaterThanOrEqual(2_000);

    // The live path's job, exactly as the webhook ingest enqueues it (default priority).
    const quiet = await createTenant(database);
    await database.boss.insert(SYNC_OBJECT_QUEUE, [
      syncObjectJob({ integrationId: quiet.integration.id, orgId: quiet.org.id, objectType: 'charge', objectId: 'ch_live_1', eventId: 'evt_live_1' }),
    ]);
    expect(await syncJobs(database)).toHaveLength(result.outcome.enqueued + 1);

    const [first] = await database.boss.fetch<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { batchSize: 1 });
    expect(first?.data).toMatchObject({ orgId: quiet.org.id, objectId: 'ch_live_1', eventId: 'evt_live_1' });

    // And the backfill still flows once no live work waits.
    const [next] = await database.boss.fetch<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { batchSize: 1 });
    expect(next?.data).toMatchObject({ orgId: busy.org.id, eventId: `backfill:${run.id}` });
  });
});
