import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';
import { authorizedOnly, charge, dispute, smallPayoutStory, smallPayoutStoryEvents, subscription, utc } from './support/stripe-builders.ts';
import { connectTenant, EDITIONS, expectBooksBalanced, LANDS_AS, seededRandom, shuffled, shuffleSeed, typesByReference, type SignedEvent, type Tenant } from './support/tenant.ts';

// Exactly once, whatever order Stripe delivers in: every event delivered twice, and a month of
// events, each twice, in a shuffled order (the seed is printed; SHUFFLE_SEED replays it). Each Sage
// document exists exactly once, counted by its reference in the sandbox. The refund that arrives
// before its charge and the lost Sage answer are in refund-first-and-lost-answers.test.ts.

let stack: EndToEndStack;

beforeAll(async () => {
  stack = await startEndToEndStack();
}, 60_000);
afterAll(() => stack?.close());

/** The documents a per-transaction tenant ends with for the small payout story. */
function storyDocuments(t: Tenant, story: ReturnType<typeof smallPayoutStory>): Record<string, string[]> {
  const { receipt, refund: refunds, journal } = LANDS_AS[t.edition];
  return {
    [story.paidOut.payout.id as string]: ['journal'],
    ...Object.fromEntries(story.charges.map((each) => [each.charge.id, receipt])),
    ...Object.fromEntries(story.refunds.map((each) => [each.refund.id as string, refunds])),
    [`${story.chargeback.id}:withdrawn`]: journal,
  };
}

/**
 * Everything a month of a tenant's Stripe account can say, on top of the small payout story: the
 * chargeback closed (lost), customers updated, a subscription's whole life, an authorized charge
 * captured later, a refund updated, and a second dispute that is won. Loaded in its final state;
 * the events carry the states in between, as Stripe's do.
 */
function monthOfEvents(t: Tenant) {
  const story = smallPayoutStory();
  const [ada] = story.customers;
  const lost = { ...story.chargeback, status: 'lost' };
  const created = utc('2026-06-03T12:00:00Z');
  const plan = subscription(ada!.id, 'active', created);
  const canceled = subscription(ada!.id, 'canceled', created, plan.id);
  const captured = charge({ amount: 5_000, currency: 'usd', customer: ada, created: utc('2026-06-04T15:00:00Z') });
  const contested = charge({ amount: 3_000, currency: 'usd', customer: ada, created: utc('2026-06-04T16:00:00Z') });
  const won = dispute(contested);
  const objects: LoadableStripeObject[] = [...story.objects, lost, canceled, ...captured.objects, ...contested.objects, { ...won.withTransactions('withdrawn', 'reinstated'), status: 'won' }];

  const events: SignedEvent[] = [
    ...smallPayoutStoryEvents(t, story),
    t.event('charge.dispute.closed', lost),
    ...story.customers.map((each) => t.event('customer.updated', { ...each, name: `${each.name as string} (VIP)` })),
    t.event('customer.subscription.created', plan),
    t.event('customer.subscription.updated', { ...plan, status: 'past_due' }),
    t.event('customer.subscription.deleted', canceled),
    t.event('charge.succeeded', authorizedOnly(captured)),
    t.event('charge.captured', captured.charge),
    t.event('refund.updated', { ...story.refunds[0]!.refund, metadata: { ticket: 'T-1' } }),
    t.event('charge.succeeded', contested.charge),
    t.event('charge.dispute.created', won.withTransactions('withdrawn')),
    t.event('charge.dispute.funds_withdrawn', won.withTransactions('withdrawn')),
    t.event('charge.dispute.funds_reinstated', won.withTransactions('withdrawn', 'reinstated')),
    t.event('charge.dispute.closed', { ...won.withTransactions('withdrawn', 'reinstated'), status: 'won' }),
  ];
  const { journal, receipt } = LANDS_AS[t.edition];
  const documents = { ...storyDocuments(t, story), [captured.charge.id]: receipt, [contested.charge.id]: receipt, [`${won.id}:withdrawn`]: journal, [`${won.id}:reinstated`]: journal };
  return { story, objects, events, documents, plan };
}

// Generous bounds: the tests of a file run side by side, so each waits on the others' jobs too.
describe.concurrent.each(EDITIONS)('duplicates and shuffles, into %s', { timeout: 90_000 }, (edition) => {
  it('every event delivered twice, in Stripe’s order: one document each, and the payout clears to zero', async () => {
    const t = await connectTenant(stack, { edition });
    const story = smallPayoutStory();
    await t.load(story.objects);

    for (const event of smallPayoutStoryEvents(t, story)) await t.deliver(event, event);
    await t.settle();

    expect(typesByReference(await t.documents())).toEqual(storyDocuments(t, story));
    expect(await t.sageCustomers()).toHaveLength(2);
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('0.00');
    expect(await t.balance(t.accounts.bank, 'USD')).toBe('43.40');
    await expectBooksBalanced(t);
  });

  it('a month of events, each twice, shuffled (seed printed): every document once, nothing else, books balanced', async () => {
    const t = await connectTenant(stack, { edition, writeBackMetadata: true });
    const month = monthOfEvents(t);
    await t.load(month.objects);
    const seed = shuffleSeed(`shuffled month on ${edition}`);

    await t.deliver(...shuffled([...month.events, ...month.events], seededRandom(seed)));
    await t.settle();

    expect(typesByReference(await t.documents()), `seed ${seed}`).toEqual(month.documents);
    expect(await t.sageCustomers(), `seed ${seed}`).toHaveLength(2);
    // The payout's history nets to zero; what is left in clearing is the 50.00 captured charge and
    // the 30.00 charge whose chargeback was reinstated, neither of them paid out yet.
    expect(await t.balance(t.accounts.clearing, 'USD'), `seed ${seed}`).toBe('80.00');
    expect(await t.balance(t.accounts.bank, 'USD'), `seed ${seed}`).toBe('43.40');
    expect(await t.record('subscription', month.plan.id as string), `seed ${seed}`).toMatchObject({ lastError: expect.objectContaining({ message: expect.stringContaining('status canceled') }) });
    const unfinished = (await t.records()).filter((each) => !['synced', 'skipped'].includes(each.status));
    expect(unfinished.map((each) => [each.sourceObjectType, each.sourceObjectId, each.status, each.lastError]), `seed ${seed}`).toEqual([]);
    await expectBooksBalanced(t);
  });
});
