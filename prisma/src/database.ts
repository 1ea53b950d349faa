import fs from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from '../generated/client/client.ts';

export type DatabaseKind = 'postgres' | 'pglite';

/** What every process gets: the Prisma client plus the raw handle pg-boss and the migrator share. */
export type Database =
  | {
      kind: 'postgres';
      prisma: PrismaClient;
      /** Connection string of this database, for pg-boss and other libraries with pools of their own. */
      url: string;
      pool: pg.Pool;
      /** Runs one SQL script (several statements, no parameters). */
      exec(sql: string): Promise<void>;
      /** Runs one parameterised statement and returns its rows. */
      query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
      close(): Promise<void>;
    }
  | {
      kind: 'pglite';
      prisma: PrismaClient;
      /** The in-process PostgreSQL; pg-boss must use this same instance (fromPglite). */
      pglite: PGlite;
      dataDir: string | null;
      exec(sql: string): Promise<void>;
      query<Row = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Row[]>;
      close(): Promise<void>;
    };

export type OpenDatabaseOptions =
  | { url: string; poolSize?: number }
  /** dataDir null keeps the embedded database in memory (tests). */
  | { dataDir: string | null };

/**
 * Opens the database: real PostgreSQL through `@prisma/adapter-pg` when given a URL, else the
 * embedded PGlite in-process, persisted under dataDir. Same schema, migrations and queries.
 */
export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if ('url' in options) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    // An idle pooled connection that the server closes (restart, failover, a terminated backend)
    // is reported as an 'error' event; unhandled, it would crash the process. The pool drops that
    // connection and opens a new one on the next query, so noting it is enough.
    pool.on('error', (error) => {
      process.stderr.write(`${JSON.stringify({ level: 'warn', msg: 'idle database connection closed by the server', code: (error as { code?: string }).code ?? null })}\n`);
    });
    const prisma = new PrismaClient({ adapter: new PrismaPg(pool) });
    return {
      kind: 'postgres',
      prisma,
      url: options.url,
      pool,
      async exec(sql) {
        await pool.query(sql);
      },
      async query<Row>(sql: string, params: unknown[] = []) {
        const result = await pool.query(sql, params);
        return result.rows as Row[];
      },
      async close() {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }

  if (options.dataDir) fs.mkdirSync(path.dirname(path.resolve(options.dataDir)), { recursive: true });
  const pglite = options.dataDir ? await PGlite.create(path.resolve(options.dataDir)) : await PGlite.create();
  const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
  return {
    kind: 'pglite',
    prisma,
    pglite,
    dataDir: options.dataDir,
    async exec(sql) {
      await pglite.exec(sql);
    },
    async query<Row>(sql: string, params: unknown[] = []) {
      const result = await pglite.query<Row>(sql, params);
      return result.rows;
    },
    async close() {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
