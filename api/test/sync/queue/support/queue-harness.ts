import { randomBytes } from 'node:crypto';
import { defaultGlRules, generateMasterKey, loadKeyring, type Integration, type Keyring, type Organization, type PrismaClient } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import type { JobInsert } from 'pg-boss';
import { vi, expect } from 'vitest';
import { createLogger, type Logger } from '../../../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../../../src/queue/create-queue.ts';
import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeFake, type StripeFake } from '../../../../src/sandbox/stripe-fake/stripe-fake-server.ts';
import type { SyncedObjectType } from '../../../../src/sync/ingest/handled-events.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, syncObjectJob, type SyncObjectJobPayload } from '../../../../src/sync/ingest/sync-object-job.ts';
import { startSyncWorker } from '../../../../src/worker/start-sync-worker.ts';
import type { Worker } from '../../../../src/worker/start-worker.ts';
import { startSandbox, type RunningSandbox } from '../../../sandbox/sage/support/sandbox-harness.ts';
import { createOrganization } from '../../../support/builders.ts';
import { connectSageSandbox } from '../../../support/sage-connections.ts';

// The product's own worker (`startSyncWorker`: its job registry, work options and Sage budget, as
// `npm run worker` starts it) on a test database, reading an in-process Stripe fake and posting to
// the Sage sandbox. Tests enqueue jobs as ingest does and start the worker when they are ready.

export const COMPANY = 'demo-500';

export type QueueHarness = {
  db: TestDatabase;
  prisma: PrismaClient;
  boss: Queue;
  keyring: Keyring;
  sandbox: RunningSandbox;
  fake: StripeFake;
  log: Logger;
  /** Starts the production worker; stopped by the harness at close if the test did not stop it. */
  startWorker(): Promise<Worker>;
  createTenant(): Promise<Tenant>;
  close(): Promise<void>;
};

export type Tenant = {
  org: Organization;
  integration: Integration;
  load(objects: readonly LoadableStripeObject[]): Promise<void>;
  payload(objectType: SyncedObjectType, objectId: string): SyncObjectJobPayload;
};

export async function startQueueHarness(): Promise<QueueHarness> {
  const log = createLogger({ level: 'silent' });
  const db = await createTestDatabase();
  const boss = await createQueue(db, { log, supervise: false, schedule: false });
  await ensureSyncObjectQueue(boss);
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'queue-1' });
  const sandbox = await startSandbox({ now: Date.now });
  const fake = buildStripeFake();
  const { url: fakeUrl } = await fake.listen(0);
  const workers: Worker[] = [];
  // The worker's environment: the fake for Stripe, and a Sage budget the sandbox allows (the
  // product's 180 a minute would make these minutes-long tests).
  const source = { STRIPE_API_BASE: fakeUrl, STRIPE_API_KEY: 'sk_test_queue_harness', STRIPE_READ_BUDGET_PER_SECOND: '100', SAGE_RATE_LIMIT_PER_MINUTE: '6000' };

  return {
    db,
    prisma: db.prisma,
    boss,
    keyring,
    sandbox,
    fake,
    log,
    async startWorker() {
      const worker = await startSyncWorker({ db, boss, log, keyring, source });
      workers.push(worker);
      return worker;
    },
    async createTenant() {
      const org = await createOrganization(db.prisma);
      const integration = await db.prisma.integration.create({
        data: {
          orgId: org.id,
          name: `Stripe to Sage 500 ${randomBytes(3).toString('hex')}`,
          source: 'stripe',
          sourceAccountId: `acct_${randomBytes(6).toString('hex')}`,
          sageEdition: 'sage500',
          sageCompanyId: COMPANY,
          timeZone: 'America/Chicago',
          homeCurrency: 'USD',
          writeBackMetadata: false,
        },
      });
      await db.prisma.glRule.createMany({
        data: defaultGlRules('sage500').map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
      });
      await connectSageSandbox(db.prisma, keyring, sandbox.url, integration);
      return {
        org,
        integration,
        async load(objects) {
          const response = await fetch(`${fakeUrl}/_fake/objects?account=${integration.sourceAccountId}`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(objects),
          });
          if (response.status !== 200) throw new Error(`loading objects failed: ${response.status} ${await response.text()}`);
        },
        payload: (objectType, objectId) => ({ integrationId: integration.id, orgId: org.id, objectType, objectId, eventId: `evt_${randomBytes(9).toString('hex')}` }),
      };
    },
    async close() {
      for (const worker of workers) await worker.stop().catch(() => undefined);
      await boss.stop({ graceful: false, close: true });
      await sandbox.close();
      await fake.close();
      await db.dispose();
    },
  };
}

/** Enqueues sync jobs exactly as ingest builds them, plus per-job overrides; resolves to their ids in order. */
export async function enqueue(boss: Queue, jobs: readonly (SyncObjectJobPayload | (JobInsert<SyncObjectJobPayload> & { data: SyncObjectJobPayload }))[]): Promise<string[]> {
  const inserts = jobs.map((job) => ('data' in job ? { ...syncObjectJob(job.data), ...job } : syncObjectJob(job)));
  const ids = (await boss.insert(SYNC_OBJECT_QUEUE, inserts, { returnId: true })) ?? [];
  if (ids.length !== inserts.length) throw new Error('not every job was enqueued');
  return ids;
}

type State = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/** Bounded polling (vitest's waitFor, no sleeps) until the sync job is in one of the states. */
export async function waitForSyncJob(boss: Queue, jobId: string, states: State[]): Promise<void> {
  await vi.waitFor(
    async () => {
      const job = await boss.getJobById(SYNC_OBJECT_QUEUE, jobId);
      expect(states).toContain(job?.state);
    },
    { timeout: 60_000, interval: 100 },
  );
}

/** The backoff is over: the retry runs now (as pg-boss would after its delay). */
export async function runRetryNow(boss: Queue, jobId: string): Promise<void> {
  const job = await boss.getJobById(SYNC_OBJECT_QUEUE, jobId);
  if (!job) throw new Error(`no job ${jobId}`);
  await boss.update(SYNC_OBJECT_QUEUE, job.data as object, { id: jobId, startAfter: new Date() });
}
