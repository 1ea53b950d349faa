import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';
import {
  authorizedOnly,
  charge,
  customer,
  dispute,
  payoutOf,
  refund,
  refundedCharge,
  subscription,
  utc,
} from './support/stripe-builders.ts';
import { connectTenant, EDITIONS, expectBooksBalanced, LANDS_AS, SAGE_CUSTOMER_ID_KEY, typesByReference, type TenantSettings } from './support/tenant.ts';

// Every Stripe event type the sync handles (invoice.paid aside), on every Sage edition, the whole
// way: signed webhooks to the api, the queue, the worker reading Stripe through the SDK, and the
// documents the Sage sandbox then holds. Each test is its own tenant with its own Sage company, so
// the editions run side by side and every balance below is that test's alone.

let stack: EndToEndStack;

beforeAll(async () => {
  stack = await startEndToEndStack();
}, 60_000);
afterAll(() => stack?.close());

const tenant = (settings: TenantSettings) => connectTenant(stack, settings);

// Generous bounds: the tests of a file run side by side, so each waits on the others' jobs too.
describe.concurrent.each(EDITIONS)('every event type into %s', { timeout: 90_000 }, (edition) => {
  const { receipt: RECEIPT, refund: REFUND } = LANDS_AS[edition];

  it('charge.succeeded posts one receipt into clearing; an authorized charge posts nothing until charge.captured', async () => {
    const t = await tenant({ edition });
    const buyer = customer();
    const paid = charge({ amount: 4_200, currency: 'usd', customer: buyer, created: utc('2026-01-15T15:00:00Z') });
    const held = charge({ amount: 9_900, currency: 'usd', customer: buyer, created: utc('2026-01-16T15:00:00Z') });
    await t.load([...paid.objects, buyer, authorizedOnly(held)]);

    await t.deliver(t.event('charge.succeeded', paid.charge), t.event('charge.succeeded', authorizedOnly(held)));
    await t.settle();
    expect(await t.documents({ reference: held.charge.id })).toEqual([]);
    expect(await t.record('charge', held.charge.id)).toMatchObject({ status: 'skipped', lastError: expect.objectContaining({ code: 'CHARGE_NOT_CAPTURED' }) });

    await t.load(held.objects);
    await t.deliver(t.event('charge.captured', held.charge));
    await t.settle();

    const documents = await t.documents();
    expect(typesByReference(documents)).toEqual({ [paid.charge.id]: RECEIPT, [held.charge.id]: RECEIPT });
    const [receipt] = documents.filter((each) => each.reference === paid.charge.id);
    expect(receipt).toMatchObject({ amount: '42.00', currency: 'USD', date: '2026-01-15' });
    expect(receipt?.lines.filter((line) => line.account === t.accounts.clearing)).toEqual([expect.objectContaining({ debit: '42.00', credit: '0.00' })]);
    // The receipt is on the buyer's Sage customer (Sage Accounting keeps the Stripe id as the contact's reference).
    if (RECEIPT[0] === 'cash_receipt') expect(receipt?.customer).toMatchObject(edition === 'sage_accounting' ? { code: buyer.id } : { stripeCustomerId: buyer.id });
    expect(await t.record('charge', paid.charge.id)).toMatchObject({ status: 'synced', sageDocumentId: receipt?.id });
    expect(await t.record('charge', held.charge.id)).toMatchObject({ status: 'synced' });
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('141.00');
    await expectBooksBalanced(t);
  });

  it('charge.refunded with refund.created and refund.updated posts each partial refund once, and a pending refund once it has moved money', async () => {
    const t = await tenant({ edition });
    const buyer = customer();
    const paid = charge({ amount: 10_000, currency: 'usd', customer: buyer });
    const first = refund(paid, { amount: 2_500 });
    const second = refund(paid, { amount: 1_500, created: (paid.charge.created as number) + 7_200 });
    const secondPending = { ...second.refund, status: 'pending', balance_transaction: null };
    await t.load([...paid.objects, ...first.objects, secondPending]);

    await t.deliver(
      t.event('charge.succeeded', paid.charge),
      t.event('charge.refunded', refundedCharge(paid, [2_500])),
      t.event('refund.created', first.refund),
      t.event('refund.created', secondPending),
    );
    await t.settle();
    expect(await t.documents({ reference: second.refund.id as string })).toEqual([]);
    expect(await t.record('refund', second.refund.id as string)).toMatchObject({ status: 'skipped', lastError: expect.objectContaining({ code: 'REFUND_NOT_SETTLED' }) });

    await t.load(second.objects);
    await t.deliver(
      t.event('refund.updated', second.refund),
      t.event('charge.refunded', refundedCharge(paid, [2_500, 1_500])),
      t.event('refund.updated', { ...first.refund, metadata: { note: 'customer called' } }),
    );
    await t.settle();

    const documents = await t.documents();
    expect(typesByReference(documents)).toEqual({ [paid.charge.id]: RECEIPT, [first.refund.id as string]: REFUND, [second.refund.id as string]: REFUND });
    for (const [id, amount] of [[first.refund.id, '25.00'], [second.refund.id, '15.00']] as const) {
      const memos = documents.filter((each) => each.reference === id);
      expect(memos.map((each) => each.amount)).toEqual(REFUND.map(() => amount));
      // However the edition books it, the refund leaves the clearing account, once.
      expect(memos.flatMap((each) => each.lines).filter((line) => line.account === t.accounts.clearing)).toEqual([expect.objectContaining({ credit: amount })]);
      expect(await t.record('refund', id as string)).toMatchObject({ status: 'synced' });
    }
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('60.00');
    expect(await t.balance(t.accounts.refunds, 'USD')).toBe('40.00');
    await expectBooksBalanced(t);
  });

  it('a lost dispute: created with no money moved posts nothing, funds_withdrawn posts the withdrawal, closed (lost) adds nothing', async () => {
    const t = await tenant({ edition });
    const paid = charge({ amount: 6_000, currency: 'usd', customer: customer() });
    const disputed = dispute(paid);
    await t.load([...paid.objects, disputed.withTransactions()]);

    await t.deliver(t.event('charge.succeeded', paid.charge), t.event('charge.dispute.created', disputed.withTransactions()));
    await t.settle();
    expect(typesByReference(await t.documents())).toEqual({ [paid.charge.id]: RECEIPT });
    expect(await t.record('dispute', disputed.id)).toMatchObject({ status: 'skipped', lastError: expect.objectContaining({ code: 'DISPUTE_NO_FUNDS_MOVED' }) });

    const withdrawn = disputed.withTransactions('withdrawn');
    await t.load([withdrawn]);
    await t.deliver(t.event('charge.dispute.funds_withdrawn', withdrawn));
    await t.settle();
    const lost = { ...withdrawn, status: 'lost' };
    await t.load([lost]);
    await t.deliver(t.event('charge.dispute.closed', lost));
    await t.settle();

    const documents = await t.documents();
    expect(typesByReference(documents)).toEqual({ [paid.charge.id]: RECEIPT, [`${disputed.id}:withdrawn`]: ['journal'] });
    const [journal] = documents.filter((each) => each.reference === `${disputed.id}:withdrawn`);
    expect(journal?.lines).toEqual([
      expect.objectContaining({ account: t.accounts.disputes, debit: '60.00', credit: '0.00' }),
      expect.objectContaining({ account: t.accounts.clearing, debit: '0.00', credit: '60.00' }),
    ]);
    expect(await t.record('dispute', disputed.id)).toMatchObject({ status: 'synced' });
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('0.00');
    expect(await t.balance(t.accounts.disputes, 'USD')).toBe('60.00');
    await expectBooksBalanced(t);
  });

  it('a won dispute: funds_withdrawn, funds_reinstated and closed (won) post the withdrawal and the reinstatement, each once', async () => {
    const t = await tenant({ edition });
    const paid = charge({ amount: 6_000, currency: 'usd', customer: customer() });
    const disputed = dispute(paid);
    const withdrawn = disputed.withTransactions('withdrawn');
    const reinstated = { ...disputed.withTransactions('withdrawn', 'reinstated'), status: 'under_review' };
    const won = { ...reinstated, status: 'won' };
    await t.load([...paid.objects, withdrawn]);

    // A chargeback opens with the money already gone: created and funds_withdrawn say the same.
    await t.deliver(t.event('charge.succeeded', paid.charge), t.event('charge.dispute.created', withdrawn), t.event('charge.dispute.funds_withdrawn', withdrawn));
    await t.settle();
    await t.load([reinstated]);
    await t.deliver(t.event('charge.dispute.funds_reinstated', reinstated));
    await t.settle();
    await t.load([won]);
    await t.deliver(t.event('charge.dispute.closed', won));
    await t.settle();

    const documents = await t.documents();
    expect(typesByReference(documents)).toEqual({ [paid.charge.id]: RECEIPT, [`${disputed.id}:withdrawn`]: ['journal'], [`${disputed.id}:reinstated`]: ['journal'] });
    const [back] = documents.filter((each) => each.reference === `${disputed.id}:reinstated`);
    expect(back?.lines).toEqual([
      expect.objectContaining({ account: t.accounts.clearing, debit: '60.00', credit: '0.00' }),
      expect.objectContaining({ account: t.accounts.disputes, debit: '0.00', credit: '60.00' }),
    ]);
    expect(await t.record('dispute', disputed.id)).toMatchObject({ status: 'synced' });
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('60.00');
    expect(await t.balance(t.accounts.disputes, 'USD')).toBe('0.00');
    await expectBooksBalanced(t);
  });

  it('customer.created creates one Sage customer and writes its id into the Stripe metadata; customer.updated finds it again and creates no other', async () => {
    const t = await tenant({ edition, writeBackMetadata: true });
    const fresh = customer({ name: 'Grace Hopper' });
    const known = customer({ email: 'Katherine.Johnson@Example.test', name: 'Katherine Johnson' });
    // Already in Sage before the integration, entered by hand with another e-mail case.
    const existing = stack.sandbox.sandbox.store.createCustomer(t.company, { name: 'K. Johnson', email: 'katherine.johnson@example.test' });
    await t.load([fresh, known]);

    await t.deliver(t.event('customer.created', fresh), t.event('customer.created', known));
    await t.settle();
    // Our own write-back makes Stripe send customer.updated too; so does any edit in the Dashboard.
    const written = await t.stripe.customers.retrieve(fresh.id);
    await t.deliver(
      t.event('customer.updated', written as unknown as typeof fresh),
      t.event('customer.updated', { ...fresh, phone: '+1 312 555 0100' }),
      t.event('customer.updated', known),
    );
    await t.settle();

    const created = await t.sageCustomers(fresh.id);
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ name: 'Grace Hopper', email: fresh.email });
    const sageId = (c: { id: string; code: string }) => (edition === 'sage_accounting' ? c.id : c.code);
    expect((await t.stripe.customers.retrieve(fresh.id)) as { metadata: Record<string, string> }).toMatchObject({ metadata: { [SAGE_CUSTOMER_ID_KEY[edition]]: sageId(created[0]!) } });
    // Matched by e-mail whatever its case, never duplicated, and linked in Stripe.
    expect(await t.sageCustomers()).toHaveLength(2);
    expect((await t.stripe.customers.retrieve(known.id)) as { metadata: Record<string, string> }).toMatchObject({ metadata: { [SAGE_CUSTOMER_ID_KEY[edition]]: sageId(existing) } });
    expect(await t.record('customer', fresh.id)).toMatchObject({ status: 'synced', sageDocumentId: sageId(created[0]!) });
    expect(await t.record('customer', known.id)).toMatchObject({ status: 'synced', sageDocumentId: sageId(existing) });
    expect(await t.documents()).toEqual([]);
  });

  it('with write-back off, customer.created still creates the Sage customer once but writes nothing into Stripe', async () => {
    const t = await tenant({ edition, writeBackMetadata: false });
    const fresh = customer({ name: 'Alan Turing' });
    await t.load([fresh]);

    await t.deliver(t.event('customer.created', fresh), t.event('customer.updated', fresh));
    await t.settle();

    expect(await t.sageCustomers(fresh.id)).toHaveLength(1);
    expect(((await t.stripe.customers.retrieve(fresh.id)) as { metadata: Record<string, string> }).metadata).toEqual({});
    expect(await t.record('customer', fresh.id)).toMatchObject({ status: 'synced' });
  });

  it('customer.subscription.created, updated and deleted keep the subscription on its customer’s record and post no document', async () => {
    const t = await tenant({ edition });
    const subscriber = customer({ name: 'Barbara Liskov' });
    const created = utc('2026-01-10T12:00:00Z');
    const active = subscription(subscriber.id, 'active', created);
    await t.load([subscriber, active]);

    await t.deliver(t.event('customer.subscription.created', active));
    await t.settle();
    const customerRecord = await t.record('customer', subscriber.id);
    expect(customerRecord).toMatchObject({ status: 'synced' });
    expect(await t.record('subscription', active.id)).toMatchObject({
      status: 'skipped',
      parentId: customerRecord?.id,
      lastError: expect.objectContaining({ code: 'SUBSCRIPTION_NO_DOCUMENT', message: expect.stringContaining('status active') }),
    });

    const pastDue = { ...active, status: 'past_due' };
    await t.load([pastDue]);
    await t.deliver(t.event('customer.subscription.updated', pastDue));
    await t.settle();
    expect(await t.record('subscription', active.id)).toMatchObject({ lastError: expect.objectContaining({ message: expect.stringContaining('status past_due') }) });

    const canceled = subscription(subscriber.id, 'canceled', created, active.id);
    await t.load([canceled]);
    await t.deliver(t.event('customer.subscription.deleted', canceled));
    await t.settle();

    expect(await t.record('subscription', active.id)).toMatchObject({ parentId: customerRecord?.id, lastError: expect.objectContaining({ message: expect.stringContaining('status canceled') }) });
    expect(await t.sageCustomers(subscriber.id)).toHaveLength(1);
    expect(await t.documents()).toEqual([]);
  });

  it('payout.paid posts one balanced journal: the bank gets the payout, the fees are expensed, and clearing nets to zero', async () => {
    const t = await tenant({ edition });
    const buyer = customer();
    const big = charge({ amount: 10_000, currency: 'usd', customer: buyer, created: utc('2026-03-02T15:00:00Z') });
    const small = charge({ amount: 5_000, currency: 'usd', customer: buyer, created: utc('2026-03-02T16:00:00Z') });
    const back = refund(big, { amount: 2_000 });
    const paidOut = payoutOf([big.transaction, small.transaction, back.objects[0]!], { created: utc('2026-03-04T12:00:00Z') });
    await t.load([...big.objects, ...small.objects, ...back.objects, ...paidOut.objects]);

    await t.deliver(t.event('charge.succeeded', big.charge), t.event('charge.succeeded', small.charge), t.event('refund.created', back.refund), t.event('payout.paid', paidOut.payout));
    await t.settle();

    // 100.00 − 3.00 fee + 50.00 − 1.50 fee − 20.00 refund
    expect(paidOut.amount).toBe(12_550);
    const journals = await t.documents({ reference: paidOut.payout.id as string });
    expect(journals).toHaveLength(1);
    expect(journals[0]).toMatchObject({ type: 'journal', currency: 'USD', date: '2026-03-06' });
    expect(journals[0]?.lines.filter((line) => line.account === t.accounts.bank)).toEqual([expect.objectContaining({ debit: '125.50' })]);
    expect(journals[0]?.lines.filter((line) => line.account === t.accounts.fees)).toEqual([expect.objectContaining({ debit: '4.50' })]);
    expect(await t.balance(t.accounts.bank, 'USD')).toBe('125.50');
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('0.00');
    expect(await t.record('payout', paidOut.payout.id as string)).toMatchObject({ status: 'synced', sageDocumentId: journals[0]?.id });
    await expectBooksBalanced(t);
  });
});
