import { randomBytes } from 'node:crypto';
import { DEFAULT_GL_ACCOUNTS, defaultGlRules, generateMasterKey, loadKeyring, type GlAccounts, type Integration, type Keyring, type SageEdition, type SyncRecord } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { expect, vi } from 'vitest';
import { createSageConnectorFactory } from '../../../../src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../../../../src/connectors/sage/http/rate-limiter.ts';
import { InMemoryRequestBudget } from '../../../../src/connectors/stripe/stripe-request-budget.ts';
import { createLogger } from '../../../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../../../src/queue/create-queue.ts';
import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeFake, type StripeFake } from '../../../../src/sandbox/stripe-fake/stripe-fake-server.ts';
import type { SyncedObjectType } from '../../../../src/sync/ingest/handled-events.ts';
import { SYNC_OBJECT_QUEUE, syncObjectJob, type SyncObjectJobPayload } from '../../../../src/sync/ingest/sync-object-job.ts';
import { createSyncObjectJob } from '../../../../src/sync/sync-object-handler.ts';
import { createSyncServices } from '../../../../src/sync/sync-services.ts';
import { startWorker, type Worker } from '../../../../src/worker/start-worker.ts';
import { startSandbox, type InspectedDocument, type RunningSandbox } from '../../../sandbox/sage/support/sandbox-harness.ts';
import { createOrganization } from '../../../support/builders.ts';
import { connectSageSandbox, sandboxOAuthEndpoints } from '../../../support/sage-connections.ts';
import { DEMO_COMPANY } from './sync-harness.ts';

// The real worker, sync job and services on a test database, against the Stripe fake and the Sage
// sandbox over HTTP, as sync-harness.ts builds them, plus what invoice tests need: two jobs at a
// time (an invoice's job and its charge's job are different queue keys), every Sage request seen
// on its way out, and a hook that may hold a Sage request back until a condition holds.

export type SageRequestSeen = { method: string; url: URL; body: string };

export type InvoiceHarness = {
  db: TestDatabase;
  boss: Queue;
  sandbox: RunningSandbox;
  fake: StripeFake;
  fakeUrl: string;
  worker: Worker;
  /** Every Sage API request sent, in order. */
  sageRequests: SageRequestSeen[];
  /** Awaited before each Sage request is sent; a test sets it to hold requests back. */
  beforeSageRequest: ((request: SageRequestSeen) => Promise<void>) | null;
  close(): Promise<void>;
};

export async function startInvoiceHarness(): Promise<InvoiceHarness> {
  const log = createLogger({ level: 'silent' });
  const db = await createTestDatabase();
  const boss = await createQueue(db, { log, supervise: false, schedule: false });
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'test-1' });
  const sandbox = await startSandbox({ now: Date.now });
  const fake = buildStripeFake();
  const { url: fakeUrl } = await fake.listen(0);
  const sageRequests: SageRequestSeen[] = [];
  const harness = { beforeSageRequest: null } as InvoiceHarness;
  const seeingFetch: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const seen = { method: (init?.method ?? 'GET').toUpperCase(), url, body: typeof init?.body === 'string' ? init.body : '' };
    if (!url.pathname.includes('/oauth/')) {
      sageRequests.push(seen);
      await harness.beforeSageRequest?.(seen);
    }
    return fetch(input, init);
  };
  const services = createSyncServices({
    prisma: db.prisma,
    keyring,
    log,
    stripe: { platformApiKey: 'sk_test_invoice_harness', apiBase: fakeUrl, rateLimiter: new InMemoryRequestBudget({ perSecond: 1_000 }) },
    sageConnectorFor: createSageConnectorFactory({
      prisma: db.prisma,
      keyring,
      rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000 }),
      oauth: sandboxOAuthEndpoints(sandbox.url),
      fetch: seeingFetch,
    }),
  });
  // Two jobs at once, so an invoice's job and its charge's job can run side by side.
  const job = createSyncObjectJob({ work: { pollingIntervalSeconds: 0.5, localConcurrency: 2 } });
  const worker = await startWorker({ boss, prisma: db.prisma, log, registry: [job as never], services });
  keyrings.set(harness, keyring);
  return Object.assign(harness, {
    db,
    boss,
    sandbox,
    fake,
    fakeUrl,
    worker,
    sageRequests,
    async close() {
      await worker.stop();
      await boss.stop({ graceful: false, close: true });
      await sandbox.close();
      await fake.close();
      await db.dispose();
    },
  });
}

const keyrings = new WeakMap<InvoiceHarness, Keyring>();

export type InvoiceTenant = {
  integration: Integration;
  edition: SageEdition;
  company: string;
  load(objects: readonly LoadableStripeObject[]): Promise<void>;
  /** Stores an event and enqueues its job, as ingest does; resolves to the job id. */
  deliver(objectType: SyncedObjectType, objectId: string): Promise<string>;
  /** Delivers and waits until the job is completed. */
  sync(objectType: SyncedObjectType, objectId: string): Promise<void>;
  record(objectType: SyncRecord['sourceObjectType'], objectId: string): Promise<SyncRecord | null>;
  /** Every Sage document carrying this reference, of any type. */
  documents(reference: string): Promise<InspectedDocument[]>;
};

export async function createInvoiceTenant(harness: InvoiceHarness, edition: SageEdition, glAccounts?: (defaults: Required<GlAccounts>) => GlAccounts): Promise<InvoiceTenant> {
  const prisma = harness.db.prisma;
  const org = await createOrganization(prisma);
  const company = DEMO_COMPANY[edition];
  const integration = await prisma.integration.create({
    data: {
      orgId: org.id,
      name: `Stripe to ${edition}`,
      source: 'stripe',
      sourceAccountId: `acct_${randomBytes(6).toString('hex')}`,
      sageEdition: edition,
      sageCompanyId: company,
      timeZone: 'America/Chicago',
      homeCurrency: 'USD',
      writeBackMetadata: false,
    },
  });
  await prisma.glRule.createMany({
    data: defaultGlRules(edition).map((rule, position) => ({
      orgId: org.id,
      integrationId: integration.id,
      position,
      name: rule.name,
      conditions: rule.conditions,
      accounts: glAccounts && rule.conditions.length === 0 ? glAccounts(DEFAULT_GL_ACCOUNTS[edition]) : rule.accounts,
    })),
  });
  await connectSageSandbox(prisma, keyrings.get(harness)!, harness.sandbox.url, integration);

  const deliver: InvoiceTenant['deliver'] = async (objectType, objectId) => {
    const eventId = `evt_${randomBytes(9).toString('hex')}`;
    await prisma.receivedEvent.create({
      data: {
        orgId: org.id,
        integrationId: integration.id,
        source: 'stripe',
        eventId,
        type: objectType === 'invoice' ? 'invoice.paid' : `${objectType}.updated`,
        objectType,
        objectId,
        sourceCreatedAt: new Date(),
        payload: { id: eventId, object: 'event', data: { object: { id: objectId } } },
      },
    });
    const payload: SyncObjectJobPayload = { integrationId: integration.id, orgId: org.id, objectType, objectId, eventId };
    const [jobId] = (await harness.boss.insert(SYNC_OBJECT_QUEUE, [syncObjectJob(payload)], { returnId: true })) ?? [];
    if (!jobId) throw new Error('the job was not enqueued');
    return jobId;
  };

  return {
    integration,
    edition,
    company,
    async load(objects) {
      const response = await fetch(`${harness.fakeUrl}/_fake/objects?account=${integration.sourceAccountId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(objects),
      });
      if (response.status !== 200) throw new Error(`loading objects failed: ${response.status} ${await response.text()}`);
    },
    deliver,
    async sync(objectType, objectId) {
      await waitForCompletedJob(harness, await deliver(objectType, objectId));
    },
    record: (objectType, objectId) => prisma.syncRecord.findFirst({ where: { integrationId: integration.id, sourceObjectType: objectType, sourceObjectId: objectId } }),
    documents: (reference) => harness.sandbox.documents(company, { reference }),
  };
}

/** Bounded polling until the job has completed (vitest's waitFor, no sleeps). */
export async function waitForCompletedJob(harness: InvoiceHarness, jobId: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const job = await harness.boss.getJobById(SYNC_OBJECT_QUEUE, jobId);
      expect(job?.state).toBe('completed');
    },
    { timeout: 30_000, interval: 100 },
  );
}
