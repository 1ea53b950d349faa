import { chromium, type FullConfig } from '@playwright/test';
import { DEMO_ADMIN_STATE } from './tests/support/auth-state';
import { signInAsDemoAdmin } from './tests/support/portal';

/**
 * Waits until the portal and the api answer, so a slow start is not reported as failing tests.
 * Bounded: if they never come up, the run stops with which URL failed and how. Then signs the demo
 * admin in once, through the real form, and saves the browser state every spec starts from.
 */
const baseURL = (process.env.BASE_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
const apiURL = (process.env.API_URL ?? 'http://localhost:4000').replace(/\/+$/, '');
const timeoutMs = Number(process.env.E2E_WAIT_TIMEOUT_MS ?? 120_000);
const pollIntervalMs = 500;

async function probe(url: string): Promise<string | null> {
  try {
    const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(5_000) });
    return response.ok ? null : `answered HTTP ${response.status}`;
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return `${error instanceof Error ? error.message : String(error)}${cause}`;
  }
}

async function waitUntilAnswering(url: string, deadline: number): Promise<void> {
  let lastProblem = 'not tried';
  while (Date.now() < deadline) {
    const problem = await probe(url);
    if (problem === null) return;
    lastProblem = problem;
    await new Promise((resolve) => setTimeout(resolve, pollIntervalMs));
  }
  throw new Error(
    `${url} did not answer within ${timeoutMs} ms (last attempt: ${lastProblem}). ` +
      'Start the product first (node scripts/start.mjs), or set BASE_URL / API_URL to where it runs.',
  );
}

async function saveDemoAdminState(config: FullConfig): Promise<void> {
  const use = config.projects[0]?.use ?? {};
  const browser = await chromium.launch(use.launchOptions);
  try {
    const context = await browser.newContext({ baseURL, viewport: use.viewport ?? null });
    await signInAsDemoAdmin(await context.newPage());
    await context.storageState({ path: DEMO_ADMIN_STATE });
  } finally {
    await browser.close();
  }
}

export default async function globalSetup(config: FullConfig): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  await Promise.all([waitUntilAnswering(`${baseURL}/signin`, deadline), waitUntilAnswering(`${apiURL}/healthz`, deadline)]);
  await saveDemoAdminState(config);
}
