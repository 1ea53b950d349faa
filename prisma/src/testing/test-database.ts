import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../../generated/client/client.ts';
import { openDatabase, type Database } from '../database.ts';
import { applyMigrations } from '../migrations/apply-migrations.ts';

export type TestDatabase = Database & { dispose(): Promise<void> };

/**
 * A fresh, migrated database for one test file: a new database on the PostgreSQL server named by
 * DATABASE_URL when it is set (dropped on dispose), else an in-memory PGlite.
 */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const migrate = options.migrate ?? true;
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase({ dataDir: null });
    if (migrate) await applyMigrations(db);
    let closed = false;
    const close = db.close.bind(db);
    const closeOnce = async () => {
      if (closed) return;
      closed = true;
      await close();
    };
    return Object.assign(db, { close: closeOnce, dispose: closeOnce });
  }

  const name = `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString(), poolSize: 5 });
  if (migrate) await applyMigrations(db);
  // A test may close the database itself (to see how the product copes); dispose still drops it.
  let closed = false;
  const close = db.close.bind(db);
  return Object.assign(db, {
    async close() {
      if (closed) return;
      closed = true;
      await close();
    },
    async dispose() {
      if (!closed) {
        closed = true;
        await close();
      }
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  });
}

/**
 * A second, independent Prisma client on the same database: what another worker process would
 * have. On PostgreSQL it has its own pool; on PGlite it shares the one in-process instance.
 */
export async function openSecondClient(db: Database): Promise<{ prisma: PrismaClient; close(): Promise<void> }> {
  if (db.kind === 'postgres') {
    const other = await openDatabase({ url: db.url, poolSize: 2 });
    return { prisma: other.prisma, close: () => other.close() };
  }
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(db.pglite) });
  return { prisma, close: () => prisma.$disconnect() };
}
