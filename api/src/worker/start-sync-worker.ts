import type { Database, Keyring } from '@sagesync/db';
import type { Logger } from '../observability/logger.ts';
import type { Queue } from '../queue/create-queue.ts';
import { createPickUpBackfillsJob, createRunBackfillJob, PICK_UP_BACKFILLS_CRON, PICK_UP_BACKFILLS_QUEUE } from '../sync/backfill/backfill-jobs.ts';
import { jobRegistry } from '../sync/job-registry.ts';
import { SYNC_OBJECT_QUEUE } from '../sync/ingest/sync-object-job.ts';
import { createSyncObjectJob } from '../sync/sync-object-handler.ts';
import { buildSyncServices, loadSyncConfig } from '../sync/sync-config.ts';
import type { SyncServices } from '../sync/sync-services.ts';
import { createReleaseDeadSyncKeysJob, RELEASE_DEAD_SYNC_KEYS_CRON, RELEASE_DEAD_SYNC_KEYS_QUEUE, releaseDeadSyncKeys } from './release-dead-sync-keys.ts';
import { startWorker, type Worker } from './start-worker.ts';

/**
 * The worker every process runs the same way (`npm run worker`, or inside the api with the
 * embedded database): sync services shared by all jobs, the sync and backfill jobs, the schedule
 * that picks up backfills requested from the portal, and the one that frees dead sync jobs' keys.
 */
export async function startSyncWorker(options: {
  db: Database;
  boss: Queue;
  log: Logger;
  keyring: Keyring;
  source?: NodeJS.ProcessEnv;
  /** Services the process already built (the api shares them with its Stripe App routes). */
  services?: SyncServices;
}): Promise<Worker> {
  const source = options.source ?? process.env;
  const services = options.services ?? buildSyncServices(loadSyncConfig(source, { embedded: options.db.kind === 'pglite' }), { prisma: options.db.prisma, keyring: options.keyring, log: options.log });
  const worker = await startWorker({
    boss: options.boss,
    prisma: options.db.prisma,
    log: options.log,
    services,
    registry: [
      ...jobRegistry.filter((job) => job.name !== SYNC_OBJECT_QUEUE),
      createSyncObjectJob({ work: syncObjectWork(options.db.kind) }),
      createRunBackfillJob({ boss: options.boss, stripeFor: services.stripeFor }), createPickUpBackfillsJob({ boss: options.boss }),
      createReleaseDeadSyncKeysJob({ boss: options.boss }),
    ],
    jobsAtOnce: { [SYNC_OBJECT_QUEUE]: SYNC_JOBS_AT_ONCE },
  });
  await options.boss.schedule(PICK_UP_BACKFILLS_QUEUE, PICK_UP_BACKFILLS_CRON);
  await options.boss.schedule(RELEASE_DEAD_SYNC_KEYS_QUEUE, RELEASE_DEAD_SYNC_KEYS_CRON);
  // Keys a previous run left blocked (killed on a job's last attempt) are freed now, not in a minute.
  await releaseDeadSyncKeys({ boss: options.boss, prisma: options.db.prisma, log: options.log }).catch((error: unknown) =>
    options.log.error({ err: error }, 'could not free dead sync jobs\' keys at start; the schedule retries every minute'),
  );
  return worker;
}

/** Sync jobs per fetch. */
export const SYNC_BATCH_SIZE = 20;

/**
 * Jobs of one batch in flight at once. A job mostly waits on Stripe and Sage (a real Sage answers
 * in a few hundred milliseconds), so one at a time a slot would sync a few objects a second; the
 * company's token bucket, not this number, keeps Sage under its rate limit.
 */
export const SYNC_JOBS_AT_ONCE = 8;

/**
 * How a worker takes sync jobs. pg-boss's defaults (one job per fetch, then a 2 s wait) would sync
 * one object every 2 s; batches with burst fetch the next batch at once while work is waiting.
 *
 * Fairness between tenants: every sync job's group is its integration (syncObjectJob), and one
 * tenant may have at most (slots - 1) batches of jobs active (`groupConcurrency`, counted in the
 * database across every worker process), so every process keeps a slot that tenant cannot take. A
 * fetch skips a tenant at its share and claims no more of it than the share leaves, so the spare
 * slot takes another tenant's live event while a flood (or a backfill) waits, not after it.
 *
 * Why not pg-boss's per-process `localGroupConcurrency`: it cannot exceed `localConcurrency` (it
 * counts jobs, and each slot runs a batch of 20), so it would shrink every batch to one or two of a
 * tenant's jobs and put the rest back on every fetch. The database-wide limit can be overshot when
 * fetches overlap (NOTES-DEPS.md: two fetchers reading the same counts); the overshoot lasts one
 * batch, after which the tenant is over its share and the next free slot skips it. Requests per
 * minute to one Sage company are the token bucket's business, not these limits.
 *
 * PostgreSQL: three slots, two for any one tenant. PGlite: one connection in one process, so its
 * statements run one at a time anyway; a second slot is there for the other tenants.
 */
export function syncObjectWork(kind: Database['kind']) {
  const slots = kind === 'postgres' ? 3 : 2;
  const tenantShare = (slots - 1) * SYNC_BATCH_SIZE;
  return {
    batchSize: SYNC_BATCH_SIZE,
    burstWhenBatchFull: true,
    pollingIntervalSeconds: 0.5,
    localConcurrency: slots,
    groupConcurrency: tenantShare,
  };
}
