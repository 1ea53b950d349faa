// Sync throughput benchmark: N succeeded charges loaded into the Stripe fake, one stored event and
// one `sync-object` job each (as ingest does), run end to end by the real worker (the registry's
// sync-object job with the worker's own work options, startWorker's batch loop) into the Sage
// sandbox. The sandbox and the Stripe fake each run in a worker thread of their own
// (remote-service-thread.ts): in production they are other machines, and on the worker's event
// loop their CPU would be charged to the sync. On PostgreSQL when DATABASE_URL is set (a fresh
// database, dropped afterwards) or else on in-memory PGlite.
//
// Two phases:
// 1. unlimited: no rate limit anywhere. The sandbox company's limit is off (100,000,000/min), and
//    the worker's Sage and Stripe budgets are in-memory buckets far above any load this machine can
//    offer, so none makes a request wait. (The worker's shared PostgresTokenBucket is not used here
//    even far above the load: it is one committed statement per Sage request, serialised per
//    company in each process, and at a few ms per commit that alone caps one company near 70
//    charges/s on this machine. BENCH_SYNC_BUDGETS=postgres measures it.) `sync.charges_per_s` =
//    synced charges ÷ (last SyncRecord syncedAt − first job started_on). CPU per charge is measured
//    per part (the worker's thread, the sandbox's, the fake's, PostgreSQL's backends): on a shared
//    machine the rate moves with everyone else's load, the CPU one charge costs much less so.
// 2. limited: the worker exactly as `npm run worker` builds it (startSyncWorker), with the sandbox
//    company limited to BENCH_SYNC_LIMIT_PER_MINUTE (600) and SAGE_RATE_LIMIT_PER_MINUTE 1 % under
//    it (594), as an operator sets it under Sage's limit (README: 180 under Sage Accounting's 200).
//    At exactly the limit a 429 can come at the window's edge: the bucket counts a minute from its
//    first grant, the sandbox from the first request's arrival, and when that first request took
//    longer on the way than a later one, the later one lands inside the sandbox's minute (seen:
//    one 429 at 59.99 s). BENCH_SYNC_BUDGET_PER_MINUTE sets the budget (600 shows that edge).
//    Run for one sandbox window (60 s, the sandbox's window is fixed) from the first Sage request.
//    `sync.rate_limit_utilization` = documents synced in that window ÷ the limit; `sync.sage_429s`
//    = 429 answers the sandbox gave (counted at its fault gate); the share of the limit spent on
//    requests is `sync.limited.request_utilization`.
// Afterwards every charge must have exactly one Sage document (reference = charge id) if it is
// synced, and none may have two: a fast but wrong run fails.
//
// Per charge it also reports Sage requests (by route), Stripe requests and PostgreSQL statements:
// counts, so they compare exactly across runs whatever the machine is doing.
//
// Knobs: BENCH_SYNC_CHARGES (2000), BENCH_SYNC_TIME_CAP_S (45), BENCH_SYNC_LIMIT_PER_MINUTE (600),
// BENCH_SYNC_BUDGET_PER_MINUTE (1 % under the limit),
// BENCH_SYNC_LIMITED_S (60; 0 skips phase 2), BENCH_SYNC_WORKERS (1: worker instances in this
// process, each one pg-boss `work` loop, as several worker processes would be), BENCH_SYNC_WORK
// (unset: the worker's own work options, syncObjectWork; a JSON object of pg-boss WorkOptions runs
// a what-if reported under sync.whatif), BENCH_SYNC_BUDGETS (what-ifs for phase 1, reported under
// sync.whatif: `postgres` = the shared PostgreSQL Sage bucket far above the load, `off` = no
// budget objects at all), BENCH_SYNC_AT_ONCE (the worker's SYNC_JOBS_AT_ONCE: jobs of a batch in
// flight at once), BENCH_SYNC_SAGE_LATENCY_MS (0: phase 1's Sage answers this much later, a what-if
// of a real Sage host's round trip), BENCH_LOG_LEVEL (warn).
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import os from 'node:os';
import { defaultGlRules, generateMasterKey, loadKeyring, type Integration, type PrismaClient } from '@sagesync/db';
import { createSageConnectorFactory } from '../api/src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket, type RateLimiter } from '../api/src/connectors/sage/http/rate-limiter.ts';
import { InMemoryRequestBudget } from '../api/src/connectors/stripe/stripe-request-budget.ts';
import { createLogger, type Logger } from '../api/src/observability/logger.ts';
import { createQueue } from '../api/src/queue/create-queue.ts';
import { PostgresTokenBucket } from '../api/src/sync/budgets/postgres-token-bucket.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, syncObjectJob } from '../api/src/sync/ingest/sync-object-job.ts';
import { createSyncObjectJob } from '../api/src/sync/sync-object-handler.ts';
import { createSyncServices, type SyncServices } from '../api/src/sync/sync-services.ts';
import { startSyncWorker, SYNC_JOBS_AT_ONCE, syncObjectWork } from '../api/src/worker/start-sync-worker.ts';
import { startWorker, type Worker } from '../api/src/worker/start-worker.ts';
import type { GateCounts } from './remote-service-thread.ts';
import { charge, customer, type ChargeSet } from '../api/test/sync/processors/support/stripe-objects.ts';
import { connectSageSandbox } from '../api/test/support/sage-connections.ts';
import { processCpuMs, processesCpuMs, threadCpuMs } from './cpu-time.ts';
import { startRemoteService, type RemoteService } from './remote-service.ts';
import { intSetting, openBenchDatabase, round, sleep } from './sync-bench-support.ts';

const COMPANY = 'demo-500';
const PLATFORM_KEY = 'sk_test_bench_platform';
/** "No rate limit": budgets this far above what two cores can offer never make a request wait. */
const UNLIMITED_SAGE_PER_MINUTE = 100_000_000;
const UNLIMITED_STRIPE_PER_SECOND = 1_000_000;

const settings = {
  charges: Math.max(1, intSetting('BENCH_SYNC_CHARGES', 2_000)),
  timeCapS: Math.max(1, intSetting('BENCH_SYNC_TIME_CAP_S', 45)),
  limitPerMinute: Math.max(1, intSetting('BENCH_SYNC_LIMIT_PER_MINUTE', 600)),
  /** Our budget in phase 2 (SAGE_RATE_LIMIT_PER_MINUTE); unset: 1 % under the sandbox's limit (see the header). */
  budgetPerMinute: intSetting('BENCH_SYNC_BUDGET_PER_MINUTE', 0),
  limitedS: intSetting('BENCH_SYNC_LIMITED_S', 60),
  workers: Math.max(1, intSetting('BENCH_SYNC_WORKERS', 1)),
  jobsAtOnce: Math.max(1, intSetting('BENCH_SYNC_AT_ONCE', SYNC_JOBS_AT_ONCE)),
  /** Phase 1: each Sage answer this much later, as a real Sage host over the internet answers. */
  sageLatencyMs: Math.max(0, intSetting('BENCH_SYNC_SAGE_LATENCY_MS', 0)),
  /** Phase 1's budgets: in memory far above the load (unset), or as what-ifs the shared PostgreSQL bucket far above it, or none. */
  budgets: parseBudgets(process.env.BENCH_SYNC_BUDGETS),
  work: process.env.BENCH_SYNC_WORK ? (JSON.parse(process.env.BENCH_SYNC_WORK) as Record<string, unknown>) : null,
};
const whatIf = settings.work !== null || settings.budgets !== 'memory' || settings.jobsAtOnce !== SYNC_JOBS_AT_ONCE || settings.sageLatencyMs > 0;

function parseBudgets(raw: string | undefined): 'memory' | 'postgres' | 'off' {
  if (raw === undefined || raw === '' || raw === 'memory') return 'memory';
  if (raw === 'postgres' || raw === 'off') return raw;
  throw new Error(`BENCH_SYNC_BUDGETS must be memory, postgres or off, got "${raw}"`);
}

const noBudget = { acquire: async () => undefined, pause: () => undefined };
const BUDGETS_LABEL = { memory: 'in memory, far above the load', postgres: 'shared PostgreSQL bucket far above the load (what-if)', off: 'none (what-if)' } as const;

/** The worker's services with no budget in the way (see the header), or a what-if's. */
function unlimitedServices(deps: { prisma: PrismaClient; keyring: ReturnType<typeof loadKeyring>; log: Logger; stripeUrl: string }): SyncServices {
  const sageBudget: RateLimiter =
    settings.budgets === 'off'
      ? noBudget
      : settings.budgets === 'postgres'
        ? new PostgresTokenBucket({ prisma: deps.prisma, limits: { perMinute: UNLIMITED_SAGE_PER_MINUTE } })
        : new InMemoryTokenBucket({ perMinute: UNLIMITED_SAGE_PER_MINUTE, burst: UNLIMITED_SAGE_PER_MINUTE / 10 });
  return createSyncServices({
    prisma: deps.prisma,
    keyring: deps.keyring,
    log: deps.log,
    stripe: {
      platformApiKey: PLATFORM_KEY,
      apiBase: deps.stripeUrl,
      rateLimiter: settings.budgets === 'off' ? noBudget : new InMemoryRequestBudget({ perSecond: UNLIMITED_STRIPE_PER_SECOND }),
    },
    // Sage 500 authenticates with its agent's API key: no OAuth endpoints are needed.
    sageConnectorFor: createSageConnectorFactory({ prisma: deps.prisma, keyring: deps.keyring, rateLimiter: sageBudget, oauth: {} }),
  });
}

/**
 * Counts the statements this process sends to PostgreSQL (Prisma's driver adapter and pg-boss both
 * go through node-postgres's Client.query): the worker's round trips per charge, plus pg-boss's
 * fetches and completions and the bench's own progress polls (five a second).
 */
function countPostgresQueries(): () => number {
  const require = createRequire(import.meta.url);
  const client = (require('pg') as { Client: { prototype: { query: (...args: unknown[]) => unknown } } }).Client.prototype;
  const query = client.query;
  let count = 0;
  client.query = function countedQuery(this: unknown, ...args: unknown[]) {
    count += 1;
    return query.apply(this, args);
  };
  return () => count;
}

type CpuReading = { process: number; main: number | null; sandbox: number | null; fake: number | null; postgres: Map<number, number> | null };

/** CPU so far of each part: this process (and its main thread), the two service threads, and every PostgreSQL backend of the bench database. */
async function readCpu(prisma: PrismaClient, isPostgres: boolean, sandbox: RemoteService, fake: RemoteService): Promise<CpuReading> {
  let postgres: Map<number, number> | null = null;
  if (isPostgres) {
    const rows = await prisma.$queryRawUnsafe<{ pid: number }[]>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
    postgres = new Map();
    for (const { pid } of rows) {
      const ms = processesCpuMs([pid]);
      if (ms !== null) postgres.set(pid, ms);
    }
    if (postgres.size === 0) postgres = null; // another machine, or no /proc
  }
  return { process: processCpuMs(), main: threadCpuMs(), sandbox: await sandbox.cpuMs(), fake: await fake.cpuMs(), postgres };
}

/** CPU milliseconds per synced charge, by part, between two readings. */
function cpuPerCharge(before: CpuReading, after: CpuReading, charges: number): Record<string, number | null> {
  const per = (ms: number | null) => (ms === null || charges === 0 ? null : round(ms / charges, 2));
  const delta = (a: number | null, b: number | null) => (a === null || b === null ? null : b - a);
  const main = delta(before.main, after.main);
  const sandbox = delta(before.sandbox, after.sandbox);
  const fake = delta(before.fake, after.fake);
  let postgres: number | null = null;
  if (after.postgres) {
    postgres = 0;
    // A backend born during the phase counts from zero; one that ended during it is lost (pools keep theirs).
    for (const [pid, ms] of after.postgres) postgres += ms - (before.postgres?.get(pid) ?? 0);
  }
  const processTotal = after.process - before.process;
  const other = main === null || sandbox === null || fake === null ? null : processTotal - main - sandbox - fake;
  return {
    worker: per(main),
    sage_sandbox: per(sandbox),
    stripe_fake: per(fake),
    process_other: per(other),
    postgres: per(postgres),
    total: per(processTotal + (postgres ?? 0)),
  };
}

async function main() {
  const postgresQueries = countPostgresQueries();
  const log = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'bench' });
  const bench = await openBenchDatabase();
  const { prisma } = bench.db;
  const boss = await createQueue(bench.db, { log, supervise: false, schedule: false });
  const sandbox = await startRemoteService('sage-sandbox');
  const fake = await startRemoteService('stripe-fake');
  const sandboxUrl = sandbox.url;
  const stripeUrl = fake.url;
  const gateCounts = () => sandbox.call<GateCounts>('gateCounts');
  const resetGate = () => sandbox.call('resetGateCounts');

  const workers: Worker[] = [];
  const stopWorkers = async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    workers.length = 0;
  };
  const problems: string[] = [];

  try {
    const org = await prisma.organization.create({ data: { name: 'Bench org', slug: `bench-${randomBytes(4).toString('hex')}` } });
    const integration: Integration = await prisma.integration.create({
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

    const syncedCount = async () => prisma.syncRecord.count({ where: { integrationId: integration.id, status: 'synced' } });
    const badRecords = async () =>
      prisma.syncRecord.findMany({ where: { integrationId: integration.id, status: { in: ['failed', 'dead', 'held'] } }, select: { sourceObjectId: true, status: true, lastError: true }, take: 5 });

    /** Every synced charge has exactly one document; no charge has more than one. */
    const verify = async (sets: ChargeSet[], label: string) => {
      const byReference = await sandbox.call<Record<string, number>>('documentsByReference', COMPANY);
      const synced = new Set(
        (await prisma.syncRecord.findMany({ where: { integrationId: integration.id, sourceObjectType: 'charge', status: 'synced' }, select: { sourceObjectId: true } })).map((row) => row.sourceObjectId),
      );
      let checked = 0;
      for (const set of sets) {
        const id = set.charge.id as string;
        const documents = byReference[id] ?? 0;
        if (synced.has(id)) {
          checked += 1;
          if (documents !== 1) problems.push(`${label}: charge ${id} is synced with ${documents} documents in Sage`);
        } else if (documents > 1) problems.push(`${label}: charge ${id} (not synced) has ${documents} documents in Sage`);
      }
      return checked;
    };

    const work = settings.work ?? syncObjectWork(bench.db.kind);
    console.log(
      `sync bench: ${bench.label}, ${settings.charges} charges (cap ${settings.timeCapS} s), ${settings.workers} worker(s), ` +
        `work options ${JSON.stringify(work)}${settings.work ? '' : ' (syncObjectWork)'}, budgets ${BUDGETS_LABEL[settings.budgets]}, ${os.cpus().length} CPUs`,
    );

    // ── Phase 1: unlimited ──────────────────────────────────────────────────────────────────
    await sandbox.call('clearFaults', COMPANY);
    await sandbox.call('configureFaults', COMPANY, { rateLimitPerMinute: 100_000_000, latencyMs: settings.sageLatencyMs });
    const loadStarted = performance.now();
    const unlimitedSets = await loadAndEnqueue(settings.charges);
    const loadMs = performance.now() - loadStarted;
    await resetGate();
    await sandbox.call('resetRequestsByRoute');
    const cpuBefore = await readCpu(prisma, bench.db.kind === 'postgres', sandbox, fake);
    const queriesBefore = postgresQueries();
    const stripeRequestsBefore = await fake.call<number>('requestCount');
    const connectionsBefore = { sage: await sandbox.call<number>('connectionCount'), stripe: await fake.call<number>('connectionCount') };
    for (let index = 0; index < settings.workers; index += 1) {
      const services = unlimitedServices({ prisma, keyring, log, stripeUrl });
      workers.push(await startWorker({ boss, prisma, log, services, registry: [createSyncObjectJob({ work }) as never], jobsAtOnce: { [SYNC_OBJECT_QUEUE]: settings.jobsAtOnce } }));
    }
    const deadline = Date.now() + settings.timeCapS * 1000;
    let synced = 0;
    while (Date.now() < deadline) {
      synced = await syncedCount();
      if (synced >= settings.charges) break;
      await sleep(200);
    }
    await stopWorkers();
    const cpuAfter = await readCpu(prisma, bench.db.kind === 'postgres', sandbox, fake);
    const queriesInPhase = postgresQueries() - queriesBefore;
    const stripeRequestsInPhase = (await fake.call<number>('requestCount')) - stripeRequestsBefore;
    const newConnections = {
      sage: (await sandbox.call<number>('connectionCount')) - connectionsBefore.sage,
      stripe: (await fake.call<number>('connectionCount')) - connectionsBefore.stripe,
    };
    synced = await syncedCount();
    const span = await prisma.$queryRawUnsafe<{ first: number | null }[]>(
      `SELECT (extract(epoch FROM min(started_on)) * 1000)::float8 AS first FROM pgboss.job WHERE name = $1`,
      SYNC_OBJECT_QUEUE,
    );
    const last = await prisma.syncRecord.aggregate({ where: { integrationId: integration.id, status: 'synced' }, _max: { syncedAt: true } });
    const unlimitedGate = await gateCounts();
    const firstMs = span[0]?.first ?? unlimitedGate.first;
    const lastMs = last._max.syncedAt?.getTime() ?? Date.now();
    const unlimitedSeconds = Math.max(0.001, (lastMs - firstMs) / 1000);
    const unlimitedRequests = unlimitedGate.proceed;
    const bad = await badRecords();
    if (bad.length) problems.push(`unlimited: records not synced: ${JSON.stringify(bad)}`);
    if (unlimitedGate.rateLimited > 0) problems.push(`unlimited: the sandbox answered ${unlimitedGate.rateLimited} requests with 429 in a run meant to have no limit`);
    const checkedUnlimited = await verify(unlimitedSets, 'unlimited');
    const chargesPerS = synced / unlimitedSeconds;
    const cpu = cpuPerCharge(cpuBefore, cpuAfter, synced);
    console.log(
      `unlimited: ${synced}/${settings.charges} synced in ${round(unlimitedSeconds, 2)} s → ${round(chargesPerS, 1)} charges/s; ` +
        `${unlimitedRequests} Sage requests (${round(unlimitedRequests / Math.max(1, synced), 2)} per charge), load+enqueue ${round(loadMs)} ms`,
    );
    const perCharge = (count: number) => round(count / Math.max(1, synced), 2);
    const sageRequestsByRoute = Object.fromEntries(
      Object.entries(await sandbox.call<Record<string, number>>('requestsByRoute')).map(([route, count]) => [route.replace(`/${COMPANY}/`, '/:company/'), perCharge(count)]),
    );
    console.log(`unlimited: CPU ms per charge ${JSON.stringify(cpu)}; per charge ${perCharge(queriesInPhase)} PostgreSQL queries, ${perCharge(stripeRequestsInPhase)} Stripe requests`);
    console.log(`unlimited: Sage requests per charge by route ${JSON.stringify(sageRequestsByRoute)}; new connections ${JSON.stringify(newConnections)}`);
    if (synced < settings.charges) console.log(`unlimited: time cap hit after ${synced} charges (the rate is over those)`);

    // ── Phase 2: limited ────────────────────────────────────────────────────────────────────
    let limited: Record<string, number> = {};
    if (settings.limitedS > 0) {
      const before = synced;
      const beforeDocs = await sandbox.call<number>('documentCount', COMPANY);
      // Enough work to keep the worker busy past the window whatever the requests per charge.
      const budgetPerMinute = settings.budgetPerMinute || Math.max(1, Math.floor(settings.limitPerMinute * 0.99));
      const limitedSets = await loadAndEnqueue(Math.ceil(((settings.limitPerMinute * settings.limitedS) / 60) * 1.5) + 50);
      await sandbox.call('clearFaults', COMPANY); // restarts the sandbox's 60-s window
      await sandbox.call('configureFaults', COMPANY, { rateLimitPerMinute: settings.limitPerMinute });
      await resetGate();
      const limitedEnv: NodeJS.ProcessEnv = {
        STRIPE_API_KEY: PLATFORM_KEY,
        STRIPE_API_BASE: stripeUrl,
        STRIPE_READ_BUDGET_PER_SECOND: '100',
        SAGE_RATE_LIMIT_PER_MINUTE: String(budgetPerMinute),
      };
      for (let index = 0; index < settings.workers; index += 1) workers.push(await startSyncWorker({ db: bench.db, boss, log, keyring, source: limitedEnv }));
      let windowStart = 0;
      while (windowStart === 0) {
        windowStart = (await gateCounts()).first;
        if (windowStart === 0) await sleep(20);
      }
      const windowEnd = windowStart + settings.limitedS * 1000;
      await sleep(Math.max(0, windowEnd - Date.now()));
      const docsInWindow = (await sandbox.call<number>('documentCount', COMPANY)) - beforeDocs;
      const inWindow = await gateCounts();
      const syncedInWindow = await prisma.syncRecord.count({
        where: { integrationId: integration.id, status: 'synced', syncedAt: { gte: new Date(windowStart), lt: new Date(windowEnd) } },
      });
      await stopWorkers();
      const after = await syncedCount();
      await verify(limitedSets, 'limited');
      const perMinute = (count: number) => (count * 60) / settings.limitedS;
      limited = {
        window_s: settings.limitedS,
        limit_per_minute: settings.limitPerMinute,
        budget_per_minute: budgetPerMinute,
        documents_per_minute: round(perMinute(docsInWindow), 1),
        records_synced_per_minute: round(perMinute(syncedInWindow), 1),
        sage_requests_per_minute: round(perMinute(inWindow.proceed), 1),
        request_utilization: round(perMinute(inWindow.proceed) / settings.limitPerMinute, 3),
        sage_429s: inWindow.rateLimited,
        /** Seconds into the window of the first 429, if any (at 60 s: a request that crossed the window's edge). */
        first_429_at_s: inWindow.firstRateLimited === 0 ? -1 : round((inWindow.firstRateLimited - windowStart) / 1000, 3),
        synced_by_stop: after - before,
      };
      console.log(`limited: ${JSON.stringify(limited)}`);
      limited.utilization = round(perMinute(docsInWindow) / settings.limitPerMinute, 3);
    }

    if (problems.length > 0) {
      for (const problem of problems.slice(0, 20)) console.error(`✗ ${problem}`);
      throw new Error(`${problems.length} verification problem(s)`);
    }

    const prefix = whatIf ? 'sync.whatif' : 'sync';
    const figures: Record<string, unknown> = {
      [`${prefix}.charges_per_s`]: round(chargesPerS, 1),
      ...(settings.limitedS > 0 && !whatIf ? { 'sync.rate_limit_utilization': limited.utilization, 'sync.sage_429s': limited.sage_429s } : {}),
      [prefix.replace('.', '_')]: {
        charges: settings.charges,
        synced: synced,
        verified: checkedUnlimited,
        seconds: round(unlimitedSeconds, 2),
        sage_requests_per_charge: perCharge(unlimitedRequests),
        sage_requests_per_charge_by_route: sageRequestsByRoute,
        stripe_requests_per_charge: perCharge(stripeRequestsInPhase),
        postgres_queries_per_charge: perCharge(queriesInPhase),
        /** TCP connections opened to each during the phase (keep-alive keeps these few). */
        new_connections: newConnections,
        cpu_ms_per_charge: cpu,
        workers: settings.workers,
        jobs_at_once: settings.jobsAtOnce,
        sage_latency_ms: settings.sageLatencyMs,
        work: JSON.stringify(work),
        budgets: BUDGETS_LABEL[settings.budgets],
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
