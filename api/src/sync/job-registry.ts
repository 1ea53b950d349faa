import type { PrismaClient } from '@sagesync/db';
import type { Job, Queue as QueueOptions, WorkOptions } from 'pg-boss';
import type { z } from 'zod';
import type { Logger } from '../observability/logger.ts';

/** What a job handler gets besides its payload. */
export type JobContext = { db: PrismaClient; log: Logger; job: Job<unknown> };

/**
 * One kind of background job: a queue name that says what it does (`sync-charge`,
 * `reconcile-payout`), the zod schema its payload must pass at the handler's door, and an
 * idempotent handler (pg-boss delivers at least once).
 */
export type JobDefinition<Payload = unknown> = {
  name: string;
  payload: z.ZodType<Payload>;
  queue?: Omit<QueueOptions, 'name'>;
  work?: Omit<WorkOptions, 'includeMetadata' | 'perJobResults' | 'transactional'>;
  handle(payload: Payload, context: JobContext): Promise<void>;
};

export function defineJob<Payload>(definition: JobDefinition<Payload>): JobDefinition<Payload> {
  return definition;
}

/**
 * Every job the worker runs. Empty on purpose for now: the sync engine (ingest, one processor per
 * object kind, payout reconciliation) adds its jobs here. Nothing is registered until it does real
 * work, so the worker starts, creates no queues, and idles.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry keeps its own payload type
export const jobRegistry: readonly JobDefinition<any>[] = [];
