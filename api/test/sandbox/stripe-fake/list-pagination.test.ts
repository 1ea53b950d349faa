import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { chargesOneAMinute, exampleOf } from './support/example-objects.ts';
import { startStripeFake, stripeErrorOf } from './support/stripe-fake-harness.ts';

const idsOf = (list: { data: Array<{ id: string }> }) => list.data.map((item) => item.id);

describe('list pagination through the SDK', () => {
  it('lists newest first, ten by default, with has_more and the list url', async () => {
    const { stripe, load } = await startStripeFake();
    await load(chargesOneAMinute(12));

    const page = await stripe.charges.list();

    expect(page.object).toBe('list');
    expect(page.url).toBe('/v1/charges');
    expect(page.has_more).toBe(true);
    expect(idsOf(page)).toEqual(['ch_test_0011', 'ch_test_0010', 'ch_test_0009', 'ch_test_0008', 'ch_test_0007', 'ch_test_0006', 'ch_test_0005', 'ch_test_0004', 'ch_test_0003', 'ch_test_0002']);
  });

  it('starting_after continues after the cursor, and the last page says has_more false', async () => {
    const { stripe, load } = await startStripeFake();
    await load(chargesOneAMinute(5));

    const first = await stripe.charges.list({ limit: 2 });
    const second = await stripe.charges.list({ limit: 2, starting_after: first.data[1]?.id });
    const third = await stripe.charges.list({ limit: 2, starting_after: second.data[1]?.id });

    expect([idsOf(first), first.has_more]).toEqual([['ch_test_0004', 'ch_test_0003'], true]);
    expect([idsOf(second), second.has_more]).toEqual([['ch_test_0002', 'ch_test_0001'], true]);
    expect([idsOf(third), third.has_more]).toEqual([['ch_test_0000'], false]);
  });

  it('ending_before gives the objects just newer than the cursor, still newest first', async () => {
    const { stripe, load } = await startStripeFake();
    await load(chargesOneAMinute(6));

    const page = await stripe.charges.list({ limit: 2, ending_before: 'ch_test_0001' });
    const top = await stripe.charges.list({ limit: 10, ending_before: 'ch_test_0003' });

    expect([idsOf(page), page.has_more]).toEqual([['ch_test_0003', 'ch_test_0002'], true]);
    expect([idsOf(top), top.has_more]).toEqual([['ch_test_0005', 'ch_test_0004'], false]);
  });

  it('objects created in the same second are ordered by id, so paging never skips or repeats one', async () => {
    const { stripe, load } = await startStripeFake();
    await load(chargesOneAMinute(7).map((charge) => ({ ...charge, created: 1_700_000_000 })));

    const seen: string[] = [];
    for await (const charge of stripe.charges.list({ limit: 3 })) seen.push(charge.id);

    expect(seen).toEqual(['ch_test_0006', 'ch_test_0005', 'ch_test_0004', 'ch_test_0003', 'ch_test_0002', 'ch_test_0001', 'ch_test_0000']);
  });

  it('auto-pagination with for await walks every page exactly once', async () => {
    const { stripe, load, fake } = await startStripeFake();
    await load(chargesOneAMinute(250));

    const seen: string[] = [];
    for await (const charge of stripe.charges.list({ limit: 100 })) seen.push(charge.id);

    expect(seen).toHaveLength(250);
    expect(new Set(seen).size).toBe(250);
    expect(seen[0]).toBe('ch_test_0249');
    expect(seen.at(-1)).toBe('ch_test_0000');
    const pageRequests = fake.requestLog.list().filter((entry) => entry.path === '/v1/charges');
    expect(pageRequests.map((entry) => entry.query.starting_after ?? null)).toEqual([null, 'ch_test_0150', 'ch_test_0050']);
  });

  it('autoPagingToArray and auto-pagination backwards with ending_before', async () => {
    const { stripe, load } = await startStripeFake();
    await load(chargesOneAMinute(25));

    const all = await stripe.charges.list({ limit: 10 }).autoPagingToArray({ limit: 100 });
    const newerThanFive: string[] = [];
    for await (const charge of stripe.charges.list({ limit: 4, ending_before: 'ch_test_0005' })) newerThanFive.push(charge.id);

    expect(all).toHaveLength(25);
    // Backwards, the SDK yields oldest first: the objects just newer than the cursor come first.
    expect(newerThanFive).toEqual(Array.from({ length: 19 }, (_, index) => `ch_test_${String(index + 6).padStart(4, '0')}`));
  });

  it('filters by created range and by customer', async () => {
    const { stripe, load } = await startStripeFake();
    await load([
      ...chargesOneAMinute(5, { customer: 'cus_a' }),
      exampleOf('charge', { id: 'ch_other', created: 1_700_000_030, customer: 'cus_b' }),
    ]);

    const inRange = await stripe.charges.list({ created: { gte: 1_700_000_060, lt: 1_700_000_180 } });
    const exact = await stripe.charges.list({ created: 1_700_000_000 });
    const ofCustomer = await stripe.charges.list({ customer: 'cus_b' });

    expect(idsOf(inRange)).toEqual(['ch_test_0002', 'ch_test_0001']);
    expect(idsOf(exact)).toEqual(['ch_test_0000']);
    expect(idsOf(ofCustomer)).toEqual(['ch_other']);
  });

  it('filters refunds by charge, balance transactions by type and events by type pattern', async () => {
    const { stripe, load } = await startStripeFake();
    await load([
      exampleOf('refund', { id: 're_1', charge: 'ch_a', created: 1 }),
      exampleOf('refund', { id: 're_2', charge: 'ch_b', created: 2 }),
      exampleOf('balance_transaction', { id: 'txn_1', type: 'charge', created: 1 }),
      exampleOf('balance_transaction', { id: 'txn_2', type: 'refund', created: 2 }),
      exampleOf('event', { id: 'evt_1', type: 'charge.succeeded', created: 1 }),
      exampleOf('event', { id: 'evt_2', type: 'charge.refunded', created: 2 }),
      exampleOf('event', { id: 'evt_3', type: 'payout.paid', created: 3 }),
    ]);

    expect(idsOf(await stripe.refunds.list({ charge: 'ch_b' }))).toEqual(['re_2']);
    expect(idsOf(await stripe.balanceTransactions.list({ type: 'refund' }))).toEqual(['txn_2']);
    expect(idsOf(await stripe.events.list({ type: 'charge.*' }))).toEqual(['evt_2', 'evt_1']);
    expect(idsOf(await stripe.events.list({ types: ['payout.paid', 'charge.succeeded'] }))).toEqual(['evt_3', 'evt_1']);
  });

  it('subscriptions hide canceled ones unless status=all or canceled is asked for', async () => {
    const { stripe, load } = await startStripeFake();
    await load([
      exampleOf('subscription', { id: 'sub_active', status: 'active', created: 1 }),
      exampleOf('subscription', { id: 'sub_canceled', status: 'canceled', created: 2 }),
    ]);

    expect(idsOf(await stripe.subscriptions.list())).toEqual(['sub_active']);
    expect(idsOf(await stripe.subscriptions.list({ status: 'all' }))).toEqual(['sub_canceled', 'sub_active']);
    expect(idsOf(await stripe.subscriptions.list({ status: 'canceled' }))).toEqual(['sub_canceled']);
  });

  it('refuses a limit outside 1–100, an unknown cursor and an unknown parameter, naming the parameter', async () => {
    const { stripe, load } = await startStripeFake();
    await load(chargesOneAMinute(2));

    const tooMany = await stripeErrorOf(stripe.charges.list({ limit: 101 }));
    const noCursor = await stripeErrorOf(stripe.charges.list({ starting_after: 'ch_missing' }));
    const unknown = await stripeErrorOf(stripe.charges.list({ colour: 'red' } as Stripe.ChargeListParams));

    expect(tooMany).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect([tooMany.statusCode, tooMany.param]).toEqual([400, 'limit']);
    expect([noCursor.statusCode, noCursor.code, noCursor.param]).toEqual([400, 'resource_missing', 'starting_after']);
    expect([unknown.statusCode, unknown.code, unknown.param]).toEqual([400, 'parameter_unknown', 'colour']);
  });
});
