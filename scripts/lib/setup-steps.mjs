// The set-up both `npm start` and `npm test` do on a fresh clone, each step skipped when done.
// Plain Node with no dependencies: it runs before `npm install` has.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bin, ROOT } from './paths.mjs';

export const QUIET_ENV = {
  NEXT_TELEMETRY_DISABLED: '1',
  TURBO_TELEMETRY_DISABLED: '1',
  TURBO_NO_UPDATE_NOTIFIER: '1',
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
  DO_NOT_TRACK: '1',
};

export function run(command, args, options = {}) {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    stdio: 'inherit',
    ...options,
    env: { ...process.env, ...QUIET_ENV, ...options.env },
  });
  if (result.status !== 0) {
    throw new Error(`\`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal}).`);
  }
}

function mtime(file) {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/** npm ci when node_modules is missing or older than the lock file. */
export function installDependencies() {
  const marker = path.join(ROOT, 'node_modules', '.package-lock.json');
  if (mtime(marker) >= mtime(path.join(ROOT, 'package-lock.json'))) return;
  console.log('› Installing dependencies (npm ci)…');
  run('npm', ['ci', '--no-audit', '--no-fund']);
}

/** The Prisma client is generated code (git-ignored): regenerate when the schema is newer. */
export function generatePrismaClient() {
  const generated = path.join(ROOT, 'prisma', 'generated', 'client', 'client.ts');
  if (mtime(generated) >= mtime(path.join(ROOT, 'prisma', 'schema.prisma'))) return;
  console.log('› Generating the Prisma client…');
  run(process.execPath, [path.join(ROOT, 'prisma', 'scripts', 'generate.mjs'), '--quiet']);
}

/** Production build of the portal; turbo's cache makes an unchanged tree a near no-op. */
export function buildPortal() {
  console.log('› Building the portal (cached when unchanged)…');
  run(bin('turbo'), ['run', 'build', '--filter=@sagesync/portal', '--output-logs=errors-only']);
}

/** Migrates and seeds the database the environment names (embedded PGlite by default). */
export function prepareRuntime(env, { seed = true } = {}) {
  run(bin('tsx'), [path.join(ROOT, 'prisma', 'src', 'cli', 'prepare-runtime.ts'), ...(seed ? [] : ['--no-seed'])], { env });
}

/** Secrets the embedded default generated into DATA_DIR (see prisma/src/runtime-config.ts). */
export function readDevSecrets(env) {
  const file = path.resolve(ROOT, env.DATA_DIR || '.data', 'dev-secrets.json');
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
}
