import { describe, expect, it } from 'vitest';
import { buildStripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { exampleOf } from './support/example-objects.ts';
import { startStripeFake, stripeErrorOf } from './support/stripe-fake-harness.ts';

describe('Connect accounts (the Stripe-Account header)', () => {
  it("the stripeAccount option sees only that account's objects", async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_platform' })]);
    await load([exampleOf('charge', { id: 'ch_connected' })], 'acct_connected');

    const platform = await stripe.charges.list();
    const connected = await stripe.charges.list({}, { stripeAccount: 'acct_connected' });
    const crossing = await stripeErrorOf(stripe.charges.retrieve('ch_connected'));

    expect(platform.data.map((charge) => charge.id)).toEqual(['ch_platform']);
    expect(connected.data.map((charge) => charge.id)).toEqual(['ch_connected']);
    expect(crossing.statusCode).toBe(404);
  });

  it("an object's account hint puts it in that account, and writes stay in the account they were made in", async () => {
    const { stripe, load } = await startStripeFake();
    await load(buildStripeScenario({ seed: 1, size: 5, account: 'acct_demo_sage50' }).objects);
    const [charge] = (await stripe.charges.list({ limit: 1 }, { stripeAccount: 'acct_demo_sage50' })).data;

    await stripe.charges.update(charge?.id ?? '', { metadata: { sage: 'X' } }, { stripeAccount: 'acct_demo_sage50' });

    expect((await stripe.charges.list()).data).toEqual([]);
    expect((await stripe.charges.retrieve(charge?.id ?? '', {}, { stripeAccount: 'acct_demo_sage50' })).metadata).toEqual({ sage: 'X' });
    expect((await stripe.events.list({ type: 'charge.updated' }, { stripeAccount: 'acct_demo_sage50' })).data[0]?.account).toBe('acct_demo_sage50');
  });

  it('retrieves a connected account the fake holds data for', async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1' })], 'acct_known');

    const account = await stripe.accounts.retrieve('acct_known');
    const missing = await stripeErrorOf(stripe.accounts.retrieve('acct_unknown'));

    expect(account).toMatchObject({ id: 'acct_known', object: 'account', charges_enabled: true });
    expect(missing.statusCode).toBe(404);
  });
});
