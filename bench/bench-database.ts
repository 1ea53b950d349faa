import type { Database } from '@sagesync/db';
import { createTestDatabase } from '@sagesync/db/testing';

export type BenchDatabase = { db: Database; label: string; drop(): Promise<void> };

/**
 * A fresh, migrated database for one bench run: a new database on the PostgreSQL server that
 * DATABASE_URL names (never that database itself, which may hold real data; dropped afterwards),
 * else an in-memory PGlite. The same helper the test suites use.
 */
export async function openBenchDatabase(): Promise<BenchDatabase> {
  const db = await createTestDatabase();
  const [row] = await db.query<{ version: string }>("SELECT current_setting('server_version') AS version");
  return { db, label: db.kind === 'postgres' ? `postgresql ${row?.version ?? '?'}` : 'pglite (in memory)', drop: () => db.dispose() };
}
