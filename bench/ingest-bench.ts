// Ingest benchmark: signed Stripe webhooks over loopback HTTP into the real api server (in this
// process), at a fixed concurrency, on PostgreSQL when DATABASE_URL is set (a fresh database, dropped
// afterwards) or else on in-memory PGlite. Reports throughput and latency, then checks that every
// event was stored exactly once with exactly one job: a fast but wrong run fails loudly.
//
// Run through `npm run bench` (bench/run.mjs), or alone: `npx tsx bench/ingest-bench.ts`.
// Knobs: BENCH_INGEST_EVENTS (20000), BENCH_INGEST_CONCURRENCY (32), BENCH_INGEST_MAX_SECONDS (60),
// BENCH_INGEST_WARMUP (1000), BENCH_INGEST_DUPLICATE_SHARE (0.01), BENCH_LOG_LEVEL (warn), and the
// batcher's BENCH_INGEST_BATCH_MAX / BENCH_INGEST_FLUSHES / BENCH_INGEST_MIN_BATCH_BUSY / BENCH_INGEST_WINDOW_MS.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { loadEnv } from '../api/src/config/env.ts';
import { buildServer } from '../api/src/http/server.ts';
import { createLogger } from '../api/src/observability/logger.ts';
import { createQueue } from '../api/src/queue/create-queue.ts';
import { DEFAULT_INGEST_SETTINGS, type IngestSettings } from '../api/src/sync/ingest/stripe-event-ingest.ts';
import { SYNC_OBJECT_QUEUE } from '../api/src/sync/ingest/sync-object-job.ts';
import type { LoadReport, LoadRequest } from './ingest-load-client.ts';
import { openBenchDatabase } from './bench-database.ts';

const SECRET = 'whsec_bench_secret';
const ACCOUNT = 'acct_bench_ingest';

function intSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`${name} must be a non-negative number, got "${raw}"`);
  return value;
}

const settings = {
  events: intSetting('BENCH_INGEST_EVENTS', 20_000),
  concurrency: intSetting('BENCH_INGEST_CONCURRENCY', 32),
  maxSeconds: intSetting('BENCH_INGEST_MAX_SECONDS', 60),
  warmup: intSetting('BENCH_INGEST_WARMUP', 1_000),
  duplicateShare: intSetting('BENCH_INGEST_DUPLICATE_SHARE', 0.01),
};
const ingestSettings: IngestSettings = {
  maxBatchSize: intSetting('BENCH_INGEST_BATCH_MAX', DEFAULT_INGEST_SETTINGS.maxBatchSize),
  maxConcurrentFlushes: intSetting('BENCH_INGEST_FLUSHES', DEFAULT_INGEST_SETTINGS.maxConcurrentFlushes),
  minBatchWhileBusy: intSetting('BENCH_INGEST_MIN_BATCH_BUSY', DEFAULT_INGEST_SETTINGS.minBatchWhileBusy),
  windowMs: intSetting('BENCH_INGEST_WINDOW_MS', DEFAULT_INGEST_SETTINGS.windowMs),
};


type Delivery = { eventId: string; body: string };

function signedEvents(count: number, prefix: string): Delivery[] {
  const created = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_unused, index) => {
    const eventId = `evt_${prefix}_${index.toString(36)}_${randomBytes(6).toString('hex')}`;
    const chargeId = `ch_${randomBytes(8).toString('hex')}`;
    const body = JSON.stringify(
      {
        id: eventId,
        object: 'event',
        account: ACCOUNT,
        api_version: '2025-09-30.clover',
        created,
        data: {
          object: {
            id: chargeId,
            object: 'charge',
            amount: 1_000 + (index % 9_000),
            amount_captured: 1_000 + (index % 9_000),
            amount_refunded: 0,
            balance_transaction: `txn_${randomBytes(8).toString('hex')}`,
            captured: true,
            created,
            currency: 'usd',
            customer: `cus_${randomBytes(6).toString('hex')}`,
            description: `Order ${index}`,
            livemode: false,
            metadata: { order_id: String(index) },
            paid: true,
            payment_intent: `pi_${randomBytes(8).toString('hex')}`,
            receipt_email: `buyer${index}@example.com`,
            status: 'succeeded',
          },
        },
        livemode: false,
        pending_webhooks: 1,
        request: { id: `req_${randomBytes(6).toString('hex')}`, idempotency_key: randomBytes(8).toString('hex') },
        type: 'charge.succeeded',
      },
      null,
      2,
    );
    return { eventId, body };
  });
}

type LoadAnswer = { ok: true; report: LoadReport } | { ok: false; error: string };

/** Runs the sender in a worker thread (through tsx, which workers do not inherit). */
function startLoadWorker() {
  const client = new URL('./ingest-load-client.ts', import.meta.url).href;
  const worker = new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(client)}); })`,
    { eval: true },
  );
  return {
    send(load: LoadRequest): Promise<LoadReport> {
      return new Promise((resolve, reject) => {
        const onError = (error: Error) => reject(error);
        worker.once('error', onError);
        worker.once('message', (answer: LoadAnswer) => {
          worker.off('error', onError);
          if (answer.ok) resolve(answer.report);
          else reject(new Error(`load worker failed: ${answer.error}`));
        });
        worker.postMessage(load);
      });
    },
    stop: () => worker.terminate(),
  };
}

function percentile(sorted: number[], share: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil(share * sorted.length) - 1)] as number;
}

const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

async function main() {
  const log = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
  const bench = await openBenchDatabase();
  const { db } = bench;
  const boss = await createQueue(db, { log });
  const env = loadEnv({ NODE_ENV: 'production', NEXTAUTH_SECRET: randomBytes(24).toString('hex'), STRIPE_WEBHOOK_SECRET: SECRET });
  const server = await buildServer({ env, db, boss, log, ingest: ingestSettings });
  const url = new URL(await server.listen({ host: '127.0.0.1', port: 0 }));
  const load = startLoadWorker();
  const send = (deliveries: Delivery[], maxSeconds: number) =>
    load.send({ url: url.href, path: '/webhooks/stripe', secret: SECRET, bodies: deliveries.map((delivery) => delivery.body), concurrency: settings.concurrency, maxSeconds });

  try {
    const org = await db.prisma.organization.create({ data: { name: 'Bench org', slug: `bench-${randomBytes(4).toString('hex')}` } });
    await db.prisma.integration.create({
      data: {
        orgId: org.id,
        name: 'Bench integration',
        source: 'stripe',
        sourceAccountId: ACCOUNT,
        sageEdition: 'sage50',
        sageCompanyId: 'bench-company',
        timeZone: 'America/Chicago',
        homeCurrency: 'USD',
      },
    });

    console.log(
      `ingest bench: ${bench.label}, ${settings.events} events (+${settings.warmup} warm-up) at concurrency ${settings.concurrency}, ` +
        `batches of up to ${ingestSettings.maxBatchSize}, ${ingestSettings.maxConcurrentFlushes} in flight (another from ${ingestSettings.minBatchWhileBusy} waiting), window ${ingestSettings.windowMs} ms, ${os.cpus().length} CPUs`,
    );

    const warmup = signedEvents(settings.warmup, 'warm');
    await send(warmup, 3_600);

    // Stripe redelivers now and then: a share of the measured deliveries repeat an earlier event.
    const unique = signedEvents(settings.events, 'run');
    const deliveries: Delivery[] = [];
    const duplicateEvery = settings.duplicateShare > 0 ? Math.round(1 / settings.duplicateShare) : 0;
    for (const [index, delivery] of unique.entries()) {
      deliveries.push(delivery);
      if (duplicateEvery > 0 && index % duplicateEvery === duplicateEvery - 1 && index >= settings.concurrency * 2) {
        deliveries.push(unique[index - settings.concurrency * 2] as Delivery);
      }
    }
    const cpuBefore = process.cpuUsage();
    const report = await send(deliveries, settings.maxSeconds);
    const cpu = process.cpuUsage(cpuBefore);
    const { seconds } = report;
    const answered = report.indexes.length;

    const failures = [...report.statuses].filter((status) => status !== 200);
    const latencies = [...report.latenciesMs].sort((a, b) => a - b);
    const sent = new Set([...report.indexes].map((index) => (deliveries[index] as Delivery).eventId));
    for (const delivery of warmup) sent.add(delivery.eventId);
    const firstAnswers = [...report.duplicates].filter((duplicate) => duplicate === 0).length + warmup.length;

    const [events] = await db.query<{ rows: string; distinct: string }>(
      `SELECT count(*)::text AS rows, count(DISTINCT "eventId")::text AS distinct FROM received_events`,
    );
    const [jobs] = await db.query<{ rows: string; distinct: string }>(
      `SELECT count(*)::text AS rows, count(DISTINCT data->>'eventId')::text AS distinct FROM pgboss.job WHERE name = $1`,
      [SYNC_OBJECT_QUEUE],
    );
    const metricsText = await (await fetch(new URL('/metrics', url))).text();
    const batchSum = Number(/^stripe_webhook_batch_size_sum (\S+)/m.exec(metricsText)?.[1] ?? Number.NaN);
    const batchCount = Number(/^stripe_webhook_batch_size_count (\S+)/m.exec(metricsText)?.[1] ?? Number.NaN);
    const batchSeconds = Number(/^stripe_webhook_batch_duration_seconds_sum\{ok="true"\} (\S+)/m.exec(metricsText)?.[1] ?? Number.NaN);

    const problems: string[] = [];
    if (failures.length > 0) problems.push(`${failures.length} deliveries were not answered 200 (first: ${failures[0]})`);
    if (Number(events?.rows) !== sent.size || Number(events?.distinct) !== sent.size) {
      problems.push(`stored ${events?.rows} events (${events?.distinct} distinct) for ${sent.size} sent`);
    }
    if (Number(jobs?.rows) !== sent.size || Number(jobs?.distinct) !== sent.size) {
      problems.push(`enqueued ${jobs?.rows} jobs (${jobs?.distinct} distinct events) for ${sent.size} events`);
    }
    if (firstAnswers !== sent.size) problems.push(`${firstAnswers} deliveries answered as first deliveries for ${sent.size} events`);

    const result = {
      events_per_s: round(answered / seconds, 0),
      p50_ms: round(percentile(latencies, 0.5)),
      p90_ms: round(percentile(latencies, 0.9)),
      p99_ms: round(percentile(latencies, 0.99)),
      max_ms: round(latencies.at(-1) ?? Number.NaN),
      deliveries: answered,
      duplicate_deliveries: answered - (firstAnswers - warmup.length),
      seconds: round(seconds),
      concurrency: settings.concurrency,
      mean_batch_size: round(batchSum / batchCount, 1),
      mean_batch_ms: round((batchSeconds * 1000) / batchCount),
      // CPU of this process (server and sender threads) per delivery: steadier than throughput on a shared machine.
      node_cpu_ms_per_event: round((cpu.user + cpu.system) / 1000 / answered, 3),
      database: bench.label,
      verified: problems.length === 0,
    };
    console.table(result);
    const resultFile = process.env.BENCH_RESULT_FILE;
    // Flat headline figures plus the details, as every bench reports (see run.mjs).
    const figures = { 'ingest.events_per_s': result.events_per_s, 'ingest.p50_ms': result.p50_ms, 'ingest.p99_ms': result.p99_ms };
    if (resultFile) fs.writeFileSync(resultFile, JSON.stringify({ ...figures, ingest: result }, null, 2));
    if (problems.length > 0) throw new Error(`ingest bench verification failed:\n  - ${problems.join('\n  - ')}`);
  } finally {
    await load.stop();
    await server.close();
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
