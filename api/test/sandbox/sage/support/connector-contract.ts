import { parseDecimal } from '../../../../src/accounting/money.ts';
import type { SageConnector } from '../../../../src/connectors/sage/sage-connector.ts';
import type { CashReceiptInput, InvoiceInput, JournalEntryInput, SageDocumentRef } from '../../../../src/connectors/sage/sage-documents.ts';
import { isSageError, type SageError } from '../../../../src/connectors/sage/sage-error.ts';
import type { InspectedDocument } from './sandbox-harness.ts';

// What the Sage connectors' contract tests share: the failure a call ends in, the sync's
// look-up-then-create, and what the sandbox's books say a document posted.

export async function failureOf(work: Promise<unknown>): Promise<SageError> {
  try {
    await work;
  } catch (error) {
    if (isSageError(error)) return error;
    throw error;
  }
  throw new Error('expected a SageError, but the call succeeded');
}

/** What the sync does on every attempt: look the reference up, and create only when it is missing. */
export async function postUnlessPosted(find: () => Promise<SageDocumentRef | null>, create: () => Promise<SageDocumentRef>): Promise<SageDocumentRef> {
  return (await find()) ?? create();
}

export const postings = (document: InspectedDocument | undefined) => document?.lines.map(({ account, debit, credit }) => ({ account, debit, credit }));

export function isBalanced(document: InspectedDocument | undefined): boolean {
  if (!document) return false;
  const sum = (side: 'debit' | 'credit') => document.lines.reduce((total, line) => total + parseDecimal(line[side], document.currency).minor, 0n);
  return document.lines.length >= 2 && sum('debit') === sum('credit');
}

export async function aCustomer(connector: SageConnector, stripeCustomerId = 'cus_ada', email = 'ada@example.test') {
  return connector.createCustomer({ name: 'Ada Lovelace', email, stripeCustomerId });
}

/** The documents the Sage 500 and Sage Pro contract tests post, in the company's own GL account codes, on a date in an open period. */
export function erpDocuments(gl: { revenue: string; clearing: string; bank: string; fees: string }, openDate: string) {
  function anInvoice(customerId: string, overrides: Partial<InvoiceInput> = {}): InvoiceInput {
    return {
      reference: 'in_1001',
      date: openDate,
      currency: 'USD',
      customerId,
      lines: [{ description: 'Pro plan', quantity: 2, unitAmountMinor: 1999n, glAccount: gl.revenue }],
      ...overrides,
    };
  }

  function aReceipt(customerId: string, overrides: Partial<CashReceiptInput> = {}): CashReceiptInput {
    return { reference: 'ch_2001', date: openDate, currency: 'USD', customerId, amountMinor: 3998n, depositAccount: gl.clearing, offsetAccount: gl.revenue, ...overrides };
  }

  function aPayoutJournal(overrides: Partial<JournalEntryInput> = {}): JournalEntryInput {
    return {
      reference: 'po_3001',
      date: openDate,
      currency: 'USD',
      memo: 'Stripe payout po_3001',
      lines: [
        { account: gl.bank, debitMinor: 9_412n, creditMinor: 0n },
        { account: gl.fees, debitMinor: 588n, creditMinor: 0n },
        { account: gl.clearing, debitMinor: 0n, creditMinor: 10_000n },
      ],
      ...overrides,
    };
  }

  return { anInvoice, aReceipt, aPayoutJournal };
}
