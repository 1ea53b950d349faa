// `npm test`: on a fresh clone, set up and run every test in the repository: type checks and lint,
// the db / api / Stripe App suites, then the Playwright e2e suite in Debian's Chromium against the
// product started as `npm start` starts it. Without DATABASE_URL everything runs on embedded
// PGlite; with it, on that PostgreSQL. Ends with one line: `N passed, N failed`.
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bin, ROOT } from './lib/paths.mjs';
import { productEnv, startProduct } from './lib/product.mjs';
import { buildPortal, generatePrismaClient, installDependencies, QUIET_ENV } from './lib/setup-steps.mjs';
import { Supervisor } from './lib/supervisor.mjs';
import { clearResults, readResults } from './lib/test-summary.mjs';

const CHROMIUM = '/usr/bin/chromium';
const problems = [];

function stage(title, command, args, options = {}) {
  console.log(`\n━━ ${title}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', ...options, env: { ...process.env, ...QUIET_ENV, ...options.env } });
  if (result.status !== 0) problems.push(`${title} failed (exit ${result.status ?? result.signal})`);
  return result.status === 0;
}

function ensureChromium() {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(`The e2e suite needs Debian's Chromium at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium`);
  }
  console.log('› Installing Debian chromium for the e2e suite…');
  for (const args of [['update'], ['install', '-y', '--no-install-recommends', 'chromium']]) {
    const result = spawnSync('apt-get', args, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (result.status !== 0) throw new Error(`apt-get ${args.join(' ')} failed; install chromium by hand.`);
  }
}

async function runE2e() {
  console.log('\n━━ e2e: starting the product');
  const base = { ...process.env };
  if (base.DATABASE_URL) {
    // A throwaway key pair for this run; production sets its own (README, Configuration).
    base.NEXTAUTH_SECRET ||= randomBytes(32).toString('base64url');
    base.APP_ENCRYPTION_KEY ||= randomBytes(32).toString('base64');
    // Without it the Stripe App routes answer 401; the e2e suite signs its app requests with it.
    base.STRIPE_APP_SECRET ||= `absec_${randomBytes(24).toString('hex')}`;
    // Without it the platform webhook refuses everything; the e2e suite signs its webhooks with it.
    base.STRIPE_WEBHOOK_SECRET ||= `whsec_${randomBytes(24).toString('hex')}`;
  } else {
    base.DATA_DIR = path.join('.data', 'e2e');
    fs.rmSync(path.join(ROOT, base.DATA_DIR), { recursive: true, force: true });
  }
  const supervisor = new Supervisor({ onUnexpectedExit: (name, code) => problems.push(`${name} exited during e2e (${code})`) });
  try {
    const env = productEnv({ apiPort: 4100, portalPort: 3100, stripeFakePort: 4120, sageSandboxPort: 4110, base });
    const { urls } = await startProduct(supervisor, env);
    stage('e2e: Playwright in Chromium', bin('playwright'), ['test'], {
      cwd: path.join(ROOT, 'e2e'),
      env: {
        BASE_URL: urls.portal,
        API_URL: urls.api,
        STRIPE_FAKE_URL: urls.stripeFake,
        ...(base.STRIPE_APP_SECRET ? { STRIPE_APP_SECRET: base.STRIPE_APP_SECRET } : {}),
        ...(base.STRIPE_WEBHOOK_SECRET ? { STRIPE_WEBHOOK_SECRET: base.STRIPE_WEBHOOK_SECRET } : {}),
      },
    });
  } catch (error) {
    problems.push(`e2e could not start the product: ${error.message}`);
  } finally {
    await supervisor.stop();
  }
}

try {
  installDependencies();
  generatePrismaClient();
  ensureChromium();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
clearResults();
console.log(`Database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded PGlite'}`);
stage('Type checks and lint', bin('turbo'), ['run', 'typecheck', 'lint', '--output-logs=errors-only']);
stage('Unit and integration tests', bin('turbo'), ['run', 'test', '--concurrency=1', '--continue', '--output-logs=full']);
try {
  buildPortal();
  await runE2e();
} catch (error) {
  problems.push(error.message);
}

const results = readResults();
console.log('\n━━ Summary');
for (const r of results) {
  console.log(`  ${r.suite.padEnd(20)} ${r.missing ? 'no results (did not run)' : `${r.passed} passed, ${r.failed} failed${r.skipped ? `, ${r.skipped} skipped` : ''}`}`);
  if (r.missing) problems.push(`${r.suite} produced no results`);
}
for (const problem of problems) console.log(`  ✗ ${problem}`);
const passed = results.reduce((n, r) => n + r.passed, 0);
const failed = results.reduce((n, r) => n + r.failed, 0);
const skipped = results.reduce((n, r) => n + r.skipped, 0);
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && problems.length === 0 ? 0 : 1);
