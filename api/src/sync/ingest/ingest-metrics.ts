import { Counter, Histogram, type Registry } from 'prom-client';
import type { IgnoreReason } from './classify-stripe-event.ts';

/** What became of a webhook delivery; one label value per answer the endpoint gives. */
export type DeliveryOutcome =
  | 'stored'
  | 'duplicate'
  | 'ignored'
  | 'rejected_signature'
  | 'rejected_malformed'
  | 'rejected_content_type'
  | 'rejected_too_large'
  | 'unknown_endpoint'
  | 'failed';

export type IngestMetrics = {
  received: Counter<'outcome'>;
  ignored: Counter<'reason'>;
  latency: Histogram<'outcome'>;
  batchSize: Histogram;
  batchDuration: Histogram<'ok'>;
  countIgnored(reason: IgnoreReason): void;
};

/** Registered on the server's own registry, beside the HTTP metrics, so /metrics serves them. */
export function createIngestMetrics(registry: Registry): IngestMetrics {
  const received = new Counter({
    name: 'stripe_webhook_received_total',
    help: 'Stripe webhook deliveries answered, by outcome.',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const ignored = new Counter({
    name: 'stripe_webhook_ignored_total',
    help: 'Genuine Stripe events answered 200 and not stored, by reason.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'stripe_webhook_ingest_duration_seconds',
    help: 'Time from receiving a Stripe webhook to answering it (after the commit for stored events).',
    labelNames: ['outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const batchSize = new Histogram({
    name: 'stripe_webhook_batch_size',
    help: 'Events written per shared ingest transaction.',
    buckets: [1, 2, 4, 8, 16, 32, 64, 128],
    registers: [registry],
  });
  const batchDuration = new Histogram({
    name: 'stripe_webhook_batch_duration_seconds',
    help: 'Time to write one ingest batch (events and jobs, one transaction).',
    labelNames: ['ok'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  return {
    received,
    ignored,
    latency,
    batchSize,
    batchDuration,
    countIgnored(reason) {
      ignored.inc({ reason });
    },
  };
}
