import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import type { CreatedPage, CreatedRange } from '../../../src/connectors/stripe/stripe-client.ts';
import { servedFixtureObjects } from '../../../src/sandbox/stripe-fake/fixtures.ts';
import type { StripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { startReaderHarness } from './support/stripe-reader-harness.ts';

const examples = servedFixtureObjects();
const START = 1_735_689_600; // 2025-01-01T00:00:00Z

/** `count` charges, one a minute from START, several sharing a second so paging must order by id too. */
function charges(count: number): StripeObject[] {
  return Array.from({ length: count }, (_, index) => ({
    ...structuredClone(examples.charge),
    id: `ch_backfill_${String(index).padStart(4, '0')}`,
    created: START + Math.floor(index / 3) * 60,
    balance_transaction: null,
  }));
}

describe('listing objects by creation time for a resumable backfill', () => {
  it('resumes from a saved cursor after a crash: a second reader sees no object twice and misses none', async () => {
    const harness = await startReaderHarness();
    await harness.load(charges(310));
    const range: CreatedRange = { gte: START, lt: START + 24 * 3600 };

    const seen: string[] = [];
    const first = harness.reader();
    let cursor: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const result: CreatedPage<Stripe.Charge> = await first.listCreated('charges', range, cursor, { limit: 40 });
      seen.push(...result.objects.map((charge) => charge.id));
      cursor = result.nextCursor;
    }
    const savedCursor = cursor;
    // The process dies here; only the cursor was kept.

    const second = harness.reader();
    let hasMore = true;
    cursor = savedCursor;
    while (hasMore) {
      const result: CreatedPage<Stripe.Charge> = await second.listCreated('charges', range, cursor, { limit: 40 });
      seen.push(...result.objects.map((charge) => charge.id));
      cursor = result.nextCursor;
      hasMore = result.hasMore;
    }

    expect(seen).toHaveLength(310);
    expect(new Set(seen).size).toBe(310);
    expect(cursor).toBeNull();
  });

  it('includes objects created at the start of the range and leaves out those at its end', async () => {
    const harness = await startReaderHarness();
    await harness.load(charges(30));
    // Charges 0–2 were created at START, 3–5 a minute later, ..., 27–29 nine minutes later.
    const range: CreatedRange = { gte: START + 60, lt: START + 9 * 60 };

    const page = await harness.reader().listCreated('charges', range);

    expect(page.objects.map((charge) => charge.id).sort()).toEqual(Array.from({ length: 24 }, (_, index) => `ch_backfill_${String(index + 3).padStart(4, '0')}`));
    expect(page).toMatchObject({ hasMore: false, nextCursor: null });
  });

  it('lists canceled subscriptions too, which Stripe hides unless asked', async () => {
    const harness = await startReaderHarness();
    const subscription = (id: string, status: string) => ({ ...structuredClone(examples.subscription), id, status, created: START + 10 });
    await harness.load([subscription('sub_active', 'active'), subscription('sub_canceled', 'canceled')]);

    const page = await harness.reader().listCreated('subscriptions', { gte: START, lt: START + 3600 });

    expect(page.objects.map((each: Stripe.Subscription) => each.id).sort()).toEqual(['sub_active', 'sub_canceled']);
  });
});
