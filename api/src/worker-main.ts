import { applyMigrations, openDatabase, resolveKeyring } from '@sagesync/db';
import { loadEnv } from './config/env.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { exitOnStartupFailure, stopOnSignal } from './process/stop-on-signal.ts';
import { createQueue } from './queue/create-queue.ts';
import { loadSyncConfig } from './sync/sync-config.ts';
import { startSyncWorker } from './worker/start-sync-worker.ts';

// A worker process (`npm run worker`): as many as needed, on as many machines, against one
// PostgreSQL. The embedded database lives inside the api process, which runs its own worker.

let log: Logger | null = null;
try {
  const env = loadEnv();
  log = createLogger({ level: env.LOG_LEVEL, service: 'sagesync-worker' });
  if (!env.DATABASE_URL) {
    throw new Error(
      'The worker needs DATABASE_URL (PostgreSQL). With the embedded database the api runs the ' +
        'worker inside its own process (RUN_WORKER_IN_PROCESS), because PGlite cannot be shared.',
    );
  }

  // Read before touching the database, so a bad setting fails at once.
  loadSyncConfig(process.env, { embedded: false });
  const keyring = resolveKeyring(env);

  const db = await openDatabase({ url: env.DATABASE_URL });
  // Safe beside a starting api: migrations are serialised by an advisory lock and recorded.
  await applyMigrations(db);
  const boss = await createQueue(db, { log });
  const worker = await startSyncWorker({ db, boss, log, keyring });

  stopOnSignal(log, [
    { name: 'worker', run: () => worker.stop() },
    { name: 'queue', run: () => boss.stop({ graceful: true }) },
    { name: 'database', run: () => db.close() },
  ]);
} catch (error) {
  exitOnStartupFailure(log, error);
}
