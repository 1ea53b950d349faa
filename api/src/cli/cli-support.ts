import fs from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { applyMigrations, openDatabase, resolveDatabaseTarget, type Database } from '@sagesync/db';
import type { Queue } from '../queue/create-queue.ts';
import { z } from 'zod';

// What every operator command (`npm run backfill`, `npm run redrive`) does the same way: read its
// flags and environment with a usage message on any mistake, and open the database the api uses.

/** A mistake in how the command was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}

/** The environment every command reads; the database ones mean what they mean for the api. */
export const ZCliEnv = z.object({
  DATABASE_URL: z.string().trim().optional().transform((value) => value || undefined),
  DATA_DIR: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

/** Flags by `options`, validated by `schema`; `--help` prints `usage` and exits. */
export function parseCommandLine<T>(argv: string[], options: NonNullable<ParseArgsConfig['options']>, schema: z.ZodType<T>, usage: string): T {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const { help: _help, ...flags } = values;
  const parsed = schema.safeParse(flags);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n'));
  return parsed.data;
}

export function readCliEnv<T>(schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n'));
  return parsed.data;
}

/**
 * Opens (and migrates) the database the api uses. PGlite keeps its database inside one process and
 * has no lock of its own: a second process opening it beside a running api would corrupt it. While
 * open, PGlite keeps postmaster.pid in its directory, so its presence means "in use" (or left by a
 * crash: start and stop the api once); the command then refuses, saying what to do instead.
 */
export async function openCliDatabase(env: z.infer<typeof ZCliEnv>, insteadWhileInUse: string): Promise<Database> {
  const target = resolveDatabaseTarget(env);
  if ('dataDir' in target && target.dataDir && fs.existsSync(path.join(target.dataDir, 'postmaster.pid'))) {
    throw new UsageError(
      `The embedded database (${target.dataDir}) is open in another process, probably \`npm start\`.\n` +
        `The embedded database cannot be shared between processes: stop the api and run this again, or ${insteadWhileInUse}. ` +
        'With PostgreSQL (DATABASE_URL) this command runs beside the api.',
    );
  }
  const db = await openDatabase(target);
  try {
    await applyMigrations(db);
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
  return db;
}

/** Releases what a command opened, whatever state it is in: the queue first (it uses the database). */
export async function closeCliResources(boss: Queue | null, db: Database | null): Promise<void> {
  await boss?.stop({ graceful: false, close: true }).catch(() => undefined);
  await db?.close().catch(() => undefined);
}

/**
 * Runs a command's `main` and sets the exit code: its own, 2 with the usage for a UsageError, 2 with
 * the message for an error `refused` names (a request the command turns down), else 1 with
 * `unexpected` (what the user should know, e.g. whether running it again is safe) and the error.
 */
export async function runCli(options: { main: () => Promise<number>; usage: string; unexpected: string; refused?: (error: unknown) => string | null }): Promise<void> {
  try {
    process.exitCode = await options.main();
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${options.usage}`);
      process.exitCode = 2;
      return;
    }
    const refusal = options.refused?.(error) ?? null;
    if (refusal !== null) {
      console.error(refusal);
      process.exitCode = 2;
      return;
    }
    console.error(options.unexpected);
    console.error(error);
    process.exitCode = 1;
  }
}
