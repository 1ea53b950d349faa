import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cents, connectWithOAuth, expectSocketFailure, startSandbox, type RunningSandbox } from './support/sandbox-harness.ts';

const BASE = '/sageaccounting/core/v3.1';

type SageError = { $severity: string; $dataCode: string; $message: string; $source: string };
type Page<T = Record<string, unknown>> = { $total: number; $page: number; $next: string | null; $back: string | null; $itemsPerPage: number; $items: T[] };
type Ref = { id: string; displayed_as: string; $path: string };

const idempotencyId = () => randomUUID().replaceAll('-', '');

describe('Sage Accounting (v3.1) dialect', () => {
  let s: RunningSandbox;
  let headers: Record<string, string>;
  let ledger: Map<string, string>;
  let clearingBankId: string;
  let contactId: string;

  beforeAll(async () => {
    s = await startSandbox();
    const tokens = await connectWithOAuth(s.url, '/sageaccounting');
    headers = { authorization: `Bearer ${tokens.access_token}`, 'x-business': 'demo-cloud' };
    const accounts = await s.getJson<Page<Ref & { nominal_code: string }>>(`${BASE}/ledger_accounts?items_per_page=200&attributes=nominal_code`, headers);
    ledger = new Map(accounts.body.$items.map((account) => [account.nominal_code, account.id]));
    const banks = await s.getJson<Page<Ref & { nominal_code: string }>>(`${BASE}/bank_accounts?attributes=all`, headers);
    clearingBankId = banks.body.$items.find((bank) => bank.nominal_code === '1210')?.id ?? '';
    const contact = await s.sendJson<Ref>('POST', `${BASE}/contacts`, { contact: { name: 'Buyer Inc', reference: 'cus_buyer', contact_type_ids: ['CUSTOMER'] } }, headers);
    contactId = contact.body.id;
  });
  afterAll(() => s.close());
  afterEach(() => s.clearFaults('demo-cloud'));

  const post = <T = Record<string, unknown>>(path: string, body: unknown) => s.sendJson<T>('POST', `${BASE}${path}`, body, headers);
  const account = (code: string) => ledger.get(code) ?? `missing-${code}`;
  const receipt = (overrides: Record<string, unknown> = {}) => ({
    contact_payment: { transaction_type_id: 'CUSTOMER_RECEIPT', contact_id: contactId, bank_account_id: clearingBankId, date: '2024-06-01', total_amount: '64.00', reference: 'ch_cloud_1', ...overrides },
  });
  const journal = (reference: string, lines: { code: string; debit?: string; credit?: string }[], extra: Record<string, unknown> = {}) => ({
    journal: { date: '2024-06-07', reference, journal_lines: lines.map((line) => ({ ledger_account_id: account(line.code), debit: line.debit ?? '0', credit: line.credit ?? '0', details: 'payout' })), ...extra },
  });

  describe('authentication and business selection', () => {
    it('refuses a request without a token or with a wrong one, in Sage error shape', async () => {
      const attempts: Record<string, string>[] = [{}, { authorization: 'Bearer forged' }];
      for (const auth of attempts) {
        const { status, body } = await s.getJson<SageError[]>(`${BASE}/contacts`, { ...auth, 'x-business': 'demo-cloud' });
        expect(status).toBe(401);
        expect(body).toEqual([{ $severity: 'error', $dataCode: 'AuthorizationFailure', $message: expect.any(String), $source: '' }]);
      }
    });

    it('refuses a business the token cannot reach, and uses the lead business without X-Business', async () => {
      const other = await s.getJson<SageError[]>(`${BASE}/contacts`, { ...headers, 'x-business': 'someone-else' });
      expect(other.status).toBe(401);
      const { authorization } = headers;
      const lead = await s.getJson<Page>(`${BASE}/contacts?search=buyer`, { authorization: authorization ?? '' });
      expect(lead.status).toBe(200);
      expect(lead.body.$total).toBeGreaterThan(0);
    });

    it('lists the businesses the token reaches', async () => {
      const { body } = await s.getJson<Page>(`${BASE}/businesses`, { authorization: headers.authorization ?? '' });
      expect(body.$items).toEqual([expect.objectContaining({ id: 'demo-cloud', $path: '/businesses/demo-cloud' })]);
    });
  });

  describe('chart of accounts', () => {
    it('has the product default GL accounts and a debtors control account, each with an id', () => {
      for (const code of ['1210', '1200', '4000', '7600', '4009', '7601', '7900', '8200', '1100']) expect(ledger.get(code)).toMatch(/^[0-9a-f]{32}$/);
    });

    it('finds a ledger account by nominal code with search, and bank accounts carry their ledger account', async () => {
      const found = await s.getJson<Page>(`${BASE}/ledger_accounts?search=7600&attributes=all`, headers);
      expect(found.body.$items).toEqual([expect.objectContaining({ nominal_code: '7600', id: account('7600') })]);
      const bank = await s.getJson(`${BASE}/bank_accounts/${clearingBankId}`, headers);
      expect(bank.body).toMatchObject({ nominal_code: '1210', ledger_account: { id: account('1210') } });
    });
  });

  describe('contacts', () => {
    it('creates a contact, then finds it by email in any case and by its reference (the Stripe customer id)', async () => {
      const created = await post<Ref>('/contacts', { contact: { name: 'Dorothy Vaughan', reference: 'cus_dorothy', email: 'Dorothy@NACA.test', main_address: { city: 'Hampton' } } });
      expect(created.status).toBe(201);
      expect((await s.getJson<Page>(`${BASE}/contacts?email=dorothy@naca.test`, headers)).body.$items).toEqual([expect.objectContaining({ id: created.body.id })]);
      expect((await s.getJson<Page>(`${BASE}/contacts?reference=cus_dorothy`, headers)).body.$items).toEqual([expect.objectContaining({ id: created.body.id })]);
      expect((await s.getJson(`${BASE}/contacts/${created.body.id}`, headers)).body).toMatchObject({ reference: 'cus_dorothy', main_address: { city: 'Hampton' } });
    });

    it('refuses a name over 100 characters as RecordInvalid on that field', async () => {
      const { status, body } = await post<SageError[]>('/contacts', { contact: { name: 'N'.repeat(101) } });
      expect(status).toBe(422);
      expect(body).toEqual([expect.objectContaining({ $severity: 'error', $dataCode: 'RecordInvalid', $source: 'name' })]);
    });

    it('refuses a second contact with the same reference', async () => {
      const { status, body } = await post<SageError[]>('/contacts', { contact: { name: 'Copy', reference: 'cus_buyer' } });
      expect(status).toBe(422);
      expect(body).toEqual([expect.objectContaining({ $dataCode: 'RecordInvalid', $source: 'reference', $message: expect.stringContaining('has already been taken') })]);
    });
  });

  describe('documents', () => {
    it('creates a sales invoice and finds it by reference, lists showing only id, displayed_as and $path', async () => {
      const created = await post<{ id: string; total_amount: string; invoice_number: string }>('/sales_invoices', {
        sales_invoice: { contact_id: contactId, date: '2024-06-01', reference: 'in_cloud_1', invoice_lines: [{ description: 'Plan', ledger_account_id: account('4000'), quantity: 2, unit_price: '32.00' }] },
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ total_amount: '64.00', invoice_number: 'SI-1', contact: { id: contactId } });
      const list = await s.getJson<Page>(`${BASE}/sales_invoices?reference=in_cloud_1`, headers);
      expect(list.body.$items).toEqual([{ id: created.body.id, displayed_as: 'SI-1', $path: `/sales_invoices/${created.body.id}` }]);
      const [stored] = await s.documents('demo-cloud', { reference: 'in_cloud_1' });
      expect(stored?.lines).toEqual([
        { account: '1100', debit: '64.00', credit: '0.00', memo: null },
        { account: '4000', debit: '0.00', credit: '64.00', memo: 'Plan' },
      ]);
    });

    it('creates a customer receipt into the Stripe clearing bank account, allocated to the invoice', async () => {
      const invoice = await s.getJson<Page>(`${BASE}/sales_invoices?search=in_cloud_1`, headers);
      const invoiceId = String(invoice.body.$items[0]?.id);
      const created = await post('/contact_payments', receipt({ allocated_artefacts: [{ artefact_id: invoiceId, amount: '64.00' }] }));
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ transaction_type: { id: 'CUSTOMER_RECEIPT' }, total_amount: '64.00', bank_account: { id: clearingBankId }, allocated_artefacts: [{ artefact: { id: invoiceId } }] });
      const [stored] = await s.documents('demo-cloud', { type: 'cash_receipt', reference: 'ch_cloud_1' });
      expect(stored).toMatchObject({ appliesToInvoice: 'SI-1', lines: [{ account: '1210', debit: '64.00' }, { account: '1100', credit: '64.00' }] });
    });

    it('creates a credit note against the invoice and a customer refund out of the clearing account', async () => {
      const invoice = await s.getJson<Page>(`${BASE}/sales_invoices?reference=in_cloud_1`, headers);
      const note = await post('/sales_credit_notes', {
        sales_credit_note: { contact_id: contactId, date: '2024-06-03', reference: 're_cloud_1', original_invoice_id: invoice.body.$items[0]?.id, credit_note_lines: [{ description: 'Refund', ledger_account_id: account('4009'), unit_price: '10.00' }] },
      });
      expect(note.status).toBe(201);
      expect(note.body).toMatchObject({ credit_note_number: 'SCN-1', total_amount: '10.00' });
      const refund = await post('/contact_payments', receipt({ transaction_type_id: 'CUSTOMER_REFUND', reference: 're_cloud_1', total_amount: '10.00' }));
      expect(refund.status).toBe(201);
      const [stored] = await s.documents('demo-cloud', { type: 'customer_refund', reference: 're_cloud_1' });
      expect(stored?.lines).toEqual([
        { account: '1100', debit: '10.00', credit: '0.00', memo: 're_cloud_1' },
        { account: '1210', debit: '0.00', credit: '10.00', memo: 're_cloud_1' },
      ]);
    });

    it('posts a balanced payout journal and the balance route reflects it', async () => {
      const before = await s.balance('demo-cloud', '7600');
      const created = await post('/journals', journal('po_cloud_1', [{ code: '1200', debit: '52.10' }, { code: '7600', debit: '1.90' }, { code: '1210', credit: '54.00' }]));
      expect(created.status).toBe(201);
      const after = await s.balance('demo-cloud', '7600');
      expect(cents(after.balance) - cents(before.balance)).toBe(190);
    });

    it('refuses an unbalanced journal as RecordInvalid on journal_lines', async () => {
      const { status, body } = await post<SageError[]>('/journals', journal('po_cloud_bad', [{ code: '1200', debit: '52.10' }, { code: '1210', credit: '52.00' }]));
      expect(status).toBe(422);
      expect(body).toEqual([expect.objectContaining({ $dataCode: 'RecordInvalid', $source: 'journal_lines', $message: expect.stringContaining('does not balance') })]);
    });

    it('refuses a ledger account id that is not in the chart', async () => {
      const body = journal('po_cloud_gl', [{ code: '1200', debit: '1.00' }, { code: '1210', credit: '1.00' }]);
      const [, second] = body.journal.journal_lines;
      if (second) second.ledger_account_id = 'f'.repeat(32);
      const answer = await post<SageError[]>('/journals', body);
      expect(answer.status).toBe(422);
      expect(answer.body).toEqual([expect.objectContaining({ $source: 'journal_lines[1].ledger_account_id' })]);
    });

    it('refuses a second receipt with the same reference', async () => {
      expect((await post('/contact_payments', receipt({ reference: 'ch_cloud_dup' }))).status).toBe(201);
      const again = await post<SageError[]>('/contact_payments', receipt({ reference: 'ch_cloud_dup' }));
      expect(again.status).toBe(422);
      expect(again.body).toEqual([expect.objectContaining({ $dataCode: 'RecordInvalid', $source: 'reference', $message: expect.stringContaining('has already been taken') })]);
    });

    it('refuses a document dated in the closed period, and an unknown bank account', async () => {
      const closed = await post<SageError[]>('/contact_payments', receipt({ reference: 'ch_cloud_old', date: '2023-12-31' }));
      expect(closed.status).toBe(422);
      expect(closed.body).toEqual([expect.objectContaining({ $source: 'date' })]);
      const noBank = await post<SageError[]>('/contact_payments', receipt({ reference: 'ch_cloud_nobank', bank_account_id: '0'.repeat(32) }));
      expect(noBank.body).toEqual([expect.objectContaining({ $source: 'bank_account_id' })]);
    });

    it('creates once per idempotency_id and answers a repeat with the same record', async () => {
      const key = idempotencyId();
      const first = await post<{ id: string }>('/contact_payments', receipt({ reference: 'ch_cloud_idem', idempotency_id: key }));
      const second = await post<{ id: string }>('/contact_payments', receipt({ reference: 'ch_cloud_idem', idempotency_id: key }));
      expect(first.status).toBe(201);
      expect(second.status).toBe(201);
      expect(second.body.id).toBe(first.body.id);
      expect(await s.documents('demo-cloud', { reference: 'ch_cloud_idem' })).toHaveLength(1);
    });

    it('pages with $next relative to /core/v3.1', async () => {
      const first = await s.getJson<Page>(`${BASE}/contact_payments?items_per_page=1`, headers);
      expect(first.body.$items).toHaveLength(1);
      expect(first.body.$next).toBe('/contact_payments?items_per_page=1&page=2');
      const second = await s.getJson<Page>(`${BASE}${first.body.$next}`, headers);
      expect(second.body.$page).toBe(2);
      expect(second.body.$back).toBe('/contact_payments?items_per_page=1&page=1');
    });
  });

  describe('faults', () => {
    it('answers 429 with Retry-After in Sage shape past 200 requests a minute', async () => {
      s.clock.advance(60_000);
      for (let count = 0; count < 200; count += 1) expect((await s.getJson(`${BASE}/bank_accounts`, headers)).status).toBe(200);
      const limited = await s.getJson<SageError[]>(`${BASE}/bank_accounts`, headers);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(limited.body[0]).toMatchObject({ $dataCode: 'TooManyRequests' });
      s.clock.advance(60_000);
    });

    it('commit-then-drop stores the receipt, and the idempotent retry returns it instead of a second one', async () => {
      const key = idempotencyId();
      await s.setFaults('demo-cloud', { commitThenDropNext: true });
      await expectSocketFailure(post('/contact_payments', receipt({ reference: 'ch_cloud_lost', idempotency_id: key })));
      expect(await s.documents('demo-cloud', { reference: 'ch_cloud_lost' })).toHaveLength(1);
      const retry = await post<{ reference: string }>('/contact_payments', receipt({ reference: 'ch_cloud_lost', idempotency_id: key }));
      expect(retry.status).toBe(201);
      expect(retry.body.reference).toBe('ch_cloud_lost');
      expect(await s.documents('demo-cloud', { reference: 'ch_cloud_lost' })).toHaveLength(1);
    });
  });
});
