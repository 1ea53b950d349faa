import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunBackfillJob, enqueueQueuedBackfills, RUN_BACKFILL_QUEUE, type RunBackfillJobPayload } from '../../../src/sync/backfill/backfill-jobs.ts';
import type { AppRouter } from '../../../src/trpc/root-router.ts';
import type { JobContext } from '../../../src/sync/job-registry.ts';
import { startReaderHarness } from '../../connectors/stripe/support/stripe-reader-harness.ts';
import { createIntegration, createMember, createOrganization, sessionCookieFor } from '../../support/builders.ts';
import { startTestApi, TEST_PORTAL_URL, trpcClient, type TestApi } from '../../support/test-api.ts';
import { silentLog, stripeHistory } from './support/backfill-harness.ts';

async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCClientError)) throw error;
  return { code: (error as TRPCClientError<AppRouter>).data?.code, message: error.message };
}

describe('backfill procedures', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const asPortalBrowser = async (user: Parameters<typeof sessionCookieFor>[0]) =>
    trpcClient(api, { cookie: await sessionCookieFor(user), headers: { origin: TEST_PORTAL_URL, 'sec-fetch-site': 'same-origin' } });

  it('an admin starts a backfill: the run is queued, and its status lists every segment', async () => {
    const { org, user } = await createMember(api.database.prisma, 'admin');
    const integration = await createIntegration(api.database.prisma, org);
    const client = await asPortalBrowser(user);

    const started = await client.backfill.start.mutate({ orgId: org.id, integrationId: integration.id, from: '2025-01-06', to: '2025-01-08' });
    expect(started).toMatchObject({ status: 'queued', resumed: false, segments: 12 });
    const again = await client.backfill.start.mutate({ orgId: org.id, integrationId: integration.id, from: '2025-01-06', to: '2025-01-08' });
    expect(again).toMatchObject({ runId: started.runId, resumed: true });

    const status = await client.backfill.status.query({ orgId: org.id, runId: started.runId });
    expect(status).toMatchObject({
      runId: started.runId,
      integrationId: integration.id,
      status: 'queued',
      rangeStart: '2025-01-06T06:00:00.000Z',
      rangeEnd: '2025-01-08T06:00:00.000Z',
      totals: { segments: 12, completeSegments: 0, failedSegments: 0, listed: 0, enqueued: 0 },
      stoppedBy: null,
    });
    expect(status.segments.map((segment) => segment.objectType).slice(0, 6)).toEqual(['customer', 'charge', 'refund', 'dispute', 'invoice', 'payout']);
    expect(status.missing).toHaveLength(12);
    expect(await api.database.prisma.auditLogEntry.count({ where: { orgId: org.id, action: 'backfill.started', targetId: started.runId } })).toBe(1);
  });

  it('a viewer may watch a backfill but not start one', async () => {
    const { org, user } = await createMember(api.database.prisma, 'viewer');
    const integration = await createIntegration(api.database.prisma, org);
    const client = await asPortalBrowser(user);

    expect(await refusal(client.backfill.start.mutate({ orgId: org.id, integrationId: integration.id, from: '2025-01-06', to: '2025-01-08' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await api.database.prisma.backfillRun.count({ where: { orgId: org.id } })).toBe(0);
  });

  it('an admin cannot backfill, or look at a backfill of, another organization\'s integration', async () => {
    const { org, user } = await createMember(api.database.prisma, 'admin');
    const otherOrg = await createOrganization(api.database.prisma);
    const theirs = await createIntegration(api.database.prisma, otherOrg);
    const client = await asPortalBrowser(user);

    expect(await refusal(client.backfill.start.mutate({ orgId: org.id, integrationId: theirs.id, from: '2025-01-06', to: '2025-01-08' }))).toMatchObject({
      code: 'NOT_FOUND',
    });
    expect(await refusal(client.backfill.start.mutate({ orgId: otherOrg.id, integrationId: theirs.id, from: '2025-01-06', to: '2025-01-08' }))).toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(await api.database.prisma.backfillRun.count({ where: { integrationId: theirs.id } })).toBe(0);

    const { org: ownerOrg, user: owner } = await createMember(api.database.prisma, 'owner', otherOrg);
    const theirRun = await (await asPortalBrowser(owner)).backfill.start.mutate({ orgId: ownerOrg.id, integrationId: theirs.id, from: '2025-01-06', to: '2025-01-07' });
    expect(await refusal(client.backfill.status.query({ orgId: org.id, runId: theirRun.runId }))).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses a range that is reversed or not made of dates, with the field named', async () => {
    const { org, user } = await createMember(api.database.prisma, 'admin');
    const integration = await createIntegration(api.database.prisma, org);
    const client = await asPortalBrowser(user);

    const reversed = await client.backfill.start.mutate({ orgId: org.id, integrationId: integration.id, from: '2025-01-08', to: '2025-01-06' }).catch((error: unknown) => error);
    expect(reversed).toBeInstanceOf(TRPCClientError);
    expect((reversed as TRPCClientError<AppRouter>).data).toMatchObject({ code: 'BAD_REQUEST', zodError: { fieldErrors: { to: [expect.stringMatching(/after the start date/)] } } });
    expect(await refusal(client.backfill.start.mutate({ orgId: org.id, integrationId: integration.id, from: 'last week', to: '2025-01-06' }))).toMatchObject({
      code: 'BAD_REQUEST',
    });
  });

  it('the worker picks a queued run up once and its job brings the history in', async () => {
    const harness = await startReaderHarness();
    const history = stripeHistory({ charges: 30, days: 2, prefix: 'picked' });
    await harness.load(history.objects);
    const { org, user } = await createMember(api.database.prisma, 'admin');
    const integration = await createIntegration(api.database.prisma, org);
    const { runId } = await (await asPortalBrowser(user)).backfill.start.mutate({ orgId: org.id, integrationId: integration.id, from: '2025-01-06', to: '2025-01-08' });

    expect(await enqueueQueuedBackfills(api.database.prisma, api.boss)).toBeGreaterThanOrEqual(1);
    // Its job is still queued: picking up again sends nothing more for this run.
    await enqueueQueuedBackfills(api.database.prisma, api.boss);
    const jobs = await api.boss.findJobs<RunBackfillJobPayload>(RUN_BACKFILL_QUEUE, { key: runId });
    expect(jobs).toHaveLength(1);

    // Earlier tests queued runs too; each has its own job.
    const fetched = await api.boss.fetch<RunBackfillJobPayload>(RUN_BACKFILL_QUEUE, { batchSize: 20, includeMetadata: true });
    expect(new Set(fetched.map((each) => each.data.runId)).size).toBe(fetched.length);
    const job = fetched.find((each) => each.data.runId === runId);
    expect(job?.data).toEqual({ runId, orgId: org.id });
    const definition = createRunBackfillJob({ boss: api.boss, stripeFor: async () => harness.reader() });
    await definition.handle(definition.payload.parse(job?.data), { db: api.database.prisma, log: silentLog, job } as unknown as JobContext);

    const status = await (await asPortalBrowser(user)).backfill.status.query({ orgId: org.id, runId });
    const expected = history.chargeIds.length + history.refundIds.length + history.customerIds.length;
    expect(status).toMatchObject({ status: 'complete', totals: { completeSegments: 12, listed: expected, enqueued: expected }, missing: [] });
  });
});
