import type { PrismaClient } from '@sagesync/db';
import type { JobWithMetadata, Queue as QueueOptions, WorkOptions } from 'pg-boss';
import type { z } from 'zod';
import type { Logger } from '../observability/logger.ts';
import type { Queue } from '../queue/create-queue.ts';
import { createSyncObjectJob } from './sync-object-handler.ts';
import type { SyncServices } from './sync-services.ts';

/**
 * What a job handler gets besides its payload. `job` carries pg-boss's metadata (retryCount,
 * retryLimit), so a handler knows when it is on its last attempt. `services` (Stripe readers and
 * Sage connectors, one set per worker) is there for jobs that declare `needs: 'sync-services'`.
 * `boss` is the queue the job came from, for a job that asks for others (a charge's job queues
 * one job per refund of the charge).
 */
export type JobContext = { db: PrismaClient; log: Logger; job: JobWithMetadata<unknown>; services: SyncServices | undefined; boss: Queue };

/**
 * One kind of background job: a queue name that says what it does (`sync-charge`,
 * `reconcile-payout`), the zod schema its payload must pass at the handler's door, and an
 * idempotent handler (pg-boss delivers at least once).
 */
export type JobDefinition<Payload = unknown> = {
  name: string;
  payload: z.ZodType<Payload>;
  queue?: Omit<QueueOptions, 'name'>;
  /** Creates (and checks) the queue instead of a plain createQueue with `queue`. */
  ensureQueue?: (boss: Queue) => Promise<void>;
  /** The worker runs this job only when it was given the sync services. */
  needs?: 'sync-services';
  work?: Omit<WorkOptions, 'includeMetadata' | 'perJobResults' | 'transactional'>;
  handle(payload: Payload, context: JobContext): Promise<void>;
};

export function defineJob<Payload>(definition: JobDefinition<Payload>): JobDefinition<Payload> {
  return definition;
}

/** Every job the worker runs: `sync-object` brings one Stripe object's current state into Sage. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry keeps its own payload type
export const jobRegistry: readonly JobDefinition<any>[] = [createSyncObjectJob()];
