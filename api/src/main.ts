import { applyMigrations, ensureDevSecrets, openDatabase, resolveDatabaseTarget, resolveDataDir, resolveKeyring, type Keyring } from '@sagesync/db';
import { DEMO_STRIPE_WEBHOOK_SECRET, loadEnv } from './config/env.ts';
import { buildServer } from './http/server.ts';
import { STRIPE_WEBHOOK_PATH } from './http/stripe-webhook-route.ts';
import { createLogger, type Logger } from './observability/logger.ts';
import { exitOnStartupFailure, stopOnSignal } from './process/stop-on-signal.ts';
import { createQueue } from './queue/create-queue.ts';
import { buildSyncServices, loadSyncConfig } from './sync/sync-config.ts';
import { startSyncWorker } from './worker/start-sync-worker.ts';

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

/** Where Stripe should send events; the demo secret is public, any other secret is never printed. */
function logWebhookEndpoint(log: Logger, address: string, secrets: string[], livemode: boolean): void {
  const url = `${address}${STRIPE_WEBHOOK_PATH}`;
  const mode = livemode ? 'live' : 'test';
  if (secrets.length === 0) {
    log.warn({ url }, `Stripe platform webhooks disabled: set STRIPE_WEBHOOK_SECRET (per-integration endpoints ${url}/:integrationId still work)`);
  } else if (secrets.length === 1 && secrets[0] === DEMO_STRIPE_WEBHOOK_SECRET) {
    log.info({ url, mode }, `Stripe webhooks: POST ${url} (${mode} mode), demo signing secret ${DEMO_STRIPE_WEBHOOK_SECRET}`);
  } else {
    log.info({ url, mode, secrets: secrets.length }, `Stripe webhooks: POST ${url} (${mode} mode)`);
  }
}

let log: Logger | null = null;
try {
  const env = loadEnv(environmentWithDevDefaults());
  log = createLogger({ level: env.LOG_LEVEL });

  const db = await openDatabase(resolveDatabaseTarget(env));
  const { applied } = await applyMigrations(db);
  log.info({ database: db.kind, applied }, 'database ready');

  const boss = await createQueue(db, { log });

  // Opens integrations' webhook secrets. With PostgreSQL and no APP_ENCRYPTION_KEY the api still
  // serves everything else; only single-account webhooks are refused (503) until the key is set.
  let keyring: Keyring | null = null;
  try {
    keyring = resolveKeyring(env);
  } catch (error) {
    log.warn({ err: error }, 'single-account Stripe webhooks disabled: no encryption key to open their secrets');
  }

  if (env.RUN_WORKER_IN_PROCESS && !keyring) {
    throw new Error('RUN_WORKER_IN_PROCESS needs APP_ENCRYPTION_KEY: the worker opens Sage and Stripe credentials.');
  }
  // One set of sync services for the process: the worker's jobs and the Stripe App's reads of
  // payments Sage Sync has no record of yet share one Stripe read budget and one set of readers.
  const services = keyring ? buildSyncServices(loadSyncConfig(process.env, { embedded: db.kind === 'pglite' }), { prisma: db.prisma, keyring, log }) : null;
  const worker = env.RUN_WORKER_IN_PROCESS && keyring && services ? await startSyncWorker({ db, boss, log, keyring, services }) : null;
  if (!worker) log.info('worker not started in this process: run `npm run worker`');

  const stripeFor = services?.stripeFor ?? null;
  const server = await buildServer({ env, db, boss, log, keyring, stripeFor });
  const address = await server.listen({ host: env.API_HOST, port: env.API_PORT });
  log.info({ url: address, database: db.kind, worker: worker !== null }, `api ready at ${address}`);
  logWebhookEndpoint(log, address, env.STRIPE_WEBHOOK_SECRETS, env.STRIPE_LIVEMODE);

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
