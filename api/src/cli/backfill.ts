import { resolveKeyring, type Database } from '@sagesync/db';
import { SingleBar, Presets } from 'cli-progress';
import { z } from 'zod';
import { unixToLocalDate } from '../accounting/local-date.ts';
import { STRIPE_RATE_LIMIT_PER_SECOND } from '../connectors/stripe/stripe-request-budget.ts';
import { createLogger } from '../observability/logger.ts';
import { createQueue, type Queue } from '../queue/create-queue.ts';
import { BackfillRequestError, BackfillRunBusyError } from '../sync/backfill/backfill-errors.ts';
import { sharedStripeBudget } from '../sync/budgets/stripe-read-budget.ts';
import type { BackfillMissingPart } from '../sync/backfill/backfill-outcome.ts';
import { startBackfill } from '../sync/backfill/plan-backfill.ts';
import { runBackfill, type BackfillProgress } from '../sync/backfill/run-backfill.ts';
import { ZCalendarDate } from '../sync/backfill/local-day-start.ts';
import { createSyncServices } from '../sync/sync-services.ts';
import { loadSyncConfig } from '../sync/sync-config.ts';
import { closeCliResources, openCliDatabase, parseCommandLine, readCliEnv, runCli, UsageError, ZCliEnv } from './cli-support.ts';

// `npm run backfill -- --integration ID --from YYYY-MM-DD --to YYYY-MM-DD`: lists an integration's
// Stripe history of that range (dates in the integration's time zone, `--to` not included) and
// enqueues it for the sync at low priority. Run it again with the same arguments to resume an
// interrupted run or to retry what a partial run is missing.

const USAGE = `Usage: npm run backfill -- --integration <id> --from <YYYY-MM-DD> --to <YYYY-MM-DD>

  --integration  the integration whose Stripe history to bring into Sage
  --from         first day, in the integration's time zone
  --to           the day after the last day (not included): --from 2025-01-01 --to 2025-02-01 is January

Environment: DATABASE_URL (PostgreSQL; unset: the embedded database under DATA_DIR),
APP_ENCRYPTION_KEY, STRIPE_API_BASE (unset: api.stripe.com), STRIPE_API_KEY (platform mode), as the worker reads them.`;

const ZArgs = z.object({
  integration: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  from: ZCalendarDate,
  to: ZCalendarDate,
});

/** What this command reads from the environment (the database ones mean what they mean for the api). */
const ZBackfillEnv = ZCliEnv.extend({
  APP_ENCRYPTION_KEY: z.string().optional(),
  APP_ENCRYPTION_KEY_ID: z.string().optional(),
  APP_ENCRYPTION_OLD_KEYS: z.string().optional(),
});

function describeMissing(part: BackfillMissingPart, timeZone: string): string {
  const from = unixToLocalDate(Date.parse(part.rangeStart) / 1000, timeZone);
  const to = unixToLocalDate(Date.parse(part.rangeEnd) / 1000, timeZone);
  const reason = part.error ? `${part.error.message} (${part.error.code})` : part.status === 'queued' ? 'not started' : 'interrupted';
  const listed = part.listedCount > 0 ? `, ${part.listedCount} already enqueued` : '';
  return `  - ${part.objectType}s from ${from} to ${to} (not included)${listed}: ${reason}`;
}

async function main(): Promise<number> {
  const args = parseCommandLine(process.argv.slice(2), { integration: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } }, ZArgs, USAGE);
  if (args.from >= args.to) throw new UsageError('--to must be after --from (the --to day is not included).');
  const env = readCliEnv(ZBackfillEnv);
  const log = createLogger({ level: env.LOG_LEVEL, service: 'sagesync-backfill' });

  let db: Database | null = null;
  let boss: Queue | null = null;
  try {
    db = await openCliDatabase(env, 'start the backfill from the portal, where the api runs it in its own worker');
    const integration = await db.prisma.integration.findUnique({ where: { id: args.integration } });
    if (!integration) throw new UsageError(`There is no integration ${args.integration}.`);

    const keyring = resolveKeyring(env);
    const syncConfig = loadSyncConfig(process.env, { embedded: db.kind === 'pglite' });
    const services = createSyncServices({
      prisma: db.prisma,
      keyring,
      log,
      stripe: {
        // The same Stripe settings the worker uses (api/src/sync/sync-config.ts).
        platformApiKey: syncConfig.stripe.platformApiKey,
        apiBase: syncConfig.stripe.apiBase,
        // Half of Stripe's limit for the integration's mode, spent with the workers (the same rows).
        rateLimiter: sharedStripeBudget({ prisma: db.prisma, perSecond: Math.floor(STRIPE_RATE_LIMIT_PER_SECOND[integration.livemode ? 'live' : 'test'] / 2) }),
      },
      sageConnectorFor: () => Promise.reject(new Error('The backfill only lists Stripe; the worker posts to Sage.')),
    });
    // Enqueue only: no maintenance or cron timers from a short-lived command.
    boss = await createQueue(db, { log, supervise: false, schedule: false });

    const { run, resumed, segmentCount } = await startBackfill(db.prisma, {
      orgId: integration.orgId,
      integrationId: integration.id,
      from: args.from,
      to: args.to,
    });
    console.log(
      `${resumed ? 'Resuming' : 'Starting'} backfill ${run.id} of ${integration.name}: ${args.from} to ${args.to} ` +
        `(not included, ${integration.timeZone}), ${segmentCount} segments.`,
    );

    let interrupted = false;
    const onSignal = () => {
      if (interrupted) process.exit(130);
      interrupted = true;
      console.error('\nStopping after the current page; run the same command again to resume.');
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);

    const bar = process.stdout.isTTY
      ? new SingleBar(
          { format: 'segments {bar} {value}/{total} | listed {listed} | enqueued {enqueued} | failed {failed} | {current}', hideCursor: true },
          Presets.shades_classic,
        )
      : null;
    let started = false;
    const onProgress = (progress: BackfillProgress) => {
      const { totals, segment } = progress;
      const payload = {
        listed: totals.listed,
        enqueued: totals.enqueued,
        failed: totals.failedSegments,
        current: `${segment.objectType}s ${unixToLocalDate(segment.rangeStart.getTime() / 1000, integration.timeZone)}`,
      };
      if (bar) {
        if (!started) bar.start(totals.segments, totals.finishedSegments, payload);
        else bar.update(totals.finishedSegments, payload);
      } else if (segment.status === 'complete' || segment.status === 'failed') {
        console.log(`${payload.current}: ${segment.status}, ${segment.listedCount} listed (${totals.finishedSegments}/${totals.segments} segments)`);
      }
      started = true;
      if (interrupted) throw new Error('interrupted');
    };

    let result;
    try {
      result = await runBackfill({ prisma: db.prisma, boss, stripeFor: services.stripeFor, log }, run.id, { onProgress });
    } catch (error) {
      bar?.stop();
      if (interrupted) {
        console.log(`Stopped. Backfill ${run.id} keeps its place: run the same command again to resume.`);
        return 130;
      }
      throw error;
    }
    bar?.stop();

    const { outcome } = result;
    console.log(`Backfill ${run.id}: ${result.status}. ${outcome.listed} objects listed, ${outcome.enqueued} enqueued for the sync.`);
    if (outcome.stoppedBy) console.log(`Stopped early: ${outcome.stoppedBy.message} (${outcome.stoppedBy.code})`);
    if (outcome.missing.length > 0) {
      console.log(`Missing (${outcome.missing.length} of ${outcome.segments} segments):`);
      for (const part of outcome.missing) console.log(describeMissing(part, integration.timeZone));
      console.log('Run the same command again to retry what is missing.');
    }
    return result.status === 'complete' ? 0 : 1;
  } finally {
    await closeCliResources(boss, db);
  }
}

await runCli({
  main,
  usage: USAGE,
  unexpected: 'The backfill stopped on an unexpected error; run the same command again to resume.',
  refused: (error) => (error instanceof BackfillRequestError || error instanceof BackfillRunBusyError ? `${error.message} (${error.code})` : null),
});
