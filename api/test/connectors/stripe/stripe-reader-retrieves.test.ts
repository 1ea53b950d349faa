import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { CHARGE_SYNC_EXPAND } from '../../../src/connectors/stripe/stripe-client.ts';
import { servedFixtureObjects } from '../../../src/sandbox/stripe-fake/fixtures.ts';
import type { StripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { startReaderHarness } from './support/stripe-reader-harness.ts';

const examples = servedFixtureObjects();

function invoiceWithLines(id: string, count: number, embeddedHasMore: boolean): StripeObject {
  const [firstLine] = (examples.invoice.lines as { data: StripeObject[] }).data;
  const lines = Array.from({ length: count }, (_, index) => ({ ...structuredClone(firstLine), id: `il_line_${String(index).padStart(3, '0')}`, invoice: id, amount: 100 + index }));
  return { ...structuredClone(examples.invoice), id, lines: { object: 'list', data: lines, has_more: embeddedHasMore, total_count: count, url: `/v1/invoices/${id}/lines` } };
}

describe('reading each kind of Stripe object through the reader', () => {
  it('retrieves a charge with its balance transaction and customer expanded in one request', async () => {
    const scenario = buildStripeScenario({ seed: 7, size: 12 });
    const harness = await startReaderHarness();
    await harness.load(scenario.objects);
    const expected = scenario.charges[0] as Stripe.Charge;

    const charge = await harness.reader().retrieveCharge(expected.id, { expand: [...CHARGE_SYNC_EXPAND] });

    expect(charge.id).toBe(expected.id);
    expect((charge.balance_transaction as Stripe.BalanceTransaction).id).toBe(expected.balance_transaction);
    expect((charge.customer as Stripe.Customer).id).toBe(expected.customer);
    expect(harness.requests()).toHaveLength(1);
  });

  it("retrieves the payout's refunds, dispute, customer and the payout itself as Stripe holds them", async () => {
    const scenario = buildStripeScenario({ seed: 8, size: 40 });
    const harness = await startReaderHarness();
    await harness.load(scenario.objects);
    const reader = harness.reader();
    const [refund] = scenario.refunds;
    const [dispute] = scenario.disputes;
    const [customer] = scenario.customers;

    expect(await reader.retrieveRefund(refund?.id ?? '')).toMatchObject({ id: refund?.id, amount: refund?.amount, charge: refund?.charge });
    expect(await reader.retrieveDispute(dispute?.id ?? '')).toMatchObject({ id: dispute?.id, amount: dispute?.amount, charge: dispute?.charge });
    expect(await reader.retrieveCustomer(customer?.id ?? '')).toMatchObject({ id: customer?.id, email: customer?.email });
    expect(await reader.retrievePayout(scenario.payout.id)).toMatchObject({ id: scenario.payout.id, amount: scenario.payout.amount, automatic: true });
  });

  it('resolves a PaymentIntent to its latest charge, expanded, in a single request', async () => {
    const scenario = buildStripeScenario({ seed: 9, size: 12 });
    const harness = await startReaderHarness();
    await harness.load(scenario.objects);
    const intent = scenario.paymentIntents[2] as Stripe.PaymentIntent;

    const charge = await harness.reader().resolvePaymentIntentCharge(intent.id, { expand: ['balance_transaction'] });

    expect(charge?.id).toBe(intent.latest_charge);
    expect((charge?.balance_transaction as Stripe.BalanceTransaction).object).toBe('balance_transaction');
    expect(harness.requests().map((request) => request.path)).toEqual([`/v1/payment_intents/${intent.id}`]);
  });

  it('a PaymentIntent that has not charged yet resolves to no charge', async () => {
    const harness = await startReaderHarness();
    await harness.load([{ ...structuredClone(examples.payment_intent), id: 'pi_not_charged', latest_charge: null }]);
    const reader = harness.reader();

    expect(await reader.retrievePaymentIntent('pi_not_charged')).toMatchObject({ id: 'pi_not_charged', latest_charge: null });
    expect(await reader.resolvePaymentIntentCharge('pi_not_charged')).toBeNull();
  });

  it('retrieves an invoice with every line, paging the lines when Stripe embeds only the first page', async () => {
    const harness = await startReaderHarness();
    await harness.load([invoiceWithLines('in_long', 230, true), invoiceWithLines('in_short', 3, false)]);
    const reader = harness.reader();

    const long = await reader.retrieveInvoice('in_long');
    const short = await reader.retrieveInvoice('in_short');

    expect(long.lines.data).toHaveLength(230);
    expect(new Set(long.lines.data.map((line) => line.id)).size).toBe(230);
    expect(long.lines.has_more).toBe(false);
    expect(short.lines.data.map((line) => line.id)).toEqual(['il_line_000', 'il_line_001', 'il_line_002']);
    expect(harness.requests().map((request) => request.path)).toEqual([
      '/v1/invoices/in_long',
      '/v1/invoices/in_long/lines',
      '/v1/invoices/in_long/lines',
      '/v1/invoices/in_long/lines',
      '/v1/invoices/in_short',
    ]);
  });

  it('retrieves a subscription', async () => {
    const harness = await startReaderHarness();
    await harness.load([examples.subscription]);

    const subscription = await harness.reader().retrieveSubscription(examples.subscription.id);

    expect(subscription).toMatchObject({ id: examples.subscription.id, object: 'subscription', customer: examples.subscription.customer });
  });

  it('a deleted customer comes back marked deleted, not as an error', async () => {
    const harness = await startReaderHarness();
    await harness.load([{ id: 'cus_gone', object: 'customer', deleted: true }]);

    expect(await harness.reader().retrieveCustomer('cus_gone')).toEqual({ id: 'cus_gone', object: 'customer', deleted: true });
  });
});
