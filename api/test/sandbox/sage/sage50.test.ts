import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cents, connectWithOAuth, expectSocketFailure, startSandbox, type RunningSandbox } from './support/sandbox-harness.ts';

const BASE = '/sage50/demo-50/v1';

type Errors = { errors: { code: string; field: string | null; message: string }[] };
type List<T = Record<string, unknown>> = { data: T[]; meta: { total: number }; links: { next: string | null } };

describe('Sage 50 dialect', () => {
  let s: RunningSandbox;
  let auth: Record<string, string>;
  beforeAll(async () => {
    s = await startSandbox();
    auth = { authorization: `Bearer ${(await connectWithOAuth(s.url, '/sage50')).access_token}` };
    await s.sendJson('POST', `${BASE}/customers`, { customer_id: 'BUYER', name: 'Buyer Inc' }, auth);
  });
  afterAll(() => s.close());
  afterEach(() => s.clearFaults('demo-50'));

  const post = <T = Record<string, unknown>>(path: string, body: unknown) => s.sendJson<T>('POST', `${BASE}${path}`, body, auth);
  const payment = (overrides: Record<string, unknown> = {}) => ({ customer_id: 'BUYER', date: '2024-06-01', amount: '75.00', reference: 'ch_50_1', cash_account: '10500', payment_method: 'Credit Card', ...overrides });

  it('refuses requests without a bearer token or with a wrong one', async () => {
    expect((await s.getJson(`${BASE}/invoices`)).status).toBe(401);
    expect((await s.getJson(`${BASE}/invoices`, { authorization: 'Bearer wrong' })).status).toBe(401);
  });

  it('creates a customer, then finds it by email in any case and by Stripe id', async () => {
    const created = await post('/customers', { name: 'Mary Jackson', email: 'mary@langley.test', stripe_customer_id: 'cus_mary' });
    expect(created.status).toBe(201);
    expect((await s.getJson<List>(`${BASE}/customers?email=MARY@langley.test`, auth)).body.data).toEqual([expect.objectContaining({ name: 'Mary Jackson' })]);
    expect((await s.getJson<List>(`${BASE}/customers?stripe_customer_id=cus_mary`, auth)).body.data).toEqual([expect.objectContaining({ customer_id: created.body.customer_id })]);
  });

  it('refuses a customer name over Sage 50 limit of 39 characters', async () => {
    const { status, body } = await post<Errors>('/customers', { name: 'N'.repeat(40) });
    expect(status).toBe(400);
    expect(body.errors).toEqual([expect.objectContaining({ code: 'too_long', field: 'name', message: expect.stringContaining('39') })]);
  });

  it('creates a product, and an invoice line for that item posts to the item sales account', async () => {
    const product = await post('/products', { item_id: 'PLAN-PRO', description: 'Pro plan', price: '49.00', gl_sales_account: '40000' });
    expect(product.status).toBe(201);
    expect((await s.getJson<List>(`${BASE}/products?item_id=PLAN-PRO`, auth)).body.data).toHaveLength(1);
    const invoice = await post('/invoices', { customer_id: 'BUYER', date: '2024-06-01', reference: 'in_50_1', lines: [{ item_id: 'PLAN-PRO', unit_price: '49.00', quantity: 2 }] });
    expect(invoice.body).toMatchObject({ total: '98.00', lines: [expect.objectContaining({ gl_account: '40000', amount: '98.00' })] });
  });

  it('creates a sales order, which does not post', async () => {
    const order = await post('/sales_orders', { customer_id: 'BUYER', date: '2024-06-01', reference: 'so_50_1', lines: [{ unit_price: '12.00' }] });
    expect(order.status).toBe(201);
    expect(await s.documents('demo-50', { reference: 'so_50_1' })).toEqual([expect.objectContaining({ type: 'sales_order', lines: [] })]);
  });

  it('posts a receipt and a refund as payments, moving money in and out of the clearing account', async () => {
    const before = await s.balance('demo-50', '10500');
    expect((await post('/payments', payment())).body).toMatchObject({ type: 'receipt', amount: '75.00', cash_account: '10500' });
    expect((await post('/payments', payment({ type: 'refund', reference: 're_50_1', amount: '25.00' }))).body).toMatchObject({ type: 'refund', amount: '25.00' });
    const after = await s.balance('demo-50', '10500');
    expect(cents(after.balance) - cents(before.balance)).toBe(5000);
    expect((await s.getJson<List>(`${BASE}/payments?reference=re_50_1`, auth)).body.data).toEqual([expect.objectContaining({ type: 'refund' })]);
  });

  it('posts a payout journal and refuses an unbalanced one', async () => {
    const balanced = await post('/journal_entries', {
      date: '2024-06-07',
      reference: 'po_50_1',
      lines: [
        { account: '10200', debit: '48.55' },
        { account: '61500', debit: '1.45' },
        { account: '10500', credit: '50.00' },
      ],
    });
    expect(balanced.status).toBe(201);
    const unbalanced = await post<Errors>('/journal_entries', { date: '2024-06-07', reference: 'po_50_2', lines: [{ account: '10200', debit: '48.55' }, { account: '10500', credit: '50.00' }] });
    expect(unbalanced.status).toBe(422);
    expect(unbalanced.body.errors[0]).toMatchObject({ code: 'unbalanced_journal' });
  });

  it('refuses an unknown GL account on a journal line', async () => {
    const { status, body } = await post<Errors>('/journal_entries', { date: '2024-06-07', reference: 'po_50_3', lines: [{ account: '10200', debit: '1.00' }, { account: '10600', credit: '1.00' }] });
    expect(status).toBe(422);
    expect(body.errors).toEqual([expect.objectContaining({ code: 'unknown_account', field: 'lines[1].account' })]);
  });

  it('refuses a duplicate payment reference with 409', async () => {
    expect((await post('/payments', payment({ reference: 'ch_50_dup' }))).status).toBe(201);
    const again = await post<Errors>('/payments', payment({ reference: 'ch_50_dup' }));
    expect(again.status).toBe(409);
    expect(again.body.errors[0]).toMatchObject({ code: 'duplicate_reference', field: 'reference' });
  });

  it('refuses a payment in the closed period', async () => {
    const { status, body } = await post<Errors>('/payments', payment({ reference: 'ch_50_old', date: '2023-01-15' }));
    expect(status).toBe(422);
    expect(body.errors[0]).toMatchObject({ code: 'closed_period', field: 'date' });
  });

  it('pages lists and links the next page', async () => {
    for (const index of [1, 2, 3]) await post('/customers', { name: `Paged ${index}` });
    const first = await s.getJson<List>(`${BASE}/customers?per_page=2`, auth);
    expect(first.body.data).toHaveLength(2);
    expect(first.body.links.next).toBe(`${BASE}/customers?per_page=2&page=2`);
    const second = await s.getJson<List>(first.body.links.next ?? '', auth);
    expect(second.body.data.length).toBeGreaterThan(0);
  });

  it('answers 429 with Retry-After over the per-minute limit', async () => {
    await s.setFaults('demo-50', { rateLimitPerMinute: 1 });
    await s.getJson(`${BASE}/customers`, auth);
    const limited = await s.getJson<Errors>(`${BASE}/customers`, auth);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('commit-then-drop keeps the payment although the answer is lost', async () => {
    await s.setFaults('demo-50', { commitThenDropNext: true });
    await expectSocketFailure(post('/payments', payment({ reference: 'ch_50_lost' })));
    expect(await s.documents('demo-50', { reference: 'ch_50_lost' })).toEqual([expect.objectContaining({ type: 'cash_receipt', amount: '75.00' })]);
  });
});
