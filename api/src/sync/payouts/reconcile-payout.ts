import type Stripe from 'stripe';
import { Prisma, type GlAccountRole, type Integration, type PayoutReconciliation } from '@sagesync/db';
import { chooseGlAccounts, requireGlAccounts, type GlRuleRow } from '../../accounting/gl-rules.ts';
import { unixToLocalDate } from '../../accounting/local-date.ts';
import { money } from '../../accounting/money.ts';
import type { AccountsForCategory, PayoutFacts } from '../../accounting/payout-journal.ts';
import type { JournalEntryInput, SageDocumentRef } from '../../connectors/sage/sage-documents.ts';
import { normalizeBalanceTransaction, type NormalizedBalanceTransaction } from '../../connectors/stripe/stripe-balance-transactions.ts';
import type { Logger } from '../../observability/logger.ts';
import type { SyncServices } from '../sync-services.ts';
import { buildPayoutJournalWithHistory, categoryTotalsOf, type PayoutJournalWithHistoryResult } from './build-payout-journal-with-history.ts';
import type { PayoutReconciliationSummary } from './payout-reconciliation-summary.ts';

// payout.paid → every balance transaction of the payout (all pages) → one journal entry grouped by
// reporting category → proved (balanced, and the transactions sum exactly to the payout) → posted
// to Sage once, keyed by the payout id → the PayoutReconciliation row the Stripe App shows.
//
// Idempotent: delivery is at least once. A posted reconciliation is final; otherwise Sage is asked
// for the payout's journal before creating one, because the answer to an earlier create may have
// been lost after Sage committed it.

export type ReconcilePayoutInput = {
  services: SyncServices;
  integration: Integration;
  payoutId: string;
  /** The Stripe event that asked for this (payout.paid), for the log. */
  eventId?: string | null;
  /** The job's logger; the services' logger when absent. */
  log?: Logger;
};

/** What the job records on the payout's SyncRecord. */
export type ReconcilePayoutResult = {
  status: 'posted' | 'held' | 'pending';
  documentId?: string;
  documentNumber?: string;
  /** Why it is held or pending, in words a finance admin reads. */
  reason?: string;
  /** The payout's amount, for its sync record (what a reviewer of a held payout sees first). */
  amountMinor: bigint;
  currency: string;
};

/** The roles a payout journal can post to; fx is never posted (journals carry settlement amounts). */
const PAYOUT_ROLES = ['clearing', 'bank', 'revenue', 'fees', 'refunds', 'disputes', 'adjustments'] as const satisfies readonly GlAccountRole[];

type Hold = { code: string; message: string };

type ReconciliationFields = Omit<Prisma.PayoutReconciliationUncheckedCreateInput, 'orgId' | 'integrationId' | 'payoutId' | 'currency' | 'payoutAmountMinor'>;
type StoreReconciliation = (data: ReconciliationFields) => Promise<PayoutReconciliation>;

export async function reconcilePayout(input: ReconcilePayoutInput): Promise<ReconcilePayoutResult> {
  const { services, integration, payoutId } = input;
  const { prisma } = services;
  const log = (input.log ?? services.log).child({ job: 'reconcile-payout', orgId: integration.orgId, integrationId: integration.id, payoutId, eventId: input.eventId ?? null });
  const key = { integrationId_payoutId: { integrationId: integration.id, payoutId } };

  const existing = await prisma.payoutReconciliation.findUnique({ where: key });
  if (existing?.status === 'posted' && existing.journalDocumentId) {
    log.info({ journalDocumentId: existing.journalDocumentId }, 'payout already reconciled');
    return postedResult(existing);
  }

  const stripe = await services.stripeFor(integration);
  const payout = await stripe.retrievePayout(payoutId);
  const facts = payoutFacts(payout, integration.timeZone);
  const base = {
    orgId: integration.orgId,
    currency: facts.currency,
    payoutAmountMinor: facts.amountMinor,
    arrivalDate: new Date(payout.arrival_date * 1000),
  };
  const store: StoreReconciliation = (data) =>
    prisma.payoutReconciliation.upsert({
      where: key,
      create: { ...base, integrationId: integration.id, payoutId, ...data },
      update: { ...base, ...data },
    });

  if (payout.status !== 'paid') {
    const reason = `Stripe reports this payout as ${payout.status}; it is reconciled once it is paid.`;
    await store({ status: 'pending', heldReason: reason });
    log.info({ payoutStatus: payout.status }, 'payout not paid yet: left pending');
    return { status: 'pending', reason, amountMinor: facts.amountMinor, currency: facts.currency };
  }

  const mode = integration.postingMode;
  if (!facts.automatic) {
    // Stripe does not link a manual payout to the transactions it paid out, so none are listed.
    const built = buildPayoutJournalWithHistory({ payout: facts, transactions: [], mode, accountsFor: noAccounts, postedIndividually: () => true });
    const hold = proveJournal(built, facts, []) ?? { code: 'manual_payout', message: 'This is a manual payout: it is held for review.' };
    await store({ status: 'held', heldReason: hold.message, transactionsTotalMinor: null, differenceMinor: null, transactionCount: null, summary: summaryJson(mode, built, hold), journalDocumentId: null, journalNumber: null, postedAt: null });
    log.warn({ hold: hold.code }, 'manual payout held for review');
    return { status: 'held', reason: hold.message, amountMinor: facts.amountMinor, currency: facts.currency };
  }

  const transactions: NormalizedBalanceTransaction[] = [];
  const seen = new Set<string>();
  let duplicate: string | undefined;
  for await (const raw of stripe.listPayoutBalanceTransactions(payoutId)) {
    if (seen.has(raw.id)) duplicate ??= raw.id;
    seen.add(raw.id);
    transactions.push(normalizeBalanceTransaction(raw));
  }
  const transactionCount = transactions.filter((t) => t.type !== 'payout').length;

  let built: PayoutJournalWithHistoryResult;
  try {
    const rules = await prisma.glRule.findMany({ where: { orgId: integration.orgId, integrationId: integration.id }, orderBy: { position: 'asc' } });
    const syncStartMs = integration.syncStartAt.getTime();
    built = buildPayoutJournalWithHistory({
      payout: facts,
      transactions,
      mode,
      accountsFor: accountsFromRules(rules, facts.currency, transactions),
      // Only what the sync saw happen was posted on its own; older money never reached clearing.
      postedIndividually: (t) => t.created * 1000 >= syncStartMs,
    });
  } catch (error) {
    await recordFailure(store, error);
    throw error;
  }

  const hold = duplicate
    ? { code: 'duplicate_transaction', message: `Stripe listed balance transaction ${duplicate} twice for this payout; it is held rather than counted twice.` }
    : proveJournal(built, facts, transactions);
  const totals = { transactionsTotalMinor: built.transactionsNetMinor, differenceMinor: facts.amountMinor - built.transactionsNetMinor, transactionCount };
  if (hold) {
    await store({ status: 'held', heldReason: hold.message, ...totals, summary: summaryJson(mode, built, hold), journalDocumentId: null, journalNumber: null, postedAt: null });
    log.warn({ hold: hold.code, differenceMinor: totals.differenceMinor.toString() }, 'payout held for review');
    return { status: 'held', reason: hold.message, amountMinor: facts.amountMinor, currency: facts.currency };
  }
  if (!built.ok) throw new Error('unreachable: an unproved journal is held above');

  const entry: JournalEntryInput = {
    reference: payoutId,
    date: built.date,
    currency: built.currency,
    memo: built.memo,
    lines: built.lines.map((line) => ({ account: line.account, debitMinor: line.debitMinor, creditMinor: line.creditMinor, memo: line.memo })),
  };
  let document: SageDocumentRef;
  try {
    const sage = await services.sageFor(integration);
    document = (await sage.findDocumentByReference('journal_entry', payoutId)) ?? (await sage.createJournalEntry(entry));
  } catch (error) {
    await recordFailure(store, error, { ...totals, summary: summaryJson(mode, built, null) });
    throw error;
  }

  const row = await store({
    status: 'posted',
    ...totals,
    summary: summaryJson(mode, built, null),
    journalDocumentId: document.id,
    journalNumber: document.number,
    heldReason: null,
    postedAt: new Date(services.now()),
  });
  log.info({ journalDocumentId: document.id, journalNumber: document.number, transactionCount, lines: entry.lines.length }, 'payout journal posted');
  return postedResult(row);
}

function payoutFacts(payout: Stripe.Payout, timeZone: string): PayoutFacts {
  const amount = money(payout.amount, payout.currency);
  return { id: payout.id, amountMinor: amount.minor, currency: amount.currency, automatic: payout.automatic, arrivalDate: unixToLocalDate(payout.arrival_date, timeZone) };
}

/**
 * The accounts of each reporting category, chosen by the integration's GL rules with the facts
 * `{ reportingCategory, currency }`. The journal has one line per category, so an amount condition
 * sees the category's total. Memoised: a payout has a handful of categories and thousands of rows.
 */
function accountsFromRules(rules: readonly GlRuleRow[], currency: string, transactions: readonly NormalizedBalanceTransaction[]): AccountsForCategory {
  const amountOf = new Map<string, bigint>();
  for (const t of transactions) amountOf.set(t.reportingCategory, (amountOf.get(t.reportingCategory) ?? 0n) + t.amountMinor);
  const chosen = new Map<string, ReturnType<AccountsForCategory>>();
  return (reportingCategory) => {
    let accounts = chosen.get(reportingCategory);
    if (!accounts) {
      const facts = { reportingCategory, currency, amountMinor: amountOf.get(reportingCategory) ?? 0n };
      const required = requireGlAccounts(rules, facts, PAYOUT_ROLES);
      // fx is not required (never posted here); the adjustments account stands in if no rule names it.
      accounts = { ...required, fx: chooseGlAccounts(rules, facts).accounts.fx ?? required.adjustments };
      chosen.set(reportingCategory, accounts);
    }
    return accounts;
  };
}

/** A manual payout is held before any account is chosen. */
const noAccounts: AccountsForCategory = () => {
  throw new Error('a manual payout chooses no accounts');
};

/**
 * The last proof before anything reaches Sage: every line is one-sided and positive, debits equal
 * credits, the transactions' net sums exactly to the payout, and the payout's own balance
 * transaction is exactly the payout. Anything else is held for a person, never posted.
 */
function proveJournal(built: PayoutJournalWithHistoryResult, payout: PayoutFacts, transactions: readonly NormalizedBalanceTransaction[]): Hold | null {
  if (!built.ok) return { code: built.reason, message: built.message };
  let debits = 0n;
  let credits = 0n;
  for (const line of built.lines) {
    if (line.debitMinor < 0n || line.creditMinor < 0n || (line.debitMinor === 0n) === (line.creditMinor === 0n)) {
      return { code: 'unbalanced', message: `A journal line for ${line.account} is not a single positive debit or credit; nothing was posted.` };
    }
    debits += line.debitMinor;
    credits += line.creditMinor;
  }
  if (debits !== credits) return { code: 'unbalanced', message: `The journal's debits (${debits}) and credits (${credits}) differ; nothing was posted.` };
  if (built.transactionsNetMinor !== payout.amountMinor) {
    return { code: 'sum_mismatch', message: `The payout's transactions add up to ${built.transactionsNetMinor} minor units, the payout is ${payout.amountMinor}.` };
  }
  const own = transactions.filter((t) => t.type === 'payout');
  const wrong = own.find((t) => t.sourceId !== payout.id || t.amountMinor !== -payout.amountMinor);
  if (own.length > 1 || wrong) {
    const message = wrong
      ? `The payout's own balance transaction ${wrong.id} (${wrong.amountMinor} minor units) does not mirror the payout of ${payout.amountMinor}.`
      : `Stripe listed ${own.length} payout balance transactions for one payout.`;
    return { code: 'payout_transaction_mismatch', message };
  }
  return null;
}

function summaryJson(mode: PayoutReconciliationSummary['mode'], built: PayoutJournalWithHistoryResult, hold: Hold | null): Prisma.InputJsonValue {
  const summary: PayoutReconciliationSummary = {
    mode,
    categories: categoryTotalsOf(built.totals).map((t) => ({
      category: t.category,
      history: t.history,
      count: t.count,
      amountMinor: t.amountMinor.toString(),
      feeMinor: t.feeMinor.toString(),
      netMinor: t.netMinor.toString(),
    })),
    lines:
      built.ok && !hold
        ? built.lines.map((l) => ({ account: l.account, debitMinor: l.debitMinor.toString(), creditMinor: l.creditMinor.toString(), memo: l.memo }))
        : [],
    historyTransactionCount: built.historyTransactionCount,
    ...(hold ? { holdCode: hold.code } : {}),
  };
  return summary;
}

async function recordFailure(store: StoreReconciliation, error: unknown, extra: Partial<ReconciliationFields> = {}): Promise<void> {
  // What the admin sees until a retry succeeds; the job keeps the error's code and retryability.
  const message = error instanceof Error ? error.message : String(error);
  await store({ status: 'failed', heldReason: message, ...extra }).catch(() => undefined);
}

function postedResult(row: PayoutReconciliation): ReconcilePayoutResult {
  return { status: 'posted', amountMinor: row.payoutAmountMinor, currency: row.currency, ...(row.journalDocumentId ? { documentId: row.journalDocumentId } : {}), ...(row.journalNumber ? { documentNumber: row.journalNumber } : {}) };
}
