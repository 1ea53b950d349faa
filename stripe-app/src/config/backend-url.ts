import { z } from 'zod';

/**
 * The one place that knows where the Sage Sync backend lives.
 *
 * The URL is chosen per environment at build time: `scripts/write-manifest.ts` reads
 * `STRIPE_APP_BACKEND_URL` (through `backendUrlFromEnv`) and writes it into `stripe-app.json`
 * twice — as the `BACKEND_URL` manifest constant the views receive at run time, and as the
 * `connect-src` entry without which the Dashboard sandbox refuses the request. The extension
 * itself never sees `process.env`: it runs in Stripe's sandbox, so it reads the constant.
 */
export const DEFAULT_BACKEND_URL = 'http://localhost:4000';

/** The manifest constant that carries the backend URL into the views. */
export const BACKEND_URL_CONSTANT = 'BACKEND_URL';

/** Every backend route the app calls sits under this path (the api mounts them there). */
export const BACKEND_ROUTE_PREFIX = '/stripe-app/';

const ZBackendUrl = z
  .url({ protocol: /^https?$/ })
  .transform((value) => value.replace(/\/+$/, ''));

export type BackendUrlSource = Readonly<Record<string, string | undefined>>;

/** Build-time reading: `STRIPE_APP_BACKEND_URL`, defaulting to the local api. Fails loudly on a bad value. */
export function backendUrlFromEnv(env: BackendUrlSource): string {
  const raw = env.STRIPE_APP_BACKEND_URL?.trim() || DEFAULT_BACKEND_URL;
  const parsed = ZBackendUrl.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`STRIPE_APP_BACKEND_URL must be an http(s) URL, got "${raw}"`);
  }
  return parsed.data;
}

/** Run-time reading, in the views: the manifest constant, or the default when absent or malformed. */
export function backendUrlFromConstants(constants: unknown): string {
  if (constants && typeof constants === 'object' && !Array.isArray(constants)) {
    const parsed = ZBackendUrl.safeParse((constants as Record<string, unknown>)[BACKEND_URL_CONSTANT]);
    if (parsed.success) return parsed.data;
  }
  return DEFAULT_BACKEND_URL;
}

/**
 * The `connect-src` entry that permits calls to the backend. It ends in a slash so every route
 * under the prefix is allowed, and it must carry a path (Stripe's manifest schema requires one).
 */
export function connectSrcFor(backendUrl: string): string {
  return `${backendUrl.replace(/\/+$/, '')}${BACKEND_ROUTE_PREFIX}`;
}
