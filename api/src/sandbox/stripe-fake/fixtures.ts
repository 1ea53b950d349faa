import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StripeObject } from './object-store.ts';

/** The repository checkout's root: four levels above this file (api/src/sandbox/stripe-fake). */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * Stripe's canonical example objects (`fixtures3.json` from Stripe's OpenAPI repository). It is
 * shared read-only material kept beside the checkout, at `<repo root>/../shared/`, both here and
 * in CI, which clones the repository elsewhere with `shared/` next to it.
 */
export const STRIPE_FIXTURES_PATH = path.resolve(REPO_ROOT, '..', 'shared', 'stripe-fixtures3.json');

/** The fixture keys of the resources the fake serves (retrieve and list). */
export const SERVED_FIXTURE_KEYS = [
  'account',
  'balance_transaction',
  'charge',
  'customer',
  'dispute',
  'event',
  'invoice',
  'payment_intent',
  'payout',
  'refund',
  'subscription',
] as const;

export type ServedFixtureKey = (typeof SERVED_FIXTURE_KEYS)[number];

/** Every example object by its fixture key (`charge`, `deleted_customer`, `issuing.card`, ...). */
export function loadStripeFixtures(file: string = STRIPE_FIXTURES_PATH): Record<string, StripeObject> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Stripe fixtures not found at ${file}: shared/ must sit beside the repository checkout`, { cause: error });
  }
  const parsed = JSON.parse(text) as { resources?: Record<string, StripeObject> };
  if (!parsed.resources || typeof parsed.resources !== 'object') throw new Error(`${file} has no "resources" object`);
  return parsed.resources;
}

/** The example objects of the resources the fake serves, ready for `POST /_fake/objects`. */
export function servedFixtureObjects(file?: string): Record<ServedFixtureKey, StripeObject> {
  const all = loadStripeFixtures(file);
  return Object.fromEntries(
    SERVED_FIXTURE_KEYS.map((key) => {
      const object = all[key];
      if (!object) throw new Error(`the Stripe fixtures have no "${key}" example`);
      return [key, object];
    }),
  ) as Record<ServedFixtureKey, StripeObject>;
}
