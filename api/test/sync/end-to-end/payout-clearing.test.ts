import type { PostingMode, SageEdition } from '@sagesync/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildStripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';
import { scenarioEvents, smallPayoutStory, smallPayoutStoryEvents } from './support/stripe-builders.ts';
import { connectTenant, EDITIONS, expectBooksBalanced, LANDS_AS, typesByReference } from './support/tenant.ts';

// The clearing-account method, proved on the books: a payout's whole history (customers, charges,
// partial and multiple refunds, a chargeback, a Stripe fee billed on its own, the payout) arrives
// as signed webhooks, and once everything is posted the Stripe clearing account of the tenant's
// Sage company has moved by exactly zero, every journal balances, and the bank holds exactly the
// payout. In both posting modes: per transaction (a document per charge, refund and dispute, then
// a payout journal clearing them) and payout summary (one journal per payout and nothing else).

let stack: EndToEndStack;

beforeAll(async () => {
  stack = await startEndToEndStack();
}, 60_000);
afterAll(() => stack?.close());

const CASES: { postingMode: PostingMode; edition: SageEdition }[] = (['per_transaction', 'payout_summary'] as const).flatMap((postingMode) => EDITIONS.map((edition) => ({ postingMode, edition })));

// Generous bounds: the tests of a file run side by side, so each waits on the others' jobs too.
describe.concurrent('a fully posted payout leaves the Stripe clearing account exactly where it started', { timeout: 90_000 }, () => {
  it.for(CASES)('$postingMode on $edition', async ({ postingMode, edition }) => {
    const t = await connectTenant(stack, { edition, postingMode });
    const story = smallPayoutStory();
    await t.load(story.objects);

    await t.deliver(...smallPayoutStoryEvents(t, story));
    await t.settle();

    expect(story.paidOut.amount).toBe(4_340);
    expect(await t.record('payout', story.paidOut.payout.id as string)).toMatchObject({ status: 'synced' });
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('0.00');
    expect(await t.balance(t.accounts.bank, 'USD')).toBe('43.40');
    expect(await t.balance(t.accounts.fees, 'USD')).toBe('21.60');
    expect(await t.balance(t.accounts.refunds, 'USD')).toBe('110.00');
    expect(await t.balance(t.accounts.disputes, 'USD')).toBe('40.00');
    await expectBooksBalanced(t);

    const documents = typesByReference(await t.documents());
    if (postingMode === 'payout_summary') {
      // One journal per payout and nothing else: each category straight to its own account.
      expect(documents).toEqual({ [story.paidOut.payout.id as string]: ['journal'] });
      expect(await t.balance(t.accounts.revenue, 'USD')).toBe('-215.00');
    } else {
      const { receipt, refund, journal } = LANDS_AS[edition];
      expect(documents).toEqual({
        [story.paidOut.payout.id as string]: ['journal'],
        ...Object.fromEntries(story.charges.map((each) => [each.charge.id, receipt])),
        ...Object.fromEntries(story.refunds.map((each) => [each.refund.id as string, refund])),
        [`${story.chargeback.id}:withdrawn`]: journal,
      });
    }
  });

  it('per_transaction on sage50 with a generated payout of 30 transactions (three customers, a dispute, a Radar fee)', async () => {
    const t = await connectTenant(stack, { edition: 'sage50', postingMode: 'per_transaction' });
    const scenario = buildStripeScenario({ seed: 7_301, size: 30, account: t.integration.sourceAccountId, events: false });
    expect(scenario.disputes).toHaveLength(1);
    expect(scenario.refunds.length).toBeGreaterThan(0);
    await t.load(scenario.objects);

    await t.deliver(...scenarioEvents(t, scenario));
    await t.settle();

    const usd = (minor: number) => `${minor < 0 ? '-' : ''}${Math.floor(Math.abs(minor) / 100)}.${String(Math.abs(minor) % 100).padStart(2, '0')}`;
    expect(await t.record('payout', scenario.payout.id)).toMatchObject({ status: 'synced' });
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('0.00');
    expect(await t.balance(t.accounts.bank, 'USD')).toBe(usd(scenario.payout.amount));
    await expectBooksBalanced(t);
    const { receipt, refund, journal } = LANDS_AS.sage50;
    expect(typesByReference(await t.documents())).toEqual({
      [scenario.payout.id]: ['journal'],
      ...Object.fromEntries(scenario.charges.map((each) => [each.id, receipt])),
      ...Object.fromEntries(scenario.refunds.map((each) => [each.id, refund])),
      ...Object.fromEntries(scenario.disputes.map((each) => [`${each.id}:withdrawn`, journal])),
    });
  });
});
