import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackfillRunBusyError } from '../../../src/sync/backfill/backfill-errors.ts';
import { startBackfill } from '../../../src/sync/backfill/plan-backfill.ts';
import { BACKFILL_JOB_PRIORITY, backfillEventId, runBackfill, type BackfillProgress } from '../../../src/sync/backfill/run-backfill.ts';
import { startReaderHarness } from '../../connectors/stripe/support/stripe-reader-harness.ts';
import { countById, createTenant, openBackfillDatabase, runDeps, stripeHistory, syncJobs, type BackfillDatabase } from './support/backfill-harness.ts';

// Four Chicago days from 2025-01-06, `to` not included.
const RANGE = { from: '2025-01-06', to: '2025-01-10' };

describe('running a backfill', () => {
  let database: BackfillDatabase;
  beforeAll(async () => {
    database = await openBackfillDatabase();
  });
  afterAll(() => database.close());

  const jobsOf = async (integrationId: string) => (await syncJobs(database)).filter((job) => job.data.integrationId === integrationId);

  it('enqueues every charge, refund and customer of the range once, at backfill priority, and ends complete', async () => {
    const harness = await startReaderHarness();
    const history = stripeHistory({ charges: 500, days: 4, prefix: 'all' });
    await harness.load(history.objects);
    const { org, integration } = await createTenant(database);
    const { run } = await startBackfill(database.db.prisma, { orgId: org.id, integrationId: integration.id, ...RANGE });
    const progress: BackfillProgress[] = [];

    const result = await runBackfill(runDeps(database, harness.reader()), run.id, { onProgress: (event) => void progress.push(event) });

    const expected = [...history.chargeIds, ...history.refundIds, ...history.customerIds];
    const jobs = await jobsOf(integration.id);
    const counts = countById(jobs);
    expect(jobs).toHaveLength(expected.length);
    expect([...counts.keys()].sort()).toEqual([...expected].sort());
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    for (const outside of history.outsideIds) expect(counts.has(outside)).toBe(false);
    expect(jobs.every((job) => job.priority === BACKFILL_JOB_PRIORITY && job.data.eventId === backfillEventId(run.id) && job.data.orgId === org.id)).toBe(true);
    expect(jobs.find((job) => job.data.objectId === history.refundIds[0])).toMatchObject({
      data: { objectType: 'refund' },
      singletonKey: `${integration.id}:refund:${history.refundIds[0]}`,
    });

    expect(result).toMatchObject({ status: 'complete', outcome: { listed: expected.length, enqueued: expected.length, missing: [], stoppedBy: null } });
    const stored = await database.db.prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored.status).toBe('complete');
    expect(stored.finishedAt).not.toBeNull();
    expect(progress.at(-1)?.totals).toEqual({ segments: 24, finishedSegments: 24, failedSegments: 0, listed: expected.length, enqueued: expected.length });
  });

  it('after a crash mid-run, resuming enqueues the rest and every object exactly once overall', async () => {
    const harness = await startReaderHarness();
    const history = stripeHistory({ charges: 500, days: 4, prefix: 'crash' });
    await harness.load(history.objects);
    const { org, integration } = await createTenant(database);
    const request = { orgId: org.id, integrationId: integration.id, ...RANGE };
    const { run } = await startBackfill(database.db.prisma, request);

    // Pages of 20: the process dies right after its fifth page is saved.
    let pagesSaved = 0;
    const crash = (event: BackfillProgress) => {
      if (event.segment.listedCount > 0) pagesSaved += 1;
      if (pagesSaved === 5) throw new Error('process killed');
    };
    await expect(runBackfill(runDeps(database, harness.reader()), run.id, { pageSize: 20, onProgress: crash })).rejects.toThrow('process killed');
    const afterCrash = await jobsOf(integration.id);
    expect(afterCrash.length).toBeGreaterThan(0);
    expect(afterCrash.length).toBeLessThan(history.chargeIds.length);
    expect((await database.db.prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } })).status).toBe('running');

    // A new process: the same request finds the run, and a fresh reader resumes from the saved cursors.
    const resumed = await startBackfill(database.db.prisma, request);
    expect(resumed).toMatchObject({ resumed: true, run: { id: run.id } });
    const result = await runBackfill(runDeps(database, harness.reader()), run.id, { pageSize: 20 });

    const expected = [...history.chargeIds, ...history.refundIds, ...history.customerIds];
    const counts = countById(await jobsOf(integration.id));
    expect([...counts.keys()].sort()).toEqual([...expected].sort());
    expect([...counts.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    expect(result).toMatchObject({ status: 'complete', outcome: { listed: expected.length, enqueued: expected.length } });
  });

  it('a 429 storm that outlasts the retries marks that segment failed, the run partial with the missing range, and a rerun fills it in', async () => {
    const harness = await startReaderHarness();
    const history = stripeHistory({ charges: 60, days: 4, prefix: 'storm' });
    await harness.load(history.objects);
    const { org, integration } = await createTenant(database);
    const request = { orgId: org.id, integrationId: integration.id, ...RANGE };
    const { run } = await startBackfill(database.db.prisma, request);
    const reader = harness.reader({ maxAttempts: 3 });

    // Every try of the second segment (first day's charges) is answered 429.
    let stormed = false;
    const stormOnCharges = async (event: BackfillProgress) => {
      if (!stormed && event.segment.objectType === 'charge' && event.segment.status === 'running') {
        stormed = true;
        await harness.injectRateLimits(3);
      }
    };
    const result = await runBackfill(runDeps(database, reader), run.id, { onProgress: stormOnCharges });

    expect(result.status).toBe('partial');
    expect(result.outcome.missing).toEqual([
      {
        segmentId: expect.any(String),
        objectType: 'charge',
        rangeStart: '2025-01-06T06:00:00.000Z',
        rangeEnd: '2025-01-07T06:00:00.000Z',
        status: 'failed',
        listedCount: 0,
        error: expect.objectContaining({ code: 'STRIPE_RATE_LIMITED', retryable: true }),
      },
    ]);
    expect(result.outcome.completeSegments).toBe(23);
    const stored = await database.db.prisma.backfillRun.findUniqueOrThrow({ where: { id: run.id } });
    expect(stored).toMatchObject({ status: 'partial', outcome: { missing: [expect.objectContaining({ objectType: 'charge' })] } });
    const firstDayCharges = history.chargeIds.filter((_, index) => index < 15);
    const enqueuedFirst = countById(await jobsOf(integration.id));
    expect(firstDayCharges.some((id) => enqueuedFirst.has(id))).toBe(false);

    // Asking again retries only what is missing.
    await startBackfill(database.db.prisma, request);
    const rerun = await runBackfill(runDeps(database, harness.reader()), run.id);

    expect(rerun.status).toBe('complete');
    const counts = countById(await jobsOf(integration.id));
    expect(counts.size).toBe(history.chargeIds.length + history.refundIds.length + history.customerIds.length);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
  });

  it('a second runner of the same run stops before enqueueing a page the first one already saved', async () => {
    const harness = await startReaderHarness();
    const history = stripeHistory({ charges: 40, days: 1, prefix: 'busy' });
    await harness.load(history.objects);
    const { org, integration } = await createTenant(database);
    const { run } = await startBackfill(database.db.prisma, { orgId: org.id, integrationId: integration.id, from: '2025-01-06', to: '2025-01-07' });

    // While this runner lists the charges' second page, another process saves that page first.
    let interfered = false;
    const otherRunnerSaves = async (event: BackfillProgress) => {
      if (!interfered && event.segment.objectType === 'charge' && event.segment.listedCount === 10) {
        interfered = true;
        await database.db.prisma.backfillSegment.update({ where: { id: event.segment.id }, data: { listedCount: { increment: 10 }, cursor: 'ch_saved_by_other' } });
      }
    };
    await expect(runBackfill(runDeps(database, harness.reader()), run.id, { pageSize: 10, onProgress: otherRunnerSaves })).rejects.toBeInstanceOf(BackfillRunBusyError);

    const charges = (await jobsOf(integration.id)).filter((job) => job.data.objectType === 'charge');
    expect(charges).toHaveLength(10);
  });
});
