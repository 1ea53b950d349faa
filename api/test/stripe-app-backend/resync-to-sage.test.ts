import { randomBytes } from 'node:crypto';
import { defaultGlRules, generateMasterKey, loadKeyring, type Integration, type Keyring } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSageConnectorFactory } from '../../src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../../src/connectors/sage/http/rate-limiter.ts';
import { InMemoryRequestBudget } from '../../src/connectors/stripe/stripe-request-budget.ts';
import { buildServer, type ApiServer } from '../../src/http/server.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../src/queue/create-queue.ts';
import type { LoadableStripeObject } from '../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeFake, type StripeFake } from '../../src/sandbox/stripe-fake/stripe-fake-server.ts';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../src/sync/ingest/sync-object-job.ts';
import { createSyncObjectJob } from '../../src/sync/sync-object-handler.ts';
import { createSyncServices } from '../../src/sync/sync-services.ts';
import { startWorker, type Worker } from '../../src/worker/start-worker.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/sage/support/sandbox-harness.ts';
import { connectSageSandbox, sandboxOAuthEndpoints } from '../support/sage-connections.ts';
import { TEST_SESSION_SECRET } from '../support/test-api.ts';
import { charge, customer, stripeId } from '../sync/processors/support/stripe-objects.ts';
import { APP_SECRET, callApp, linkedStripeUser, PORTAL_ORIGIN, STACK_START_TIMEOUT_MS } from './support/stripe-app-stack.ts';

// The Resync button, end to end: a charge whose sync failed (its integration had no GL rules), an
// admin fixes the cause, and a signed Resync from the Stripe App, over real HTTP, goes through the
// queue to a real worker that reads the charge from the Stripe fake and posts the receipt into the
// Sage sandbox. Nothing is called directly.

const EDITION = 'sage_pro' as const;
const COMPANY = 'demo-pro';
const FINANCE_ADMIN = 'usr_finance_admin';

type Stack = { db: TestDatabase; boss: Queue; keyring: Keyring; server: ApiServer; apiUrl: string; fake: StripeFake; sandbox: RunningSandbox; worker: Worker };

async function startStack(): Promise<Stack> {
  const log = createLogger({ level: 'silent' });
  const db = await createTestDatabase();
  const boss = await createQueue(db, { log, supervise: false, schedule: false });
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'test-1' });
  const sandbox = await startSandbox({ now: Date.now });
  const fake = buildStripeFake();
  const { url: fakeUrl } = await fake.listen(0);
  const services = createSyncServices({
    prisma: db.prisma,
    keyring,
    log,
    stripe: { platformApiKey: 'sk_test_resync_end_to_end', apiBase: fakeUrl, rateLimiter: new InMemoryRequestBudget({ perSecond: 1_000 }) },
    sageConnectorFor: createSageConnectorFactory({
      prisma: db.prisma,
      keyring,
      rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000 }),
      oauth: sandboxOAuthEndpoints(sandbox.url),
    }),
  });
  const server = await buildServer({
    env: { NEXTAUTH_SECRET: TEST_SESSION_SECRET, PORTAL_ORIGIN, STRIPE_APP_SECRET: APP_SECRET },
    db,
    boss,
    log,
    keyring,
    stripeFor: services.stripeFor,
  });
  const apiUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  const worker = await startWorker({ boss, prisma: db.prisma, log, registry: [createSyncObjectJob({ work: { pollingIntervalSeconds: 0.5 } }) as never], services });
  return { db, boss, keyring, server, apiUrl, fake, sandbox, worker };
}

async function stopStack(stack: Stack | undefined): Promise<void> {
  if (!stack) return;
  await stack.server.close();
  await stack.worker.stop();
  await stack.boss.stop({ graceful: false, close: true }).catch(() => undefined);
  await stack.sandbox.close();
  await stack.fake.close();
  await stack.db.dispose();
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
