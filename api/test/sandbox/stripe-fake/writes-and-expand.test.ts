import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { buildStripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { exampleOf } from './support/example-objects.ts';
import { startStripeFake, stripeErrorOf } from './support/stripe-fake-harness.ts';

describe('charge metadata write-back', () => {
  it('merges new keys into existing metadata and deletes a key sent empty, as Stripe does', async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1', metadata: { order: '42', note: 'keep me' } })]);

    const merged = await stripe.charges.update('ch_1', { metadata: { sage_invoice: 'INV-1001' } });
    const deleted = await stripe.charges.update('ch_1', { metadata: { note: '' } });
    const retrieved = await stripe.charges.retrieve('ch_1');

    expect(merged.metadata).toEqual({ order: '42', note: 'keep me', sage_invoice: 'INV-1001' });
    expect(deleted.metadata).toEqual({ order: '42', sage_invoice: 'INV-1001' });
    expect(retrieved.metadata).toEqual(deleted.metadata);
  });

  it('clears all metadata when metadata is sent empty', async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1', metadata: { a: '1', b: '2' } })]);

    const cleared = await stripe.charges.update('ch_1', { metadata: '' });

    expect(cleared.metadata).toEqual({});
  });

  it('records a charge.updated event with the previous metadata values', async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1', metadata: { order: '42' } })]);

    await stripe.charges.update('ch_1', { metadata: { order: '43', sage_id: 'S-1' } }, { idempotencyKey: 'write-back-ch_1' });
    const [event] = (await stripe.events.list({ type: 'charge.updated' })).data;

    expect(event?.data.previous_attributes).toEqual({ metadata: { order: '42', sage_id: null } });
    expect(event?.request).toMatchObject({ idempotency_key: 'write-back-ch_1' });
  });

  it('refuses a metadata key longer than 40 characters and leaves the charge unchanged', async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1', metadata: {} })]);

    const error = await stripeErrorOf(stripe.charges.update('ch_1', { metadata: { ['k'.repeat(41)]: 'v' } }));

    expect([error.statusCode, error.param]).toEqual([400, `metadata[${'k'.repeat(41)}]`]);
    expect((await stripe.charges.retrieve('ch_1')).metadata).toEqual({});
  });

  it('updating a charge that does not exist is a 404 resource_missing', async () => {
    const { stripe } = await startStripeFake();

    const error = await stripeErrorOf(stripe.charges.update('ch_missing', { metadata: { a: 'b' } }));

    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect([error.statusCode, error.code, error.message]).toEqual([404, 'resource_missing', "No such charge: 'ch_missing'"]);
  });
});

describe('customers', () => {
  it('creates a customer with metadata, then updates and merges its metadata', async () => {
    const { stripe } = await startStripeFake();

    const created = await stripe.customers.create({ email: 'ada@example.com', name: 'Ada Lovelace', metadata: { sage_customer: 'C-1' } });
    const updated = await stripe.customers.update(created.id, { metadata: { region: 'north' }, phone: '+15555550100' });
    const listed = await stripe.customers.list({ email: 'ada@example.com' });

    expect(created.id).toMatch(/^cus_/);
    expect(created).toMatchObject({ object: 'customer', email: 'ada@example.com', name: 'Ada Lovelace', livemode: false });
    expect(updated.metadata).toEqual({ sage_customer: 'C-1', region: 'north' });
    expect(updated.phone).toBe('+15555550100');
    expect(listed.data.map((customer) => customer.id)).toEqual([created.id]);
  });

  it('refuses an invalid email with the email parameter named', async () => {
    const { stripe } = await startStripeFake();

    const error = await stripeErrorOf(stripe.customers.create({ email: 'not-an-email' }));

    expect([error.statusCode, error.param]).toEqual([400, 'email']);
  });
});

describe('refunds written through the SDK', () => {
  it('a partial refund updates the charge and gets its own balance transaction', async () => {
    const scenario = buildStripeScenario({ seed: 9, size: 3 });
    const [charge] = scenario.charges as [Stripe.Charge];
    const { stripe, load } = await startStripeFake();
    await load(scenario.objects);

    const refund = await stripe.refunds.create({ charge: charge.id, amount: 100, expand: ['balance_transaction'] });
    const refreshed = await stripe.charges.retrieve(charge.id);
    const transaction = refund.balance_transaction as Stripe.BalanceTransaction;

    expect(refund).toMatchObject({ object: 'refund', amount: 100, charge: charge.id, status: 'succeeded' });
    expect(refreshed.amount_refunded).toBe(charge.amount_refunded + 100);
    expect([transaction.amount, transaction.fee, transaction.net, transaction.reporting_category]).toEqual([-100, 0, -100, 'refund']);
    expect(await stripe.balanceTransactions.retrieve(transaction.id)).toEqual(transaction);
  });

  it('refuses to refund more than is left on the charge', async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1', amount: 1000, amount_refunded: 900, disputed: false, balance_transaction: null })]);

    const error = await stripeErrorOf(stripe.refunds.create({ charge: 'ch_1', amount: 101 }));

    expect([error.statusCode, error.code, error.param]).toEqual([400, 'amount_too_large', 'amount']);
  });
});

describe('expand[]', () => {
  it("expands a charge's balance_transaction and customer on retrieve", async () => {
    const scenario = buildStripeScenario({ seed: 4, size: 3 });
    const [charge] = scenario.charges as [Stripe.Charge];
    const { stripe, load } = await startStripeFake();
    await load(scenario.objects);

    const expanded = await stripe.charges.retrieve(charge.id, { expand: ['balance_transaction', 'customer'] });

    expect((expanded.balance_transaction as Stripe.BalanceTransaction).id).toBe(charge.balance_transaction);
    expect((expanded.balance_transaction as Stripe.BalanceTransaction).net).toBeTypeOf('number');
    expect((expanded.customer as Stripe.Customer).id).toBe(charge.customer);
  });

  it("expands data.balance_transaction on a list, and nested charge.balance_transaction on a refund", async () => {
    const scenario = buildStripeScenario({ seed: 11, size: 40 });
    const [refund] = scenario.refunds as [Stripe.Refund];
    const { stripe, load } = await startStripeFake();
    await load(scenario.objects);

    const charges = await stripe.charges.list({ limit: 5, expand: ['data.balance_transaction'] });
    const withCharge = await stripe.refunds.retrieve(refund.id, { expand: ['charge.balance_transaction'] });

    expect(charges.data.every((charge) => typeof charge.balance_transaction === 'object')).toBe(true);
    const expandedCharge = withCharge.charge as Stripe.Charge;
    expect(expandedCharge.id).toBe(refund.charge);
    expect((expandedCharge.balance_transaction as Stripe.BalanceTransaction).object).toBe('balance_transaction');
  });

  it('expands the source of balance transactions whatever its type', async () => {
    const scenario = buildStripeScenario({ seed: 12, size: 40 });
    const { stripe, load } = await startStripeFake();
    await load(scenario.objects);

    const page = await stripe.balanceTransactions.list({ payout: scenario.payout.id, limit: 100, expand: ['data.source'] });

    const objectsBySource = new Set(page.data.map((transaction) => (transaction.source as { object: string } | null)?.object ?? 'none'));
    expect(objectsBySource).toEqual(new Set(['charge', 'refund', 'dispute', 'payout', 'none']));
  });

  it('on a list, expanding a path without data. is refused with a hint', async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1' })]);

    const error = await stripeErrorOf(stripe.charges.list({ expand: ['balance_transaction'] }));

    expect(error.statusCode).toBe(400);
    expect(error.message).toContain("data.balance_transaction");
  });

  it('refuses to expand a field that is not a reference', async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1' })]);

    const error = await stripeErrorOf(stripe.charges.retrieve('ch_1', { expand: ['amount'] }));

    expect([error.statusCode, error.param, error.message]).toEqual([400, 'expand', 'This property cannot be expanded (amount).']);
  });
});
