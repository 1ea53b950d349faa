import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCompany } from '../../../src/sandbox/sage/demo-companies.ts';
import { cents, expectSocketFailure, startSandbox, type RunningSandbox } from './support/sandbox-harness.ts';

const BASE = '/sage500/demo-500/Sage500API';
const KEY = { 'x-api-key': 'demo-500-agent-key' };

type Errors = { errors: { code: string; field: string | null; message: string }[] };

describe('Sage 500 dialect', () => {
  let s: RunningSandbox;
  beforeAll(async () => {
    s = await startSandbox();
  });
  afterAll(() => s.close());
  afterEach(() => s.clearFaults('demo-500'));

  const post = <T = Record<string, unknown>>(path: string, body: unknown) => s.sendJson<T>('POST', `${BASE}${path}`, body, KEY);
  const customer = (overrides: Record<string, unknown> = {}) => post('/Customers', { CustomerName: 'Grace Hopper', ...overrides });

  describe('authentication through the agent', () => {
    it('refuses a request without an API key, with the wrong key, and with another company key', async () => {
      s.sandbox.store.addCompany(buildCompany('sage500', 'other-500', { apiKey: 'other-agent-key' }));
      expect((await s.getJson('/sage500/other-500/Sage500API/Customers', { 'x-api-key': 'other-agent-key' })).status).toBe(200);
      const attempts: Record<string, string>[] = [{}, { 'x-api-key': 'wrong' }, { 'x-api-key': 'other-agent-key' }];
      for (const headers of attempts) {
        const { status, body } = await s.getJson<Errors>(`${BASE}/Customers`, headers);
        expect(status).toBe(401);
        expect(body.errors[0]).toMatchObject({ code: 'unauthorized' });
      }
    });

    it('answers 404 for a company the agent does not serve, and for a path that is not a resource', async () => {
      expect((await s.getJson(`/sage500/nope/Sage500API/Customers`, KEY)).status).toBe(404);
      const unknownPath = await s.getJson<Errors>(`${BASE}/Vendors`, KEY);
      expect(unknownPath.status).toBe(404);
      expect(unknownPath.body.errors[0]).toMatchObject({ code: 'not_found' });
    });
  });

  describe('customers', () => {
    it('creates a customer, then finds it by email in any case and by Stripe id', async () => {
      const created = await customer({ CustomerID: 'HOPPER', EmailAddress: 'Grace@Navy.test', StripeCustomerID_Custom: 'cus_grace' });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ CustomerID: 'HOPPER', CustomerName: 'Grace Hopper', StripeCustomerID_Custom: 'cus_grace' });

      const byEmail = await s.getJson<{ Items: unknown[]; TotalCount: number }>(`${BASE}/Customers?EmailAddress=grace@navy.TEST`, KEY);
      expect(byEmail.body.Items).toEqual([expect.objectContaining({ CustomerID: 'HOPPER' })]);
      const byStripeId = await s.getJson<{ Items: unknown[] }>(`${BASE}/Customers?stripecustomerid_custom=cus_grace`, KEY);
      expect(byStripeId.body.Items).toEqual([expect.objectContaining({ CustomerID: 'HOPPER' })]);
      const none = await s.getJson<{ Items: unknown[] }>(`${BASE}/Customers?StripeCustomerID_Custom=cus_nobody`, KEY);
      expect(none.body.Items).toEqual([]);
    });

    it('reads one customer by CustomerID and updates it with PUT', async () => {
      await customer({ CustomerID: 'LOVELACE', CustomerName: 'Ada' });
      const updated = await s.sendJson('PUT', `${BASE}/Customers/LOVELACE`, { BillingCity: 'London' }, KEY);
      expect(updated.status).toBe(200);
      const read = await s.getJson(`${BASE}/Customers/LOVELACE`, KEY);
      expect(read.body).toMatchObject({ CustomerID: 'LOVELACE', CustomerName: 'Ada', BillingCity: 'London' });
      expect((await s.getJson(`${BASE}/Customers/NOBODY`, KEY)).status).toBe(404);
    });

    it('refuses each field over its Sage 500 length, naming the field', async () => {
      const tooLong = {
        CustomerID: 'X'.repeat(13),
        CustomerName: 'N'.repeat(41),
        EmailAddress: `${'e'.repeat(55)}@x.test`,
        BillingAddress1: 'A'.repeat(41),
        BillingCity: 'C'.repeat(31),
        BillingState: 'S'.repeat(21),
        BillingZip: 'Z'.repeat(11),
        PhoneNumber: '1'.repeat(21),
      };
      const { status, body } = await post<Errors>('/Customers', tooLong);
      expect(status).toBe(400);
      expect(body.errors.map((error) => [error.code, error.field]).sort()).toEqual(Object.keys(tooLong).map((field) => ['too_long', field]).sort());
      expect(body.errors.find((error) => error.field === 'CustomerName')?.message).toMatch(/at most 40 characters/);
    });

    it('accepts a name of exactly 40 characters', async () => {
      expect((await customer({ CustomerName: 'N'.repeat(40) })).status).toBe(201);
    });

    it('refuses a customer without a name, and a second customer with the same CustomerID', async () => {
      const missing = await post<Errors>('/Customers', { EmailAddress: 'x@y.test' });
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual([expect.objectContaining({ code: 'required', field: 'CustomerName' })]);
      await customer({ CustomerID: 'TWICE' });
      const duplicate = await customer({ CustomerID: 'TWICE' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body).toMatchObject({ errors: [{ code: 'duplicate_customer', field: 'CustomerID' }] });
    });
  });

  describe('documents', () => {
    beforeAll(async () => {
      await customer({ CustomerID: 'BUYER', CustomerName: 'Buyer Inc' });
    });

    it('creates a sales order, which does not post to the ledger', async () => {
      const { status, body } = await post('/SalesOrders', { CustomerID: 'BUYER', OrderDate: '2024-06-01', Reference: 'pi_so1', Lines: [{ ItemID: 'PLAN', Quantity: 2, UnitPrice: '15.00' }] });
      expect(status).toBe(201);
      expect(body).toMatchObject({ SalesOrderNumber: expect.any(String), OrderTotal: '30.00' });
      const [stored] = await s.documents('demo-500', { reference: 'pi_so1' });
      expect(stored).toMatchObject({ type: 'sales_order', amount: '30.00', lines: [] });
    });

    it('creates an invoice that debits receivables and credits the sales account, and finds it by reference', async () => {
      const { status, body } = await post('/Invoices', {
        CustomerID: 'BUYER',
        InvoiceDate: '2024-06-02',
        Reference: 'in_500_1',
        Lines: [{ Description: 'Subscription', Quantity: 3, UnitPrice: '19.99', GLAccount: '4000-00' }],
      });
      expect(status).toBe(201);
      expect(body).toMatchObject({ InvoiceTotal: '59.97', CustomerID: 'BUYER', Lines: [expect.objectContaining({ ExtendedAmount: '59.97', GLAccount: '4000-00' })] });

      const found = await s.getJson<{ Items: { InvoiceKey: string }[] }>(`${BASE}/Invoices?reference=in_500_1`, KEY);
      expect(found.body.Items).toHaveLength(1);
      const [stored] = await s.documents('demo-500', { type: 'invoice', reference: 'in_500_1' });
      expect(stored?.lines).toEqual([
        { account: '1200-00', debit: '59.97', credit: '0.00', memo: null },
        { account: '4000-00', debit: '0.00', credit: '59.97', memo: 'Subscription' },
      ]);
      expect((await s.getJson(`${BASE}/Invoices/${found.body.Items[0]?.InvoiceKey}`, KEY)).body).toMatchObject({ Reference: 'in_500_1' });
    });

    it('creates a credit memo paid out of the clearing account against an existing invoice', async () => {
      const invoice = await post<{ InvoiceNumber: string }>('/Invoices', { CustomerID: 'BUYER', InvoiceDate: '2024-06-02', Reference: 'in_500_2', Lines: [{ UnitPrice: '50.00' }] });
      const { status, body } = await post('/CreditMemos', {
        CustomerID: 'BUYER',
        MemoDate: '2024-06-03',
        Reference: 're_500_1',
        ApplyToInvoiceNumber: invoice.body.InvoiceNumber,
        RefundGLAccount: '1150-00',
        Lines: [{ Description: 'Refund', UnitPrice: '20.00', GLAccount: '4050-00' }],
      });
      expect(status).toBe(201);
      expect(body).toMatchObject({ MemoTotal: '20.00', ApplyToInvoiceNumber: invoice.body.InvoiceNumber });
      const [stored] = await s.documents('demo-500', { reference: 're_500_1' });
      expect(stored?.lines).toEqual([
        { account: '4050-00', debit: '20.00', credit: '0.00', memo: 'Refund' },
        { account: '1150-00', debit: '0.00', credit: '20.00', memo: null },
      ]);
    });

    it('creates a balanced journal entry and the account balances reflect it', async () => {
      const before = await s.balance('demo-500', '6150-00');
      const { status } = await post('/JournalEntries', {
        EntryDate: '2024-06-05',
        Reference: 'po_500_1',
        Lines: [
          { GLAccount: '1010-00', Debit: '96.80' },
          { GLAccount: '6150-00', Debit: '3.20', Memo: 'Stripe fees' },
          { GLAccount: '1150-00', Credit: '100.00' },
        ],
      });
      expect(status).toBe(201);
      const after = await s.balance('demo-500', '6150-00');
      expect(cents(after.debit) - cents(before.debit)).toBe(320);
      expect(cents(after.balance) - cents(before.balance)).toBe(320);
    });

    it('refuses an unbalanced journal entry with 422 and stores nothing', async () => {
      const { status, body } = await post<Errors>('/JournalEntries', { EntryDate: '2024-06-05', Reference: 'po_unbalanced', Lines: [{ GLAccount: '1010-00', Debit: '10.00' }, { GLAccount: '1150-00', Credit: '9.99' }] });
      expect(status).toBe(422);
      expect(body.errors).toEqual([expect.objectContaining({ code: 'unbalanced_journal', field: 'Lines' })]);
      expect(await s.documents('demo-500', { reference: 'po_unbalanced' })).toEqual([]);
    });

    it('refuses an unknown GL account on the line that names it', async () => {
      const { status, body } = await post<Errors>('/Invoices', { CustomerID: 'BUYER', InvoiceDate: '2024-06-02', Reference: 'in_badgl', Lines: [{ UnitPrice: '5.00', GLAccount: '4999-00' }] });
      expect(status).toBe(422);
      expect(body.errors).toEqual([expect.objectContaining({ code: 'unknown_account', field: 'Lines[0].GLAccount' })]);
    });

    it('refuses an unknown customer', async () => {
      const { status, body } = await post<Errors>('/Invoices', { CustomerID: 'GHOST', InvoiceDate: '2024-06-02', Reference: 'in_ghost', Lines: [{ UnitPrice: '5.00' }] });
      expect(status).toBe(422);
      expect(body.errors).toEqual([expect.objectContaining({ code: 'unknown_customer', field: 'CustomerID' })]);
    });

    it('refuses a duplicate reference with 409', async () => {
      const invoice = { CustomerID: 'BUYER', InvoiceDate: '2024-06-02', Reference: 'in_twice', Lines: [{ UnitPrice: '5.00' }] };
      expect((await post('/Invoices', invoice)).status).toBe(201);
      const again = await post<Errors>('/Invoices', invoice);
      expect(again.status).toBe(409);
      expect(again.body.errors).toEqual([expect.objectContaining({ code: 'duplicate_reference', field: 'Reference' })]);
      expect(await s.documents('demo-500', { reference: 'in_twice' })).toHaveLength(1);
    });

    it('refuses a reference over 40 characters and an amount with more decimals than the currency', async () => {
      const { status, body } = await post<Errors>('/Invoices', { CustomerID: 'BUYER', InvoiceDate: '2024-06-02', Reference: 'r'.repeat(41), Lines: [{ UnitPrice: '5.001' }] });
      expect(status).toBe(400);
      expect(body.errors).toEqual([expect.objectContaining({ code: 'too_long', field: 'Reference' })]);
      const precise = await post<Errors>('/Invoices', { CustomerID: 'BUYER', InvoiceDate: '2024-06-02', Reference: 'in_precise', Lines: [{ UnitPrice: '5.001' }] });
      expect(precise.body.errors).toEqual([expect.objectContaining({ code: 'invalid_amount', field: 'Lines[0].UnitPrice' })]);
    });

    it('refuses a document in a closed period', async () => {
      const { status, body } = await post<Errors>('/JournalEntries', { EntryDate: '2023-12-31', Reference: 'po_closed', Lines: [{ GLAccount: '1010-00', Debit: '1.00' }, { GLAccount: '1150-00', Credit: '1.00' }] });
      expect(status).toBe(422);
      expect(body.errors).toEqual([expect.objectContaining({ code: 'closed_period', field: 'EntryDate' })]);
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After once the per-minute budget is spent, and serves again in the next minute', async () => {
      await s.setFaults('demo-500', { rateLimitPerMinute: 2 });
      expect((await s.getJson(`${BASE}/Customers`, KEY)).status).toBe(200);
      expect((await s.getJson(`${BASE}/Customers`, KEY)).status).toBe(200);
      const limited = await s.getJson<Errors>(`${BASE}/Customers`, KEY);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(limited.body.errors[0]).toMatchObject({ code: 'rate_limited' });
      s.clock.advance(60_000);
      expect((await s.getJson(`${BASE}/Customers`, KEY)).status).toBe(200);
    });

    it('commit-then-drop stores the journal but loses the answer at the socket', async () => {
      await s.setFaults('demo-500', { commitThenDropNext: true });
      const failure = await expectSocketFailure(
        post('/JournalEntries', { EntryDate: '2024-06-06', Reference: 'po_dropped', Lines: [{ GLAccount: '1010-00', Debit: '5.00' }, { GLAccount: '1150-00', Credit: '5.00' }] }),
      );
      expect(failure).toBe('TypeError');
      expect(await s.documents('demo-500', { reference: 'po_dropped' })).toEqual([expect.objectContaining({ type: 'journal', amount: '5.00' })]);
      const lookup = await s.getJson<{ Items: unknown[] }>(`${BASE}/JournalEntries?Reference=po_dropped`, KEY);
      expect(lookup.body.Items).toHaveLength(1);
    });
  });
});
