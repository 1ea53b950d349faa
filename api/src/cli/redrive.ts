import type { Database } from '@sagesync/db';
import { z } from 'zod';
import { createLogger } from '../observability/logger.ts';
import { closeCliResources, openCliDatabase, parseCommandLine, readCliEnv, runCli, UsageError, ZCliEnv } from './cli-support.ts';
import { createQueue, type Queue } from '../queue/create-queue.ts';
import { ZSyncedObjectType } from '../sync/ingest/handled-events.ts';
import { REDRIVE_MAX_ITEMS, redriveDeadRecords, ZRedriveFilter, type RedriveResult } from '../sync/redrive-dead-records.ts';

// `npm run redrive -- --integration ID [--type charge] [--max 100] [--dry-run]`: sends the
// integration's dead items (their last attempt failed) back through the sync, after whatever killed
// them is fixed. Each gets a fresh job, its dead-letter copies are consumed and an audit entry says
// the CLI did it. Safe to run again: an item already redriven is no longer dead.

const USAGE = `Usage: npm run redrive -- --integration <id> [--type <object type>] [--max <n>] [--dry-run]

  --integration  the integration whose dead items to send back through the sync
  --type         only this kind of Stripe object: ${ZSyncedObjectType.options.join(', ')}
  --max          at most this many items (default 100, at most ${REDRIVE_MAX_ITEMS}); run again for the rest
  --dry-run      only count what would be redriven; change nothing

Environment: DATABASE_URL (PostgreSQL; unset: the embedded database under DATA_DIR).`;

const ZArgs = z.object({
  integration: z.string({ error: 'is required' }).trim().min(1, 'is required'),
  type: ZSyncedObjectType.optional(),
  max: z.coerce.number().int().min(1).max(REDRIVE_MAX_ITEMS).default(100),
  'dry-run': z.boolean().default(false),
});

function describe(result: RedriveResult, integrationName: string): string {
  const verb = result.dryRun ? 'Would redrive' : 'Redrove';
  const lines = [`${verb} ${result.redriven} dead item(s) of ${integrationName} (${result.deadLettersConsumed} dead-letter job(s) ${result.dryRun ? 'to consume' : 'consumed'}).`];
  if (result.matched === 0) lines[0] = `No dead items of ${integrationName} match.`;
  if (result.skipped > 0) lines.push(`${result.skipped} item(s) were taken by another redrive or resync meanwhile.`);
  if (result.remaining > 0) lines.push(`${result.remaining} more dead item(s) match: run the same command again.`);
  return lines.join('\n');
}

async function main(): Promise<number> {
  const args = parseCommandLine(
    process.argv.slice(2),
    { integration: { type: 'string' }, type: { type: 'string' }, max: { type: 'string' }, 'dry-run': { type: 'boolean' } },
    ZArgs,
    USAGE,
  );
  const env = readCliEnv(ZCliEnv);
  const log = createLogger({ level: env.LOG_LEVEL, service: 'sagesync-redrive' });

  let db: Database | null = null;
  let boss: Queue | null = null;
  try {
    db = await openCliDatabase(env, 'redrive from the portal (the sync.redrive procedure)');
    const integration = await db.prisma.integration.findUnique({ where: { id: args.integration }, select: { id: true, orgId: true, name: true } });
    if (!integration) throw new UsageError(`There is no integration ${args.integration}.`);
    // Enqueue only: no maintenance or cron timers from a short-lived command.
    boss = await createQueue(db, { log, supervise: false, schedule: false });
    const filter = ZRedriveFilter.parse({ integrationId: integration.id, max: args.max, ...(args.type ? { objectType: args.type } : {}) });
    const result = await redriveDeadRecords(db.prisma, boss, { orgId: integration.orgId, filter, dryRun: args['dry-run'] }, { kind: 'system', id: null, via: 'cli' });
    console.log(describe(result, integration.name));
    return 0;
  } finally {
    await closeCliResources(boss, db);
  }
}

await runCli({
  main,
  usage: USAGE,
  unexpected: 'The redrive stopped on an unexpected error; items already redriven stay redriven, run the same command again for the rest.',
});
