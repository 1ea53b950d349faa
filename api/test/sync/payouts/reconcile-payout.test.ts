import { generateMasterKey, loadKeyring } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INDIVIDUALLY_POSTED_CATEGORIES } from '../../../src/accounting/payout-journal.ts';
import { ZPayoutReconciliationSummary } from '../../../src/sync/payouts/payout-reconciliation-summary.ts';
import { reconcilePayout } from '../../../src/sync/payouts/reconcile-payout.ts';
import { amountIn, startPayoutWorld, zeroIn, type PayoutWorld } from './support/payout-harness.ts';
import { buildStripeScenario, type StripeScenario } from '../../../src/sandbox/stripe-fake/scenario-builder.ts';

const keyring = loadKeyring({ key: generateMasterKey(), keyId: 'k1' });
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db.dispose();
});

const world = (options: Parameters<typeof startPayoutWorld>[2]) => startPayoutWorld(db.prisma, keyring, options);

function reconcile(w: PayoutWorld, payoutId: string) {
  return reconcilePayout({ services: w.services, integration: w.integration, payoutId, eventId: 'evt_payout_paid', log: w.services.log });
}

function row(w: PayoutWorld, payoutId: string) {
  return db.prisma.payoutReconciliation.findUniqueOrThrow({ where: { integrationId_payoutId: { integrationId: w.integration.id, payoutId } } });
}

async function journalsOf(w: PayoutWorld, payoutId: string) {
  return w.sandbox.documents(w.company, { type: 'journal', reference: payoutId });
}

/** Gross of what per-transaction mode posts one by one (charges in, refunds and disputes out). */
function individuallyPostedGross(scenario: StripeScenario): number {
  return scenario.balanceTransactions
    .filter((t) => INDIVIDUALLY_POSTED_CATEGORIES.has(t.reporting_category))
    .reduce((sum, t) => sum + t.amount, 0);
}

describe('reconciling a paid payout', () => {
  it('in per-transaction mode posts one balanced journal, the bank gets the payout, and clearing nets to exactly zero with the individual postings (Sage 50)', async () => {
    const w = await world({ edition: 'sage50', postingMode: 'per_transaction' });
    const scenario = await w.loadScenario({ seed: 11, size: 60 });
    const individually = await w.postIndividually(scenario, w.integration.syncStartAt);
    expect(individually).toBeGreaterThan(0);

    const result = await reconcile(w, scenario.payout.id);

    expect(result).toMatchObject({ status: 'posted', documentId: expect.any(String), documentNumber: expect.any(String) });
    const journals = await journalsOf(w, scenario.payout.id);
    expect(journals).toHaveLength(1);
    const [journal] = journals;
    expect(journal?.id).toBe(result.documentId);
    expect(journal?.lines.filter((l) => l.account === w.accounts.bank)).toEqual([expect.objectContaining({ debit: amountIn(scenario.payout.amount, 'usd') })]);
    expect(await w.balance(w.accounts.clearing, 'USD')).toBe(zeroIn('usd'));
    expect(await w.balance(w.accounts.bank, 'USD')).toBe(amountIn(scenario.payout.amount, 'usd'));

    const stored = await row(w, scenario.payout.id);
    expect(stored).toMatchObject({
      status: 'posted',
      payoutAmountMinor: BigInt(scenario.payout.amount),
      transactionsTotalMinor: BigInt(scenario.payout.amount),
      differenceMinor: 0n,
      transactionCount: 59,
      journalDocumentId: result.documentId,
      journalNumber: result.documentNumber,
      heldReason: null,
    });
    expect(stored.postedAt).toBeInstanceOf(Date);
    const summary = ZPayoutReconciliationSummary.parse(stored.summary);
    expect(summary.categories.reduce((sum, c) => sum + c.count, 0)).toBe(59);
    expect(summary.categories.reduce((sum, c) => sum + BigInt(c.netMinor), 0n)).toBe(BigInt(scenario.payout.amount));
    expect(summary.categories.find((c) => c.category === 'charge')).toMatchObject({ history: false, amountMinor: expect.stringMatching(/^\d+$/) });
  });

  it('in payout-summary mode posts one journal per payout to each category’s own account and leaves clearing untouched (Sage Pro)', async () => {
    const w = await world({ edition: 'sage_pro', postingMode: 'payout_summary' });
    const scenario = await w.loadScenario({ seed: 12, size: 45 });
    const charges = scenario.balanceTransactions.filter((t) => t.reporting_category === 'charge').reduce((sum, t) => sum + t.amount, 0);

    const result = await reconcile(w, scenario.payout.id);

    expect(result.status).toBe('posted');
    expect(await journalsOf(w, scenario.payout.id)).toHaveLength(1);
    expect(await w.sandbox.documents(w.company)).toHaveLength(1);
    expect(await w.balance(w.accounts.clearing, 'USD')).toBe(zeroIn('usd'));
    expect(await w.balance(w.accounts.revenue, 'USD')).toBe(amountIn(-charges, 'usd'));
    expect(await w.balance(w.accounts.bank, 'USD')).toBe(amountIn(scenario.payout.amount, 'usd'));
  });

  it('is exact to the yen for a JPY payout in per-transaction mode (Sage 500)', async () => {
    const w = await world({ edition: 'sage500', postingMode: 'per_transaction' });
    const scenario = await w.loadScenario({ seed: 13, size: 50, currency: 'jpy' });
    await w.postIndividually(scenario, w.integration.syncStartAt);

    expect(await reconcile(w, scenario.payout.id)).toMatchObject({ status: 'posted' });

    expect(await w.balance(w.accounts.bank, 'JPY')).toBe(amountIn(scenario.payout.amount, 'jpy'));
    expect(await w.balance(w.accounts.clearing, 'JPY')).toBe('0');
    expect(await row(w, scenario.payout.id)).toMatchObject({ currency: 'JPY', differenceMinor: 0n, payoutAmountMinor: BigInt(scenario.payout.amount) });
  });

  it('is exact to the fils for a three-decimal BHD payout in per-transaction and payout-summary mode (Sage 50, Sage Pro)', async () => {
    for (const [edition, postingMode] of [['sage50', 'per_transaction'], ['sage_pro', 'payout_summary']] as const) {
      const w = await world({ edition, postingMode });
      const scenario = await w.loadScenario({ seed: 14, size: 50, currency: 'bhd' });
      if (postingMode === 'per_transaction') await w.postIndividually(scenario, w.integration.syncStartAt);

      expect(await reconcile(w, scenario.payout.id)).toMatchObject({ status: 'posted' });

      expect(await w.balance(w.accounts.bank, 'BHD')).toBe(amountIn(scenario.payout.amount, 'bhd'));
      expect(await w.balance(w.accounts.clearing, 'BHD')).toBe('0.000');
    }
  });

  it('posts once when reconciled twice, and again once when the stored result was lost after Sage committed (Sage Accounting)', async () => {
    const w = await world({ edition: 'sage_accounting', postingMode: 'payout_summary' });
    const scenario = await w.loadScenario({ seed: 15, size: 30 });

    const first = await reconcile(w, scenario.payout.id);
    const second = await reconcile(w, scenario.payout.id);
    expect(second).toEqual(first);

    // The job crashed between Sage's answer and our write: Sage is asked before creating again.
    await db.prisma.payoutReconciliation.delete({ where: { integrationId_payoutId: { integrationId: w.integration.id, payoutId: scenario.payout.id } } });
    const third = await reconcile(w, scenario.payout.id);
    expect(third).toEqual(first);

    expect(await journalsOf(w, scenario.payout.id)).toHaveLength(1);
    expect(await db.prisma.payoutReconciliation.count({ where: { integrationId: w.integration.id } })).toBe(1);
    expect(await w.balance(w.accounts.bank, 'USD')).toBe(amountIn(scenario.payout.amount, 'usd'));
  });

  it('moves history (created before the sync started) to its own accounts, so clearing still nets to zero on the first payout (Sage Accounting)', async () => {
    const scenario = buildStripeScenario({ seed: 16, size: 40, events: false });
    const charges = scenario.balanceTransactions.filter((t) => t.reporting_category === 'charge');
    const syncStartAt = new Date((charges[Math.floor(charges.length / 2)] as { created: number }).created * 1000);
    const w = await world({ edition: 'sage_accounting', postingMode: 'per_transaction', syncStartAt });
    await w.loadObjects(scenario.objects);
    await w.postIndividually(scenario, syncStartAt);

    expect(await reconcile(w, scenario.payout.id)).toMatchObject({ status: 'posted' });

    expect(await w.balance(w.accounts.clearing, 'USD')).toBe(zeroIn('usd'));
    expect(await w.balance(w.accounts.bank, 'USD')).toBe(amountIn(scenario.payout.amount, 'usd'));
    const history = charges.filter((t) => t.created * 1000 < syncStartAt.getTime());
    const summary = ZPayoutReconciliationSummary.parse((await row(w, scenario.payout.id)).summary);
    expect(summary.categories.find((c) => c.category === 'charge' && c.history)).toMatchObject({ count: history.length });
    expect(summary.historyTransactionCount).toBeGreaterThanOrEqual(history.length);
  });

  it('holds a payout whose transactions do not add up to it, storing the difference and posting nothing (Sage 50)', async () => {
    const w = await world({ edition: 'sage50', postingMode: 'per_transaction' });
    const scenario = await w.loadScenario({ seed: 17, size: 30 });
    const charge = scenario.balanceTransactions.find((t) => t.reporting_category === 'charge');
    if (!charge) throw new Error('the scenario has no charge');
    // Stripe's copy of one charge now says one cent more: amount and net agree, the payout does not.
    await w.loadObjects([{ ...charge, amount: charge.amount + 1, net: charge.net + 1, payout: scenario.payout.id }]);

    const result = await reconcile(w, scenario.payout.id);

    expect(result).toMatchObject({ status: 'held', reason: expect.stringMatching(/add up to/) });
    expect(await row(w, scenario.payout.id)).toMatchObject({
      status: 'held',
      differenceMinor: -1n,
      transactionsTotalMinor: BigInt(scenario.payout.amount + 1),
      journalDocumentId: null,
      heldReason: result.reason,
    });
    expect(ZPayoutReconciliationSummary.parse((await row(w, scenario.payout.id)).summary)).toMatchObject({ holdCode: 'sum_mismatch', lines: [] });
    expect(await w.sandbox.documents(w.company)).toHaveLength(0);
  });

  it('holds a manual payout rather than guessing its transactions (Sage Pro)', async () => {
    const w = await world({ edition: 'sage_pro', postingMode: 'payout_summary' });
    const scenario = await w.loadScenario({ seed: 18, size: 20 }, (objects) =>
      objects.map((object) => (object.object === 'payout' ? { ...object, automatic: false } : object)),
    );

    const result = await reconcile(w, scenario.payout.id);

    expect(result).toMatchObject({ status: 'held', reason: expect.stringMatching(/manual payout/), amountMinor: BigInt(scenario.payout.amount), currency: String(scenario.payout.currency).toUpperCase() });
    expect(await row(w, scenario.payout.id)).toMatchObject({ status: 'held', journalDocumentId: null, payoutAmountMinor: BigInt(scenario.payout.amount) });
    expect(await w.sandbox.documents(w.company)).toHaveLength(0);
  });

  it('records a payout that is not paid yet as pending and posts nothing (Sage 50)', async () => {
    const w = await world({ edition: 'sage50', postingMode: 'per_transaction' });
    const scenario = await w.loadScenario({ seed: 19, size: 20 }, (objects) =>
      objects.map((object) => (object.object === 'payout' ? { ...object, status: 'in_transit' } : object)),
    );

    const result = await reconcile(w, scenario.payout.id);

    expect(result).toMatchObject({ status: 'pending', reason: expect.stringMatching(/in_transit/) });
    expect(await row(w, scenario.payout.id)).toMatchObject({ status: 'pending', journalDocumentId: null });
    expect(await w.sandbox.documents(w.company)).toHaveLength(0);
  });

  it('reconciles a payout of 10,000 balance transactions in one journal (Sage 500)', async () => {
    const w = await world({ edition: 'sage500', postingMode: 'per_transaction' });
    const scenario = await w.loadScenario({ seed: 10_000, size: 10_000 });

    expect(await reconcile(w, scenario.payout.id)).toMatchObject({ status: 'posted' });

    const journals = await journalsOf(w, scenario.payout.id);
    expect(journals).toHaveLength(1);
    expect(await w.balance(w.accounts.bank, 'USD')).toBe(amountIn(scenario.payout.amount, 'usd'));
    // Without the individual postings (not made here), clearing holds exactly what the payout moved out of it.
    expect(await w.balance(w.accounts.clearing, 'USD')).toBe(amountIn(-individuallyPostedGross(scenario), 'usd'));
    expect(await row(w, scenario.payout.id)).toMatchObject({ status: 'posted', transactionCount: 9_999, differenceMinor: 0n });
  });
});
