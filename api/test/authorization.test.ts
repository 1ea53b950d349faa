import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../src/trpc/root-router.ts';
import { createIntegration, createMember, createOrganization, createUser, sessionCookieFor } from './support/builders.ts';
import { startTestApi, TEST_PORTAL_URL, trpcClient, type TestApi } from './support/test-api.ts';

/** What the caller sees of a refused call: the tRPC error code and the per-field messages. */
async function refusal(call: Promise<unknown>) {
  const error = await call.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (caught: unknown) => caught,
  );
  if (!(error instanceof TRPCClientError)) throw error;
  return (error as TRPCClientError<AppRouter>).data;
}

describe('who may read and change organization data', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await startTestApi();
  });
  afterAll(() => api.close());

  const asPortalBrowser = async (user: Parameters<typeof sessionCookieFor>[0]) =>
    trpcClient(api, { cookie: await sessionCookieFor(user), headers: { origin: TEST_PORTAL_URL, 'sec-fetch-site': 'same-origin' } });

  it('a signed-out caller gets UNAUTHORIZED from signed-in and organization procedures', async () => {
    const org = await createOrganization(api.database.prisma);
    const anonymous = trpcClient(api);
    expect(await refusal(anonymous.viewer.get.query())).toMatchObject({ code: 'UNAUTHORIZED', httpStatus: 401 });
    expect(await refusal(anonymous.integration.list.query({ orgId: org.id }))).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('a session cookie of a user who no longer exists counts as signed out', async () => {
    const user = await createUser(api.database.prisma);
    const client = await asPortalBrowser(user);
    await api.database.prisma.user.delete({ where: { id: user.id } });
    expect(await refusal(client.viewer.get.query())).toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('the viewer sees themselves and each organization they belong to with their role', async () => {
    const { org, user } = await createMember(api.database.prisma, 'reviewer');
    const client = await asPortalBrowser(user);
    await expect(client.viewer.get.query()).resolves.toEqual({
      user: { id: user.id, email: user.email, name: user.name },
      memberships: [{ orgId: org.id, orgName: org.name, orgSlug: org.slug, role: 'reviewer' }],
    });
  });

  it('a member lists their own organization\'s integrations and nobody else\'s', async () => {
    const { org, user } = await createMember(api.database.prisma, 'viewer');
    const mine = await createIntegration(api.database.prisma, org, { name: 'Mine' });
    await createIntegration(api.database.prisma, await createOrganization(api.database.prisma), { name: 'Theirs' });
    const client = await asPortalBrowser(user);
    await expect(client.integration.list.query({ orgId: org.id })).resolves.toEqual([
      {
        id: mine.id,
        name: 'Mine',
        source: 'stripe',
        sourceAccountId: mine.sourceAccountId,
        sageEdition: 'sage50',
        sageCompanyId: mine.sageCompanyId,
        postingMode: 'per_transaction',
        timeZone: 'America/Chicago',
        homeCurrency: 'USD',
        status: 'active',
      },
    ]);
  });

  it('a member of organization A asking for organization B\'s integrations gets FORBIDDEN', async () => {
    const { user } = await createMember(api.database.prisma, 'owner');
    const orgB = await createOrganization(api.database.prisma);
    await createIntegration(api.database.prisma, orgB);
    const client = await asPortalBrowser(user);
    expect(await refusal(client.integration.list.query({ orgId: orgB.id }))).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
  });

  it('a viewer cannot change the posting mode, and nothing changes', async () => {
    const { org, user } = await createMember(api.database.prisma, 'viewer');
    const integration = await createIntegration(api.database.prisma, org);
    const client = await asPortalBrowser(user);
    expect(
      await refusal(
        client.integration.updatePostingMode.mutate({ orgId: org.id, integrationId: integration.id, postingMode: 'payout_summary' }),
      ),
    ).toMatchObject({ code: 'FORBIDDEN' });
    const stored = await api.database.prisma.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(stored.postingMode).toBe('per_transaction');
    expect(await api.database.prisma.auditLogEntry.count({ where: { orgId: org.id } })).toBe(0);
  });

  it('an admin changes the posting mode, and the change is in the audit log with who, what and the request id', async () => {
    const { org, user } = await createMember(api.database.prisma, 'admin');
    const integration = await createIntegration(api.database.prisma, org);
    const client = trpcClient(api, {
      cookie: await sessionCookieFor(user),
      headers: { origin: TEST_PORTAL_URL, 'x-request-id': 'change-posting-mode-1' },
    });
    await expect(
      client.integration.updatePostingMode.mutate({ orgId: org.id, integrationId: integration.id, postingMode: 'payout_summary' }),
    ).resolves.toMatchObject({ id: integration.id, postingMode: 'payout_summary' });

    const stored = await api.database.prisma.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(stored.postingMode).toBe('payout_summary');
    const audit = await api.database.prisma.auditLogEntry.findMany({ where: { orgId: org.id } });
    expect(audit).toEqual([
      expect.objectContaining({
        actorKind: 'user',
        actorId: user.id,
        action: 'integration.posting_mode_updated',
        targetType: 'integration',
        targetId: integration.id,
        data: { from: 'per_transaction', to: 'payout_summary' },
        requestId: 'change-posting-mode-1',
      }),
    ]);
  });

  it('an admin naming another organization\'s integration under their own organization gets NOT_FOUND', async () => {
    const { org, user } = await createMember(api.database.prisma, 'admin');
    const foreign = await createIntegration(api.database.prisma, await createOrganization(api.database.prisma));
    const client = await asPortalBrowser(user);
    expect(
      await refusal(
        client.integration.updatePostingMode.mutate({ orgId: org.id, integrationId: foreign.id, postingMode: 'payout_summary' }),
      ),
    ).toMatchObject({ code: 'NOT_FOUND' });
    const stored = await api.database.prisma.integration.findUniqueOrThrow({ where: { id: foreign.id } });
    expect(stored.postingMode).toBe('per_transaction');
  });

  it('bad input comes back as BAD_REQUEST with a message per field', async () => {
    const { org, user } = await createMember(api.database.prisma, 'owner');
    const client = await asPortalBrowser(user);
    const data = await refusal(
      client.integration.updatePostingMode.mutate({
        orgId: org.id,
        integrationId: '',
        postingMode: 'weekly' as 'payout_summary',
      }),
    );
    expect(data).toMatchObject({ code: 'BAD_REQUEST', httpStatus: 400 });
    expect(Object.keys(data?.zodError?.fieldErrors ?? {}).sort()).toEqual(['integrationId', 'postingMode']);
    expect(data?.zodError?.fieldErrors.integrationId).toEqual(['Choose an integration.']);
  });
});
