import { randomBytes } from 'node:crypto';
import { defaultGlRules, generateMasterKey, loadKeyring, type Integration, type Keyring, type SageEdition } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadEnv } from '../../../src/config/env.ts';
import { createSageConnectorFactory } from '../../../src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../../../src/connectors/sage/http/rate-limiter.ts';
import { InMemoryRequestBudget } from '../../../src/connectors/stripe/stripe-request-budget.ts';
import { buildServer, type ApiServer } from '../../../src/http/server.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../../src/queue/create-queue.ts';
import { buildInvoiceScenario } from '../../../src/sandbox/stripe-fake/invoice-scenario-builder.ts';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeFake, type StripeFake } from '../../../src/sandbox/stripe-fake/stripe-fake-server.ts';
import { parseAmountToMinor } from '../../../src/sandbox/sage/money.ts';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { createSyncObjectJob } from '../../../src/sync/sync-object-handler.ts';
import { createSyncServices } from '../../../src/sync/sync-services.ts';
import { startWorker, type Worker } from '../../../src/worker/start-worker.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/sage/support/sandbox-harness.ts';
import { createOrganization } from '../../support/builders.ts';
import { connectSageSandbox, sandboxOAuthEndpoints } from '../../support/sage-connections.ts';
import { TEST_PORTAL_URL, TEST_SESSION_SECRET } from '../../support/test-api.ts';
import { PLATFORM_SECRET, deliver } from '../ingest/support/webhook-harness.ts';
import { DEMO_COMPANY } from './support/sync-harness.ts';

// invoice.paid and charge.succeeded as Stripe delivers them: signed, POSTed to the api's platform
// endpoint, stored and queued by ingest, then fetched from the Stripe fake and posted into the
// Sage sandbox by the real worker (two jobs at a time). Nothing is called directly.

type Stack = { db: TestDatabase; boss: Queue; keyring: Keyring; server: ApiServer; apiUrl: string; fake: StripeFake; fakeUrl: string; sandbox: RunningSandbox; worker: Worker };

async function startStack(): Promise<Stack> {
  const log = createLogger({ level: 'silent' });
  const db = await createTestDatabase();
  const boss = await createQueue(db, { log, supervise: false, schedule: false });
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'test-1' });
  const sandbox = await startSandbox({ now: Date.now });
  const fake = buildStripeFake();
  const { url: fakeUrl } = await fake.listen(0);
  const env = {
    ...loadEnv({ NODE_ENV: 'test', NEXTAUTH_SECRET: TEST_SESSION_SECRET, PORTAL_URL: TEST_PORTAL_URL, STRIPE_WEBHOOK_SECRET: PLATFORM_SECRET, STRIPE_LIVEMODE: 'false' }),
    STRIPE_WEBHOOK_SECRETS: [PLATFORM_SECRET],
  };
  const server = await buildServer({ env, db, boss, log, keyring });
  const apiUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  const services = createSyncServices({
    prisma: db.prisma,
    keyring,
    log,
    stripe: { platformApiKey: 'sk_test_invoices_end_to_end', apiBase: fakeUrl, rateLimiter: new InMemoryRequestBudget({ perSecond: 1_000 }) },
    sageConnectorFor: createSageConnectorFactory({
      prisma: db.prisma,
      keyring,
      rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000 }),
      oauth: sandboxOAuthEndpoints(sandbox.url),
    }),
  });
  const job = createSyncObjectJob({ work: { pollingIntervalSeconds: 0.5, localConcurrency: 2 } });
  const worker = await startWorker({ boss, prisma: db.prisma, log, registry: [job as never], services });
  return { db, boss, keyring, server, apiUrl, fake, fakeUrl, sandbox, worker };
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

async function connectTenant(stack: Stack, edition: SageEdition): Promise<Integration> {
  const prisma = stack.db.prisma;
  const org = await createOrganization(prisma);
  const integration = await prisma.integration.create({
    data: {
      orgId: org.id,
      name: `Stripe to ${edition}`,
      source: 'stripe',
      sourceAccountId: `acct_${randomBytes(6).toString('hex')}`,
      sageEdition: edition,
      sageCompanyId: DEMO_COMPANY[edition],
      timeZone: 'America/Chicago',
      homeCurrency: 'USD',
      writeBackMetadata: true,
    },
  });
  await prisma.glRule.createMany({
    data: defaultGlRules(edition).map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
  });
  await connectSageSandbox(prisma, stack.keyring, stack.sandbox.url, integration);
  return integration;
}

async function load(stack: Stack, integration: Integration, objects: readonly LoadableStripeObject[]): Promise<void> {
  const response = await fetch(`${stack.fakeUrl}/_fake/objects?account=${integration.sourceAccountId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(objects),
  });
  if (response.status !== 200) throw new Error(`loading objects failed: ${response.status} ${await response.text()}`);
}

/** The scenario's own event, as Stripe sends it for a connected account: signed as a whole. */
function signedPayload(integration: Integration, event: Stripe.Event): string {
  return JSON.stringify({ ...event, account: integration.sourceAccountId, pending_webhooks: 1 }, null, 2);
}

function minorUsd(amount: string): number {
  const parsed = parseAmountToMinor(amount, 'USD');
  if (!parsed.ok) throw new Error(`not an amount: ${amount}`);
  return parsed.minor;
}

async function untilSettled(stack: Stack, integration: Integration, expectedJobs: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const jobs = await stack.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { data: { integrationId: integration.id } });
      expect(jobs.length).toBeGreaterThanOrEqual(expectedJobs);
      expect(jobs.map((job) => job.state)).toEqual(jobs.map(() => 'completed'));
    },
    { timeout: 60_000, interval: 100 },
  );
}

describe.each(['sage_pro', 'sage500'] as const)('invoice.paid through a signed webhook into %s', (edition) => {
  let stack: Stack | undefined;
  let integration: Integration;

  beforeAll(async () => {
    stack = await startStack();
    integration = await connectTenant(stack, edition);
  }, 120_000);
  afterAll(() => stopStack(stack), 120_000);

  it('posts the invoice once and each charge’s receipt once, applied to it, when invoice.paid arrives before the charges and again after them', async () => {
    const scenario = buildInvoiceScenario({ seed: 77, lines: [{ description: 'Implementation', amount: 15_000 }, { description: 'Training day', amount: 5_000 }], payments: [12_000, 8_000] });
    await load(stack!, integration, scenario.objects);
    const events = scenario.events.map((event) => ({ type: event.type, payload: signedPayload(integration, event) }));
    const paid = events.find((event) => event.type === 'invoice.paid')!;
    // invoice.paid first, then each charge.succeeded, then invoice.paid again (a redelivery).
    const deliveries = [paid, ...events.filter((event) => event !== paid), paid];

    for (const delivery of deliveries) {
      const response = await deliver(stack!.apiUrl, delivery.payload);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ received: true });
    }
    await untilSettled(stack!, integration, 3);

    const company = DEMO_COMPANY[edition];
    const [sageInvoice, ...moreInvoices] = await stack!.sandbox.documents(company, { reference: scenario.invoice.id });
    expect(moreInvoices).toEqual([]);
    expect(sageInvoice).toMatchObject({ type: 'invoice', amount: '200.00', currency: 'USD' });
    for (const charge of scenario.charges) {
      const receipts = await stack!.sandbox.documents(company, { reference: charge.id });
      expect(receipts).toHaveLength(1);
      expect(minorUsd(receipts[0]!.amount)).toBe(charge.amount);
      if (edition === 'sage500') expect(JSON.stringify(receipts[0]!.lines)).toContain(sageInvoice!.number);
      else expect(receipts[0]!.appliesToInvoice).toBe(sageInvoice!.number);
      const record = await stack!.db.prisma.syncRecord.findFirst({ where: { integrationId: integration.id, sourceObjectType: 'charge', sourceObjectId: charge.id } });
      expect(record).toMatchObject({ status: 'synced', sageDocumentId: receipts[0]!.id });
      // The receipt's Sage id is written back onto the charge, as for any charge.
      expect(stack!.fake.store.get(integration.sourceAccountId, 'charge', charge.id)?.metadata).toMatchObject({ sage_document_id: receipts[0]!.id });
    }
    // Receivables: debited by the invoice, cleared by its receipts.
    const { body: books } = await stack!.sandbox.getJson<{ receivablesAccount: string }>(`/_sandbox/companies/${company}`);
    const receivablesMovement = [sageInvoice!, ...(await Promise.all(scenario.charges.map((charge) => stack!.sandbox.documents(company, { reference: charge.id })))).flat()]
      .flatMap((document) => document.lines)
      .filter((line) => line.account === books.receivablesAccount)
      .reduce((sum, line) => sum + minorUsd(line.debit) - minorUsd(line.credit), 0);
    expect(receivablesMovement).toBe(0);
    expect(await stack!.db.prisma.syncRecord.findFirst({ where: { integrationId: integration.id, sourceObjectType: 'invoice', sourceObjectId: scenario.invoice.id } })).toMatchObject({
      status: 'synced',
      sageDocumentType: 'invoice',
      sageDocumentId: sageInvoice!.id,
    });
  }, 120_000);
});
