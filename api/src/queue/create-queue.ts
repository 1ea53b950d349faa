import { PgBoss, fromPglite, type ConstructorOptions } from 'pg-boss';
import type { Database } from '@sagesync/db';
import { timedCheck, type CheckResult } from '../observability/health-check.ts';
import type { Logger } from '../observability/logger.ts';

export type Queue = PgBoss;

export type CreateQueueOptions = {
  log: Logger;
  /** pg-boss maintenance and cron timers; tests that only enqueue can turn them off. */
  supervise?: boolean;
  schedule?: boolean;
};

/**
 * Starts pg-boss on the application's own database, so a job and the row that caused it can be
 * written in one transaction. PGlite lives inside this process, so pg-boss must use that same
 * instance; PostgreSQL gets a pool of pg-boss's own.
 */
export async function createQueue(db: Database, { log, supervise, schedule }: CreateQueueOptions): Promise<Queue> {
  const common: ConstructorOptions = {
    application_name: 'sagesync',
    ...(supervise === undefined ? {} : { supervise }),
    ...(schedule === undefined ? {} : { schedule }),
  };
  const boss =
    db.kind === 'postgres'
      ? new PgBoss({ ...common, connectionString: db.url })
      : new PgBoss({ ...common, backend: 'pglite', db: fromPglite(db.pglite) });
  const queueLog = log.child({ component: 'queue' });
  // pg-boss reports background failures (maintenance, polling) as events; unhandled 'error'
  // events would crash the process, so they are logged instead.
  boss.on('error', (error) => queueLog.error({ err: error }, 'queue background error'));
  boss.on('warning', (warning) => queueLog.warn({ warning }, 'queue warning'));
  await boss.start();
  return boss;
}

/** For /healthz: can pg-boss still reach its own tables? */
export function queueStatus(boss: Queue, timeoutMs?: number): Promise<CheckResult<{ schemaVersion: number | null }>> {
  return timedCheck(async () => ({ schemaVersion: await boss.schemaVersion() }), timeoutMs);
}
