import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadableStripeObject } from '../../src/sandbox/stripe-fake/object-store.ts';
import { SYNC_OBJECT_QUEUE } from '../../src/sync/ingest/sync-object-job.ts';
import { ensureSyncRecord, recordFailed } from '../../src/sync/sync-records.ts';
import { charge, stripeId } from '../sync/processors/support/stripe-objects.ts';
import { callApp, linkedStripeUser, linkedTenant, loadStripe, PORTAL_ORIGIN, startAppStack, STACK_START_TIMEOUT_MS, type AppStack } from './support/stripe-app-stack.ts';

// Payments Sage Sync has no record of yet: a PaymentIntent whose charge events never arrived is
// resolved through Stripe (the account's own reader, against the Stripe fake), and a charge with no
// record is shown as not synced, with a Resync that brings it in.

let stack: AppStack;
let tenant: Awaited<ReturnType<typeof linkedTenant>>;
let otherTenant: Awaited<ReturnType<typeof linkedTenant>>;
const ADMIN_USER = 'usr_admin_pi';

beforeAll(async () => {
  stack = await startAppStack({ withStripe: true });
  tenant = await linkedTenant(stack.db.prisma);
  otherTenant = await linkedTenant(stack.db.prisma);
  await linkedStripeUser(stack.db.prisma, tenant, ADMIN_USER, 'admin');
}, STACK_START_TIMEOUT_MS);
afterAll(() => stack?.close());

/** A succeeded PaymentIntent and its charge, loaded into the fake under `accountId`. */
function paidIntent(accountId: string, amount = 4_200): { paymentIntentId: string; chargeId: string } {
  const paid = charge({ amount, currency: 'usd' });
  const paymentIntentId = stripeId('pi');
  const intent: LoadableStripeObject = {
    id: paymentIntentId,
    object: 'payment_intent',
    amount,
    currency: 'usd',
    created: paid.charge.created,
    latest_charge: paid.charge.id,
    status: 'succeeded',
    metadata: {},
  };
  loadStripe(stack, accountId, [...paid.objects.map((object) => (object.object === 'charge' ? { ...object, payment_intent: paymentIntentId } : object)), intent]);
  return { paymentIntentId, chargeId: paid.charge.id as string };
}

function readAs(accountId: string, objectId: string) {
  return callApp(stack.url, 'charge-status', { object_id: objectId }, { accountId, userId: 'usr_reader' });
}

function jobsFor(objectId: string) {
  return stack.db.query<{ data: { integrationId: string } }>(`SELECT data FROM pgboss.job WHERE name = $1 AND data->>'objectId' = $2`, [SYNC_OBJECT_QUEUE, objectId]);
}

describe('charge-status for a PaymentIntent with no charge events', () => {
  it("resolves its latest charge through Stripe and answers that charge's record", async () => {
    const { paymentIntentId, chargeId } = paidIntent(tenant.integration.sourceAccountId);
    const record = await ensureSyncRecord(stack.db.prisma, { orgId: tenant.org.id, integrationId: tenant.integration.id, objectType: 'charge', objectId: chargeId });
    await recordFailed(stack.db.prisma, record, { code: 'SAGE_VALIDATION', retryable: false, message: 'Sage refused the customer name.' }, { startedAt: new Date(), final: false });

    const response = await readAs(tenant.integration.sourceAccountId, paymentIntentId);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ charge: { id: chargeId, status: 'failed', error: { message: 'Sage refused the customer name.' } }, attempts: [expect.objectContaining({ outcome: 'failed' })] });
  });

  it('answers not synced, with Resync as what to do, when Sage Sync has no record of that charge, and stores nothing', async () => {
    const { paymentIntentId, chargeId } = paidIntent(tenant.integration.sourceAccountId, 9_900);
    const response = await readAs(tenant.integration.sourceAccountId, paymentIntentId);
    expect(response).toEqual({
      status: 200,
      body: {
        charge: { id: chargeId, status: 'not_synced', amountMinor: 9_900, currency: 'usd', error: { message: expect.stringContaining('not posted'), action: expect.stringContaining('Resync') }, portalUrl: `${PORTAL_ORIGIN}/` },
        refunds: [],
        dispute: null,
        attempts: [],
      },
    });
    expect(await stack.db.prisma.syncRecord.count({ where: { sourceObjectId: chargeId } })).toBe(0);
  });

  it('says the payment has no charge yet when the PaymentIntent has none', async () => {
    const paymentIntentId = stripeId('pi');
    loadStripe(stack, tenant.integration.sourceAccountId, [{ id: paymentIntentId, object: 'payment_intent', amount: 100, currency: 'usd', created: 1_767_000_000, latest_charge: null, status: 'requires_payment_method', metadata: {} }]);
    const response = await readAs(tenant.integration.sourceAccountId, paymentIntentId);
    expect(response.status).toBe(404);
    expect(response.body).toMatchObject({ error: { code: 'NOT_FOUND', message: 'This payment has no charge yet, so there is nothing to post to Sage.', retryable: true } });
  });

  it("never finds another account's PaymentIntent or charge: Stripe is asked as the signed account", async () => {
    const theirs = paidIntent(otherTenant.integration.sourceAccountId);
    const byIntent = await readAs(tenant.integration.sourceAccountId, theirs.paymentIntentId);
    const byCharge = await readAs(tenant.integration.sourceAccountId, theirs.chargeId);
    expect([byIntent.status, byCharge.status]).toEqual([404, 404]);
    expect(byIntent.body).toMatchObject({ error: { code: 'NOT_FOUND', message: expect.stringContaining('Stripe has no') } });
  });
});

describe('a charge Sage Sync has no record of', () => {
  it('is shown as not synced, and a Resync by a permitted user records it and queues its sync', async () => {
    const { chargeId } = paidIntent(tenant.integration.sourceAccountId, 1_500);
    const status = await readAs(tenant.integration.sourceAccountId, chargeId);
    expect(status.body).toMatchObject({ charge: { id: chargeId, status: 'not_synced', amountMinor: 1_500 } });

    const resync = await callApp(stack.url, 'resync', { charge_id: chargeId }, { accountId: tenant.integration.sourceAccountId, userId: ADMIN_USER });
    expect(resync).toEqual({ status: 200, body: { status: 'queued', message: expect.any(String) } });
    expect(await stack.db.prisma.syncRecord.findFirstOrThrow({ where: { integrationId: tenant.integration.id, sourceObjectId: chargeId } })).toMatchObject({ sourceObjectType: 'charge', status: 'pending' });
    expect(await jobsFor(chargeId)).toEqual([{ data: expect.objectContaining({ integrationId: tenant.integration.id, objectType: 'charge' }) }]);
  });

  it('is not recorded or queued when Stripe does not know it on this account', async () => {
    const theirs = paidIntent(otherTenant.integration.sourceAccountId);
    const resync = await callApp(stack.url, 'resync', { charge_id: theirs.chargeId }, { accountId: tenant.integration.sourceAccountId, userId: ADMIN_USER });
    expect(resync.status).toBe(404);
    expect(await stack.db.prisma.syncRecord.count({ where: { sourceObjectId: theirs.chargeId } })).toBe(0);
    expect(await jobsFor(theirs.chargeId)).toHaveLength(0);
  });
});
