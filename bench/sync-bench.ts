// Sync throughput benchmark: N succeeded charges loaded into the in-process Stripe fake, one stored
// event and one `sync-object` job each (as ingest does), run end to end by the real worker
// (`startSyncWorker`: the registry's jobs, `buildSyncServices` with its PostgresTokenBucket Sage
// budget) into the in-process Sage sandbox. On PostgreSQL when DATABASE_URL is set (a fresh
// database, dropped afterwards) or else on in-memory PGlite.
//
// Two phases:
// 1. unlimited: sandbox limit off, SAGE_RATE_LIMIT_PER_MINUTE at its maximum (6,000) and the Stripe
//    read budget at its maximum (100/s). `sync.charges_per_s` = synced charges ÷ (last SyncRecord
//    syncedAt − first job started_on).
// 2. limited: the sandbox company limited to BENCH_SYNC_LIMIT_PER_MINUTE (600) and our budget set
//    to the same; run for one sandbox window (60 s, the sandbox's window is fixed) from the first
//    Sage request. `sync.rate_limit_utilization` = documents synced in that window ÷ the limit;
//    `sync.sage_429s` = 429 answers the sandbox gave (counted at its fault gate).
// Afterwards every charge must have exactly one Sage document (reference = charge id) if it is
// synced, and none may have two: a fast but wrong run fails.
//
// Knobs: BENCH_SYNC_CHARGES (2000), BENCH_SYNC_TIME_CAP_S (45), BENCH_SYNC_LIMIT_PER_MINUTE (600),
// BENCH_SYNC_LIMITED_S (60; 0 skips phase 2), BENCH_SYNC_WORKERS (1: startSyncWorker instances in
// this process, each one pg-boss `work` loop, as several worker processes would be),
// BENCH_SYNC_WORK (unset: the registry's own work options; a JSON object of pg-boss WorkOptions
// runs a what-if with createSyncObjectJob({ work }) instead, reported under sync.whatif),
// BENCH_SYNC_BUDGETS=off (what-if with BENCH_SYNC_WORK only: no Stripe budget, Sage budget in memory
// at 6,000,000/min, to see what limits throughput past the budgets), BENCH_LOG_LEVEL (warn).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import { defaultGlRules, generateMasterKey, loadKeyring } from '@sagesync/db';
import { createSageConnectorFactory } from '../api/src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../api/src/connectors/sage/http/rate-limiter.ts';
import { createLogger } from '../api/src/observability/logger.ts';
import { createQueue } from '../api/src/queue/create-queue.ts';
import { buildSageSandbox } from '../api/src/sandbox/sage/sage-sandbox-server.ts';
import { buildStripeFake } from '../api/src/sandbox/stripe-fake/stripe-fake-server.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, syncObjectJob } from '../api/src/sync/ingest/sync-object-job.ts';
import { createSyncObjectJob } from '../api/src/sync/sync-object-handler.ts';
import { buildSyncServices, loadSyncConfig } from '../api/src/sync/sync-config.ts';
import { createSyncServices } from '../api/src/sync/sync-services.ts';
import { startSyncWorker } from '../api/src/worker/start-sync-worker.ts';
import { startWorker, type Worker } from '../api/src/worker/start-worker.ts';
import { charge, customer, type ChargeSet } from '../api/test/sync/processors/support/stripe-objects.ts';
import { connectSageSandbox } from '../api/test/support/sage-connections.ts';
import { intSetting, openBenchDatabase, round, sleep } from './sync-bench-support.ts';

const COMPANY = 'demo-500';
const settings = {
  charges: Math.max(1, intSetting('BENCH_SYNC_CHARGES', 2_000)),
  timeCapS: Math.max(1, intSetting('BENCH_SYNC_TIME_CAP_S', 45)),
  limitPerMinute: Math.max(1, intSetting('BENCH_SYNC_LIMIT_PER_MINUTE', 600)),
  limitedS: intSetting('BENCH_SYNC_LIMITED_S', 60),
  workers: Math.max(1, intSetting('BENCH_SYNC_WORKERS', 1)),
  /** What-if only (with BENCH_SYNC_WORK): no Stripe budget and an in-memory Sage budget of 6,000,000/min. */
  budgetsOff: process.env.BENCH_SYNC_BUDGETS === 'off',
  work: process.env.BENCH_SYNC_WORK ? (JSON.parse(process.env.BENCH_SYNC_WORK) as Record<string, unknown>) : null,
};

async function main() {
  const log = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'bench' });
  const bench = await openBenchDatabase();
  const { prisma } = bench.db;
  const boss = await createQueue(bench.db, { log, supervise: false, schedule: false });
  const sandbox = buildSageSandbox({ now: Date.now });
  const sandboxUrl = await sandbox.listen(0);
  const fake = buildStripeFake();
  const { url: stripeUrl } = await fake.listen(0);

  // Every Sage API request passes the fault gate once: count what it let through and what it refused.
  const gateCounts = { proceed: 0, rateLimited: 0, first: 0 };
  const gate = sandbox.faults.gate.bind(sandbox.faults);
  sandbox.faults.gate = async (companyId, defaultLimit) => {
    const outcome = await gate(companyId, defaultLimit);
    if (gateCounts.first === 0) gateCounts.first = Date.now();
    if (outcome.kind === 'rate_limited') gateCounts.rateLimited += 1;
    else gateCounts.proceed += 1;
    return outcome;
  };
  const resetGate = () => Object.assign(gateCounts, { proceed: 0, rateLimited: 0, first: 0 });

  const workers: Worker[] = [];
  const stopWorkers = async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers.length = 0;
  };
  const problems: string[] = [];

  try {
    const org = await prisma.organization.create({ data: { name: 'Bench org', slug: `bench-${randomBytes(4).toString('hex')}` } });
    const integration = await prisma.integration.create({
      data: {
        orgId: org.id,
        name: 'Bench charges → sage500',
        source: 'stripe',
        sourceAccountId: `acct_bench_${randomBytes(6).toString('hex')}`,
        sageEdition: 'sage500',
        sageCompanyId: COMPANY,
        timeZone: 'America/Chicago',
        homeCurrency: 'USD',
        syncStartAt: new Date('2025-01-01T00:00:00Z'),
      },
    });
    await connectSageSandbox(prisma, keyring, sandboxUrl, integration);
    await prisma.glRule.createMany({
      data: defaultGlRules('sage500').map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
    });
    await ensureSyncObjectQueue(boss);

    const buyers = Array.from({ length: 25 }, (_, index) => customer({ email: `buyer${index}@example.test`, name: `Buyer ${index}` }));
    let buyersLoaded = false;
    /** Loads `count` charges into the fake, stores their events and enqueues their jobs; resolves to the charges. */
    const loadAndEnqueue = async (count: number): Promise<ChargeSet[]> => {
      const sets = Array.from({ length: count }, (_, index) => charge({ amount: 1_000 + index, currency: 'usd', customer: buyers[index % buyers.length] }));
      const objects = [...(buyersLoaded ? [] : buyers), ...sets.flatMap((set) => set.objects.filter((object) => object.object !== 'customer'))];
      buyersLoaded = true;
      const response = await fetch(`${stripeUrl}/_fake/objects?account=${encodeURIComponent(integration.sourceAccountId)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(objects),
      });
      if (response.status !== 200) throw new Error(`loading charges failed with ${response.status}: ${await response.text()}`);
      const events = sets.map((set) => ({ set, eventId: `evt_bench_${randomBytes(9).toString('hex')}` }));
      for (let start = 0; start < events.length; start += 500) {
        const chunk = events.slice(start, start + 500);
        await prisma.receivedEvent.createMany({
          data: chunk.map(({ set, eventId }) => ({
            orgId: org.id,
            integrationId: integration.id,
            source: 'stripe',
            eventId,
            type: 'charge.succeeded',
            objectType: 'charge',
            objectId: set.charge.id as string,
            sourceCreatedAt: new Date(),
            payload: { id: eventId, object: 'event', data: { object: { id: set.charge.id } } },
          })),
        });
        await boss.insert(
          SYNC_OBJECT_QUEUE,
          chunk.map(({ set, eventId }) => syncObjectJob({ integrationId: integration.id, orgId: org.id, objectType: 'charge', objectId: set.charge.id as string, eventId })),
        );
      }
      return sets;
    };

    const workerEnv = (ratePerMinute: number): NodeJS.ProcessEnv => ({
      STRIPE_API_KEY: 'sk_test_bench_platform',
      STRIPE_API_BASE: stripeUrl,
      STRIPE_READ_BUDGET_PER_SECOND: '100',
      SAGE_RATE_LIMIT_PER_MINUTE: String(ratePerMinute),
    });
    const startWorkers = async (ratePerMinute: number) => {
      for (let index = 0; index < settings.workers; index += 1) {
        if (settings.work) {
          // What-if: the same services, the sync-object job with other pg-boss work options.
          const config = loadSyncConfig(workerEnv(ratePerMinute), { embedded: false });
          const services = settings.budgetsOff
            ? createSyncServices({
                prisma,
                keyring,
                log,
                stripe: { platformApiKey: 'sk_test_bench_platform', apiBase: stripeUrl, rateLimiter: { acquire: async () => undefined, pause: () => undefined } },
                sageConnectorFor: createSageConnectorFactory({ prisma, keyring, rateLimiter: new InMemoryTokenBucket({ perMinute: 6_000_000, burst: 100_000 }), oauth: config.sage.oauth }),
              })
            : buildSyncServices(config, { prisma, keyring, log });
          workers.push(await startWorker({ boss, prisma, log, services, registry: [createSyncObjectJob({ work: settings.work }) as never] }));
        } else {
          workers.push(await startSyncWorker({ db: bench.db, boss, log, keyring, source: workerEnv(ratePerMinute) }));
        }
      }
    };

    const syncedCount = async () => prisma.syncRecord.count({ where: { integrationId: integration.id, status: 'synced' } });
    const badRecords = async () =>
      prisma.syncRecord.findMany({ where: { integrationId: integration.id, status: { in: ['failed', 'dead', 'held'] } }, select: { sourceObjectId: true, status: true, lastError: true }, take: 5 });

    /** Every synced charge has exactly one document; no charge has more than one. */
    const verify = async (sets: ChargeSet[], label: string) => {
      const byReference = new Map<string, number>();
      for (const document of sandbox.store.findDocuments(COMPANY, {})) {
        const reference = (document as { reference?: string }).reference;
        if (reference) byReference.set(reference, (byReference.get(reference) ?? 0) + 1);
      }
      const synced = new Set(
        (await prisma.syncRecord.findMany({ where: { integrationId: integration.id, sourceObjectType: 'charge', status: 'synced' }, select: { sourceObjectId: true } })).map((row) => row.sourceObjectId),
      );
      let checked = 0;
      for (const set of sets) {
        const id = set.charge.id as string;
        const documents = byReference.get(id) ?? 0;
        if (synced.has(id)) {
          checked += 1;
          if (documents !== 1) problems.push(`${label}: charge ${id} is synced with ${documents} documents in Sage`);
        } else if (documents > 1) problems.push(`${label}: charge ${id} (not synced) has ${documents} documents in Sage`);
      }
      return checked;
    };

    console.log(
      `sync bench: ${bench.label}, ${settings.charges} charges (cap ${settings.timeCapS} s), ${settings.workers} worker(s), ` +
        `work options ${settings.work ? JSON.stringify(settings.work) : 'registry default'}, ${os.cpus().length} CPUs`,
    );

    // ── Phase 1: unlimited ──────────────────────────────────────────────────────────────────
    sandbox.faults.clear(COMPANY);
    sandbox.faults.configure(COMPANY, { rateLimitPerMinute: 100_000_000 });
    const loadStarted = performance.now();
    const unlimitedSets = await loadAndEnqueue(settings.charges);
    const loadMs = performance.now() - loadStarted;
    resetGate();
    await startWorkers(6_000);
    const deadline = Date.now() + settings.timeCapS * 1000;
    let synced = 0;
    while (Date.now() < deadline) {
      synced = await syncedCount();
      if (synced >= settings.charges) break;
      await sleep(200);
    }
    await stopWorkers();
    synced = await syncedCount();
    const span = await prisma.$queryRawUnsafe<{ first: number | null }[]>(
      `SELECT (extract(epoch FROM min(started_on)) * 1000)::float8 AS first FROM pgboss.job WHERE name = $1`,
      SYNC_OBJECT_QUEUE,
    );
    const last = await prisma.syncRecord.aggregate({ where: { integrationId: integration.id, status: 'synced' }, _max: { syncedAt: true } });
    const firstMs = span[0]?.first ?? gateCounts.first;
    const lastMs = last._max.syncedAt?.getTime() ?? Date.now();
    const unlimitedSeconds = Math.max(0.001, (lastMs - firstMs) / 1000);
    const unlimitedRequests = gateCounts.proceed;
    const bad = await badRecords();
    if (bad.length) problems.push(`unlimited: records not synced: ${JSON.stringify(bad)}`);
    const checkedUnlimited = await verify(unlimitedSets, 'unlimited');
    const chargesPerS = synced / unlimitedSeconds;
    console.log(
      `unlimited: ${synced}/${settings.charges} synced in ${round(unlimitedSeconds, 2)} s → ${round(chargesPerS, 1)} charges/s; ` +
        `${unlimitedRequests} Sage requests (${round(unlimitedRequests / Math.max(1, synced), 2)} per charge), load+enqueue ${round(loadMs)} ms`,
    );
    if (synced < settings.charges) console.log(`unlimited: time cap hit after ${synced} charges (the rate is over those)`);

    // ── Phase 2: limited ────────────────────────────────────────────────────────────────────
    let limited: Record<string, number> = {};
    if (settings.limitedS > 0) {
      const before = synced;
      const beforeDocs = sandbox.store.findDocuments(COMPANY, {}).length;
      // Enough work to keep the worker busy past the window whatever the requests per charge.
      const limitedSets = await loadAndEnqueue(Math.ceil(((settings.limitPerMinute * settings.limitedS) / 60) * 1.5) + 50);
      sandbox.faults.clear(COMPANY); // restarts the sandbox's 60-s window
      sandbox.faults.configure(COMPANY, { rateLimitPerMinute: settings.limitPerMinute });
      resetGate();
      await startWorkers(settings.limitPerMinute);
      while (gateCounts.first === 0) await sleep(20);
      const windowStart = gateCounts.first;
      const windowEnd = windowStart + settings.limitedS * 1000;
      await sleep(Math.max(0, windowEnd - Date.now()));
      const docsInWindow = sandbox.store.findDocuments(COMPANY, {}).length - beforeDocs;
      const requestsInWindow = gateCounts.proceed;
      const syncedInWindow = await prisma.syncRecord.count({
        where: { integrationId: integration.id, status: 'synced', syncedAt: { gte: new Date(windowStart), lt: new Date(windowEnd) } },
      });
      const s429 = gateCounts.rateLimited;
      await stopWorkers();
      const after = await syncedCount();
      await verify(limitedSets, 'limited');
      const perMinute = (count: number) => (count * 60) / settings.limitedS;
      limited = {
        window_s: settings.limitedS,
        limit_per_minute: settings.limitPerMinute,
        documents_per_minute: round(perMinute(docsInWindow), 1),
        records_synced_per_minute: round(perMinute(syncedInWindow), 1),
        sage_requests_per_minute: round(perMinute(requestsInWindow), 1),
        request_utilization: round(perMinute(requestsInWindow) / settings.limitPerMinute, 3),
        sage_429s: s429,
        synced_by_stop: after - before,
      };
      console.log(`limited: ${JSON.stringify(limited)}`);
      limited.utilization = round(perMinute(docsInWindow) / settings.limitPerMinute, 3);
    }

    if (problems.length > 0) {
      for (const problem of problems.slice(0, 20)) console.error(`✗ ${problem}`);
      throw new Error(`${problems.length} verification problem(s)`);
    }

    const prefix = settings.work ? 'sync.whatif' : 'sync';
    const figures: Record<string, unknown> = {
      [`${prefix}.charges_per_s`]: round(chargesPerS, 1),
      ...(settings.limitedS > 0 && !settings.work
        ? { 'sync.rate_limit_utilization': limited.utilization, 'sync.sage_429s': limited.sage_429s }
        : {}),
      [prefix.replace('.', '_')]: {
        charges: settings.charges,
        synced: synced,
        verified: checkedUnlimited,
        seconds: round(unlimitedSeconds, 2),
        sage_requests_per_charge: round(unlimitedRequests / Math.max(1, synced), 2),
        workers: settings.workers,
        work: settings.work ? JSON.stringify(settings.work) : 'registry default',
        budgets: settings.budgetsOff ? 'off (what-if)' : 'buildSyncServices',
        database: bench.label,
        limited,
      },
    };
    console.log(JSON.stringify(figures));
    if (process.env.BENCH_RESULT_FILE) fs.writeFileSync(process.env.BENCH_RESULT_FILE, JSON.stringify(figures));
  } finally {
    await stopWorkers().catch(() => undefined);
    await boss.stop({ graceful: false, close: true }).catch(() => undefined);
    await sandbox.close();
    await fake.close();
    await bench.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
