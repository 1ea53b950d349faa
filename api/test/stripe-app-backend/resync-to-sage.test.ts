import { randomBytes } from 'node:crypto';
import { defaultGlRules, type Integration } from '@sagesync/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadableStripeObject } from '../../src/sandbox/stripe-fake/object-store.ts';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../src/sync/ingest/sync-object-job.ts';
import { connectSageSandbox } from '../support/sage-connections.ts';
import { charge, customer, stripeId } from '../sync/processors/support/stripe-objects.ts';
import { startEndToEndStack, type EndToEndStack } from '../sync/end-to-end/support/end-to-end-stack.ts';
import { APP_SECRET, callApp, linkedStripeUser, PORTAL_ORIGIN, STACK_START_TIMEOUT_MS } from './support/stripe-app-stack.ts';

// The Resync button, end to end: a charge whose sync failed (its integration had no GL rules), an
// admin fixes the cause, and a signed Resync from the Stripe App, over real HTTP, goes through the
// queue to a real worker that reads the charge from the Stripe fake and posts the receipt into the
// Sage sandbox. Nothing is called directly.

const EDITION = 'sage_pro' as const;
const COMPANY = 'demo-pro';
const FINANCE_ADMIN = 'usr_finance_admin';

type Stack = EndToEndStack;

const startStack = () => startEndToEndStack({ stripeApp: { appSecret: APP_SECRET, portalOrigin: PORTAL_ORIGIN } });

async function stopStack(stack: Stack | undefined): Promise<void> {
  await stack?.close();
}

async function untilJobsSettled(stack: Stack, integration: Integration, objectId: string, count: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const jobs = await stack.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { data: { integrationId: integration.id, objectId } });
      expect(jobs).toHaveLength(count);
      expect(jobs.map((job) => job.state)).toEqual(jobs.map(() => 'completed'));
    },
    { timeout: 90_000, interval: 100 },
  );
}

describe('Resync from the Stripe App, with a real worker', () => {
  let stack: Stack | undefined;
  let integration: Integration;

  beforeAll(async () => {
    stack = await startStack();
    const org = await stack.db.prisma.organization.create({ data: { name: 'Resync Co', slug: `resync-${randomBytes(3).toString('hex')}` } });
    // No GL rules yet: the first sync cannot choose accounts and fails, waiting for a person.
    integration = await stack.db.prisma.integration.create({
      data: { orgId: org.id, name: 'Stripe to Sage Pro', source: 'stripe', sourceAccountId: `acct_${randomBytes(6).toString('hex')}`, sageEdition: EDITION, sageCompanyId: COMPANY, timeZone: 'America/Chicago', homeCurrency: 'USD' },
    });
    await connectSageSandbox(stack.db.prisma, stack.keyring, stack.sandbox.url, integration);
    await linkedStripeUser(stack.db.prisma, { org, integration }, FINANCE_ADMIN, 'admin');
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => stopStack(stack));

  it('turns a failed charge into a receipt in the Sage sandbox, shown as synced in the app', async () => {
    const paid = charge({ amount: 12_345, currency: 'usd', customer: customer() });
    const paymentIntentId = stripeId('pi');
    const chargeId = paid.charge.id as string;
    const intent: LoadableStripeObject = { id: paymentIntentId, object: 'payment_intent', amount: 12_345, currency: 'usd', created: paid.charge.created, latest_charge: chargeId, status: 'succeeded', metadata: {} };
    stack!.fake.store.load([...paid.objects.map((object) => (object.id === chargeId ? { ...object, payment_intent: paymentIntentId } : object)), intent], integration.sourceAccountId);
    const signing = { accountId: integration.sourceAccountId, userId: FINANCE_ADMIN };

    // Never seen by Sage Sync: the app finds it through the PaymentIntent on screen and offers Resync.
    const before = await callApp(stack!.apiUrl, 'charge-status', { object_id: paymentIntentId }, signing);
    expect(before.body).toMatchObject({ charge: { id: chargeId, status: 'not_synced' } });

    // First Resync: the worker runs it, and it fails for want of GL rules.
    expect((await callApp(stack!.apiUrl, 'resync', { charge_id: chargeId }, signing)).body).toMatchObject({ status: 'queued' });
    await untilJobsSettled(stack!, integration, chargeId, 1);
    const failed = await callApp(stack!.apiUrl, 'charge-status', { object_id: paymentIntentId }, signing);
    expect(failed.body).toMatchObject({ charge: { id: chargeId, status: 'failed', error: { message: expect.any(String), action: expect.any(String) } } });
    expect(await stack!.sandbox.documents(COMPANY, { reference: chargeId })).toEqual([]);

    // The admin adds the GL rules; the Resync button now ends with the receipt in Sage.
    await stack!.db.prisma.glRule.createMany({
      data: defaultGlRules(EDITION).map((rule, position) => ({ orgId: integration.orgId, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
    });
    expect((await callApp(stack!.apiUrl, 'resync', { charge_id: chargeId }, signing)).body).toMatchObject({ status: 'queued' });
    await untilJobsSettled(stack!, integration, chargeId, 2);

    const documents = await stack!.sandbox.documents(COMPANY, { reference: chargeId });
    expect(documents).toEqual([expect.objectContaining({ amount: '123.45', currency: 'USD' })]);
    const after = await callApp(stack!.apiUrl, 'charge-status', { object_id: chargeId }, signing);
    expect(after.body).toMatchObject({
      charge: { id: chargeId, status: 'synced', sageDocumentType: 'cash_receipt', sageDocumentNumber: documents[0]!.number },
      attempts: [expect.objectContaining({ number: 1, outcome: 'failed' }), expect.objectContaining({ number: 2, outcome: 'succeeded' })],
    });
    const audit = await stack!.db.prisma.auditLogEntry.findMany({ where: { orgId: integration.orgId, action: 'sync.resync', targetId: chargeId } });
    expect(audit.map((entry) => [entry.actorKind, entry.actorId])).toEqual([
      ['stripe_app', FINANCE_ADMIN],
      ['stripe_app', FINANCE_ADMIN],
    ]);
  }, 240_000);
});
