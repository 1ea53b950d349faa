// The product's processes and how they are wired together; `npm start` and the e2e stage of
// `npm test` both start it through here, so the tests run what users run.
import fs from 'node:fs';
import path from 'node:path';
import { bin, ROOT } from './paths.mjs';
import { prepareRuntime, readDevSecrets } from './setup-steps.mjs';
import { waitForHttp } from './supervisor.mjs';

function nextBin() {
  const local = path.join(ROOT, 'portal', 'node_modules', '.bin', 'next');
  return fs.existsSync(local) ? local : bin('next');
}

/**
 * Resolves the environment every process shares. Embedded default: PGlite under DATA_DIR with
 * generated dev secrets. With DATABASE_URL: PostgreSQL, and the secrets must come from the caller.
 */
export function productEnv({ apiPort = 4000, portalPort = 3000, stripeFakePort = 4020, sageSandboxPort = 4010, base = process.env } = {}) {
  const env = {
    NODE_ENV: 'production',
    ...base,
    STRIPE_FAKE_PORT: String(stripeFakePort),
    STRIPE_FAKE_URL: `http://127.0.0.1:${stripeFakePort}`,
    SAGE_SANDBOX_PORT: String(sageSandboxPort),
    SAGE_SANDBOX_URL: `http://localhost:${sageSandboxPort}`,
    // The demo's outside world is local: the worker reads Stripe from the fake and reaches the
    // OAuth Sage editions through the sandbox, with their public demo credentials.
    STRIPE_API_BASE: base.STRIPE_API_BASE ?? `http://127.0.0.1:${stripeFakePort}`,
    STRIPE_API_KEY: base.STRIPE_API_KEY ?? 'sk_test_demo_local',
    SAGE_OAUTH_BASE_URL: base.SAGE_OAUTH_BASE_URL ?? `http://localhost:${sageSandboxPort}`,
    SAGE_OAUTH_CLIENT_ID: base.SAGE_OAUTH_CLIENT_ID ?? 'demo-client-id',
    SAGE_OAUTH_CLIENT_SECRET: base.SAGE_OAUTH_CLIENT_SECRET ?? 'demo-client-secret',
    API_PORT: String(apiPort),
    PORTAL_URL: `http://localhost:${portalPort}`,
    NEXTAUTH_URL: `http://localhost:${portalPort}`,
    API_INTERNAL_URL: `http://127.0.0.1:${apiPort}`,
  };
  prepareRuntime(env);
  if (!env.DATABASE_URL) {
    const dev = readDevSecrets(env);
    env.APP_ENCRYPTION_KEY ??= dev.APP_ENCRYPTION_KEY;
    env.APP_ENCRYPTION_KEY_ID ??= dev.APP_ENCRYPTION_KEY_ID;
    env.NEXTAUTH_SECRET ??= dev.NEXTAUTH_SECRET;
  }
  for (const required of ['NEXTAUTH_SECRET', 'APP_ENCRYPTION_KEY']) {
    if (!env[required]) throw new Error(`${required} must be set when DATABASE_URL is set (see README, Configuration).`);
  }
  return env;
}

/** Starts api (+ worker), portal; resolves once every one of them answers its health check. */
export async function startProduct(supervisor, env) {
  const embedded = !env.DATABASE_URL;
  // The api's own TypeScript entry points run through tsx, from the repository root.
  const startTs = (name, entry, extraEnv = {}) =>
    supervisor.start({ name, command: bin('tsx'), args: [path.join(ROOT, 'api', 'src', ...entry)], env: { ...env, ...extraEnv } });

  // PGlite lives inside one process, so the embedded default runs the worker inside the api.
  const api = startTs('api', ['main.ts'], { RUN_WORKER_IN_PROCESS: embedded ? 'true' : 'false' });
  if (!embedded) startTs('worker', ['worker-main.ts']);
  const portal = supervisor.start({
    name: 'portal',
    command: nextBin(),
    args: ['start', '-p', new URL(env.PORTAL_URL).port, '-H', '0.0.0.0'],
    cwd: path.join(ROOT, 'portal'),
    env,
  });
  // The local Stripe API fake, with demo data for the four demo accounts (the real SDK talks to it).
  const stripeFake = startTs('stripe', ['sandbox', 'stripe-fake', 'main.ts']);
  // The Sage sandbox: all four Sage dialects with the demo companies, kept in DATA_DIR.
  const sageSandbox = startTs('sage', ['sandbox', 'sage', 'main.ts'], {
    SAGE_SANDBOX_DATA_FILE: path.resolve(ROOT, env.DATA_DIR || '.data', 'sage-sandbox.json'),
  });
  const alive = (entry) => () => entry.child.exitCode === null && entry.child.signalCode === null;
  await Promise.all([
    waitForHttp('api', `${env.API_INTERNAL_URL}/healthz`, { isAlive: alive(api) }),
    waitForHttp('portal', `${env.PORTAL_URL}/signin`, { isAlive: alive(portal) }),
    waitForHttp('stripe fake', `${env.STRIPE_FAKE_URL}/_fake/requests`, { isAlive: alive(stripeFake) }),
    waitForHttp('sage sandbox', `${env.SAGE_SANDBOX_URL}/healthz`, { isAlive: alive(sageSandbox) }),
  ]);
  return {
    urls: {
      portal: env.PORTAL_URL,
      api: `http://localhost:${env.API_PORT}`,
      health: `http://localhost:${env.API_PORT}/healthz`,
      metrics: `http://localhost:${env.API_PORT}/metrics`,
      stripeFake: env.STRIPE_FAKE_URL,
      sageSandbox: env.SAGE_SANDBOX_URL,
    },
    database: embedded ? `embedded PGlite in ${path.resolve(ROOT, env.DATA_DIR || '.data', 'pglite')}` : 'PostgreSQL (DATABASE_URL)',
  };
}
