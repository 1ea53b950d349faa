import { servedFixtureObjects } from '../../../../src/sandbox/stripe-fake/fixtures.ts';
import type { StripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';

const examples = servedFixtureObjects();

/** Stripe's example object of a kind, with the fields a test cares about replaced. */
export function exampleOf(kind: keyof typeof examples, overrides: Record<string, unknown> & { id: string }): StripeObject {
  return { ...structuredClone(examples[kind]), ...overrides };
}

/** `count` charges, one a minute from `start`, ids numbered so a failure message is readable. */
export function chargesOneAMinute(count: number, { start = 1_700_000_000, customer = null as string | null } = {}): StripeObject[] {
  return Array.from({ length: count }, (_, index) =>
    exampleOf('charge', {
      id: `ch_test_${String(index).padStart(4, '0')}`,
      created: start + index * 60,
      customer,
      balance_transaction: null,
    }),
  );
}
