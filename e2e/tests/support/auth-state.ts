import path from 'node:path';

/**
 * The demo admin's signed-in browser state, written once by global-setup and loaded by every spec
 * (playwright.config.ts `use.storageState`). Sign-in is throttled per e-mail address, so specs do
 * not each sign in; only the specs about signing in do it for real.
 */
export const DEMO_ADMIN_STATE = path.join(__dirname, '..', '..', 'test-results', 'storage', 'demo-admin.json');

/** For a test that must start signed out: `test.use({ storageState: SIGNED_OUT })`. */
export const SIGNED_OUT = { cookies: [], origins: [] };
