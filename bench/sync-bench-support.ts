// Helpers for bench/sync-bench.ts: settings, a fresh database per run, small numeric helpers.
import { randomBytes } from 'node:crypto';
import { applyMigrations, openDatabase, type Database } from '@sagesync/db';
import pg from 'pg';

export function intSetting(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export const round = (value: number, digits = 0) => Math.round(value * 10 ** digits) / 10 ** digits;
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export type BenchDatabase = { db: Database; label: string; drop(): Promise<void> };

/** A fresh database for this run: never the one DATABASE_URL names, which may hold real data. */
export async function openBenchDatabase(prefix: string): Promise<BenchDatabase> {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    const db = await openDatabase({ dataDir: null });
    await applyMigrations(db);
    return { db, label: 'pglite (in memory)', drop: () => db.close() };
  }
  const name = `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? '?';
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openDatabase({ url: url.toString() });
  await applyMigrations(db);
  return {
    db,
    label: `postgresql ${version}`,
    async drop() {
      // A pool connection someone left open (pg-boss, the budget) is ended by the FORCE drop: not a failure.
      const ignoreTerminated = (error: unknown) => {
        if ((error as { code?: string }).code !== '57P01') throw error;
      };
      process.on('uncaughtException', ignoreTerminated);
      await db.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await dropper.end();
    },
  };
}
