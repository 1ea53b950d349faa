import type { Database, Keyring } from '@sagesync/db';
import type { Logger } from '../observability/logger.ts';
import type { Queue } from '../queue/create-queue.ts';
import { createPickUpBackfillsJob, createRunBackfillJob, PICK_UP_BACKFILLS_CRON, PICK_UP_BACKFILLS_QUEUE } from '../sync/backfill/backfill-jobs.ts';
import { jobRegistry } from '../sync/job-registry.ts';
import { SYNC_OBJECT_QUEUE } from '../sync/ingest/sync-object-job.ts';
import { createSyncObjectJob } from '../sync/sync-object-handler.ts';
import { buildSyncServices, loadSyncConfig } from '../sync/sync-config.ts';
import { startWorker, type Worker } from './start-worker.ts';

/**
 * The worker every process runs the same way (`npm run worker`, or inside the api with the
 * embedded database): sync services shared by all jobs, the sync and backfill jobs, and the
 * schedule that picks up backfills requested from the portal.
 */
export async function startSyncWorker(options: { db: Database; boss: Queue; log: Logger; keyring: Keyring; source?: NodeJS.ProcessEnv }): Promise<Worker> {
  const source = options.source ?? process.env;
  const config = loadSyncConfig(source, { embedded: options.db.kind === 'pglite' });
  const services = buildSyncServices(config, { prisma: options.db.prisma, keyring: options.keyring, log: options.log });
  const worker = await startWorker({
    boss: options.boss,
    prisma: options.db.prisma,
    log: options.log,
    services,
    registry: [
      ...jobRegistry.filter((job) => job.name !== SYNC_OBJECT_QUEUE),
      createSyncObjectJob({ work: syncObjectWork(options.db.kind) }),
      createRunBackfillJob({ boss: options.boss, stripeFor: services.stripeFor }), createPickUpBackfillsJob({ boss: options.boss }),
    ],
  });
  await options.boss.schedule(PICK_UP_BACKFILLS_QUEUE, PICK_UP_BACKFILLS_CRON);
  return worker;
}

/**
 * How a worker takes sync jobs. pg-boss's defaults (one job per fetch, then a 2 s wait) would sync
 * one object every 2 s; batches with burst fetch the next batch at once while work is waiting.
 * On PostgreSQL two batches run side by side; the embedded PGlite is one connection in one
 * process, so its batches run one after another.
 */
export function syncObjectWork(kind: Database['kind']) {
  return { batchSize: 20, burstWhenBatchFull: true, pollingIntervalSeconds: 0.5, localConcurrency: kind === 'postgres' ? 2 : 1 };
}
