import { openDatabase, type Database } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { createTRPCClient, httpLink } from '@trpc/client';
import { loadEnv, type Env } from '../../src/config/env.ts';
import { buildServer, type ApiServer } from '../../src/http/server.ts';
import { createLogger, type Logger } from '../../src/observability/logger.ts';
import { createQueue, type Queue } from '../../src/queue/create-queue.ts';
import type { AppRouter } from '../../src/trpc/root-router.ts';

export const TEST_SESSION_SECRET = 'test-only-nextauth-secret-0123456789';
export const TEST_PORTAL_URL = 'http://portal.test:3000';

export type TestApi = {
  url: string;
  env: Env;
  /** The test's own database (dropped on close). */
  database: TestDatabase;
  /** The handle the server uses: the same database, opened separately on PostgreSQL (see below). */
  serverDatabase: Database;
  boss: Queue;
  server: ApiServer;
  close(): Promise<void>;
};

/**
 * A real api on a random port over a fresh database and queue. With `separateServerHandle`, the
 * server gets its own connection to the database, so a test can close that handle to simulate a
 * lost database and still drop the test database afterwards (PGlite in memory has one handle only,
 * so there the test database itself is closed).
 */
export async function startTestApi(options: { log?: Logger; separateServerHandle?: boolean; env?: Record<string, string> } = {}): Promise<TestApi> {
  const log = options.log ?? createLogger({ level: 'silent' });
  const env = loadEnv({ NODE_ENV: 'test', NEXTAUTH_SECRET: TEST_SESSION_SECRET, PORTAL_URL: TEST_PORTAL_URL, ...options.env });
  const database = await createTestDatabase();
  const serverDatabase =
    options.separateServerHandle && database.kind === 'postgres' ? await openDatabase({ url: database.url }) : database;
  const boss = await createQueue(serverDatabase, { log, supervise: false, schedule: false });
  const server = await buildServer({ env, db: serverDatabase, boss, log });
  const address = await server.listen({ host: '127.0.0.1', port: 0 });

  return {
    url: address,
    env,
    database,
    serverDatabase,
    boss,
    server,
    async close() {
      await server.close();
      await boss.stop({ graceful: false, close: true }).catch(() => undefined);
      if (serverDatabase !== database) await serverDatabase.close().catch(() => undefined);
      // A test may already have closed the in-memory database on purpose; there is nothing to drop then.
      await database.dispose().catch((error: unknown) => {
        if (!(error instanceof Error && /closed/i.test(error.message))) throw error;
      });
    },
  };
}

/** The typed tRPC client the portal uses, optionally as a signed-in browser would call it. */
export function trpcClient(api: TestApi, options: { cookie?: string; headers?: Record<string, string> } = {}) {
  return createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${api.url}/trpc`,
        headers: () => ({ ...(options.cookie ? { cookie: options.cookie } : {}), ...options.headers }),
      }),
    ],
  });
}
