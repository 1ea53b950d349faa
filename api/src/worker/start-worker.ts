import type { PrismaClient } from '@sagesync/db';
import type { JobResult, JobWithMetadata } from 'pg-boss';
import type { Logger } from '../observability/logger.ts';
import type { Queue } from '../queue/create-queue.ts';
import { deadLetterAndReleaseKey, jobFailureOutput } from '../queue/dead-letter.ts';
import { jobRegistry as defaultRegistry, type JobDefinition } from '../sync/job-registry.ts';
import type { SyncServices } from '../sync/sync-services.ts';
import { runBatch } from './run-batch.ts';

export type Worker = {
  /** The queues this worker takes jobs from. */
  queues: string[];
  /** Stops taking new jobs and waits for the ones in hand to finish. */
  stop(): Promise<void>;
};

export type StartWorkerOptions = {
  boss: Queue;
  prisma: PrismaClient;
  log: Logger;
  registry?: readonly JobDefinition<unknown>[];
  /** Stripe readers and Sage connectors for the sync jobs; without them those jobs are not taken. */
  services?: SyncServices;
  /**
   * How many jobs of one batch run at once, per queue (default 1). Jobs of one key (one Stripe
   * object) still run one after another, in the order fetched.
   */
  jobsAtOnce?: Readonly<Record<string, number>>;
};

/**
 * Creates every registered queue and takes jobs from it. Many workers on many machines can run
 * this against one PostgreSQL: pg-boss hands each job to one of them at a time.
 */
export async function startWorker({ boss, prisma, log, registry = defaultRegistry, services, jobsAtOnce = {} }: StartWorkerOptions): Promise<Worker> {
  const workerLog = log.child({ component: 'worker' });
  const queues: string[] = [];
  for (const definition of registry) {
    if (definition.needs === 'sync-services' && !services) {
      // Loud but not fatal: the api still serves (and ingest still queues) while the sync is unconfigured.
      workerLog.warn({ queue: definition.name }, 'not taking these jobs: this worker was started without the sync services (Stripe and Sage access)');
      continue;
    }
    if (definition.ensureQueue) await definition.ensureQueue(boss);
    else await boss.createQueue(definition.name, definition.queue ?? {});
    // perJobResults: each job of a batch completes or fails on its own, so one object's failure
    // never sends the rest of the batch back for a retry.
    await boss.work(definition.name, { ...(definition.work ?? {}), includeMetadata: true, perJobResults: true }, (jobs: JobWithMetadata<unknown>[]) =>
      runJobs(definition, jobs, { boss, prisma, workerLog, services, atOnce: jobsAtOnce[definition.name] ?? 1 }),
    );
    queues.push(definition.name);
  }
  workerLog.info({ queues }, queues.length ? 'worker taking jobs' : 'worker started with no jobs registered');
  return {
    queues,
    async stop() {
      // wait: true lets the jobs in hand finish, so a deploy does not turn them into retries.
      await Promise.all(queues.map((name) => boss.offWork(name, { wait: true })));
      workerLog.info('worker stopped');
    },
  };
}

async function runJobs(
  definition: JobDefinition<unknown>,
  jobs: JobWithMetadata<unknown>[],
  { boss, prisma, workerLog, services, atOnce }: { boss: Queue; prisma: PrismaClient; workerLog: Logger; services: SyncServices | undefined; atOnce: number },
): Promise<JobResult[]> {
  // A sync job spends most of its time waiting for Stripe and Sage, so a batch's jobs overlap;
  // one at a time, a slot would sync one object per chain of round trips. Each job gets its own
  // result (a failed job is retried by pg-boss with its backoff, which handlers tolerate because
  // delivery is at least once anyway).
  return runBatch(jobs, atOnce, (job) => runJob(definition, job, { boss, prisma, workerLog, services }));
}

async function runJob(
  definition: JobDefinition<unknown>,
  job: JobWithMetadata<unknown>,
  { boss, prisma, workerLog, services }: { boss: Queue; prisma: PrismaClient; workerLog: Logger; services: SyncServices | undefined },
): Promise<JobResult> {
  const jobLog = workerLog.child({ jobId: job.id, queue: job.name });
  const parsed = definition.payload.safeParse(job.data);
  if (!parsed.success) {
    // No retry can fix a payload: straight to the dead-letter queue (or failed, where there is none).
    jobLog.error({ issues: parsed.error.issues }, 'job payload refused');
    return { id: job.id, status: 'deadletter', output: { message: 'payload refused', issues: parsed.error.issues } };
  }
  const orgId = (parsed.data as { orgId?: unknown } | null)?.orgId;
  const log = typeof orgId === 'string' ? jobLog.child({ orgId }) : jobLog;
  const started = performance.now();
  try {
    await definition.handle(parsed.data, { db: prisma, log, job, services, boss });
    log.info({ durationMs: Math.round(performance.now() - started) }, 'job done');
    return { id: job.id, status: 'completed' };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    const output = jobFailureOutput(error);
    const lastAttempt = job.retryCount >= job.retryLimit;
    if (lastAttempt && releasesKeyWhenDead(definition)) await deadLetterNow(boss, job, output, log);
    if (lastAttempt) log.error({ err: error, durationMs, attempts: job.retryCount + 1 }, 'job failed on its last attempt');
    else log.warn({ err: error, durationMs }, 'job failed; pg-boss retries it');
    // After deadLetterNow this settles nothing (the attempt is already settled); otherwise pg-boss
    // retries the job, or fails it for good and dead-letters it.
    return { id: job.id, status: 'failed', output };
  }
}

/** A key_strict_fifo queue with a dead-letter queue: a job that failed for good must not keep its key blocked. */
function releasesKeyWhenDead(definition: JobDefinition<unknown>): boolean {
  return definition.queue?.policy === 'key_strict_fifo' && Boolean(definition.queue.deadLetter);
}

/**
 * Settles a job that failed its last attempt here instead of in pg-boss's batch settlement, which
 * would leave the failed job holding its key: dead-letter it, then free the key. If that fails,
 * pg-boss's settlement dead-letters it and the periodic release frees the key.
 */
async function deadLetterNow(boss: Queue, job: JobWithMetadata<unknown>, output: object, log: Logger): Promise<void> {
  try {
    const outcome = await deadLetterAndReleaseKey(boss, job, output);
    if (outcome === 'dead_lettered') log.info({ deadLetter: job.deadLetter, key: job.singletonKey }, 'moved to the dead-letter queue; the key is free for later jobs');
  } catch (error) {
    log.error({ err: error }, 'could not move the job to the dead-letter queue here; pg-boss will, and the key is freed by the next release');
  }
}
