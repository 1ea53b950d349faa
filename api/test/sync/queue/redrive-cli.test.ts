import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { applyMigrations, openDatabase, type Database, type Integration } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/observability/logger.ts';
import { createQueue } from '../../../src/queue/create-queue.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_DEAD_QUEUE, syncObjectKey } from '../../../src/sync/ingest/sync-object-job.ts';
import { createIntegration, createOrganization } from '../../support/builders.ts';
import { killSyncObject, type DeadItem } from './support/dead-items.ts';

// `npm run redrive -- --integration ID [--type charge] [--dry-run]`, run as an operator runs it: a
// process of its own on the product's database (PostgreSQL, or an embedded data directory).

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const CLI = path.join(ROOT, 'api', 'src', 'cli', 'redrive.ts');
const embedded = !process.env.DATABASE_URL;

type Store = { use<T>(work: (db: Database) => Promise<T>): Promise<T>; env: Record<string, string>; dispose(): Promise<void> };

async function prepareStore(): Promise<Store> {
  if (!embedded) {
    const db: TestDatabase = await createTestDatabase();
    if (db.kind !== 'postgres') throw new Error('expected PostgreSQL');
    return { use: (work) => work(db), env: { DATABASE_URL: db.url }, dispose: () => db.dispose() };
  }
  // PGlite lives in one process at a time: the test opens the directory only while the CLI is not running.
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagesync-redrive-'));
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
    env: { DATA_DIR: dataDir },
    async dispose() {
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function runCli(store: Store, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(), LOG_LEVEL: 'silent', ...store.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe(`npm run redrive (${embedded ? 'embedded PGlite' : 'PostgreSQL'})`, () => {
  let store: Store;
  let integration: Integration;
  let charges: DeadItem[];
  let refund: DeadItem;

  beforeAll(async () => {
    store = await prepareStore();
    await store.use(async (db) => {
      const boss = await createQueue(db, { log: createLogger({ level: 'silent' }), supervise: false, schedule: false });
      try {
        await ensureSyncObjectQueue(boss);
        integration = await createIntegration(db.prisma, await createOrganization(db.prisma));
        charges = [await killSyncObject(boss, db.prisma, integration, 'charge'), await killSyncObject(boss, db.prisma, integration, 'charge')];
        refund = await killSyncObject(boss, db.prisma, integration, 'refund');
      } finally {
        await boss.stop({ graceful: false, close: true });
      }
    });
  }, 120_000);
  afterAll(() => store.dispose(), 120_000);

  const statuses = (items: DeadItem[]) =>
    store.use(async (db) => {
      const records = await db.prisma.syncRecord.findMany({ where: { id: { in: items.map((item) => item.record.id) } }, select: { id: true, status: true } });
      return items.map((item) => records.find((record) => record.id === item.record.id)?.status);
    });

  it('counts on --dry-run and changes nothing', async () => {
    const run = await runCli(store, ['--integration', integration.id, '--type', 'charge', '--dry-run']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Would redrive 2 dead item(s) of ${integration.name} (2 dead-letter job(s) to consume).`);
    expect(await statuses([...charges, refund])).toEqual(['dead', 'dead', 'dead']);
  }, 120_000);

  it("redrives the integration's dead charges, audited as the CLI, and leaves the refund dead", async () => {
    const run = await runCli(store, ['--integration', integration.id, '--type', 'charge']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Redrove 2 dead item(s) of ${integration.name} (2 dead-letter job(s) consumed).`);
    expect(await statuses([...charges, refund])).toEqual(['pending', 'pending', 'dead']);

    await store.use(async (db) => {
      const audit = await db.prisma.auditLogEntry.findMany({ where: { orgId: integration.orgId, action: 'sync.redrive' } });
      expect(audit.map((entry) => [entry.actorKind, entry.actorId, entry.targetId, (entry.data as { via?: string }).via]).sort()).toEqual(
        charges.map((item) => ['system', null, item.payload.objectId, 'cli']).sort(),
      );
      const keys = charges.map((item) => syncObjectKey(item.payload));
      const deadLetters = await db.query<{ singleton_key: string; state: string }>(`SELECT singleton_key, state::text FROM pgboss.job WHERE name = $1 AND singleton_key = ANY($2)`, [SYNC_OBJECT_DEAD_QUEUE, keys]);
      expect(deadLetters.map((row) => row.state)).toEqual(['completed', 'completed']);
    });

    const again = await runCli(store, ['--integration', integration.id, '--type', 'charge']);
    expect(again.stdout).toContain(`No dead items of ${integration.name} match.`);
  }, 120_000);

  it('refuses an unknown integration and a bad --type, saying how to call it', async () => {
    const unknown = await runCli(store, ['--integration', 'int_nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('There is no integration int_nope.');
    expect(unknown.stderr).toContain('Usage: npm run redrive');

    const badType = await runCli(store, ['--integration', integration.id, '--type', 'paytrace_sale']);
    expect(badType.code).toBe(2);
    expect(badType.stderr).toContain('--type');
  }, 120_000);
});
