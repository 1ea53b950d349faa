import type { JobInsert, Queue as QueueOptions } from 'pg-boss';
import { z } from 'zod';
import type { Queue } from '../../queue/create-queue.ts';
import { ZSyncedObjectType } from './handled-events.ts';

/** The queue every stored Stripe event feeds: "bring this object's current state into Sage". */
export const SYNC_OBJECT_QUEUE = 'sync-object';

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
 */
export const SYNC_OBJECT_QUEUE_OPTIONS = {
  policy: 'key_strict_fifo',
  // A worker killed mid-job (SIGKILL, OOM) stops heartbeating, so its jobs come back after 30 s
  // instead of pg-boss's 15-minute expiry, during which the object's later events would wait.
  heartbeatSeconds: 30,
  retryLimit: 10,
  retryDelay: 30,
  retryBackoff: true,
  retryDelayMax: 3600,
} as const satisfies Omit<QueueOptions, 'name'>;

export function syncObjectKey(payload: Pick<SyncObjectJobPayload, 'integrationId' | 'objectType' | 'objectId'>): string {
  return `${payload.integrationId}:${payload.objectType}:${payload.objectId}`;
}

export function syncObjectJob(payload: SyncObjectJobPayload): JobInsert<SyncObjectJobPayload> {
  return { data: payload, singletonKey: syncObjectKey(payload) };
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
 * Creates the queue at start (a no-op when it exists) and refuses to run on a queue created with
 * another policy, which would silently lose the per-object order. Creating it also fills pg-boss's
 * queue cache, so an insert inside a transaction never has to look the queue up on its own
 * connection (on PGlite that lookup would wait for the transaction holding the only connection).
 */
export async function ensureSyncObjectQueue(boss: Queue): Promise<void> {
  await boss.createQueue(SYNC_OBJECT_QUEUE, SYNC_OBJECT_QUEUE_OPTIONS);
  const queue = await boss.getQueue(SYNC_OBJECT_QUEUE);
  if (queue && queue.policy !== SYNC_OBJECT_QUEUE_OPTIONS.policy) throw new SyncQueueMisconfiguredError(queue.policy);
}
