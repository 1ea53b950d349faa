import { randomBytes } from 'node:crypto';
import { defaultGlRules, generateMasterKey, loadKeyring, type Integration, type PrismaClient, type SageEdition, type SyncRecord } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { expect, vi } from 'vitest';
import { createSageConnectorFactory } from '../../../../src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../../../../src/connectors/sage/http/rate-limiter.ts';
import { InMemoryRequestBudget } from '../../../../src/connectors/stripe/stripe-request-budget.ts';
import { createLogger } from '../../../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../../../src/queue/create-queue.ts';
import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeFake, type StripeFake } from '../../../../src/sandbox/stripe-fake/stripe-fake-server.ts';
import type { AnomalyInput, AnomalyVerdict } from '../../../../src/sync/anomaly-hook.ts';
import type { SyncedObjectType } from '../../../../src/sync/ingest/handled-events.ts';
import { SYNC_OBJECT_QUEUE, syncObjectJob, type SyncObjectJobPayload } from '../../../../src/sync/ingest/sync-object-job.ts';
import { createSyncObjectJob } from '../../../../src/sync/sync-object-handler.ts';
import { createSyncServices } from '../../../../src/sync/sync-services.ts';
import { startWorker, type Worker } from '../../../../src/worker/start-worker.ts';
import { startSandbox, type InspectedDocument, type RunningSandbox } from '../../../sandbox/sage/support/sandbox-harness.ts';
import { createOrganization } from '../../../support/builders.ts';
import { connectSageSandbox, sandboxOAuthEndpoints } from '../../../support/sage-connections.ts';

// The real worker, with the real sync-object job and services, on a test database, against an
// in-process Stripe fake and Sage sandbox. Tests enqueue jobs the way ingest does (a stored
// event and its job) and wait until the job settles.

export const DEMO_COMPANY: Record<SageEdition, string> = { sage500: 'demo-500', sage_pro: 'demo-pro', sage50: 'demo-50', sage_accounting: 'demo-cloud' };

export type SyncHarness = {
  db: TestDatabase;
  prisma: PrismaClient;
  boss: Queue;
  sandbox: RunningSandbox;
  fake: StripeFake;
  fakeUrl: string;
  worker: Worker;
  /** Object ids the injected anomaly hook holds. */
  holdIds: Set<string>;
  close(): Promise<void>;
};

export async function startSyncHarness(): Promise<SyncHarness> {
  const log = createLogger({ level: 'silent' });
  const db = await createTestDatabase();
  const boss = await createQueue(db, { log, supervise: false, schedule: false });
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'test-1' });
  const sandbox = await startSandbox({ now: Date.now });
  const fake = buildStripeFake();
  const { url: fakeUrl } = await fake.listen(0);
  const sageConnectorFor = createSageConnectorFactory({
    prisma: db.prisma,
    keyring,
    rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000 }),
    oauth: sandboxOAuthEndpoints(sandbox.url),
  });
  const services = createSyncServices({
    prisma: db.prisma,
    keyring,
    log,
    stripe: { platformApiKey: 'sk_test_sync_harness', apiBase: fakeUrl, rateLimiter: new InMemoryRequestBudget({ perSecond: 1_000 }) },
    sageConnectorFor,
  });
  const holdIds = new Set<string>();
  const assessAnomaly = async ({ object }: AnomalyInput): Promise<AnomalyVerdict> =>
    holdIds.has((object as { id: string }).id) ? { hold: true, score: 0.97, reasons: ['Ten times the customer’s usual amount.'] } : { hold: false };
  const job = createSyncObjectJob({ assessAnomaly, work: { pollingIntervalSeconds: 0.5 } });
  const worker = await startWorker({ boss, prisma: db.prisma, log, registry: [job as never], services });
  keyringOf.set(db.prisma, keyring);
  return {
    db,
    prisma: db.prisma,
    boss,
    sandbox,
    fake,
    fakeUrl,
    worker,
    holdIds,
    async close() {
      await worker.stop();
      await boss.stop({ graceful: false, close: true });
      await sandbox.close();
      await fake.close();
      await db.dispose();
    },
  };
}

const keyringOf = new WeakMap<PrismaClient, ReturnType<typeof loadKeyring>>();

export type Tenant = {
  integration: Integration;
  company: string;
  /** Loads objects into the fake, in this tenant's Stripe account. */
  load(objects: readonly LoadableStripeObject[]): Promise<void>;
  /** Stores an event and enqueues its job, as ingest does; resolves to the job id. */
  deliver(objectType: SyncedObjectType, objectId: string, eventCreated?: number): Promise<string>;
  /** Delivers and waits until the job is done (completed, or in retry/failed when `until` says so). */
  sync(objectType: SyncedObjectType, objectId: string, until?: JobState[]): Promise<string>;
  record(objectType: SyncRecord['sourceObjectType'], objectId: string): Promise<SyncRecord | null>;
  /** Every Sage document carrying this reference, of any type. */
  documents(reference: string): Promise<InspectedDocument[]>;
};

type JobState = 'completed' | 'retry' | 'failed';

export async function createTenant(harness: SyncHarness, edition: SageEdition, settings: Partial<Pick<Integration, 'writeBackMetadata' | 'timeZone'>> = {}): Promise<Tenant> {
  const { prisma } = harness;
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
      timeZone: settings.timeZone ?? 'America/Chicago',
      homeCurrency: 'USD',
      writeBackMetadata: settings.writeBackMetadata ?? false,
    },
  });
  await prisma.glRule.createMany({
    data: defaultGlRules(edition).map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
  });
  await connectSageSandbox(prisma, keyringOf.get(prisma)!, harness.sandbox.url, integration);

  const deliver: Tenant['deliver'] = async (objectType, objectId, eventCreated = Math.floor(Date.now() / 1000)) => {
    const eventId = `evt_${randomBytes(9).toString('hex')}`;
    await prisma.receivedEvent.create({
      data: {
        orgId: org.id,
        integrationId: integration.id,
        source: 'stripe',
        eventId,
        type: `${objectType}.updated`,
        objectType,
        objectId,
        sourceCreatedAt: new Date(eventCreated * 1000),
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
    async sync(objectType, objectId, until = ['completed']) {
      const jobId = await deliver(objectType, objectId);
      await waitForJob(harness, jobId, until);
      return jobId;
    },
    record: (objectType, objectId) => prisma.syncRecord.findFirst({ where: { integrationId: integration.id, sourceObjectType: objectType, sourceObjectId: objectId } }),
    documents: (reference) => harness.sandbox.documents(company, { reference }),
  };
}

/** Bounded polling until the job reaches one of the states (no sleeps: vitest's waitFor). */
export async function waitForJob(harness: SyncHarness, jobId: string, states: JobState[] = ['completed']): Promise<void> {
  await vi.waitFor(
    async () => {
      const job = await harness.boss.getJobById(SYNC_OBJECT_QUEUE, jobId);
      expect(states).toContain(job?.state);
    },
    { timeout: 25_000, interval: 100 },
  );
}

/** The backoff is over: the retry runs now (as pg-boss would after retryDelay). */
export async function runRetryNow(harness: SyncHarness, jobId: string): Promise<void> {
  const job = await harness.boss.getJobById(SYNC_OBJECT_QUEUE, jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  await harness.boss.update(SYNC_OBJECT_QUEUE, job.data as object, { id: jobId, startAfter: new Date() });
}
