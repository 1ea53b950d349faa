import type { Integration, Organization } from '@sagesync/db';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncedObjectType } from '../../../src/sync/ingest/handled-events.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_DEAD_QUEUE, SYNC_OBJECT_QUEUE, syncObjectKey, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { requestResync } from '../../../src/sync/request-resync.ts';
import { createIntegration, createMember, createOrganization, sessionCookieFor } from '../../support/builders.ts';
import { startTestApi, TEST_PORTAL_URL, trpcClient, type TestApi } from '../../support/test-api.ts';
import { killSyncObject, type DeadItem } from './support/dead-items.ts';

// sync.redrive: an admin sends the organization's dead items back through the sync in bulk. Each
// gets a fresh job on its object key, is pending again, is audited, and its copy in the dead-letter
// queue is consumed so no later redrive sends it twice. Another organization's items are never
// read or touched.

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
  await ensureSyncObjectQueue(api.boss);
}, 120_000);
afterAll(() => api.close(), 120_000);

const asPortalBrowser = async (user: Parameters<typeof sessionCookieFor>[0]) =>
  trpcClient(api, { cookie: await sessionCookieFor(user), headers: { origin: TEST_PORTAL_URL, 'sec-fetch-site': 'same-origin' } });

async function codeOf(call: Promise<unknown>) {
  const error = await call.then(() => null, (caught: unknown) => caught);
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : 'not refused';
}

const killObject = (integration: Integration, objectType: SyncedObjectType) => killSyncObject(api.boss, api.database.prisma, integration, objectType);

const syncJobsOf = (dead: DeadItem) => api.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { key: syncObjectKey(dead.payload) });
const deadLettersOf = (dead: DeadItem) => api.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_DEAD_QUEUE, { key: syncObjectKey(dead.payload) });
const statusOf = async (dead: DeadItem) => (await api.database.prisma.syncRecord.findUniqueOrThrow({ where: { id: dead.record.id } })).status;

describe('sync.redrive', () => {
  let org: Organization;
  let admin: Awaited<ReturnType<typeof createMember>>['user'];
  let stripeA: Integration;
  let stripeB: Integration;
  let other: { org: Organization; integration: Integration; dead: DeadItem };
  beforeAll(async () => {
    ({ org, user: admin } = await createMember(api.database.prisma, 'admin'));
    stripeA = await createIntegration(api.database.prisma, org);
    stripeB = await createIntegration(api.database.prisma, org);
    const otherOrg = await createOrganization(api.database.prisma);
    const otherIntegration = await createIntegration(api.database.prisma, otherOrg);
    other = { org: otherOrg, integration: otherIntegration, dead: await killObject(otherIntegration, 'charge') };
  }, 120_000);

  it("redrives one integration's dead charges: a fresh job each, pending again, audited, their dead letters consumed", async () => {
    const charges = [await killObject(stripeA, 'charge'), await killObject(stripeA, 'charge'), await killObject(stripeA, 'charge')];
    const refund = await killObject(stripeA, 'refund');
    const elsewhere = await killObject(stripeB, 'charge');
    const client = await asPortalBrowser(admin);

    await expect(client.sync.redrive.mutate({ orgId: org.id, integrationId: stripeA.id, objectType: 'charge' })).resolves.toEqual({
      dryRun: false,
      matched: 3,
      redriven: 3,
      deadLettersConsumed: 3,
      skipped: 0,
      remaining: 0,
    });

    for (const dead of charges) {
      expect(await statusOf(dead)).toBe('pending');
      const jobs = await syncJobsOf(dead);
      expect(jobs).toHaveLength(1);
      const [fresh] = jobs;
      expect(fresh).toMatchObject({ state: 'created', groupId: stripeA.id, data: { ...dead.payload, eventId: expect.stringMatching(/^redrive:/) } });
      expect(await deadLettersOf(dead)).toEqual([expect.objectContaining({ state: 'completed', sourceId: dead.jobId, output: { redrivenAs: fresh!.id, syncRecordId: dead.record.id } })]);
      const audit = await api.database.prisma.auditLogEntry.findFirstOrThrow({ where: { orgId: org.id, action: 'sync.redrive', targetId: dead.payload.objectId } });
      expect(audit).toMatchObject({ actorKind: 'user', actorId: admin.id, targetType: 'charge', data: expect.objectContaining({ syncRecordId: dead.record.id, previousStatus: 'dead', jobId: fresh!.id, deadLetterJobIds: [expect.any(String)] }) });
    }
    // Outside the filter: untouched.
    for (const dead of [refund, elsewhere]) {
      expect(await statusOf(dead)).toBe('dead');
      expect(await syncJobsOf(dead)).toEqual([]);
      expect(await deadLettersOf(dead)).toEqual([expect.objectContaining({ state: 'created' })]);
    }

    // Nothing is left to send twice.
    await expect(client.sync.redrive.mutate({ orgId: org.id, integrationId: stripeA.id, objectType: 'charge' })).resolves.toMatchObject({ matched: 0, redriven: 0, deadLettersConsumed: 0 });
    for (const dead of charges) expect(await syncJobsOf(dead)).toHaveLength(1);
  }, 120_000);

  it('counts without changing anything on a dry run', async () => {
    const { org: dryOrg, user } = await createMember(api.database.prisma, 'owner');
    const integration = await createIntegration(api.database.prisma, dryOrg);
    const dead = [await killObject(integration, 'customer'), await killObject(integration, 'charge')];

    await expect((await asPortalBrowser(user)).sync.redrive.mutate({ orgId: dryOrg.id, dryRun: true })).resolves.toEqual({
      dryRun: true,
      matched: 2,
      redriven: 2,
      deadLettersConsumed: 2,
      skipped: 0,
      remaining: 0,
    });
    for (const item of dead) {
      expect(await statusOf(item)).toBe('dead');
      expect(await syncJobsOf(item)).toEqual([]);
      expect(await deadLettersOf(item)).toEqual([expect.objectContaining({ state: 'created' })]);
    }
    expect(await api.database.prisma.auditLogEntry.count({ where: { orgId: dryOrg.id, action: 'sync.redrive' } })).toBe(0);
  }, 120_000);

  it("never redrives another organization's items: not by id, not by integration, not in an org-wide redrive", async () => {
    const client = await asPortalBrowser(admin);
    await expect(client.sync.redrive.mutate({ orgId: org.id, syncRecordIds: [other.dead.record.id] })).resolves.toMatchObject({ matched: 0, redriven: 0 });
    expect(await codeOf(client.sync.redrive.mutate({ orgId: org.id, integrationId: other.integration.id }))).toBe('NOT_FOUND');
    // Naming the other organization is refused outright: the caller is not a member.
    expect(await codeOf(client.sync.redrive.mutate({ orgId: other.org.id }))).toBe('FORBIDDEN');

    const result = await client.sync.redrive.mutate({ orgId: org.id, max: 1000 });
    expect(result.redriven).toBeGreaterThan(0);
    expect(await statusOf(other.dead)).toBe('dead');
    expect(await syncJobsOf(other.dead)).toEqual([]);
    expect(await deadLettersOf(other.dead)).toEqual([expect.objectContaining({ state: 'created' })]);
    expect(await api.database.prisma.auditLogEntry.count({ where: { orgId: other.org.id } })).toBe(0);
  }, 120_000);

  it('refuses a viewer and a reviewer', async () => {
    for (const role of ['viewer', 'reviewer'] as const) {
      const { user } = await createMember(api.database.prisma, role, org);
      expect(await codeOf((await asPortalBrowser(user)).sync.redrive.mutate({ orgId: org.id }))).toBe('FORBIDDEN');
    }
  });

  it('takes at most `max` items a call and says how many remain', async () => {
    const { org: bigOrg, user } = await createMember(api.database.prisma, 'admin');
    const integration = await createIntegration(api.database.prisma, bigOrg);
    for (let n = 0; n < 3; n += 1) await killObject(integration, 'charge');
    const client = await asPortalBrowser(user);

    expect(await codeOf(client.sync.redrive.mutate({ orgId: bigOrg.id, max: 0 }))).toBe('BAD_REQUEST');
    await expect(client.sync.redrive.mutate({ orgId: bigOrg.id, max: 2 })).resolves.toMatchObject({ matched: 2, redriven: 2, remaining: 1 });
    await expect(client.sync.redrive.mutate({ orgId: bigOrg.id, max: 2 })).resolves.toMatchObject({ matched: 1, redriven: 1, remaining: 0 });
  }, 120_000);

  it("a resync of a dead item consumes its dead letter too, so a redrive does not send it again", async () => {
    const { org: resyncOrg, user } = await createMember(api.database.prisma, 'admin');
    const integration = await createIntegration(api.database.prisma, resyncOrg);
    const dead = await killObject(integration, 'charge');

    const { jobId } = await requestResync(api.database.prisma, api.boss, dead.record, { kind: 'user', id: user.id });
    expect(await deadLettersOf(dead)).toEqual([expect.objectContaining({ state: 'completed', output: { resyncedAs: jobId, syncRecordId: dead.record.id } })]);
    await expect((await asPortalBrowser(user)).sync.redrive.mutate({ orgId: resyncOrg.id })).resolves.toMatchObject({ matched: 0, redriven: 0 });
    expect(await syncJobsOf(dead)).toEqual([expect.objectContaining({ id: jobId, groupId: integration.id })]);
  }, 120_000);
});
