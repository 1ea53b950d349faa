import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_OBJECT_QUEUE } from '../../src/sync/ingest/sync-object-job.ts';
import { ensureSyncRecord, recordFailed } from '../../src/sync/sync-records.ts';
import { callApp, linkedStripeUser, linkedTenant, startAppStack, unique, STACK_START_TIMEOUT_MS, type AppStack } from './support/stripe-app-stack.ts';

// A signed Dashboard user may resync only as the portal user they linked to, and only when that
// membership may resync in the portal (owner or admin, as `sync.resync`). Reading stays open.

let stack: AppStack;
let tenant: Awaited<ReturnType<typeof linkedTenant>>;

beforeAll(async () => {
  stack = await startAppStack();
  tenant = await linkedTenant(stack.db.prisma);
}, STACK_START_TIMEOUT_MS);
afterAll(() => stack?.close());

async function failedCharge(): Promise<string> {
  const chargeId = `ch_${unique()}`;
  const record = await ensureSyncRecord(stack.db.prisma, { orgId: tenant.org.id, integrationId: tenant.integration.id, objectType: 'charge', objectId: chargeId }, { amountMinor: 2_500n, currency: 'usd' });
  await recordFailed(stack.db.prisma, record, { code: 'SAGE_VALIDATION', retryable: false, message: 'Sage refused the customer.' }, { startedAt: new Date(), final: false });
  return chargeId;
}

async function resyncAs(stripeUserId: string, chargeId: string) {
  return callApp(stack.url, 'resync', { charge_id: chargeId }, { accountId: tenant.integration.sourceAccountId, userId: stripeUserId });
}

async function nothingHappened(chargeId: string): Promise<void> {
  expect(await stack.db.query(`SELECT id FROM pgboss.job WHERE name = $1 AND data->>'objectId' = $2`, [SYNC_OBJECT_QUEUE, chargeId])).toHaveLength(0);
  expect(await stack.db.prisma.auditLogEntry.count({ where: { targetId: chargeId } })).toBe(0);
  expect(await stack.db.prisma.syncRecord.findFirstOrThrow({ where: { sourceObjectId: chargeId } })).toMatchObject({ status: 'failed' });
}

describe('resync from the Stripe App', () => {
  it('refuses a Dashboard user who has not linked a portal user with 403 and the way to fix it, while status reads stay allowed', async () => {
    const chargeId = await failedCharge();
    const refused = await resyncAs('usr_never_linked', chargeId);
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({
      error: { code: 'STRIPE_USER_NOT_LINKED', message: expect.stringContaining('not linked'), action: expect.stringContaining('Link your Stripe user in Settings'), retryable: false },
    });
    await nothingHappened(chargeId);

    const read = await callApp(stack.url, 'charge-status', { object_id: chargeId }, { accountId: tenant.integration.sourceAccountId, userId: 'usr_never_linked' });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ charge: { id: chargeId, status: 'failed' } });
  });

  it.each(['viewer', 'reviewer'] as const)('refuses a user linked to a %s with 403 saying the role cannot resync', async (role) => {
    const chargeId = await failedCharge();
    const member = await linkedStripeUser(stack.db.prisma, tenant, `usr_${role}_${unique()}`, role);
    const link = await stack.db.prisma.stripeAppUserLink.findFirstOrThrow({ where: { userId: member.id } });
    const refused = await resyncAs(link.stripeUserId, chargeId);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'RESYNC_ROLE_REQUIRED', message: expect.stringContaining(`(${role})`), action: expect.stringContaining(member.email) } });
    await nothingHappened(chargeId);
  });

  it('refuses a user whose linked portal user has left the organization', async () => {
    const chargeId = await failedCharge();
    const former = await linkedStripeUser(stack.db.prisma, tenant, 'usr_former_admin', 'admin');
    await stack.db.prisma.membership.delete({ where: { orgId_userId: { orgId: tenant.org.id, userId: former.id } } });
    const refused = await resyncAs('usr_former_admin', chargeId);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'STRIPE_USER_NOT_LINKED', message: expect.stringContaining('no longer a member') } });
    await nothingHappened(chargeId);
  });

  it('does not let a link made in one integration act in another', async () => {
    const other = await linkedTenant(stack.db.prisma);
    await linkedStripeUser(stack.db.prisma, other, 'usr_admin_elsewhere', 'owner');
    const chargeId = await failedCharge();
    expect((await resyncAs('usr_admin_elsewhere', chargeId)).status).toBe(403);
    await nothingHappened(chargeId);
  });

  it.each(['admin', 'owner'] as const)('queues the resync for a user linked to an %s, audited as the Stripe user', async (role) => {
    const chargeId = await failedCharge();
    const stripeUserId = `usr_${role}_${unique()}`;
    await linkedStripeUser(stack.db.prisma, tenant, stripeUserId, role);
    const queued = await resyncAs(stripeUserId, chargeId);
    expect(queued).toEqual({ status: 200, body: { status: 'queued', message: expect.any(String) } });
    expect(await stack.db.query(`SELECT id FROM pgboss.job WHERE name = $1 AND data->>'objectId' = $2`, [SYNC_OBJECT_QUEUE, chargeId])).toHaveLength(1);
    expect(await stack.db.prisma.auditLogEntry.findMany({ where: { targetId: chargeId } })).toEqual([expect.objectContaining({ action: 'sync.resync', actorKind: 'stripe_app', actorId: stripeUserId })]);
  });
});
