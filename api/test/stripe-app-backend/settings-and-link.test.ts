import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_TOKEN_TTL_MS } from '../../src/http/stripe-app/link-token.ts';
import { callApp, linkedStripeUser, linkedTenant, PORTAL_ORIGIN, postRaw, signedRequest, startAppStack, tokenOf, unique, STACK_START_TIMEOUT_MS, type AppStack } from './support/stripe-app-stack.ts';

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack();
}, STACK_START_TIMEOUT_MS);
afterAll(() => stack?.close());

describe('POST /stripe-app/settings', () => {
  it('answers linked: false for a correctly signed account that is not linked yet', async () => {
    const response = await callApp(stack.url, 'settings', {}, { accountId: `acct_${unique()}`, userId: 'usr_new' });
    expect(response).toEqual({ status: 200, body: { linked: false } });
  });

  it('shows a linked account its organization, integration status, Sage edition and company, connection state, posting mode and portal URL', async () => {
    const tenant = await linkedTenant(stack.db.prisma);
    await stack.db.prisma.integration.update({ where: { id: tenant.integration.id }, data: { postingMode: 'payout_summary' } });
    await stack.db.prisma.connection.create({
      data: { orgId: tenant.org.id, integrationId: tenant.integration.id, provider: 'sage_pro', authKind: 'oauth', status: 'needs_reauth' },
    });

    const response = await callApp(stack.url, 'settings', {}, { accountId: tenant.integration.sourceAccountId, userId: 'usr_unlinked' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      linked: true,
      organizationName: tenant.org.name,
      integrationStatus: 'active',
      postingMode: 'payout_summary',
      connection: { sageEdition: 'sage_pro', companyName: 'demo-pro', state: 'error', message: expect.stringContaining('connected again') },
      portalUrl: `${PORTAL_ORIGIN}/`,
      stripeUser: { linked: false, canResync: false, message: expect.stringContaining('Link your Stripe user') },
    });
  });

  it('says Sage is not connected yet while the integration has no Sage connection', async () => {
    const tenant = await linkedTenant(stack.db.prisma);
    const response = await callApp(stack.url, 'settings', {}, { accountId: tenant.integration.sourceAccountId, userId: 'usr_x' });
    expect(response.body).toMatchObject({ connection: { sageEdition: 'sage_pro', state: 'disconnected', message: expect.stringContaining('not connected yet') } });
  });

  it("tells a linked Stripe user who they act as, and whether their role may resync", async () => {
    const tenant = await linkedTenant(stack.db.prisma);
    const viewer = await linkedStripeUser(stack.db.prisma, tenant, 'usr_viewer', 'viewer');
    const admin = await linkedStripeUser(stack.db.prisma, tenant, 'usr_admin', 'admin');

    const asViewer = await callApp(stack.url, 'settings', {}, { accountId: tenant.integration.sourceAccountId, userId: 'usr_viewer' });
    expect(asViewer.body.stripeUser).toEqual({ linked: true, canResync: false, portalUserEmail: viewer.email, role: 'viewer', message: expect.stringContaining('resync needs the admin role') });
    const asAdmin = await callApp(stack.url, 'settings', {}, { accountId: tenant.integration.sourceAccountId, userId: 'usr_admin' });
    expect(asAdmin.body.stripeUser).toEqual({ linked: true, canResync: true, portalUserEmail: admin.email, role: 'admin', message: expect.any(String) });
  });
});

describe('POST /stripe-app/link', () => {
  it('makes a single-use portal link that expires in 15 minutes, storing only the sha-256 of its token', async () => {
    const accountId = `acct_${unique()}`;
    const before = Date.now();
    const response = await callApp(stack.url, 'link', {}, { accountId, userId: 'usr_linker' });
    const after = Date.now();

    expect(response.status).toBe(200);
    const { url, expiresAt } = response.body as { url: string; expiresAt: string };
    expect(url.startsWith(`${PORTAL_ORIGIN}/link/stripe?token=`)).toBe(true);
    const token = tokenOf(url);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(expiresAt)).toBeGreaterThanOrEqual(before + LINK_TOKEN_TTL_MS);
    expect(Date.parse(expiresAt)).toBeLessThanOrEqual(after + LINK_TOKEN_TTL_MS);

    const rows = await stack.db.prisma.stripeAppLinkToken.findMany({ where: { stripeAccountId: accountId } });
    expect(rows).toEqual([
      expect.objectContaining({ tokenHash: createHash('sha256').update(token).digest('hex'), stripeUserId: 'usr_linker', orgId: null, usedAt: null, expiresAt: new Date(expiresAt) }),
    ]);
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  it('gives a new link each time, and drops the account\'s expired unused links on the way', async () => {
    const accountId = `acct_${unique()}`;
    await stack.db.prisma.stripeAppLinkToken.create({ data: { tokenHash: 'stale', stripeAccountId: accountId, stripeUserId: 'usr_a', expiresAt: new Date(Date.now() - 60_000) } });
    await stack.db.prisma.stripeAppLinkToken.create({ data: { tokenHash: 'used-stays', stripeAccountId: accountId, stripeUserId: 'usr_a', expiresAt: new Date(Date.now() - 60_000), usedAt: new Date(Date.now() - 120_000) } });

    const first = await callApp(stack.url, 'link', {}, { accountId, userId: 'usr_a' });
    const second = await callApp(stack.url, 'link', {}, { accountId, userId: 'usr_a' });
    expect(tokenOf(first.body.url as string)).not.toBe(tokenOf(second.body.url as string));
    const hashes = (await stack.db.prisma.stripeAppLinkToken.findMany({ where: { stripeAccountId: accountId } })).map((row) => row.tokenHash);
    expect(hashes).toHaveLength(3);
    expect(hashes).toContain('used-stays');
    expect(hashes).not.toContain('stale');
  });

  it('also answers a linked account (its further users link themselves with it)', async () => {
    const tenant = await linkedTenant(stack.db.prisma);
    const response = await callApp(stack.url, 'link', {}, { accountId: tenant.integration.sourceAccountId, userId: 'usr_second' });
    expect(response.status).toBe(200);
    expect(await stack.db.prisma.stripeAppLinkToken.count({ where: { stripeAccountId: tenant.integration.sourceAccountId, stripeUserId: 'usr_second' } })).toBe(1);
  });
});

describe('settings and link refuse what Stripe did not sign', () => {
  it.each(['settings', 'link'])('%s: a missing signature, a wrong secret, another account in the body and an expired timestamp are 401, and no link is stored', async (route) => {
    const accountId = `acct_${unique()}`;
    const otherAccount = `acct_${unique()}`;
    const signing = { accountId, userId: 'usr_attacker' };

    const missing = await postRaw(stack.url, route, signedRequest({}, signing).payload, null);
    const wrongSecret = await callApp(stack.url, route, {}, { ...signing, secret: 'absec_someone_else' });
    const { payload, header } = signedRequest({}, signing);
    const anotherAccount = await postRaw(stack.url, route, payload.replace(accountId, otherAccount), header);
    const expired = await callApp(stack.url, route, {}, { ...signing, timestamp: Math.floor(Date.now() / 1000) - 600 });

    expect([missing.status, wrongSecret.status, anotherAccount.status, expired.status]).toEqual([401, 401, 401, 401]);
    expect(missing.body).toMatchObject({ error: { code: 'SIGNATURE_MISSING' } });
    for (const refused of [wrongSecret, anotherAccount, expired]) expect(refused.body).toMatchObject({ error: { code: 'SIGNATURE_INVALID', message: expect.any(String) } });
    expect(await stack.db.prisma.stripeAppLinkToken.count({ where: { stripeAccountId: { in: [accountId, otherAccount] } } })).toBe(0);
  });
});
