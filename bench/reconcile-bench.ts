// Payout reconciliation benchmark: `reconcilePayout` end to end (retrieve the payout, list all of
// its balance transactions page by page over HTTP from the in-process Stripe fake, choose GL
// accounts, build and prove the journal, look it up and post it to the in-process Sage sandbox,
// store the reconciliation) for payouts of 10,000 balance transactions, on PostgreSQL when
// DATABASE_URL is set (a fresh database, dropped afterwards) or else on in-memory PGlite.
// Each measured run is a fresh payout; one warm-up payout runs first and is not counted. Every run
// is checked (posted, one journal, bank debited exactly the payout): a fast but wrong run fails.
//
// Run through `npm run bench` (bench/run.mjs), or alone: `npx tsx bench/reconcile-bench.ts`.
// The last line on stdout is a JSON object of the figures, e.g. {"reconcile.payout_10k_ms": 1234};
// with BENCH_RESULT_FILE set they are also written there as JSON.
// Knobs: BENCH_RECONCILE_RUNS (5), BENCH_RECONCILE_SIZE (10000), BENCH_RECONCILE_EDITION (sage500),
// BENCH_RECONCILE_MODE (per_transaction), BENCH_RECONCILE_STRIPE_BUDGET (0 = unthrottled; e.g. 50
// for the product's live-mode budget of half Stripe's limit), BENCH_LOG_LEVEL (warn).
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import {
  defaultGlRules,
  DEFAULT_GL_ACCOUNTS,
  generateMasterKey,
  loadKeyring,
  type PostingMode,
  type SageEdition,
} from '@sagesync/db';
import { createSageConnectorFactory } from '../api/src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../api/src/connectors/sage/http/rate-limiter.ts';
import { InMemoryRequestBudget, type StripeRateLimiter } from '../api/src/connectors/stripe/stripe-request-budget.ts';
import { createLogger } from '../api/src/observability/logger.ts';
import { buildSageSandbox } from '../api/src/sandbox/sage/sage-sandbox-server.ts';
import { buildStripeScenario, type StripeScenario } from '../api/src/sandbox/stripe-fake/scenario-builder.ts';
import { buildStripeFake } from '../api/src/sandbox/stripe-fake/stripe-fake-server.ts';
import { reconcilePayout } from '../api/src/sync/payouts/reconcile-payout.ts';
import { createSyncServices } from '../api/src/sync/sync-services.ts';
import { connectSageSandbox, sandboxOAuthEndpoints } from '../api/test/support/sage-connections.ts';
import { openBenchDatabase } from './bench-database.ts';

const EDITIONS = ['sage500', 'sage_pro', 'sage50', 'sage_accounting'] as const;
const MODES = ['per_transaction', 'payout_summary'] as const;
const COMPANY: Record<SageEdition, string> = { sage500: 'demo-500', sage_pro: 'demo-pro', sage50: 'demo-50', sage_accounting: 'demo-cloud' };
const TARGET_MS = 5_000;

function intSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function choice<T extends string>(name: string, options: readonly T[], fallback: T): T {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(options as readonly string[]).includes(raw)) throw new Error(`${name} must be one of ${options.join(', ')}, got "${raw}"`);
  return raw as T;
}

const settings = {
  runs: Math.max(1, intSetting('BENCH_RECONCILE_RUNS', 5)),
  size: Math.max(2, intSetting('BENCH_RECONCILE_SIZE', 10_000)),
  edition: choice<SageEdition>('BENCH_RECONCILE_EDITION', EDITIONS, 'sage500'),
  mode: choice<PostingMode>('BENCH_RECONCILE_MODE', MODES, 'per_transaction'),
  stripeBudgetPerSecond: intSetting('BENCH_RECONCILE_STRIPE_BUDGET', 0),
};


/** Lets every request through: the fake is not Stripe and has no limit of its own. */
const unthrottled: StripeRateLimiter = { acquire: async () => undefined, pause: () => undefined };

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;

async function main() {
  const log = createLogger({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'bench' });
  const bench = await openBenchDatabase();
  const { prisma } = bench.db;
  const sandbox = buildSageSandbox({ now: Date.now });
  const sandboxUrl = await sandbox.listen(0);
  const fake = buildStripeFake();
  const { url: stripeUrl } = await fake.listen(0);

  try {
    const org = await prisma.organization.create({ data: { name: 'Bench org', slug: `bench-${randomBytes(4).toString('hex')}` } });
    const integration = await prisma.integration.create({
      data: {
        orgId: org.id,
        name: `Bench payouts → ${settings.edition}`,
        source: 'stripe',
        sourceAccountId: `acct_bench_${randomBytes(6).toString('hex')}`,
        sageEdition: settings.edition,
        sageCompanyId: COMPANY[settings.edition],
        postingMode: settings.mode,
        timeZone: 'America/Chicago',
        homeCurrency: 'USD',
        // Before every generated scenario: all of a payout's money went through the sync.
        syncStartAt: new Date('2025-01-01T00:00:00Z'),
      },
    });
    await connectSageSandbox(prisma, keyring, sandboxUrl, integration);
    await prisma.glRule.createMany({
      data: defaultGlRules(settings.edition).map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
    });
    const services = createSyncServices({
      prisma,
      keyring,
      log,
      stripe: {
        platformApiKey: 'sk_test_bench_platform',
        apiBase: stripeUrl,
        rateLimiter: settings.stripeBudgetPerSecond > 0 ? new InMemoryRequestBudget({ perSecond: settings.stripeBudgetPerSecond }) : unthrottled,
      },
      sageConnectorFor: createSageConnectorFactory({ prisma, keyring, rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000 }), oauth: sandboxOAuthEndpoints(sandboxUrl) }),
    });

    const load = async (scenario: StripeScenario) => {
      // The fake scans its whole store to filter a list: earlier payouts would slow it, not us.
      const reset = await fetch(`${stripeUrl}/_fake/reset`, { method: 'POST' });
      if (reset.status !== 200 && reset.status !== 204) throw new Error(`resetting the Stripe fake failed with ${reset.status}`);
      const response = await fetch(`${stripeUrl}/_fake/objects?account=${encodeURIComponent(integration.sourceAccountId)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(scenario.objects),
      });
      if (response.status !== 200) throw new Error(`loading payout ${scenario.payout.id} failed with ${response.status}: ${await response.text()}`);
    };

    const bank = DEFAULT_GL_ACCOUNTS[settings.edition].bank;
    const problems: string[] = [];
    const runOnce = async (seed: number): Promise<number> => {
      const scenario = buildStripeScenario({ seed, size: settings.size, events: false });
      await load(scenario);
      const startedAt = performance.now();
      const result = await reconcilePayout({ services, integration, payoutId: scenario.payout.id, eventId: `evt_bench_${seed}`, log });
      const elapsedMs = performance.now() - startedAt;
      // Correctness, outside the timing: posted, exactly one journal, the bank line is the payout.
      const journals = sandbox.store.findDocuments(COMPANY[settings.edition], { types: ['journal'], reference: scenario.payout.id });
      const bankDebit = journals[0]?.lines.filter((line) => line.account === bank).reduce((sum, line) => sum + line.debitMinor - line.creditMinor, 0);
      const row = await prisma.payoutReconciliation.findUnique({ where: { integrationId_payoutId: { integrationId: integration.id, payoutId: scenario.payout.id } } });
      if (result.status !== 'posted') problems.push(`seed ${seed}: ${result.status} (${result.reason ?? 'no reason'})`);
      else if (journals.length !== 1) problems.push(`seed ${seed}: ${journals.length} journals in Sage`);
      else if (bankDebit !== scenario.payout.amount) problems.push(`seed ${seed}: bank moved ${bankDebit}, payout is ${scenario.payout.amount}`);
      else if (row?.transactionCount !== settings.size - 1 || row.differenceMinor !== 0n) problems.push(`seed ${seed}: stored ${row?.transactionCount} transactions, difference ${row?.differenceMinor}`);
      return elapsedMs;
    };

    console.log(
      `reconcile bench: ${bench.label}, ${settings.edition} ${settings.mode}, payouts of ${settings.size} balance transactions, ` +
        `${settings.runs} runs + 1 warm-up, Stripe budget ${settings.stripeBudgetPerSecond || 'unthrottled'}/s, ${os.cpus().length} CPUs`,
    );
    const warmupMs = await runOnce(1_000);
    const timings: number[] = [];
    for (let run = 0; run < settings.runs; run += 1) timings.push(await runOnce(10_001 + run));

    const medianMs = round(median(timings));
    const details = {
      median_ms: medianMs,
      min_ms: round(Math.min(...timings)),
      max_ms: round(Math.max(...timings)),
      runs_ms: timings.map((ms) => round(ms)),
      warmup_ms: round(warmupMs),
      transactions: settings.size,
      pages: Math.ceil(settings.size / 100),
      edition: settings.edition,
      mode: settings.mode,
      stripe_budget_per_s: settings.stripeBudgetPerSecond || 'unthrottled',
      database: bench.label,
      target_ms: TARGET_MS,
      under_target: medianMs < TARGET_MS,
      verified: problems.length === 0,
    };
    console.table(details);
    const figures = { 'reconcile.payout_10k_ms': medianMs };
    const resultFile = process.env.BENCH_RESULT_FILE;
    if (resultFile) fs.writeFileSync(resultFile, JSON.stringify({ ...figures, reconcile: details }, null, 2));
    if (problems.length > 0) throw new Error(`reconcile bench verification failed:\n  - ${problems.join('\n  - ')}`);
    console.log(JSON.stringify(figures));
  } finally {
    await sandbox.close();
    await fake.close();
    await bench.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
