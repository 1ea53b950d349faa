import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cents, connectWithOAuth, expectSocketFailure, startSandbox, type RunningSandbox } from './support/sandbox-harness.ts';

const BASE = '/sagepro/demo-pro/api/v1';

type Errors = { errors: { code: string; field: string | null; message: string }[] };

describe('Sage Pro dialect', () => {
  let s: RunningSandbox;
  let auth: Record<string, string>;
  beforeAll(async () => {
    s = await startSandbox();
    auth = { authorization: `Bearer ${(await connectWithOAuth(s.url, '/sagepro')).access_token}` };
    await s.sendJson('POST', `${BASE}/customers`, { customerId: 'BUYER', name: 'Buyer Inc', email: 'ap@buyer.test', stripeCustomerId: 'cus_buyer' }, auth);
  });
  afterAll(() => s.close());
  afterEach(() => s.clearFaults('demo-pro'));

  const post = <T = Record<string, unknown>>(path: string, body: unknown) => s.sendJson<T>('POST', `${BASE}${path}`, body, auth);
  const receipt = (overrides: Record<string, unknown> = {}) => ({
    customerId: 'BUYER',
    transactionDate: '2024-06-01',
    amount: '120.00',
    currency: 'USD',
    paymentMethod: 'Credit Card',
    reference: 'ch_pro_1',
    glAccount: '1150',
    ...overrides,
  });

  it('refuses requests without a bearer token or with a wrong one', async () => {
    expect((await s.getJson<Errors>(`${BASE}/customers`)).status).toBe(401);
    const wrong = await s.getJson<Errors>(`${BASE}/customers`, { authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    expect(wrong.body.errors[0]).toMatchObject({ code: 'unauthorized' });
  });

  it('creates a customer, then finds it by email in any case and by Stripe id', async () => {
    const created = await post('/customers', { name: 'Katherine Johnson', email: 'KJ@nasa.test', stripeCustomerId: 'cus_kj' });
    expect(created.status).toBe(201);
    const code = created.body.customerId;
    expect((await s.getJson<{ data: unknown[] }>(`${BASE}/customers?email=kj@NASA.test`, auth)).body.data).toEqual([expect.objectContaining({ customerId: code })]);
    expect((await s.getJson<{ data: unknown[] }>(`${BASE}/customers?stripeCustomerId=cus_kj`, auth)).body.data).toEqual([expect.objectContaining({ customerId: code })]);
  });

  it('refuses a customer name over 50 characters and a postal code over 10', async () => {
    const { status, body } = await post<Errors>('/customers', { name: 'N'.repeat(51), postalCode: '12345-67890' });
    expect(status).toBe(400);
    expect(body.errors.map((error) => [error.code, error.field]).sort()).toEqual([['too_long', 'name'], ['too_long', 'postalCode']]);
  });

  it('posts a cash receipt into the clearing account and finds it by the Stripe charge id', async () => {
    const clearingBefore = await s.balance('demo-pro', '1150');
    const { status, body } = await post('/cashreceipts', receipt());
    expect(status).toBe(201);
    expect(body).toMatchObject({ amount: '120.00', currency: 'USD', reference: 'ch_pro_1', glAccount: '1150', paymentMethod: 'Credit Card', customerId: 'BUYER' });
    const found = await s.getJson<{ data: unknown[] }>(`${BASE}/cashreceipts?reference=ch_pro_1`, auth);
    expect(found.body.data).toHaveLength(1);
    const [stored] = await s.documents('demo-pro', { reference: 'ch_pro_1' });
    expect(stored?.lines).toEqual([
      { account: '1150', debit: '120.00', credit: '0.00', memo: null },
      { account: '1200', debit: '0.00', credit: '120.00', memo: null },
    ]);
    const clearingAfter = await s.balance('demo-pro', '1150');
    expect(cents(clearingAfter.balance) - cents(clearingBefore.balance)).toBe(12000);
  });

  it('applies a cash receipt to an invoice by number, and refuses an invoice number that does not exist', async () => {
    const invoice = await post<{ invoiceNumber: string }>('/invoices', { customerId: 'BUYER', invoiceDate: '2024-06-01', reference: 'in_pro_1', lines: [{ description: 'Plan', unitPrice: '40.00', glAccount: '4000' }] });
    expect(invoice.status).toBe(201);
    const applied = await post('/cashreceipts', receipt({ reference: 'ch_pro_2', amount: '40.00', invoiceNumber: invoice.body.invoiceNumber }));
    expect(applied.body).toMatchObject({ invoiceNumber: invoice.body.invoiceNumber });
    const unknown = await post<Errors>('/cashreceipts', receipt({ reference: 'ch_pro_3', invoiceNumber: 'INV-404' }));
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ code: 'unknown_invoice', field: 'invoiceNumber' })]);
  });

  it('creates a sales order, an invoice and a credit memo', async () => {
    expect((await post('/salesorders', { customerId: 'BUYER', orderDate: '2024-06-01', reference: 'so_pro_1', lines: [{ unitPrice: '10.00', quantity: 2 }] })).body).toMatchObject({ total: '20.00' });
    expect((await post('/invoices', { customerId: 'BUYER', invoiceDate: '2024-06-01', reference: 'in_pro_2', lines: [{ unitPrice: '10.00' }] })).status).toBe(201);
    const memo = await post('/creditmemos', { customerId: 'BUYER', memoDate: '2024-06-02', reference: 're_pro_1', refundGlAccount: '1150', lines: [{ unitPrice: '10.00', glAccount: '4050' }] });
    expect(memo.status).toBe(201);
    const [stored] = await s.documents('demo-pro', { type: 'credit_memo', reference: 're_pro_1' });
    expect(stored?.lines).toEqual([
      { account: '4050', debit: '10.00', credit: '0.00', memo: null },
      { account: '1150', debit: '0.00', credit: '10.00', memo: null },
    ]);
  });

  it('refuses a receipt without a required field, naming each one', async () => {
    const { status, body } = await post<Errors>('/cashreceipts', { amount: '1.00' });
    expect(status).toBe(400);
    expect(body.errors.map((error) => error.field).sort()).toEqual(['customerId', 'glAccount', 'reference', 'transactionDate']);
    expect(body.errors.every((error) => error.code === 'required')).toBe(true);
  });

  it('refuses an unbalanced journal entry', async () => {
    const { status, body } = await post<Errors>('/journalentries', { entryDate: '2024-06-05', reference: 'po_pro_x', lines: [{ glAccount: '1010', debit: '100.00' }, { glAccount: '1150', credit: '100.01' }] });
    expect(status).toBe(422);
    expect(body.errors[0]).toMatchObject({ code: 'unbalanced_journal', field: 'lines' });
  });

  it('refuses an unknown GL account on a receipt', async () => {
    const { status, body } = await post<Errors>('/cashreceipts', receipt({ reference: 'ch_pro_badgl', glAccount: '1155' }));
    expect(status).toBe(422);
    expect(body.errors).toEqual([expect.objectContaining({ code: 'unknown_account', field: 'glAccount' })]);
  });

  it('refuses a second receipt for the same charge with 409', async () => {
    expect((await post('/cashreceipts', receipt({ reference: 'ch_pro_dup' }))).status).toBe(201);
    const again = await post<Errors>('/cashreceipts', receipt({ reference: 'ch_pro_dup' }));
    expect(again.status).toBe(409);
    expect(again.body.errors).toEqual([expect.objectContaining({ code: 'duplicate_reference', field: 'reference' })]);
  });

  it('refuses a receipt dated in the closed period', async () => {
    const { status, body } = await post<Errors>('/cashreceipts', receipt({ reference: 'ch_pro_old', transactionDate: '2023-06-30' }));
    expect(status).toBe(422);
    expect(body.errors).toEqual([expect.objectContaining({ code: 'closed_period', field: 'transactionDate' })]);
  });

  it('reads amounts exactly in the receipt currency: JPY has no decimals, BHD has three', async () => {
    expect((await post('/cashreceipts', receipt({ reference: 'ch_pro_jpy', currency: 'JPY', amount: '1500' }))).body).toMatchObject({ amount: '1500', currency: 'JPY' });
    expect((await post('/cashreceipts', receipt({ reference: 'ch_pro_bhd', currency: 'bhd', amount: '1.250' }))).body).toMatchObject({ amount: '1.250', currency: 'BHD' });
    const fractionalYen = await post<Errors>('/cashreceipts', receipt({ reference: 'ch_pro_jpy2', currency: 'JPY', amount: '1500.5' }));
    expect(fractionalYen.body.errors).toEqual([expect.objectContaining({ code: 'invalid_amount', field: 'amount' })]);
  });

  it('answers 429 with Retry-After over the per-minute limit', async () => {
    await s.setFaults('demo-pro', { rateLimitPerMinute: 1 });
    expect((await s.getJson(`${BASE}/customers`, auth)).status).toBe(200);
    const limited = await s.getJson(`${BASE}/customers`, auth);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('commit-then-drop keeps the receipt although the client never hears back', async () => {
    await s.setFaults('demo-pro', { commitThenDropNext: 1 });
    await expectSocketFailure(post('/cashreceipts', receipt({ reference: 'ch_pro_lost' })));
    expect(await s.documents('demo-pro', { reference: 'ch_pro_lost' })).toEqual([expect.objectContaining({ type: 'cash_receipt', amount: '120.00' })]);
    // The retry the connector makes after looking the charge up finds it instead of posting twice.
    expect((await s.getJson<{ data: unknown[] }>(`${BASE}/cashreceipts?reference=ch_pro_lost`, auth)).body.data).toHaveLength(1);
    expect((await post('/cashreceipts', receipt({ reference: 'ch_pro_lost' }))).status).toBe(409);
  });
});
