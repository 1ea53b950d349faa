import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  applyMigrations,
  connectionSecretContext,
  defaultGlRules,
  generateMasterKey,
  loadKeyring,
  openDatabase,
  sealSecret,
  type Database,
  type Integration,
} from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';
import { createQueue } from '../../../src/queue/create-queue.ts';
import { buildStripeFake, type StripeFake } from '../../../src/sandbox/stripe-fake/stripe-fake-server.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, syncObjectJob, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/sage/support/sandbox-harness.ts';
import { createOrganization } from '../../support/builders.ts';
import { charge, customer } from '../processors/support/stripe-objects.ts';

// The worker as its own process, killed with SIGKILL while jobs are in flight and started again:
// every charge still reaches Sage, and exactly once. With PostgreSQL the process is the worker
// (`worker-main.ts`); with the embedded database it is the api, which runs the worker inside it
// (PGlite cannot be shared), over a data directory this test prepares and inspects between runs.

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const COMPANY = 'demo-500';
const CHARGES = 100;
const embedded = !process.env.DATABASE_URL;

type Store = {
  /** Runs `work` with the database open in this process (embedded: only while the worker is down). */
  use<T>(work: (db: Database) => Promise<T>): Promise<T>;
  childEnv: Record<string, string>;
  script: string;
  dispose(): Promise<void>;
};

async function prepareStore(): Promise<Store> {
  if (!embedded) {
    const db: TestDatabase = await createTestDatabase();
    if (db.kind !== 'postgres') throw new Error('expected PostgreSQL');
    return { use: (work) => work(db), childEnv: { DATABASE_URL: db.url }, script: path.join(ROOT, 'api', 'src', 'worker-main.ts'), dispose: () => db.dispose() };
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagesync-crash-'));
  const target = { dataDir: path.join(dataDir, 'pglite') };
  const first = await openDatabase(target);
  await applyMigrations(first);
  await first.close();
  return {
    async use(work) {
      const db = await openDatabase(target);
      try {
        return await work(db);
      } finally {
        await db.close();
      }
    },
    childEnv: { DATA_DIR: dataDir, RUN_WORKER_IN_PROCESS: 'true', API_HOST: '127.0.0.1', API_PORT: '0' },
    script: path.join(ROOT, 'api', 'src', 'main.ts'),
    async dispose() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

type Running = { child: ChildProcess; output: string[]; exited: Promise<void> };

function startProcess(store: Store, env: Record<string, string>): Running {
  const output: string[] = [];
  // Node itself with tsx's loader: the `tsx` command would run the script in a grandchild, which a
  // SIGKILL of the command leaves running.
  const child = spawn(process.execPath, ['--import', 'tsx', store.script], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), ...env, ...store.childEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, output, exited };
}

async function stopProcess(running: Running | undefined, signal: NodeJS.Signals): Promise<void> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) return;
  running.child.kill(signal);
  await running.exited;
}

describe(`a worker process killed mid-sync (${embedded ? 'embedded PGlite' : 'PostgreSQL'})`, () => {
  const masterKey = generateMasterKey();
  const keyring = loadKeyring({ key: masterKey, keyId: 'crash-1' });
  let store: Store;
  let sandbox: RunningSandbox;
  let fake: StripeFake;
  let fakeUrl: string;
  let running: Running | undefined;
  let integration: Integration;
  const chargeIds: string[] = [];

  const childEnv = () => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'warn',
    NEXTAUTH_SECRET: randomBytes(32).toString('base64'),
    PORTAL_URL: 'http://localhost:3000',
    APP_ENCRYPTION_KEY: masterKey,
    APP_ENCRYPTION_KEY_ID: 'crash-1',
    STRIPE_API_BASE: fakeUrl,
    STRIPE_API_KEY: 'sk_test_crash_safety',
    STRIPE_WEBHOOK_SECRET: 'whsec_crash_safety',
    // The product's Sage budget (180 a minute) would make this a ten-minute test; the sandbox allows more.
    SAGE_RATE_LIMIT_PER_MINUTE: '6000',
  });

  /** How many Sage documents each of our charges has. */
  async function documentsPerCharge(): Promise<Map<string, number>> {
    const counts = new Map(chargeIds.map((id) => [id, 0]));
    for (const document of await sandbox.documents(COMPANY)) {
      const reference = document.reference;
      if (reference !== null && counts.has(reference)) counts.set(reference, counts.get(reference)! + 1);
    }
    return counts;
  }

  beforeAll(async () => {
    store = await prepareStore();
    sandbox = await startSandbox({ now: Date.now });
    fake = buildStripeFake();
    fakeUrl = (await fake.listen(0)).url;

    await store.use(async (db) => {
      const prisma = db.prisma;
      const org = await createOrganization(prisma);
      integration = await prisma.integration.create({
        data: {
          orgId: org.id,
          name: 'Stripe to Sage 500',
          source: 'stripe',
          sourceAccountId: `acct_${randomBytes(6).toString('hex')}`,
          sageEdition: 'sage500',
          sageCompanyId: COMPANY,
          timeZone: 'America/Chicago',
          homeCurrency: 'USD',
          writeBackMetadata: false,
        },
      });
      await prisma.glRule.createMany({
        data: defaultGlRules('sage500').map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
      });
      const row = { orgId: org.id, provider: 'sage500' as const };
      await prisma.connection.create({
        data: { ...row, integrationId: integration.id, authKind: 'api_key', baseUrl: `${sandbox.url}/sage500/${COMPANY}`, apiKey: sealSecret(keyring, 'demo-500-agent-key', connectionSecretContext(row, 'apiKey')) },
      });

      const objects = [];
      for (let i = 0; i < CHARGES; i += 1) {
        const paid = charge({ amount: 1_000 + i, currency: 'usd', customer: customer() });
        chargeIds.push(paid.charge.id as string);
        objects.push(...paid.objects);
      }
      const response = await fetch(`${fakeUrl}/_fake/objects?account=${integration.sourceAccountId}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(objects) });
      if (response.status !== 200) throw new Error(`loading objects failed: ${response.status} ${await response.text()}`);

      // Enqueued as ingest does: each event stored with its job.
      const boss = await createQueue(db, { log: createLogger({ level: 'silent' }), supervise: false, schedule: false });
      await ensureSyncObjectQueue(boss);
      const jobs = [];
      for (const chargeId of chargeIds) {
        const eventId = `evt_${randomBytes(9).toString('hex')}`;
        await prisma.receivedEvent.create({
          data: {
            orgId: org.id,
            integrationId: integration.id,
            source: 'stripe',
            eventId,
            type: 'charge.succeeded',
            objectType: 'charge',
            objectId: chargeId,
            sourceCreatedAt: new Date(),
            payload: { id: eventId, object: 'event', data: { object: { id: chargeId } } },
          },
        });
        const payload: SyncObjectJobPayload = { integrationId: integration.id, orgId: org.id, objectType: 'charge', objectId: chargeId, eventId };
        jobs.push(syncObjectJob(payload));
      }
      await boss.insert(SYNC_OBJECT_QUEUE, jobs);
      // pg-boss has its own pool on PostgreSQL; on PGlite it borrows the database, closed by `use`.
      await boss.stop({ graceful: false, close: !embedded });
    });
  }, 120_000);

  afterAll(async () => {
    await stopProcess(running, 'SIGKILL');
    await sandbox?.close();
    await fake?.close();
    await store?.dispose();
  });

  it('posts every charge exactly once after a SIGKILL while jobs are in flight and a restart', async () => {
    // Slow Sage down so that many jobs are mid-request when the process dies.
    await sandbox.setFaults(COMPANY, { latencyMs: 150, rateLimitPerMinute: 100_000 });
    running = startProcess(store, childEnv());
    await vi.waitFor(
      async () => {
        const posted = [...(await documentsPerCharge()).values()].filter((count) => count > 0).length;
        expect(posted, running!.output.join('')).toBeGreaterThanOrEqual(10);
      },
      { timeout: 60_000, interval: 50 },
    );
    await stopProcess(running, 'SIGKILL');
    const postedBeforeTheCrash = [...(await documentsPerCharge()).values()].filter((count) => count > 0).length;
    expect(postedBeforeTheCrash).toBeLessThan(CHARGES);

    // The killed jobs are still `active`; pg-boss hands them out again once they expire (15
    // minutes by default). The expiry is over: they are due now, as pg-boss would make them.
    const interrupted = await store.use(async (db) => {
      const rows = await db.query<{ id: string }>(
        `UPDATE pgboss.job SET state = 'retry', start_after = now() - interval '1 second'
          WHERE name = $1 AND state = 'active' RETURNING id`,
        [SYNC_OBJECT_QUEUE],
      );
      return rows.length;
    });
    expect(interrupted).toBeGreaterThan(0);

    await sandbox.setFaults(COMPANY, { latencyMs: 0 });
    running = startProcess(store, childEnv());
    await vi.waitFor(
      async () => {
        const missing = [...(await documentsPerCharge()).entries()].filter(([, count]) => count === 0);
        expect(missing.length, running!.output.join('').slice(-6000)).toBe(0);
      },
      { timeout: 90_000, interval: 200 },
    );
    const jobStates = () => store.use((db) => db.query<{ state: string; count: string }>(`SELECT state::text, count(*)::text FROM pgboss.job WHERE name = $1 GROUP BY state`, [SYNC_OBJECT_QUEUE]));
    const allCompleted = [{ state: 'completed', count: String(CHARGES) }];
    // PostgreSQL: seen while the worker runs. Embedded: once it has stopped (the database is its own).
    if (!embedded) await vi.waitFor(async () => expect(await jobStates()).toEqual(allCompleted), { timeout: 30_000, interval: 100 });
    await stopProcess(running, 'SIGTERM');
    expect(running.child.exitCode).toBe(0);
    if (embedded) expect(await jobStates()).toEqual(allCompleted);

    const perCharge = await documentsPerCharge();
    expect([...perCharge.entries()].filter(([, count]) => count !== 1)).toEqual([]);
    const records = await store.use((db) => db.prisma.syncRecord.findMany({ where: { integrationId: integration.id, sourceObjectType: 'charge' } }));
    expect(records).toHaveLength(CHARGES);
    expect(records.filter((record) => record.status !== 'synced').map((record) => [record.sourceObjectId, record.status, record.lastError])).toEqual([]);
  }, 240_000);
});
