import type { PrismaClient } from '@sagesync/db';
import type { Queue as QueueOptions } from 'pg-boss';
import { z } from 'zod';
import type { Queue } from '../../queue/create-queue.ts';
import { defineJob, type JobDefinition } from '../job-registry.ts';
import { runBackfill, type RunBackfillDeps } from './run-backfill.ts';

/** Lists one backfill run from Stripe and enqueues its objects (see runBackfill). */
export const RUN_BACKFILL_QUEUE = 'run-backfill';
/** Finds runs the portal queued and starts a run-backfill job for each. */
export const PICK_UP_BACKFILLS_QUEUE = 'pick-up-backfills';
/** Cron of the pick-up job: a queued run starts within a minute. */
export const PICK_UP_BACKFILLS_CRON = '* * * * *';

export const ZRunBackfillJobPayload = z.object({ runId: z.string().min(1), orgId: z.string().min(1) });
export type RunBackfillJobPayload = z.infer<typeof ZRunBackfillJobPayload>;

/**
 * One job per run at a time (stately: at most one queued and one active per run id). A run lasts
 * as long as its history takes to list, so the worker heartbeats instead of racing a fixed expiry;
 * a crashed worker's job comes back after the heartbeat lapses and resumes from the saved cursors.
 */
export const RUN_BACKFILL_QUEUE_OPTIONS = {
  policy: 'stately',
  heartbeatSeconds: 60,
  expireInSeconds: 6 * 3600,
  retryLimit: 5,
  retryDelay: 60,
  retryBackoff: true,
  retryDelayMax: 3600,
} as const satisfies Omit<QueueOptions, 'name'>;

export type BackfillJobDeps = Omit<RunBackfillDeps, 'prisma' | 'log'>;

/**
 * The run-backfill job. It needs the queue and a Stripe reader besides the job context, so it is
 * built where the worker has them: `createRunBackfillJob({ boss, stripeFor: services.stripeFor })`.
 */
export function createRunBackfillJob(deps: BackfillJobDeps): JobDefinition<RunBackfillJobPayload> {
  return defineJob({
    name: RUN_BACKFILL_QUEUE,
    payload: ZRunBackfillJobPayload,
    queue: RUN_BACKFILL_QUEUE_OPTIONS,
    work: { batchSize: 1 },
    async handle(payload, { db, log }) {
      const run = await db.backfillRun.findFirst({ where: { id: payload.runId, orgId: payload.orgId }, select: { id: true } });
      if (!run) {
        // Deleted with its integration or organization: nothing left to do.
        log.warn({ runId: payload.runId }, 'backfill run no longer exists');
        return;
      }
      await runBackfill({ ...deps, prisma: db, log }, run.id);
    },
  });
}

/** Starts a run-backfill job for every queued run; a run that already has a queued job gets no second one. */
export async function enqueueQueuedBackfills(prisma: PrismaClient, boss: Queue): Promise<number> {
  await boss.createQueue(RUN_BACKFILL_QUEUE, RUN_BACKFILL_QUEUE_OPTIONS);
  const runs = await prisma.backfillRun.findMany({ where: { status: 'queued' }, select: { id: true, orgId: true }, orderBy: { createdAt: 'asc' } });
  let sent = 0;
  for (const run of runs) {
    const id = await boss.send(RUN_BACKFILL_QUEUE, ZRunBackfillJobPayload.parse({ runId: run.id, orgId: run.orgId }), { singletonKey: run.id });
    if (id) sent += 1;
  }
  return sent;
}

export function createPickUpBackfillsJob({ boss }: { boss: Queue }): JobDefinition<unknown> {
  return defineJob({
    name: PICK_UP_BACKFILLS_QUEUE,
    payload: z.unknown(),
    async handle(_payload, { db, log }) {
      const sent = await enqueueQueuedBackfills(db, boss);
      if (sent > 0) log.info({ sent }, 'backfill runs picked up');
    },
  });
}
