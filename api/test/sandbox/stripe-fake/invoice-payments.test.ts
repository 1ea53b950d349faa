import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { loadStripeFixtures } from '../../../src/sandbox/stripe-fake/fixtures.ts';
import { buildInvoiceScenario } from '../../../src/sandbox/stripe-fake/invoice-scenario-builder.ts';
import type { StripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { startReaderHarness } from '../../connectors/stripe/support/stripe-reader-harness.ts';
import { startStripeFake } from './support/stripe-fake-harness.ts';

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** `count` extra payments of one invoice, a minute apart, so an invoice can have more than a page of them. */
function manyPayments(invoiceId: string, count: number): StripeObject[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `inpay_many_${String(index).padStart(3, '0')}`,
    object: 'invoice_payment',
    amount_paid: 100,
    amount_requested: 100,
    created: 1_767_225_600 + index * 60,
    currency: 'usd',
    invoice: invoiceId,
    is_default: false,
    livemode: false,
    payment: { type: 'payment_intent', payment_intent: `pi_many_${String(index).padStart(3, '0')}` },
    status: 'paid',
    status_transitions: { canceled_at: null, paid_at: 1_767_225_600 + index * 60 },
  }));
}

describe('the invoice scenario builder', () => {
  it('builds an invoice with two lines paid by one charge, linked only through an InvoicePayment', () => {
    const scenario = buildInvoiceScenario({ seed: 3 });
    const [charge] = scenario.charges as [Stripe.Charge];
    const [payment] = scenario.invoicePayments as [Stripe.InvoicePayment];

    expect(scenario.invoice.lines.data).toHaveLength(2);
    expect(scenario.invoice.total).toBe(sum(scenario.invoice.lines.data.map((line) => line.amount)));
    expect(scenario.invoice).toMatchObject({ status: 'paid', amount_paid: scenario.invoice.total, amount_remaining: 0, customer: scenario.customer.id });
    expect(charge).toMatchObject({ amount: scenario.invoice.total, customer: scenario.customer.id, payment_intent: scenario.paymentIntents[0]?.id });
    expect(charge).not.toHaveProperty('invoice');
    expect(payment).toMatchObject({ invoice: scenario.invoice.id, status: 'paid', amount_paid: charge.amount, payment: { type: 'payment_intent', payment_intent: charge.payment_intent } });
    expect(scenario.events.map((event) => event.type)).toEqual(['charge.succeeded', 'invoice.paid']);
  });

  it('splits an invoice over several charges, and leaves it open while part is unpaid', () => {
    const paid = buildInvoiceScenario({ seed: 4, lines: [{ description: 'A', amount: 6_000 }, { description: 'B', amount: 4_000 }], payments: [3_000, 7_000] });
    const open = buildInvoiceScenario({ seed: 4, lines: [{ description: 'A', amount: 6_000 }], payments: [2_500] });

    expect(paid.charges.map((charge) => charge.amount)).toEqual([3_000, 7_000]);
    expect(paid.invoicePayments.map((payment) => payment.amount_paid)).toEqual([3_000, 7_000]);
    expect(paid.invoice.status).toBe('paid');
    expect(open.invoice).toMatchObject({ status: 'open', amount_paid: 2_500, amount_remaining: 3_500 });
    expect(open.events.map((event) => event.type)).toEqual(['charge.succeeded']);
    expect(() => buildInvoiceScenario({ seed: 4, lines: [{ description: 'A', amount: 100 }], payments: [60, 60] })).toThrow(/exceed/);
  });

  it('gives each charge a balance transaction for its amount, in the invoice currency', () => {
    const scenario = buildInvoiceScenario({ seed: 5, currency: 'jpy', payments: undefined });
    for (const charge of scenario.charges) {
      const transaction = scenario.balanceTransactions.find((each) => each.source === charge.id);
      expect(transaction).toMatchObject({ id: charge.balance_transaction, amount: charge.amount, currency: 'jpy', reporting_category: 'charge' });
      expect(transaction!.amount - transaction!.fee).toBe(transaction!.net);
    }
  });
});

describe('invoice payments in the Stripe fake, through the SDK', () => {
  it('lists the payments of an invoice, and the invoices a PaymentIntent pays', async () => {
    const { stripe, load } = await startStripeFake();
    const first = buildInvoiceScenario({ seed: 10, lines: [{ description: 'A', amount: 10_000 }], payments: [4_000, 6_000] });
    const other = buildInvoiceScenario({ seed: 11 });
    await load([...first.objects, ...other.objects]);

    const ofInvoice = await stripe.invoicePayments.list({ invoice: first.invoice.id });
    const ofIntent = await stripe.invoicePayments.list({ payment: { type: 'payment_intent', payment_intent: first.paymentIntents[1]!.id } });
    const canceledOnly = await stripe.invoicePayments.list({ invoice: first.invoice.id, status: 'canceled' });

    expect(ofInvoice.data.map((payment) => payment.id).sort()).toEqual(first.invoicePayments.map((payment) => payment.id).sort());
    expect(ofIntent.data).toEqual([first.invoicePayments[1]]);
    expect(canceledOnly.data).toEqual([]);
    expect(await stripe.invoicePayments.retrieve(other.invoicePayments[0]!.id)).toEqual(other.invoicePayments[0]);
  });

  it('expands an InvoicePayment’s invoice and PaymentIntent like any reference', async () => {
    const { stripe, load } = await startStripeFake();
    const scenario = buildInvoiceScenario({ seed: 12 });
    await load(scenario.objects);

    const payment = await stripe.invoicePayments.retrieve(scenario.invoicePayments[0]!.id, { expand: ['invoice', 'payment.payment_intent'] });

    expect((payment.invoice as Stripe.Invoice).id).toBe(scenario.invoice.id);
    expect((payment.payment.payment_intent as Stripe.PaymentIntent).latest_charge).toBe(scenario.charges[0]!.id);
  });

  it('embeds an invoice’s payments only when `payments` is expanded, as Stripe does', async () => {
    const { stripe, load } = await startStripeFake();
    const scenario = buildInvoiceScenario({ seed: 13, lines: [{ description: 'A', amount: 9_000 }], payments: [3_000, 3_000, 3_000] });
    await load(scenario.objects);

    const plain = await stripe.invoices.retrieve(scenario.invoice.id);
    const withPayments = await stripe.invoices.retrieve(scenario.invoice.id, { expand: ['payments'] });
    const listed = await stripe.invoices.list({ customer: scenario.customer.id, expand: ['data.payments'] });

    expect(plain.payments).toBeUndefined();
    expect(withPayments.payments).toMatchObject({ object: 'list', has_more: false, url: `/v1/invoice_payments?invoice=${scenario.invoice.id}` });
    expect(withPayments.payments?.data.map((payment) => payment.id).sort()).toEqual(scenario.invoicePayments.map((payment) => payment.id).sort());
    expect(listed.data[0]?.payments?.data).toHaveLength(3);
    // Stored objects are not changed by an expansion.
    expect((await stripe.invoices.retrieve(scenario.invoice.id)).payments).toBeUndefined();
  });

  it('refuses a payment filter Stripe would refuse, naming the parameter', async () => {
    const { request, load } = await startStripeFake();
    await load(buildInvoiceScenario({ seed: 14 }).objects);
    const get = (query: string) => request(`/v1/invoice_payments?${query}`, { headers: { authorization: 'Bearer sk_test_fake' } });

    const byCharge = await get('payment[type]=payment_intent&payment[charge]=ch_1');
    const withoutType = await get('payment[payment_intent]=pi_1');
    const wrongType = await get('payment[type]=charge');
    const unknown = await get('customer=cus_1');

    expect(byCharge).toMatchObject({ status: 400, body: { error: { param: 'payment[charge]' } } });
    expect(withoutType).toMatchObject({ status: 400, body: { error: { param: 'payment[type]' } } });
    expect(wrongType).toMatchObject({ status: 400, body: { error: { param: 'payment[type]' } } });
    expect(unknown).toMatchObject({ status: 400, body: { error: { param: 'customer' } } });
  });

  it('serves Stripe’s own example InvoicePayment unchanged', async () => {
    const { stripe, load } = await startStripeFake();
    const example = loadStripeFixtures().invoice_payment as StripeObject;
    await load([example]);

    expect(JSON.parse(JSON.stringify(await stripe.invoicePayments.retrieve(example.id)))).toEqual(example);
  });
});

describe('reading invoice payments through the Stripe reader', () => {
  it('finds the invoice a PaymentIntent pays in one request', async () => {
    const harness = await startReaderHarness();
    const scenario = buildInvoiceScenario({ seed: 20 });
    await harness.load(scenario.objects);

    const payments = await harness.reader().listInvoicePayments({ paymentIntent: scenario.paymentIntents[0]!.id });

    expect(payments.map((payment) => payment.invoice)).toEqual([scenario.invoice.id]);
    expect(harness.requests().map((request) => request.path)).toEqual(['/v1/invoice_payments']);
  });

  it('retrieves an invoice with all of its payments, paging them when Stripe embeds only the first page', async () => {
    const harness = await startReaderHarness();
    const scenario = buildInvoiceScenario({ seed: 21 });
    const extra = manyPayments(scenario.invoice.id, 230);
    await harness.load([...scenario.objects, ...extra]);
    const reader = harness.reader();

    const invoice = await reader.retrieveInvoice(scenario.invoice.id, { expand: ['payments'] });
    const listed = await reader.listInvoicePayments({ invoice: scenario.invoice.id });

    const expected = [...extra.map((payment) => payment.id), scenario.invoicePayments[0]!.id].sort();
    expect(invoice.payments?.has_more).toBe(false);
    expect(invoice.payments?.data.map((payment) => payment.id).sort()).toEqual(expected);
    expect(listed.map((payment) => payment.id).sort()).toEqual(expected);
    // One retrieve, then three pages of 100 for the invoice, three more for the listing.
    expect(harness.requests().map((request) => request.path)).toEqual([
      `/v1/invoices/${scenario.invoice.id}`,
      ...Array.from({ length: 6 }, () => '/v1/invoice_payments'),
    ]);
  });
});
