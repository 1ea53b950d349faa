import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';
import { charge, customer, dispute, payoutOf, refund, utc } from './support/stripe-builders.ts';
import { connectTenant, EDITIONS, expectBooksBalanced, LANDS_AS, typesByReference, type SignedEvent } from './support/tenant.ts';

// Exactly once when things arrive in the wrong order or go missing on the way: a refund whose
// charge Sage has not seen yet, and Sage committing a document whose answer never reaches us (the
// sandbox's commit-then-drop fault). Each Sage document exists exactly once, counted by its
// reference in the sandbox.

let stack: EndToEndStack;

beforeAll(async () => {
  stack = await startEndToEndStack();
}, 60_000);
afterAll(() => stack?.close());

describe.concurrent.each(EDITIONS)('out of order and lost answers, into %s', { timeout: 90_000 }, (edition) => {
  it('a refund that arrives before its charge posts the charge first, then the refund, each once', async () => {
    const t = await connectTenant(stack, { edition });
    const paid = charge({ amount: 8_000, currency: 'usd', customer: customer() });
    const back = refund(paid, { amount: 3_000 });
    await t.load([...paid.objects, ...back.objects]);

    const refundCreated = t.event('refund.created', back.refund);
    await t.deliver(refundCreated);
    await t.settle();
    // The refund's own job synced the charge, before posting the refund out of clearing.
    const chargeRecord = await t.record('charge', paid.charge.id);
    expect(chargeRecord).toMatchObject({ status: 'synced' });
    const chargeAttempts = await stack.db.prisma.syncAttempt.findMany({ where: { syncRecordId: chargeRecord!.id } });
    expect(chargeAttempts).toEqual([expect.objectContaining({ outcome: 'succeeded', eventId: refundCreated.id })]);
    expect(await t.record('refund', back.refund.id as string)).toMatchObject({ status: 'synced', parentId: chargeRecord!.id });

    await t.deliver(t.event('charge.succeeded', paid.charge));
    await t.settle();

    const { receipt, refund: refunds } = LANDS_AS[edition];
    const documents = await t.documents();
    expect(typesByReference(documents)).toEqual({ [paid.charge.id]: receipt, [back.refund.id as string]: refunds });
    // The sandbox lists a company's documents in the order they were posted: the receipt came first.
    expect(documents.map((each) => each.reference)).toEqual([...receipt.map(() => paid.charge.id), ...refunds.map(() => back.refund.id)]);
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('50.00');
    await expectBooksBalanced(t);
  });

  it('Sage commits each document but the answer is lost (commit-then-drop): the retry finds it, and each exists once', async () => {
    const t = await connectTenant(stack, { edition });
    const buyer = customer();
    const paid = charge({ amount: 9_000, currency: 'usd', customer: buyer, created: utc('2026-07-01T15:00:00Z') });
    const back = refund(paid, { amount: 2_000 });
    const chargedBack = charge({ amount: 1_000, currency: 'usd', customer: buyer, created: utc('2026-07-01T16:00:00Z') });
    const withdrawn = dispute(chargedBack).withTransactions('withdrawn');
    const paidOut = payoutOf([paid.transaction, back.objects[0]!, chargedBack.transaction, ...(withdrawn.balance_transactions as LoadableStripeObject[])], { created: utc('2026-07-03T12:00:00Z') });
    await t.load([...paid.objects, ...back.objects, ...chargedBack.objects, withdrawn, ...paidOut.objects]);
    // The customer first, so that the next write each time is the document itself.
    await t.deliver(t.event('customer.created', buyer));
    await t.settle();

    const { receipt, refund: refunds, journal } = LANDS_AS[edition];
    const steps: { event: SignedEvent; type: 'charge' | 'refund' | 'dispute' | 'payout'; id: string; reference: string; writes: number }[] = [
      { event: t.event('charge.succeeded', paid.charge), type: 'charge', id: paid.charge.id, reference: paid.charge.id, writes: receipt.length },
      { event: t.event('refund.created', back.refund), type: 'refund', id: back.refund.id as string, reference: back.refund.id as string, writes: refunds.length },
      { event: t.event('charge.succeeded', chargedBack.charge), type: 'charge', id: chargedBack.charge.id, reference: chargedBack.charge.id, writes: receipt.length },
      { event: t.event('charge.dispute.funds_withdrawn', withdrawn), type: 'dispute', id: withdrawn.id, reference: `${withdrawn.id}:withdrawn`, writes: journal.length },
      { event: t.event('payout.paid', paidOut.payout), type: 'payout', id: paidOut.payout.id as string, reference: paidOut.payout.id as string, writes: 1 },
    ];
    for (const step of steps) {
      // Sage commits the document and the socket dies before its answer. (Sage Accounting's refund is
      // two writes, a credit note and a customer refund: two answers are lost, the second being the
      // replay of the first on the retry, which the idempotency id makes a replay, not a copy.)
      await t.setFaults({ commitThenDropNext: step.writes });
      await t.deliver(step.event);
      await t.settle({ retryNow: true });

      const { body: faults } = await stack.sandbox.getJson<{ commitThenDropNext: number }>(`/_sandbox/companies/${t.company}/faults`);
      expect(faults.commitThenDropNext, `${step.type} ${step.id}: the drop happened`).toBe(0);
      expect((await t.documents({ reference: step.reference })).map((each) => each.type).sort(), `${step.type} ${step.id}`).toEqual(step.type === 'charge' ? receipt : step.type === 'refund' ? refunds : ['journal']);
      const record = await t.record(step.type, step.id);
      expect(record, `${step.type} ${step.id}`).toMatchObject({ status: 'synced' });
      // The lost answer was a failed attempt, retried: not a document posted without a trace.
      const outcomes = (await stack.db.prisma.syncAttempt.findMany({ where: { syncRecordId: record!.id }, orderBy: { number: 'asc' } })).map((each) => each.outcome);
      expect(outcomes, `${step.type} ${step.id}`).toContain('retry_scheduled');
      expect(outcomes.at(-1)).toBe('succeeded');
    }

    expect(typesByReference(await t.documents())).toEqual({
      [paid.charge.id]: receipt,
      [back.refund.id as string]: refunds,
      [chargedBack.charge.id]: receipt,
      [`${withdrawn.id}:withdrawn`]: journal,
      [paidOut.payout.id as string]: ['journal'],
    });
    expect(await t.sageCustomers()).toHaveLength(1);
    expect(await t.balance(t.accounts.clearing, 'USD')).toBe('0.00');
    await expectBooksBalanced(t);
  });
});
