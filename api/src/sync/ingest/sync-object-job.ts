import type { JobInsert, Queue as QueueOptions } from 'pg-boss';
import { z } from 'zod';
import type { Queue } from '../../queue/create-queue.ts';
import type { StoredError } from '../sync-records.ts';
import { ZSyncedObjectType } from './handled-events.ts';

/** The queue every stored Stripe event feeds: "bring this object's current state into Sage". */
export const SYNC_OBJECT_QUEUE = 'sync-object';

/**
 * Where a sync job goes after its last attempt, with its payload and its error (pg-boss copies it
 * there when it fails for good). Nothing works this queue: its jobs wait for an admin's redrive
 * (api/src/sync/redrive-dead-records.ts), which consumes them.
 */
export const SYNC_OBJECT_DEAD_QUEUE = 'sync-object-dead';

export const SYNC_OBJECT_DEAD_QUEUE_OPTIONS = {
  // A dead job waits this long for a redrive before pg-boss drops it. The record stays `dead` (and
  // redrivable) after that; only the copy of the payload and error goes.
  retentionSeconds: 90 * 24 * 3600,
  // A redriven (consumed) dead job is kept a week, as the trace of what was redriven and as what.
  deleteAfterSeconds: 7 * 24 * 3600,
} as const satisfies Omit<QueueOptions, 'name'>;

export const ZSyncObjectJobPayload = z.object({
  integrationId: z.string().min(1),
  orgId: z.string().min(1),
  objectType: ZSyncedObjectType,
  objectId: z.string().min(1),
  /** The event that asked for this sync (a row of received_events). */
  eventId: z.string().min(1),
});
export type SyncObjectJobPayload = z.infer<typeof ZSyncObjectJobPayload>;

/**
 * Strict order per object: two events of one object never run at once, and a failed object holds
 * back only its own later events (key_strict_fifo keys on singletonKey). The key carries the
 * integration, so two tenants' objects never share a key.
 *
 * A job that fails for good is copied to the dead-letter queue. pg-boss keeps its failed original
 * in the queue, and on key_strict_fifo that original holds back the object's later events until it
 * is deleted; the worker deletes it right after the copy is made (api/src/queue/dead-letter.ts).
 */
export const SYNC_OBJECT_QUEUE_OPTIONS = {
  policy: 'key_strict_fifo',
  // A worker killed mid-job (SIGKILL, OOM) stops heartbeating, so its jobs come back after 30 s
  // instead of pg-boss's 15-minute expiry, during which the object's later events would wait.
  heartbeatSeconds: 30,
  retryLimit: 10,
  retryDelay: 30,
  // Exponential with jitter: pg-boss waits retryDelay x 2^n x (1 + random()), capped at
  // retryDelayMax, so objects that failed together (a Sage outage) do not all come back at once.
  // pg-boss 12.38 has no separate jitter switch; the random factor comes with retryBackoff.
  retryBackoff: true,
  retryDelayMax: 3600,
  deadLetter: SYNC_OBJECT_DEAD_QUEUE,
} as const satisfies Omit<QueueOptions, 'name'>;

export function syncObjectKey(payload: Pick<SyncObjectJobPayload, 'integrationId' | 'objectType' | 'objectId'>): string {
  return `${payload.integrationId}:${payload.objectType}:${payload.objectId}`;
}

/**
 * The job for one object: keyed by the object (its order), grouped by the integration (the tenant),
 * so the worker's group limits keep one tenant's flood from taking every worker slot.
 */
export function syncObjectJob(payload: SyncObjectJobPayload): JobInsert<SyncObjectJobPayload> & { singletonKey: string; group: { id: string } } {
  return { data: payload, singletonKey: syncObjectKey(payload), group: { id: payload.integrationId } };
}

/**
 * Thrown by the sync job on its last attempt, after the record says `dead`: pg-boss then moves the
 * job to the dead-letter queue with this error as its output, the same code and message the record
 * shows.
 */
export class SyncObjectDeadError extends Error {
  readonly code: string;
  readonly retryable: boolean;
  readonly detail: unknown;
  constructor(error: StoredError, readonly attempts: number) {
    super(error.message);
    this.name = 'SyncObjectDeadError';
    this.code = error.code;
    this.retryable = error.retryable;
    this.detail = error.detail;
  }
}

export class SyncQueueMisconfiguredError extends Error {
  readonly code = 'SYNC_QUEUE_MISCONFIGURED';
  readonly retryable = false;
  constructor(policy: string | undefined) {
    super(
      `The "${SYNC_OBJECT_QUEUE}" queue exists with policy "${policy ?? 'standard'}", but per-object ordering needs ` +
        `"key_strict_fifo". A queue's policy cannot change: delete the queue (after it drains) and restart.`,
    );
    this.name = 'SyncQueueMisconfiguredError';
  }
}

/**
 * Creates the queue and its dead-letter queue at start (a no-op when they exist) and refuses to run
 * on a queue created with another policy, which would silently lose the per-object order. A queue
 * created before it had a dead-letter queue gets one. Creating them also fills pg-boss's queue
 * cache, so an insert inside a transaction never has to look a queue up on its own connection (on
 * PGlite that lookup would wait for the transaction holding the only connection).
 */
export async function ensureSyncObjectQueue(boss: Queue): Promise<void> {
  // The dead-letter queue first: pg-boss refuses a deadLetter naming a queue that does not exist.
  await boss.createQueue(SYNC_OBJECT_DEAD_QUEUE, SYNC_OBJECT_DEAD_QUEUE_OPTIONS);
  await boss.createQueue(SYNC_OBJECT_QUEUE, SYNC_OBJECT_QUEUE_OPTIONS);
  const queue = await boss.getQueue(SYNC_OBJECT_QUEUE);
  if (queue && queue.policy !== SYNC_OBJECT_QUEUE_OPTIONS.policy) throw new SyncQueueMisconfiguredError(queue.policy);
  if (queue && queue.deadLetter !== SYNC_OBJECT_DEAD_QUEUE) await boss.updateQueue(SYNC_OBJECT_QUEUE, { deadLetter: SYNC_OBJECT_DEAD_QUEUE });
}
