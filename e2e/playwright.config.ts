import { defineConfig, devices } from '@playwright/test';
import { DEMO_ADMIN_STATE } from './tests/support/auth-state';

// The browser is Debian's chromium; Playwright must never try to download its own.
process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD ??= '1';

const baseURL = process.env.BASE_URL ?? 'http://localhost:3000';

/**
 * This suite does not start the product: the test runner script starts the api (:4000) and the
 * portal (:3000) with the demo data, and global-setup waits until both answer. global-setup also
 * signs the demo admin in once; every test starts from that state unless it asks to be signed out.
 */
export default defineConfig({
  testDir: './tests',
  globalSetup: './global-setup.ts',
  fullyParallel: false,
  workers: 1,
  // A flaky test must fail loudly, not pass on its second try.
  retries: 0,
  forbidOnly: !!process.env.CI,
  timeout: 30_000,
  expect: { timeout: 10_000 },
  outputDir: 'test-results/artifacts',
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        ...devices['Desktop Chrome'],
        viewport: { width: 1400, height: 900 },
        storageState: DEMO_ADMIN_STATE,
        launchOptions: {
          executablePath: '/usr/bin/chromium',
          args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
          ],
        },
      },
    },
  ],
});
