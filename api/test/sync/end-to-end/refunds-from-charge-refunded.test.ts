import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';
import { charge, customer, refund, refundedCharge } from './support/stripe-builders.ts';
import { connectTenant, EDITIONS, expectBooksBalanced, LANDS_AS, seededRandom, shuffled, shuffleSeed, typesByReference, type Tenant } from './support/tenant.ts';

// A Stripe endpoint that listens to `charge.refunded` but not to `refund.*` (a common setup) still
// gets every refund into Sage: the charge's job lists the charge's refunds and queues each one's
// own job, so each is posted once, through the refund path, on the refund's record; with the
// `refund.*` events delivered as well, in any order, whichever comes first posts it.

let stack: EndToEndStack;

beforeAll(async () => {
  stack = await startEndToEndStack();
}, 60_000);
afterAll(() => stack?.close());

/** The charge's other objects: the charge itself is loaded as refunded. */
function withoutCharge(set: ReturnType<typeof charge>) {
  return set.objects.filter((each) => each.id !== set.charge.id);
}

/** A 100.00 charge with two partial refunds, 20.00 and 35.00, loaded in its final state. */
async function chargeWithTwoPartialRefunds(t: Tenant) {
  const paid = charge({ amount: 10_000, currency: 'usd', customer: customer() });
  const created = paid.charge.created as number;
  const first = refund(paid, { amount: 2_000, created: created + 3_600 });
  const second = refund(paid, { amount: 3_500, created: created + 7_200 });
  await t.load([...withoutCharge(paid), ...first.objects, ...second.objects, refundedCharge(paid, [2_000, 3_500])]);
  return { paid, first, second };
}

async function expectTwoCreditMemos(t: Tenant, story: Awaited<ReturnType<typeof chargeWithTwoPartialRefunds>>) {
  const { paid, first, second } = story;
  const { receipt, refund: refunds } = LANDS_AS[t.edition];
  const documents = await t.documents();
  expect(typesByReference(documents)).toEqual({ [paid.charge.id]: receipt, [first.refund.id as string]: refunds, [second.refund.id as string]: refunds });
  // The document carrying the refund's amount: the credit memo (Sage 50: its journal).
  const amountOf = (reference: string) => documents.find((each) => each.reference === reference && each.type !== 'customer_refund')?.amount;
  expect(amountOf(first.refund.id as string)).toBe('20.00');
  expect(amountOf(second.refund.id as string)).toBe('35.00');
  const chargeRecord = await t.record('charge', paid.charge.id);
  expect(chargeRecord).toMatchObject({ status: 'synced' });
  expect(await t.record('refund', first.refund.id as string)).toMatchObject({ status: 'synced', sageDocumentType: 'credit_memo', parentId: chargeRecord!.id, amountMinor: 2_000n });
  expect(await t.record('refund', second.refund.id as string)).toMatchObject({ status: 'synced', sageDocumentType: 'credit_memo', parentId: chargeRecord!.id, amountMinor: 3_500n });
  // 100.00 in, 55.00 back out.
  expect(await t.balance(t.accounts.clearing, 'USD')).toBe('45.00');
  await expectBooksBalanced(t);
}

describe.concurrent.each(EDITIONS)('refunds heard of only through charge.refunded, into %s', { timeout: 90_000 }, (edition) => {
  it('posts both partial refunds of a charge, once each, when only charge.refunded is delivered', async () => {
    const t = await connectTenant(stack, { edition });
    const story = await chargeWithTwoPartialRefunds(t);

    // Stripe sends one charge.refunded per refund; each event carries the charge as it was then.
    await t.deliver(t.event('charge.refunded', refundedCharge(story.paid, [2_000])), t.event('charge.refunded', refundedCharge(story.paid, [2_000, 3_500])));
    await t.settle();

    await expectTwoCreditMemos(t, story);
  });

  it('still posts each refund once when the refund events arrive too, in any order', async () => {
    const t = await connectTenant(stack, { edition });
    const story = await chargeWithTwoPartialRefunds(t);
    const events = [
      t.event('charge.succeeded', story.paid.charge),
      t.event('charge.refunded', refundedCharge(story.paid, [2_000])),
      t.event('refund.created', story.first.refund),
      t.event('charge.refunded', refundedCharge(story.paid, [2_000, 3_500])),
      t.event('refund.created', story.second.refund),
      t.event('refund.updated', { ...story.second.refund, metadata: { ticket: 'T-9' } }),
    ];
    const random = seededRandom(shuffleSeed(`charge.refunded with refund events into ${edition}`));

    await t.deliver(...shuffled(events, random));
    await t.settle();
    await expectTwoCreditMemos(t, story);

    // Everything again, in another order: nothing more is posted.
    await t.deliver(...shuffled(events, random).map((each) => t.event(each.type, JSON.parse(each.payload).data.object)));
    await t.settle();
    await expectTwoCreditMemos(t, story);
  });

  it('leaves a failed refund out and posts the succeeded one, as the refund path does', async () => {
    const t = await connectTenant(stack, { edition });
    const paid = charge({ amount: 6_000, currency: 'usd', customer: customer() });
    const failed = refund(paid, { amount: 1_000, status: 'failed' });
    const succeeded = refund(paid, { amount: 1_500, created: (paid.charge.created as number) + 7_200 });
    // Stripe counts only refunds that did not fail in amount_refunded.
    await t.load([...withoutCharge(paid), ...failed.objects, ...succeeded.objects, refundedCharge(paid, [1_500])]);

    await t.deliver(t.event('charge.refunded', refundedCharge(paid, [1_500])));
    await t.settle();

    const { receipt, refund: refunds } = LANDS_AS[edition];
    expect(typesByReference(await t.documents())).toEqual({ [paid.charge.id]: receipt, [succeeded.refund.id as string]: refunds });
    expect(await t.record('refund', failed.refund.id as string)).toMatchObject({ status: 'skipped', lastError: expect.objectContaining({ code: 'REFUND_NOT_PAID' }) });
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('45.00');
    await expectBooksBalanced(t);
  });
});

describe('refunds heard of through charge.refunded, on a payout-summary tenant', { timeout: 90_000 }, () => {
  it('queues no refund of its own: the refunds are lines of their payout’s journal', async () => {
    const t = await connectTenant(stack, { edition: 'sage_pro', postingMode: 'payout_summary' });
    const story = await chargeWithTwoPartialRefunds(t);

    await t.deliver(t.event('charge.refunded', refundedCharge(story.paid, [2_000, 3_500])));
    await t.settle();

    expect(await t.documents()).toEqual([]);
    expect(await t.record('refund', story.first.refund.id as string)).toBeNull();
    expect(await t.record('refund', story.second.refund.id as string)).toBeNull();
  });
});
