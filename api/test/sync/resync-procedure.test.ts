import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_OBJECT_QUEUE } from '../../src/sync/ingest/sync-object-job.ts';
import { ensureSyncRecord, recordFailed } from '../../src/sync/sync-records.ts';
import { createIntegration, createMember, createOrganization, sessionCookieFor } from '../support/builders.ts';
import { startTestApi, TEST_PORTAL_URL, trpcClient, type TestApi } from '../support/test-api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api.close());

const asPortalBrowser = async (user: Parameters<typeof sessionCookieFor>[0]) =>
  trpcClient(api, { cookie: await sessionCookieFor(user), headers: { origin: TEST_PORTAL_URL, 'sec-fetch-site': 'same-origin' } });

async function deadCharge(orgId: string, integrationId: string, chargeId: string) {
  const record = await ensureSyncRecord(api.database.prisma, { orgId, integrationId, objectType: 'charge', objectId: chargeId });
  return recordFailed(api.database.prisma, record, { code: 'SAGE_UNAVAILABLE', retryable: true, message: 'Sage answered 500' }, { startedAt: new Date(), final: true });
}

async function codeOf(call: Promise<unknown>) {
  const error = await call.then(() => null, (caught: unknown) => caught);
  return error instanceof TRPCClientError ? (error.data as { code?: string } | undefined)?.code : 'not refused';
}

describe('sync.resync', () => {
  it('lets an admin retry a dead item: it is queued on its object key and pending again', async () => {
    const { org, user } = await createMember(api.database.prisma, 'admin');
    const integration = await createIntegration(api.database.prisma, org);
    const record = await deadCharge(org.id, integration.id, 'ch_retry_me');
    const client = await asPortalBrowser(user);

    await expect(client.sync.resync.mutate({ orgId: org.id, syncRecordId: record.id })).resolves.toEqual({ syncRecordId: record.id, status: 'pending', queued: true });
    const jobs = await api.database.query<{ singleton_key: string }>(`SELECT singleton_key FROM pgboss.job WHERE name = $1 AND data->>'objectId' = 'ch_retry_me'`, [SYNC_OBJECT_QUEUE]);
    expect(jobs.map((job) => job.singleton_key)).toEqual([`${integration.id}:charge:ch_retry_me`]);
  });

  it('refuses a viewer, and treats another organization’s item as missing', async () => {
    const { org, user: viewer } = await createMember(api.database.prisma, 'viewer');
    const integration = await createIntegration(api.database.prisma, org);
    const record = await deadCharge(org.id, integration.id, 'ch_viewer');
    expect(await codeOf((await asPortalBrowser(viewer)).sync.resync.mutate({ orgId: org.id, syncRecordId: record.id }))).toBe('FORBIDDEN');

    const other = await createOrganization(api.database.prisma);
    const { user: otherAdmin } = await createMember(api.database.prisma, 'admin', other);
    expect(await codeOf((await asPortalBrowser(otherAdmin)).sync.resync.mutate({ orgId: other.id, syncRecordId: record.id }))).toBe('NOT_FOUND');
  });
});
