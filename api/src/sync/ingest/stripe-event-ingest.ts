import type { Database } from '@sagesync/db';
import type { Queue } from '../../queue/create-queue.ts';
import type { AcceptedStripeEvent } from './classify-stripe-event.ts';
import { EventBatcher } from './event-batcher.ts';
import type { IngestMetrics } from './ingest-metrics.ts';
import { isPerEventFailure, storeStripeEvents, type StoreOutcome } from './store-stripe-events.ts';
import { ensureSyncObjectQueue } from './sync-object-job.ts';

export type IngestSettings = {
  maxBatchSize: number;
  /** Batches written at once. PGlite has one connection, so there it is always 1. */
  maxConcurrentFlushes: number;
  minBatchWhileBusy: number;
  windowMs: number;
};

// Chosen with `npm run bench` on 2 cores and PostgreSQL 15 (32 concurrent senders): one batch in
// flight gives the largest batches (each commit costs a disk flush); a second one, started only once
// 12 deliveries wait, absorbs bursts. Medians of repeated runs: this ~3,200 events/s, one batch at a
// time ~2,600, two without the threshold ~2,300 (smaller batches, more commits).
export const DEFAULT_INGEST_SETTINGS: IngestSettings = { maxBatchSize: 128, maxConcurrentFlushes: 2, minBatchWhileBusy: 12, windowMs: 0 };

export type StripeEventIngest = {
  /** Resolves once the event (and its job) are committed, or it is known to be a duplicate or ignored. */
  ingest(event: AcceptedStripeEvent): Promise<StoreOutcome>;
  /** Answers everything already received, then takes nothing more. */
  close(): Promise<void>;
};

export async function createStripeEventIngest({
  db,
  boss,
  metrics,
  settings = {},
}: {
  db: Database;
  boss: Queue;
  metrics: IngestMetrics;
  settings?: Partial<IngestSettings>;
}): Promise<StripeEventIngest> {
  await ensureSyncObjectQueue(boss);
  const chosen = { ...DEFAULT_INGEST_SETTINGS, ...settings };
  const batcher = new EventBatcher<AcceptedStripeEvent, StoreOutcome>({
    ...chosen,
    maxConcurrentFlushes: db.kind === 'pglite' ? 1 : chosen.maxConcurrentFlushes,
    flush: (events) => storeStripeEvents(db, boss, events),
    isolateFailure: isPerEventFailure,
    onBatch({ size, durationMs, ok }) {
      metrics.batchSize.observe(size);
      metrics.batchDuration.observe({ ok: String(ok) }, durationMs / 1000);
    },
  });
  return { ingest: (event) => batcher.add(event), close: () => batcher.close() };
}
