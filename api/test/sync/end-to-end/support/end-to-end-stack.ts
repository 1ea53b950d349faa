import { generateMasterKey, loadKeyring, type Keyring } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { loadEnv } from '../../../../src/config/env.ts';
import { createSageConnectorFactory } from '../../../../src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../../../../src/connectors/sage/http/rate-limiter.ts';
import { InMemoryRequestBudget } from '../../../../src/connectors/stripe/stripe-request-budget.ts';
import { buildServer, type ApiServer } from '../../../../src/http/server.ts';
import { createLogger } from '../../../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../../../src/queue/create-queue.ts';
import { buildStripeFake, type StripeFake } from '../../../../src/sandbox/stripe-fake/stripe-fake-server.ts';
import { createSyncObjectJob } from '../../../../src/sync/sync-object-handler.ts';
import { createSyncServices } from '../../../../src/sync/sync-services.ts';
import { SYNC_JOBS_AT_ONCE, syncObjectWork } from '../../../../src/worker/start-sync-worker.ts';
import { SYNC_OBJECT_QUEUE } from '../../../../src/sync/ingest/sync-object-job.ts';
import { startWorker, type Worker } from '../../../../src/worker/start-worker.ts';
import { startSandbox, type RunningSandbox } from '../../../sandbox/sage/support/sandbox-harness.ts';
import { sandboxOAuthEndpoints } from '../../../support/sage-connections.ts';
import { TEST_PORTAL_URL, TEST_SESSION_SECRET } from '../../../support/test-api.ts';
import { PLATFORM_SECRET } from '../../ingest/support/webhook-harness.ts';

// The whole product path, one per test file: the api (ingest over HTTP) and the real worker on the
// file's own database and queue, the Stripe fake the worker reads through the real SDK, and the
// Sage sandbox it posts into over HTTP. Tests talk to it only as Stripe and a finance user would:
// signed webhooks in, the sandbox's inspection routes and the Stripe fake's objects out.

export type EndToEndStack = {
  db: TestDatabase;
  boss: Queue;
  keyring: Keyring;
  server: ApiServer;
  apiUrl: string;
  fake: StripeFake;
  fakeUrl: string;
  sandbox: RunningSandbox;
  worker: Worker;
  close(): Promise<void>;
};

export type EndToEndStackOptions = {
  /** The fetch the worker's Sage connectors send through (e.g. recordSageRequests()); node:http when absent. */
  sageFetch?: typeof fetch;
  /** Serves the Stripe App's routes too, signed with this secret, linking to this portal. */
  stripeApp?: { appSecret: string; portalOrigin: string };
};

export async function startEndToEndStack(options: EndToEndStackOptions = {}): Promise<EndToEndStack> {
  // E2E_LOG_LEVEL=info prints the api's and the worker's logs, for a failure that needs explaining.
  const log = createLogger({ level: (process.env.E2E_LOG_LEVEL as 'info' | undefined) ?? 'silent' });
  const db = await createTestDatabase();
  const boss = await createQueue(db, { log, supervise: false, schedule: false });
  const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'end-to-end-1' });
  const sandbox = await startSandbox({ now: Date.now });
  const fake = buildStripeFake();
  const { url: fakeUrl } = await fake.listen(0);
  const env = {
    ...loadEnv({ NODE_ENV: 'test', NEXTAUTH_SECRET: TEST_SESSION_SECRET, PORTAL_URL: TEST_PORTAL_URL, STRIPE_WEBHOOK_SECRET: PLATFORM_SECRET, STRIPE_LIVEMODE: 'false' }),
    STRIPE_WEBHOOK_SECRETS: [PLATFORM_SECRET],
  };
  const services = createSyncServices({
    prisma: db.prisma,
    keyring,
    log,
    // The fake is not Stripe: its read budget is wide so a file's hundreds of reads never wait.
    stripe: { platformApiKey: 'sk_test_end_to_end', apiBase: fakeUrl, rateLimiter: new InMemoryRequestBudget({ perSecond: 10_000 }) },
    sageConnectorFor: createSageConnectorFactory({
      prisma: db.prisma,
      keyring,
      rateLimiter: new InMemoryTokenBucket({ perMinute: 600_000, burst: 100_000 }),
      oauth: sandboxOAuthEndpoints(sandbox.url),
      ...(options.sageFetch ? { fetch: options.sageFetch } : {}),
    }),
  });
  // The Stripe App reads payments with no record yet through the worker's Stripe access, as main.ts wires it.
  const appEnv = options.stripeApp ? { STRIPE_APP_SECRET: options.stripeApp.appSecret, PORTAL_ORIGIN: options.stripeApp.portalOrigin } : {};
  const server = await buildServer({ env: { ...env, ...appEnv }, db, boss, log, keyring, stripeFor: services.stripeFor });
  const apiUrl = await server.listen({ host: '127.0.0.1', port: 0 });
  // Taking jobs as the production worker does (batches, burst, several slots, each tenant's share,
  // several jobs of a batch in flight at once).
  const job = createSyncObjectJob({ work: syncObjectWork(db.kind) });
  const worker = await startWorker({ boss, prisma: db.prisma, log, registry: [job as never], services, jobsAtOnce: { [SYNC_OBJECT_QUEUE]: SYNC_JOBS_AT_ONCE } });
  return {
    db,
    boss,
    keyring,
    server,
    apiUrl,
    fake,
    fakeUrl,
    sandbox,
    worker,
    async close() {
      await server.close();
      await worker.stop();
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      await sandbox.close();
      await fake.close();
      await db.dispose();
    },
  };
}
