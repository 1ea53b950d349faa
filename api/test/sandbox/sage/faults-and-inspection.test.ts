import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { connectWithOAuth, startSandbox, type RunningSandbox } from './support/sandbox-harness.ts';

const BASE = '/sage500/demo-500/Sage500API';
const KEY = { 'x-api-key': 'demo-500-agent-key' };
const journalEntry = (reference: string, date = '2024-06-01') => ({ EntryDate: date, Reference: reference, Lines: [{ GLAccount: '1010-00', Debit: '2.00' }, { GLAccount: '1150-00', Credit: '2.00' }] });

describe('fault injection per company', () => {
  const waits: number[] = [];
  let nextRandom = 0.5;
  let s: RunningSandbox;
  beforeAll(async () => {
    s = await startSandbox({
      sleep: async (ms) => void waits.push(ms),
      random: () => nextRandom,
    });
  });
  afterAll(() => s.close());
  afterEach(async () => {
    await s.clearFaults('demo-500');
    waits.length = 0;
  });

  it('adds the configured latency before handling a request', async () => {
    await s.setFaults('demo-500', { latencyMs: 750 });
    expect((await s.getJson(`${BASE}/Customers`, KEY)).status).toBe(200);
    expect(waits).toEqual([750]);
  });

  it('answers the configured share of requests with 500 in the dialect shape, storing nothing', async () => {
    await s.setFaults('demo-500', { errorShare: 0.3 });
    nextRandom = 0.2;
    const failed = await s.sendJson<{ errors: { code: string }[] }>('POST', `${BASE}/JournalEntries`, journalEntry('po_500_err'), KEY);
    expect(failed.status).toBe(500);
    expect(failed.body.errors[0]).toMatchObject({ code: 'internal_error' });
    expect(await s.documents('demo-500', { reference: 'po_500_err' })).toEqual([]);
    nextRandom = 0.4;
    expect((await s.sendJson('POST', `${BASE}/JournalEntries`, journalEntry('po_500_err'), KEY)).status).toBe(201);
  });

  it('holds a timed-out request open without answering or storing, until the client gives up', async () => {
    await s.setFaults('demo-500', { timeoutShare: 1 });
    nextRandom = 0.1;
    const abort = new AbortController();
    const pending = fetch(`${s.url}${BASE}/JournalEntries`, { method: 'POST', headers: { 'content-type': 'application/json', ...KEY }, body: JSON.stringify(journalEntry('po_held')), signal: abort.signal });
    await expect.poll(() => s.sandbox.faults.heldCount).toBe(1);
    abort.abort();
    await expect(pending).rejects.toThrow();
    expect(await s.documents('demo-500', { reference: 'po_held' })).toEqual([]);
  });

  it('drops the answer of only as many writes as asked, and never of reads', async () => {
    await s.setFaults('demo-500', { commitThenDropNext: 1 });
    expect((await s.getJson(`${BASE}/Customers`, KEY)).status).toBe(200);
    await expect(s.sendJson('POST', `${BASE}/JournalEntries`, journalEntry('po_drop_1'), KEY)).rejects.toThrow();
    expect((await s.sendJson('POST', `${BASE}/JournalEntries`, journalEntry('po_drop_2'), KEY)).status).toBe(201);
    expect(await s.documents('demo-500', { reference: 'po_drop_1' })).toHaveLength(1);
  });

  it('keeps faults to their company', async () => {
    await s.setFaults('demo-500', { errorShare: 1 });
    nextRandom = 0;
    const tokens = await connectWithOAuth(s.url, '/sagepro');
    expect((await s.getJson('/sagepro/demo-pro/api/v1/customers', { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
    expect((await s.getJson(`${BASE}/Customers`, KEY)).status).toBe(500);
  });

  it('shows the settings, clears them with DELETE, and refuses settings it does not know', async () => {
    await s.setFaults('demo-500', { latencyMs: 10, rateLimitPerMinute: 5 });
    expect((await s.getJson(`/_sandbox/companies/demo-500/faults`)).body).toMatchObject({ latencyMs: 10, rateLimitPerMinute: 5 });
    await s.clearFaults('demo-500');
    expect((await s.getJson(`/_sandbox/companies/demo-500/faults`)).body).toMatchObject({ latencyMs: 0, rateLimitPerMinute: null });
    expect((await s.sendJson('POST', `/_sandbox/companies/demo-500/faults`, { errorShare: 2 })).status).toBe(400);
    expect((await s.sendJson('POST', `/_sandbox/companies/demo-500/faults`, { explode: true })).status).toBe(400);
    expect((await s.sendJson('POST', `/_sandbox/companies/nope/faults`, { latencyMs: 1 })).status).toBe(404);
  });

  it('does not count requests refused with 401 against the rate budget', async () => {
    await s.setFaults('demo-500', { rateLimitPerMinute: 1 });
    expect((await s.getJson(`${BASE}/Customers`, { 'x-api-key': 'wrong' })).status).toBe(401);
    expect((await s.getJson(`${BASE}/Customers`, KEY)).status).toBe(200);
  });
});

describe('inspection routes', () => {
  let s: RunningSandbox;
  beforeAll(async () => {
    s = await startSandbox();
    await s.sendJson('POST', `${BASE}/Customers`, { CustomerID: 'INSPECT', CustomerName: 'Inspector', EmailAddress: 'i@x.test', StripeCustomerID_Custom: 'cus_i' }, KEY);
    await s.sendJson('POST', `${BASE}/Invoices`, { CustomerID: 'INSPECT', InvoiceDate: '2024-06-01', Reference: 'shared_ref', Lines: [{ UnitPrice: '7.50' }] }, KEY);
    await s.sendJson('POST', `${BASE}/JournalEntries`, journalEntry('shared_ref'), KEY);
  });
  afterAll(() => s.close());

  it('lists every document with type, number, customer, decimal amount and journal lines, filtered by type and reference', async () => {
    const both = await s.documents('demo-500', { reference: 'shared_ref' });
    expect(both.map((document) => document.type).sort()).toEqual(['invoice', 'journal']);
    const [invoice] = await s.documents('demo-500', { type: 'invoice', reference: 'shared_ref' });
    expect(invoice).toMatchObject({
      type: 'invoice',
      number: expect.stringMatching(/^INV\d+$/),
      date: '2024-06-01',
      currency: 'USD',
      amount: '7.50',
      customer: { code: 'INSPECT', email: 'i@x.test', stripeCustomerId: 'cus_i' },
      lines: [
        { account: '1200-00', debit: '7.50', credit: '0.00', memo: null },
        { account: '4000-00', debit: '0.00', credit: '7.50', memo: null },
      ],
    });
  });

  it('refuses an unknown document type and an unknown company', async () => {
    expect((await s.getJson('/_sandbox/companies/demo-500/documents?type=bogus')).status).toBe(400);
    expect((await s.getJson('/_sandbox/companies/nope/documents')).status).toBe(404);
  });

  it('gives an account balance as decimal strings, and 404 for an account not in the chart', async () => {
    expect(await s.balance('demo-500', '1200-00')).toMatchObject({ debit: '7.50', credit: '0.00', balance: '7.50', currency: 'USD' });
    expect(await s.balance('demo-500', '6160-00')).toMatchObject({ balance: '0.00' });
    expect((await s.getJson('/_sandbox/companies/demo-500/accounts/9999-99/balance')).status).toBe(404);
  });

  it('lists every demo company with the GL codes the product maps to by default', async () => {
    const { body } = await s.getJson<{ companies: { id: string; dialect: string; accounts: { code: string }[] }[] }>('/_sandbox/companies');
    const codes = (id: string) => body.companies.find((company) => company.id === id)?.accounts.map((account) => account.code) ?? [];
    expect(codes('demo-500')).toEqual(expect.arrayContaining(['1150-00', '1010-00', '4000-00', '6150-00', '4050-00', '6160-00', '7900-00', '6190-00', '1200-00']));
    expect(codes('demo-pro')).toEqual(expect.arrayContaining(['1150', '1010', '4000', '6150', '4050', '6160', '7900', '6190', '1200']));
    expect(codes('demo-50')).toEqual(expect.arrayContaining(['10500', '10200', '40000', '61500', '40500', '61600', '79000', '61900', '11000']));
    expect(codes('demo-cloud')).toEqual(expect.arrayContaining(['1210', '1200', '4000', '7600', '4009', '7601', '7900', '8200', '1100']));
  });

  it('moves the closed-through date, so a document in the newly closed period is refused', async () => {
    expect((await s.sendJson('PUT', '/_sandbox/companies/demo-500/closed-through', { closedThrough: '2024-06-30' })).status).toBe(200);
    const refused = await s.sendJson<{ errors: { code: string }[] }>('POST', `${BASE}/JournalEntries`, journalEntry('po_after_close', '2024-06-15'), KEY);
    expect(refused.body.errors[0]).toMatchObject({ code: 'closed_period' });
    await s.sendJson('PUT', '/_sandbox/companies/demo-500/closed-through', { closedThrough: '2023-12-31' });
  });

  it('resets to the demo companies with empty books', async () => {
    expect((await s.sendJson('POST', '/_sandbox/reset', {})).status).toBe(200);
    expect(await s.documents('demo-500')).toEqual([]);
  });
});

describe('persistence to a data file', () => {
  const directory = mkdtempSync(join(tmpdir(), 'sage-sandbox-'));
  const dataFile = join(directory, '.data', 'sage-sandbox.json');
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('keeps documents, customers and OAuth grants across a restart', async () => {
    const first = await startSandbox({ dataFile });
    await first.sendJson('POST', `${BASE}/Customers`, { CustomerID: 'KEEP', CustomerName: 'Kept' }, KEY);
    await first.sendJson('POST', `${BASE}/JournalEntries`, journalEntry('po_kept'), KEY);
    const tokens = await connectWithOAuth(first.url, '/sage50');
    await first.close();

    const second = await startSandbox({ dataFile });
    try {
      expect(await second.documents('demo-500', { reference: 'po_kept' })).toHaveLength(1);
      expect((await second.sendJson('POST', `${BASE}/JournalEntries`, journalEntry('po_kept'), KEY)).status).toBe(409);
      expect((await second.getJson(`${BASE}/Customers/KEEP`, KEY)).status).toBe(200);
      expect((await second.getJson('/sage50/demo-50/v1/customers', { authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
