import { describe, expect, it } from 'vitest';
import { buildCompany } from '../../../src/sandbox/sage/demo-companies.ts';
import { LedgerRejection, type RejectionIssue } from '../../../src/sandbox/sage/ledger-rejection.ts';
import { LedgerStore, type PostDocumentInput } from '../../../src/sandbox/sage/ledger-store.ts';

// The ledger's own rules, without HTTP: every dialect reaches them through the same store.

function newBooks() {
  const store = new LedgerStore([buildCompany('sage_pro', 'books', { closedThrough: '2024-03-31' })], { now: () => Date.parse('2024-06-01T00:00:00Z') });
  const customer = store.createCustomer('books', { code: 'ACME', name: 'Acme Ltd', email: 'Billing@Acme.test', stripeCustomerId: 'cus_acme' });
  return { store, customer };
}

function journal(lines: { account: string; debit?: number; credit?: number }[], reference = 'po_1'): PostDocumentInput {
  return {
    posting: { type: 'journal', lines: lines.map((line) => ({ account: line.account, debitMinor: line.debit ?? 0, creditMinor: line.credit ?? 0, memo: null })) },
    reference,
    date: '2024-06-01',
    currency: 'USD',
    customer: null,
  };
}

function receipt(reference: string, overrides: Partial<PostDocumentInput> = {}): PostDocumentInput {
  return {
    posting: { type: 'cash_receipt', amountMinor: 2500, cashAccount: '1150', memo: null },
    reference,
    date: '2024-06-01',
    currency: 'USD',
    customer: { code: 'ACME' },
    ...overrides,
  };
}

function rejectionOf(run: () => unknown): RejectionIssue[] {
  try {
    run();
  } catch (error) {
    if (error instanceof LedgerRejection) return error.issues;
    throw error;
  }
  throw new Error('expected the ledger to refuse');
}

describe('the sandbox ledger refuses what a real ledger refuses', () => {
  it('refuses an unbalanced journal and posts nothing', () => {
    const { store } = newBooks();
    const issues = rejectionOf(() => store.postDocument('books', journal([{ account: '1010', debit: 1000 }, { account: '1150', credit: 999 }])));
    expect(issues).toEqual([expect.objectContaining({ code: 'unbalanced_journal', path: ['lines'], message: expect.stringContaining('debits 10.00 USD, credits 9.99 USD') })]);
    expect(store.findDocuments('books')).toEqual([]);
    expect(store.accountBalance('books', '1010', 'USD')).toMatchObject({ debitMinor: 0, creditMinor: 0 });
  });

  it('refuses a journal line with both a debit and a credit, and a one-line journal', () => {
    const { store } = newBooks();
    expect(rejectionOf(() => store.postDocument('books', journal([{ account: '1010', debit: 100, credit: 100 }, { account: '1150' }])))).toContainEqual(
      expect.objectContaining({ code: 'invalid_amount', path: ['lines', 0, 'debit'] }),
    );
    expect(rejectionOf(() => store.postDocument('books', journal([{ account: '1010', debit: 0 }])))).toContainEqual(expect.objectContaining({ code: 'unbalanced_journal' }));
  });

  it('refuses a GL account that is not in the chart, naming the line', () => {
    const { store } = newBooks();
    const issues = rejectionOf(() => store.postDocument('books', journal([{ account: '1010', debit: 500 }, { account: '9999', credit: 500 }])));
    expect(issues).toEqual([expect.objectContaining({ code: 'unknown_account', path: ['lines', 1, 'account'], message: expect.stringContaining('9999') })]);
  });

  it('refuses a second document of the same type with the same reference, but not another type', () => {
    const { store } = newBooks();
    store.postDocument('books', receipt('ch_1'));
    expect(rejectionOf(() => store.postDocument('books', receipt('ch_1')))).toEqual([expect.objectContaining({ code: 'duplicate_reference', path: ['reference'] })]);
    expect(store.postDocument('books', journal([{ account: '1010', debit: 1 }, { account: '1150', credit: 1 }], 'ch_1')).reference).toBe('ch_1');
    expect(store.findDocuments('books', { reference: 'ch_1' })).toHaveLength(2);
  });

  it('refuses a document dated on or before the closed-through date', () => {
    const { store } = newBooks();
    expect(rejectionOf(() => store.postDocument('books', receipt('ch_2', { date: '2024-03-31' })))).toEqual([expect.objectContaining({ code: 'closed_period', path: ['date'] })]);
    expect(store.postDocument('books', receipt('ch_2', { date: '2024-04-01' })).date).toBe('2024-04-01');
  });

  it('refuses an unknown customer and an invoice number that does not exist', () => {
    const { store } = newBooks();
    expect(rejectionOf(() => store.postDocument('books', receipt('ch_3', { customer: { code: 'NOPE' } })))).toEqual([expect.objectContaining({ code: 'unknown_customer', path: ['customer'] })]);
    expect(rejectionOf(() => store.postDocument('books', receipt('ch_3', { appliesToInvoice: 'INV-999' })))).toEqual([expect.objectContaining({ code: 'unknown_invoice' })]);
  });

  it('reports every problem of a document at once', () => {
    const { store } = newBooks();
    store.postDocument('books', receipt('ch_4'));
    const issues = rejectionOf(() => store.postDocument('books', receipt('ch_4', { date: '2024-01-01', customer: { code: 'NOPE' }, posting: { type: 'cash_receipt', amountMinor: 0, cashAccount: '0000', memo: null } })));
    expect(issues.map((issue) => issue.code).sort()).toEqual(['closed_period', 'duplicate_reference', 'invalid_amount', 'unknown_account', 'unknown_customer']);
  });

  it('refuses a second customer with the same ID', () => {
    const { store } = newBooks();
    expect(rejectionOf(() => store.createCustomer('books', { code: 'ACME', name: 'Other' }))).toEqual([expect.objectContaining({ code: 'duplicate_customer' })]);
  });

  it('posts a receipt as a debit to the clearing account and a credit to receivables', () => {
    const { store } = newBooks();
    const document = store.postDocument('books', receipt('ch_5'));
    expect(document.lines).toEqual([
      { account: '1150', debitMinor: 2500, creditMinor: 0, memo: null },
      { account: '1200', debitMinor: 0, creditMinor: 2500, memo: null },
    ]);
    expect(store.accountBalance('books', '1150', 'USD')).toMatchObject({ debitMinor: 2500, creditMinor: 0 });
  });

  it('posts an invoice with a discount line as balanced lines, the discount debiting its account', () => {
    const { store } = newBooks();
    const document = store.postDocument('books', {
      posting: { type: 'invoice', lines: [{ account: '4000', amountMinor: 10000, memo: 'Plan' }, { account: '4050', amountMinor: -1500, memo: 'Coupon' }] },
      reference: 'in_1',
      date: '2024-06-01',
      currency: 'USD',
      customer: { code: 'ACME' },
    });
    expect(document.amountMinor).toBe(8500);
    const debits = document.lines.reduce((total, line) => total + line.debitMinor, 0);
    const credits = document.lines.reduce((total, line) => total + line.creditMinor, 0);
    expect(debits).toBe(credits);
    expect(document.lines).toContainEqual({ account: '4050', debitMinor: 1500, creditMinor: 0, memo: 'Coupon' });
  });

  it('finds customers by email without regard to case, and by Stripe id', () => {
    const { store, customer } = newBooks();
    expect(store.findCustomers('books', { email: 'billing@acme.TEST' })).toEqual([customer]);
    expect(store.findCustomers('books', { stripeCustomerId: 'cus_acme' })).toEqual([customer]);
    expect(store.findCustomers('books', { stripeCustomerId: 'cus_other' })).toEqual([]);
  });

  it('survives a snapshot round trip with its indexes, so duplicates are still refused', () => {
    const { store } = newBooks();
    store.postDocument('books', receipt('ch_6'));
    const restored = LedgerStore.fromSnapshot(JSON.parse(JSON.stringify(store.snapshot())));
    expect(rejectionOf(() => restored.postDocument('books', receipt('ch_6')))).toEqual([expect.objectContaining({ code: 'duplicate_reference' })]);
    expect(restored.accountBalance('books', '1150', 'USD')).toMatchObject({ debitMinor: 2500 });
    expect(restored.createCustomer('books', { name: 'Next' }).id).not.toBe(store.findCustomers('books')[0]?.id);
  });
});
