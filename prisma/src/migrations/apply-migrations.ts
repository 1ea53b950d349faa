import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from '../database.ts';

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

// Any constant: it serialises migrators of one database across processes (api and worker boot together).
const MIGRATION_LOCK_KEY = 72_635_101;

export type Migration = { name: string; sql: string; checksum: string };

export class MigrationChecksumError extends Error {
  readonly code = 'MIGRATION_CHANGED_AFTER_APPLY';
  constructor(readonly migration: string) {
    super(
      `Migration ${migration} was changed after it was applied to this database. ` +
        'Applied migrations are history: add a new migration instead of editing an old one.',
    );
  }
}

/** Prisma's standard layout: migrations/<timestamp>_<name>/migration.sql, applied in name order. */
export function readMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && fs.existsSync(path.join(dir, entry.name, 'migration.sql')))
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const sql = fs.readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

type Session = {
  exec(sql: string): Promise<void>;
  query<Row>(sql: string, params?: unknown[]): Promise<Row[]>;
};

/** Runs fn in one transaction on one connection, so the advisory lock and the work share it. */
async function inTransaction<T>(db: Database, fn: (session: Session) => Promise<T>): Promise<T> {
  if (db.kind === 'pglite') {
    return db.pglite.transaction(async (tx) =>
      fn({
        exec: async (sql) => void (await tx.exec(sql)),
        query: async <Row>(sql: string, params: unknown[] = []) => (await tx.query<Row>(sql, params)).rows,
      }),
    );
  }
  const client = await db.pool.connect();
  try {
    await client.query('BEGIN');
    const result = await fn({
      exec: async (sql) => void (await client.query(sql)),
      query: async <Row>(sql: string, params: unknown[] = []) => (await client.query(sql, params)).rows as Row[],
    });
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Applies every migration not yet recorded in `_app_migrations`, each in its own transaction,
 * under an advisory lock so two processes starting together apply nothing twice.
 */
export async function applyMigrations(db: Database, dir = MIGRATIONS_DIR): Promise<{ applied: string[] }> {
  const migrations = readMigrations(dir);
  await db.exec(`
    CREATE TABLE IF NOT EXISTS "_app_migrations" (
      "name" TEXT PRIMARY KEY,
      "checksum" TEXT NOT NULL,
      "applied_at" TIMESTAMPTZ(3) NOT NULL DEFAULT now()
    )`);
  const applied: string[] = [];
  for (const migration of migrations) {
    const didApply = await inTransaction(db, async (session) => {
      await session.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
      const rows = await session.query<{ checksum: string }>(
        'SELECT "checksum" FROM "_app_migrations" WHERE "name" = $1',
        [migration.name],
      );
      if (rows[0]) {
        if (rows[0].checksum !== migration.checksum) throw new MigrationChecksumError(migration.name);
        return false;
      }
      await session.exec(migration.sql);
      await session.query('INSERT INTO "_app_migrations" ("name", "checksum") VALUES ($1, $2)', [
        migration.name,
        migration.checksum,
      ]);
      return true;
    });
    if (didApply) applied.push(migration.name);
  }
  return { applied };
}
