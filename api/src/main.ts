import { applyMigrations, ensureDevSecrets, openDatabase, resolveDatabaseTarget, resolveDataDir } from '@sagesync/db';
import { loadEnv } from './config/env.ts';
import { buildServer } from './http/server.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { exitOnStartupFailure, stopOnSignal } from './process/stop-on-signal.ts';
import { createQueue } from './queue/create-queue.ts';
import { startWorker } from './worker/start-worker.ts';

// The api process: HTTP server, tRPC, and (with the embedded database, whose PGlite cannot be
// shared between processes) the job worker too.

function environmentWithDevDefaults(): NodeJS.ProcessEnv {
  const source = { ...process.env };
  // The embedded default shares a generated NEXTAUTH_SECRET with the portal through DATA_DIR
  // (the same file `npm start` reads). With PostgreSQL it must be configured.
  if (!source.DATABASE_URL && !source.NEXTAUTH_SECRET) {
    source.NEXTAUTH_SECRET = ensureDevSecrets(resolveDataDir(source)).NEXTAUTH_SECRET;
  }
  return source;
}

let log: Logger | null = null;
try {
  const env = loadEnv(environmentWithDevDefaults());
  log = createLogger({ level: env.LOG_LEVEL });

  const db = await openDatabase(resolveDatabaseTarget(env));
  const { applied } = await applyMigrations(db);
  log.info({ database: db.kind, applied }, 'database ready');

  const boss = await createQueue(db, { log });
  const worker = env.RUN_WORKER_IN_PROCESS ? await startWorker({ boss, prisma: db.prisma, log }) : null;
  if (!worker) log.info('worker not started in this process: run `npm run worker`');

  const server = await buildServer({ env, db, boss, log });
  const address = await server.listen({ host: env.API_HOST, port: env.API_PORT });
  log.info({ url: address, database: db.kind, worker: worker !== null }, `api ready at ${address}`);

  const stoppedLog = log;
  stopOnSignal(stoppedLog, [
    { name: 'http server', run: () => server.close() },
    { name: 'worker', run: async () => worker?.stop() },
    { name: 'queue', run: () => boss.stop({ graceful: true }) },
    { name: 'database', run: () => db.close() },
  ]);
} catch (error) {
  exitOnStartupFailure(log, error);
}
