import { createHash } from 'node:crypto';
import { defaultGlRules } from '@sagesync/db';
import { TRPCClientError } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppRouter } from '../../src/trpc/root-router.ts';
import { createMember, createUser, sessionCookieFor } from '../support/builders.ts';
import { captureLogs } from '../support/log-capture.ts';
import { callApp, linkedTenant, portalClient, startAppStack, tokenOf, unique, STACK_START_TIMEOUT_MS, type AppStack } from './support/stripe-app-stack.ts';

// The portal's half of linking: the page previews a link from the Stripe App and confirms it with
// the stripeAppLink tRPC procedures, as a signed-in portal user.

let stack: AppStack;
const logs = captureLogs('debug');
/** Every link token this file made: none may ever appear in the api's logs. */
const tokensMade: string[] = [];

beforeAll(async () => {
  stack = await startAppStack({ log: logs.log });
}, STACK_START_TIMEOUT_MS);
afterAll(() => stack?.close());

const SAGE = { sageEdition: 'sage50', sageCompanyId: 'acme-50', timeZone: 'America/New_York', homeCurrency: 'usd' } as const;

/** A link as the Dashboard user `stripeUserId` of `accountId` would get it from the app's settings. */
async function linkFromApp(accountId: string, stripeUserId = `usr_${unique()}`): Promise<string> {
  const response = await callApp(stack.url, 'link', {}, { accountId, userId: stripeUserId });
  expect(response.status).toBe(200);
  const token = tokenOf(response.body.url as string);
  tokensMade.push(token);
  return token;
}

async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to be refused');
    },
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(TRPCClientError);
  const clientError = error as TRPCClientError<AppRouter>;
  return { code: clientError.data?.code ?? 'NO_CODE', message: clientError.message };
}

function hashOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function tokenRow(token: string) {
  return stack.db.prisma.stripeAppLinkToken.findUniqueOrThrow({ where: { tokenHash: hashOf(token) } });
}

describe('previewing a link', () => {
  it('shows the Stripe account, the user who asked, and the viewer\'s organizations with whether they may link, without using the link', async () => {
    const { org, user } = await createMember(stack.db.prisma, 'admin');
    const accountId = `acct_${unique()}`;
    const token = await linkFromApp(accountId, 'usr_asker');

    const preview = await (await portalClient(stack.url, user)).stripeAppLink.preview.mutate({ token });
    expect(preview).toEqual({
      stripeAccountId: accountId,
      stripeUserId: 'usr_asker',
      expiresAt: expect.any(String),
      linkedTo: null,
      linkedElsewhere: false,
      organizations: [{ orgId: org.id, orgName: org.name, role: 'admin', canLinkAccount: true }],
    });
    expect((await tokenRow(token)).usedAt).toBeNull();
  });

  it('refuses a signed-out visitor', async () => {
    const token = await linkFromApp(`acct_${unique()}`);
    const anonymous = await portalClient(stack.url, { id: 'nobody', email: 'nobody@example.test', name: null });
    expect((await refusal(anonymous.stripeAppLink.preview.mutate({ token }))).code).toBe('UNAUTHORIZED');
  });
});

describe('confirming a link for a Stripe account not linked yet', () => {
  it('creates a Stripe integration of the organization with default GL rules, links the Stripe user, uses the link, and audits it', async () => {
    const { org, user } = await createMember(stack.db.prisma, 'owner');
    const accountId = `acct_${unique()}`;
    const token = await linkFromApp(accountId, 'usr_owner_in_stripe');

    const result = await (await portalClient(stack.url, user)).stripeAppLink.confirm.mutate({ orgId: org.id, token, integration: SAGE });
    expect(result).toEqual({
      outcome: 'account_linked',
      stripeAccountId: accountId,
      orgName: org.name,
      integrationId: expect.any(String),
      integrationName: `Stripe ${accountId} → Sage 50`,
      stripeUserLinked: true,
    });

    const integration = await stack.db.prisma.integration.findUniqueOrThrow({ where: { id: result.integrationId } });
    expect(integration).toMatchObject({ orgId: org.id, source: 'stripe', sourceAccountId: accountId, sageEdition: 'sage50', sageCompanyId: 'acme-50', timeZone: 'America/New_York', homeCurrency: 'USD', status: 'active' });
    expect(await stack.db.prisma.glRule.count({ where: { integrationId: integration.id } })).toBe(defaultGlRules('sage50').length);
    expect(await stack.db.prisma.stripeAppUserLink.findMany({ where: { integrationId: integration.id } })).toEqual([
      expect.objectContaining({ orgId: org.id, stripeUserId: 'usr_owner_in_stripe', userId: user.id }),
    ]);
    expect(await tokenRow(token)).toMatchObject({ usedAt: expect.any(Date), orgId: org.id });
    const audit = await stack.db.prisma.auditLogEntry.findMany({ where: { orgId: org.id }, orderBy: { createdAt: 'asc' } });
    expect(audit.map((entry) => [entry.action, entry.actorKind, entry.actorId, entry.targetId])).toEqual([
      ['stripe_app.account_linked', 'user', user.id, integration.id],
      ['stripe_app.user_linked', 'user', user.id, 'usr_owner_in_stripe'],
    ]);

    // The Stripe App now sees the account linked, and this Dashboard user acting as the owner.
    const settings = await callApp(stack.url, 'settings', {}, { accountId, userId: 'usr_owner_in_stripe' });
    expect(settings.body).toMatchObject({ linked: true, organizationName: org.name, stripeUser: { linked: true, canResync: true, portalUserEmail: user.email } });
  });

  it('works once: the same link confirmed again is refused as used, and nothing more changes', async () => {
    const { org, user } = await createMember(stack.db.prisma, 'admin');
    const accountId = `acct_${unique()}`;
    const token = await linkFromApp(accountId);
    const client = await portalClient(stack.url, user);
    await client.stripeAppLink.confirm.mutate({ orgId: org.id, token, integration: SAGE });

    const again = await refusal(client.stripeAppLink.confirm.mutate({ orgId: org.id, token, integration: SAGE }));
    expect(again).toEqual({ code: 'CONFLICT', message: expect.stringContaining('already used') });
    expect(await stack.db.prisma.integration.count({ where: { sourceAccountId: accountId } })).toBe(1);
    expect(await stack.db.prisma.auditLogEntry.count({ where: { orgId: org.id } })).toBe(2);
    expect((await refusal(client.stripeAppLink.preview.mutate({ token }))).code).toBe('CONFLICT');
  });

  it('lets exactly one of two confirms sent at the same moment link the account', async () => {
    const { org, user } = await createMember(stack.db.prisma, 'admin');
    const accountId = `acct_${unique()}`;
    const token = await linkFromApp(accountId);
    const [first, second] = await Promise.all([portalClient(stack.url, user), portalClient(stack.url, user)]);

    const outcomes = await Promise.allSettled([
      first.stripeAppLink.confirm.mutate({ orgId: org.id, token, integration: SAGE }),
      second.stripeAppLink.confirm.mutate({ orgId: org.id, token, integration: SAGE }),
    ]);
    expect(outcomes.map((outcome) => outcome.status).sort()).toEqual(['fulfilled', 'rejected']);
    const rejected = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')!;
    expect(rejected.reason).toBeInstanceOf(TRPCClientError);
    expect((rejected.reason as TRPCClientError<never>).message).toContain('already used');
    expect(await stack.db.prisma.integration.count({ where: { sourceAccountId: accountId } })).toBe(1);
    expect(await stack.db.prisma.stripeAppUserLink.count({ where: { orgId: org.id } })).toBe(1);
    expect(await stack.db.prisma.auditLogEntry.count({ where: { orgId: org.id, action: 'stripe_app.account_linked' } })).toBe(1);
  });

  it('refuses an expired or unknown link with a clear error and changes nothing', async () => {
    const { org, user } = await createMember(stack.db.prisma, 'admin');
    const client = await portalClient(stack.url, user);
    const accountId = `acct_${unique()}`;
    const token = await linkFromApp(accountId);
    await stack.db.prisma.stripeAppLinkToken.update({ where: { tokenHash: hashOf(token) }, data: { expiresAt: new Date(Date.now() - 1_000) } });

    const expired = await refusal(client.stripeAppLink.confirm.mutate({ orgId: org.id, token, integration: SAGE }));
    expect(expired).toEqual({ code: 'PRECONDITION_FAILED', message: expect.stringContaining('expired') });
    expect(expired.message).toContain('get a new link');
    const unknown = await refusal(client.stripeAppLink.confirm.mutate({ orgId: org.id, token: 'A'.repeat(43), integration: SAGE }));
    expect(unknown).toEqual({ code: 'NOT_FOUND', message: expect.stringContaining('not valid') });

    expect((await tokenRow(token)).usedAt).toBeNull();
    expect(await stack.db.prisma.integration.count({ where: { sourceAccountId: accountId } })).toBe(0);
    expect(await stack.db.prisma.auditLogEntry.count({ where: { orgId: org.id } })).toBe(0);
  });

  it('needs an owner or admin: a viewer is refused and the link stays unused', async () => {
    const { org, user } = await createMember(stack.db.prisma, 'viewer');
    const token = await linkFromApp(`acct_${unique()}`);
    const refused = await refusal((await portalClient(stack.url, user)).stripeAppLink.confirm.mutate({ orgId: org.id, token, integration: SAGE }));
    expect(refused).toEqual({ code: 'FORBIDDEN', message: expect.stringContaining('admin role') });
    expect((await tokenRow(token)).usedAt).toBeNull();
  });

  it('refuses an organization the user is not a member of', async () => {
    const { user } = await createMember(stack.db.prisma, 'admin');
    const { org: otherOrg } = await createMember(stack.db.prisma, 'owner');
    const token = await linkFromApp(`acct_${unique()}`);
    const refused = await refusal((await portalClient(stack.url, user)).stripeAppLink.confirm.mutate({ orgId: otherOrg.id, token, integration: SAGE }));
    expect(refused.code).toBe('FORBIDDEN');
    expect((await tokenRow(token)).usedAt).toBeNull();
  });

  it('refuses a confirm sent from another site, like every mutation, and keeps the link usable', async () => {
    const { org, user } = await createMember(stack.db.prisma, 'admin');
    const token = await linkFromApp(`acct_${unique()}`);
    const response = await fetch(`${stack.url}/trpc/stripeAppLink.confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example', cookie: await sessionCookieFor(user) },
      body: JSON.stringify({ orgId: org.id, token, integration: SAGE }),
    });
    expect(response.status).toBe(403);
    expect((await tokenRow(token)).usedAt).toBeNull();
  });

  it('asks for the Sage side, field by field, and keeps the link usable', async () => {
    const { org, user } = await createMember(stack.db.prisma, 'admin');
    const token = await linkFromApp(`acct_${unique()}`);
    const client = await portalClient(stack.url, user);

    const missing = await refusal(client.stripeAppLink.confirm.mutate({ orgId: org.id, token }));
    expect(missing).toEqual({ code: 'BAD_REQUEST', message: expect.stringContaining('Sage edition and company') });
    const invalid = await client.stripeAppLink.confirm.mutate({ orgId: org.id, token, integration: { ...SAGE, timeZone: 'Mars/Olympus' } }).catch((error: unknown) => error);
    expect(invalid).toBeInstanceOf(TRPCClientError);
    expect((invalid as TRPCClientError<never>).data).toMatchObject({ code: 'BAD_REQUEST', zodError: { fieldErrors: { integration: expect.anything() } } });
    expect((await tokenRow(token)).usedAt).toBeNull();
  });
});

describe('confirming a link for a Stripe account that is linked already', () => {
  it('links only the Stripe user who asked, for any member of the same organization', async () => {
    const tenant = await linkedTenant(stack.db.prisma);
    const viewer = await createUser(stack.db.prisma);
    await stack.db.prisma.membership.create({ data: { orgId: tenant.org.id, userId: viewer.id, role: 'viewer' } });
    const token = await linkFromApp(tenant.integration.sourceAccountId, 'usr_second_finance');
    const client = await portalClient(stack.url, viewer);

    expect(await client.stripeAppLink.preview.mutate({ token })).toMatchObject({
      linkedTo: { orgId: tenant.org.id, orgName: tenant.org.name, integrationId: tenant.integration.id },
      linkedElsewhere: false,
    });
    const result = await client.stripeAppLink.confirm.mutate({ orgId: tenant.org.id, token });
    expect(result).toMatchObject({ outcome: 'user_linked', integrationId: tenant.integration.id, stripeUserLinked: true });
    expect(await stack.db.prisma.integration.count({ where: { orgId: tenant.org.id } })).toBe(1);
    expect(await stack.db.prisma.stripeAppUserLink.findMany({ where: { integrationId: tenant.integration.id } })).toEqual([
      expect.objectContaining({ stripeUserId: 'usr_second_finance', userId: viewer.id }),
    ]);
    expect(await stack.db.prisma.auditLogEntry.findMany({ where: { orgId: tenant.org.id } })).toEqual([
      expect.objectContaining({ action: 'stripe_app.user_linked', actorId: viewer.id, targetId: 'usr_second_finance' }),
    ]);

    // Linking again as someone else moves the Stripe user to them (the newest proof wins), audited with who it was before.
    const admin = await createUser(stack.db.prisma);
    await stack.db.prisma.membership.create({ data: { orgId: tenant.org.id, userId: admin.id, role: 'admin' } });
    const relink = await linkFromApp(tenant.integration.sourceAccountId, 'usr_second_finance');
    await (await portalClient(stack.url, admin)).stripeAppLink.confirm.mutate({ orgId: tenant.org.id, token: relink });
    expect(await stack.db.prisma.stripeAppUserLink.findMany({ where: { integrationId: tenant.integration.id } })).toEqual([
      expect.objectContaining({ stripeUserId: 'usr_second_finance', userId: admin.id }),
    ]);
    const last = await stack.db.prisma.auditLogEntry.findFirstOrThrow({ where: { orgId: tenant.org.id, actorId: admin.id } });
    expect(last.data).toMatchObject({ previousUserId: viewer.id, userId: admin.id });
  });

  it('refuses an account linked to another organization, and nothing changes (the link stays unused)', async () => {
    const tenant = await linkedTenant(stack.db.prisma);
    const { org, user } = await createMember(stack.db.prisma, 'owner');
    const token = await linkFromApp(tenant.integration.sourceAccountId, 'usr_intruder');
    const client = await portalClient(stack.url, user);

    expect(await client.stripeAppLink.preview.mutate({ token })).toMatchObject({ linkedTo: null, linkedElsewhere: true });
    const refused = await refusal(client.stripeAppLink.confirm.mutate({ orgId: org.id, token, integration: SAGE }));
    expect(refused).toEqual({ code: 'CONFLICT', message: expect.stringContaining('linked to another Sage Sync organization') });
    expect(refused.message).not.toContain(tenant.org.name);
    expect((await tokenRow(token)).usedAt).toBeNull();
    expect(await stack.db.prisma.integration.count({ where: { sourceAccountId: tenant.integration.sourceAccountId } })).toBe(1);
    expect(await stack.db.prisma.stripeAppUserLink.count({ where: { stripeUserId: 'usr_intruder' } })).toBe(0);
    expect(await stack.db.prisma.auditLogEntry.count({ where: { orgId: { in: [org.id, tenant.org.id] } } })).toBe(0);
  });
});

describe('the link token', () => {
  it('never appears in the api logs, whatever was done with it above', () => {
    const text = logs.text();
    expect(text).toContain('stripe app link');
    expect(tokensMade.length).toBeGreaterThan(10);
    for (const token of tokensMade) expect(text).not.toContain(token);
  });
});
