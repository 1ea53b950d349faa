import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../../src/accounting/money.ts';
import { createSageAccountingConnector } from '../../../src/connectors/sage/editions/sage-accounting-connector.ts';
import { InMemoryTokenBucket } from '../../../src/connectors/sage/http/rate-limiter.ts';
import { BearerAuth } from '../../../src/connectors/sage/http/sage-auth.ts';
import type { SageConnector } from '../../../src/connectors/sage/sage-connector.ts';
import type { SageDocumentRef, SageLine } from '../../../src/connectors/sage/sage-documents.ts';
import { failureOf, isBalanced, postings } from '../../sandbox/sage/support/connector-contract.ts';
import { connectWithOAuth, startSandbox, type RunningSandbox } from '../../sandbox/sage/support/sandbox-harness.ts';

// Contract tests: the Sage Accounting (v3.1) connector over real HTTP against the Sage sandbox.

const BUSINESS = 'demo-cloud';
const AR = '1100';
const BANK = '1200';
const CLEARING = '1210';
const REVENUE = '4000';
const REFUNDS = '4009';
const FEES = '7600';

/** The same minor units in three currencies: 3 × 1999 + 1 × 5 = 6002. */
const CURRENCIES = [
  { currency: 'USD', threeUnits: '59.97', small: '0.05', total: '60.02' },
  { currency: 'JPY', threeUnits: '5997', small: '5', total: '6002' },
  { currency: 'BHD', threeUnits: '5.997', small: '0.005', total: '6.002' },
] as const;

const linesFor = (glAccount: string): SageLine[] => [
  { description: 'Pro plan', quantity: 3, unitAmountMinor: 1999n, glAccount },
  { description: 'Rounding', quantity: 1, unitAmountMinor: 5n, glAccount },
];

const payoutLines = (total: bigint) => [
  { account: BANK, debitMinor: total - 5n, creditMinor: 0n, memo: 'net to bank' },
  { account: FEES, debitMinor: 5n, creditMinor: 0n, memo: 'Stripe fees' },
  { account: CLEARING, debitMinor: 0n, creditMinor: total },
];

const newRef = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 18)}`;

/** A fetch that notes each request (method, path and query) and each answer's status. */
function recordingFetch() {
  const requests: { method: string; url: string; status: number | 'dropped' }[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const entry: { method: string; url: string; status: number | 'dropped' } = { method: init?.method ?? 'GET', url: `${url.pathname}${url.search}`, status: 'dropped' };
    requests.push(entry);
    const response = await fetch(input, init);
    entry.status = response.status;
    return response;
  };
  return { requests, fetch: wrapped };
}

describe('Sage Accounting connector', () => {
  let s: RunningSandbox;
  let accessToken: string;
  let sage: SageConnector;
  let buyerId: string;

  const connect = (options: { itemsPerPage?: number; fetch?: typeof fetch } = {}) =>
    createSageAccountingConnector({
      baseUrl: `${s.url}/sageaccounting/core/v3.1`,
      businessId: BUSINESS,
      baseCurrency: 'USD',
      http: {
        auth: new BearerAuth({ accessToken: async () => accessToken, refresh: async () => false }),
        rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000 }),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      },
      ...(options.itemsPerPage ? { itemsPerPage: options.itemsPerPage } : {}),
    });

  const documents = (reference: string, type?: string) => s.documents(BUSINESS, type ? { reference, type } : { reference });
  const clearingBalance = async (currency: string) =>
    parseDecimal((await s.getJson<{ balance: string }>(`/_sandbox/companies/${BUSINESS}/accounts/${CLEARING}/balance?currency=${currency}`)).body.balance, currency).minor;
  const receivablesBalance = async (currency: string) =>
    parseDecimal((await s.getJson<{ balance: string }>(`/_sandbox/companies/${BUSINESS}/accounts/${AR}/balance?currency=${currency}`)).body.balance, currency).minor;

  beforeAll(async () => {
    s = await startSandbox();
    accessToken = (await connectWithOAuth(s.url, '/sageaccounting')).access_token;
    sage = connect();
    buyerId = (await sage.createCustomer({ name: 'Buyer Inc', email: 'ap@buyer.test', stripeCustomerId: 'cus_buyer' })).id;
  });
  afterAll(() => s.close());
  afterEach(() => s.clearFaults(BUSINESS));

  it('says which documents it posts natively, that sales orders are not available, and its 100-character contact names', () => {
    expect(sage.edition).toBe('sage_accounting');
    expect(sage.capabilities).toMatchObject({ customerNameMaxLength: 100, documents: { sales_order: 'unsupported' } });
    expect(sage.capabilities.documents).toMatchObject({ invoice: 'native', cash_receipt: 'native', credit_memo: 'native', journal_entry: 'native' });
  });

  describe('customers (contacts)', () => {
    it('creates a contact with the Stripe customer id as its reference, then finds it by id, by Stripe id and by email in another case', async () => {
      const created = await sage.createCustomer({ name: 'Katherine Johnson', email: 'Katherine@NASA.test', stripeCustomerId: 'cus_katherine', city: 'Hampton' });
      expect(created).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), number: 'cus_katherine', name: 'Katherine Johnson', email: 'Katherine@NASA.test', stripeCustomerId: 'cus_katherine' });
      expect(await sage.findCustomerById(created.id)).toEqual(created);
      expect(await sage.findCustomerByStripeId('cus_katherine')).toEqual(created);
      expect(await sage.findCustomerByEmail('katherine@nasa.TEST')).toEqual(created);
    });

    it('creating the same Stripe customer twice gives back the first contact, not a second one', async () => {
      const first = await sage.createCustomer({ name: 'Dorothy Vaughan', email: 'dorothy@naca.test', stripeCustomerId: 'cus_dorothy' });
      expect(await sage.createCustomer({ name: 'Dorothy Vaughan', email: 'dorothy@naca.test', stripeCustomerId: 'cus_dorothy' })).toEqual(first);
      const { body } = await s.getJson<{ customers: unknown[] }>(`/_sandbox/companies/${BUSINESS}/customers?email=dorothy@naca.test`);
      expect(body.customers).toHaveLength(1);
    });

    it('follows $next through every page and refuses to choose between contacts sharing an email, asking a human to merge them', async () => {
      for (const [index, email] of ['twin@family.test', 'TWIN@family.test', 'Twin@Family.test', 'twin@FAMILY.test', 'twin@family.TEST'].entries()) {
        await sage.createCustomer({ name: `Twin ${index}`, email, stripeCustomerId: `cus_twin${index}` });
      }
      const recorder = recordingFetch();
      const error = await failureOf(connect({ itemsPerPage: 2, fetch: recorder.fetch }).findCustomerByEmail('twin@family.test'));
      expect(error).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false });
      expect(error.message).toMatch(/5 contacts with the email twin@family\.test/);
      for (const index of [0, 1, 2, 3, 4]) expect(error.message).toContain(`cus_twin${index}`);
      expect(recorder.requests.map((request) => request.url)).toEqual([
        expect.stringMatching(/^\/sageaccounting\/core\/v3\.1\/contacts\?.*items_per_page=2/),
        expect.stringMatching(/^\/sageaccounting\/core\/v3\.1\/contacts\?.*page=2/),
        expect.stringMatching(/^\/sageaccounting\/core\/v3\.1\/contacts\?.*page=3/),
      ]);
    });

    it('answers null for a contact id, Stripe id or email that Sage Accounting does not have', async () => {
      expect(await sage.findCustomerById('0'.repeat(32))).toBeNull();
      expect(await sage.findCustomerByStripeId('cus_nobody')).toBeNull();
      expect(await sage.findCustomerByEmail('nobody@nowhere.test')).toBeNull();
    });
  });

  describe.each(CURRENCIES)('documents in $currency', ({ currency, threeUnits, small, total }) => {
    const invoiceFor = (reference = newRef('in')) => sage.createInvoice({ reference, date: '2024-06-01', currency, customerId: buyerId, memo: 'Stripe invoice', lines: linesFor(REVENUE) });

    it('posts a sales invoice: debtors debited and each line credited to its ledger account, to the last minor unit', async () => {
      const reference = newRef('in');
      const invoice = await invoiceFor(reference);
      expect(invoice).toMatchObject({ type: 'invoice', reference, id: expect.stringMatching(/^[0-9a-f]{32}$/), number: expect.stringMatching(/^SI-/) });
      const [stored] = await documents(reference, 'invoice');
      expect(stored).toMatchObject({ currency, amount: total, customer: { code: 'cus_buyer' } });
      expect(postings(stored)).toEqual([
        { account: AR, debit: total, credit: expect.any(String) },
        { account: REVENUE, debit: expect.any(String), credit: threeUnits },
        { account: REVENUE, debit: expect.any(String), credit: small },
      ]);
      expect(isBalanced(stored)).toBe(true);
      expect(await sage.findDocumentByReference('invoice', reference)).toEqual(invoice);
    });

    it('posts a cash receipt as a customer receipt into the Stripe clearing bank account, allocated to its invoice', async () => {
      const invoice = await invoiceFor();
      const reference = newRef('ch');
      const receipt = await sage.createCashReceipt({ reference, date: '2024-06-02', currency, customerId: buyerId, amountMinor: 6002n, depositAccount: CLEARING, invoiceNumber: invoice.number, paymentMethod: 'card' });
      expect(receipt).toMatchObject({ type: 'cash_receipt', reference });
      const [stored] = await documents(reference, 'cash_receipt');
      expect(stored).toMatchObject({ currency, amount: total, appliesToInvoice: invoice.number });
      expect(postings(stored)).toEqual([
        { account: CLEARING, debit: total, credit: expect.any(String) },
        { account: AR, debit: expect.any(String), credit: total },
      ]);
      expect(await sage.findDocumentByReference('cash_receipt', reference)).toEqual(receipt);
    });

    it('posts a credit memo as a credit note plus a refund out of clearing, which together debit refunds and credit clearing', async () => {
      const invoice = await invoiceFor();
      const reference = newRef('re');
      const clearingBefore = await clearingBalance(currency);
      const receivablesBefore = await receivablesBalance(currency);
      const memo = await sage.createCreditMemo({ reference, date: '2024-06-03', currency, customerId: buyerId, lines: linesFor(REFUNDS), refundAccount: CLEARING, appliesToInvoiceNumber: invoice.number });
      expect(memo).toMatchObject({ type: 'credit_memo', reference, number: expect.stringMatching(/^SCN-/) });

      const [note] = await documents(reference, 'credit_memo');
      expect(note).toMatchObject({ currency, amount: total, appliesToInvoice: invoice.number });
      expect(postings(note)).toEqual([
        { account: REFUNDS, debit: threeUnits, credit: expect.any(String) },
        { account: REFUNDS, debit: small, credit: expect.any(String) },
        { account: AR, debit: expect.any(String), credit: total },
      ]);
      const [refund] = await documents(reference, 'customer_refund');
      expect(postings(refund)).toEqual([
        { account: AR, debit: total, credit: expect.any(String) },
        { account: CLEARING, debit: expect.any(String), credit: total },
      ]);
      expect(await clearingBalance(currency)).toBe(clearingBefore - 6002n);
      expect(await receivablesBalance(currency)).toBe(receivablesBefore);
      expect(await sage.findDocumentByReference('credit_memo', reference)).toEqual(memo);
    });

    it('leaves the Stripe clearing account where it was after a charge and its full refund, to the minor unit', async () => {
      const before = await clearingBalance(currency);
      const invoice = await invoiceFor();
      await sage.createCashReceipt({ reference: newRef('ch'), date: '2024-06-02', currency, customerId: buyerId, amountMinor: 6002n, depositAccount: CLEARING, invoiceNumber: invoice.number });
      expect((await clearingBalance(currency)) - before).toBe(6002n);
      await sage.createCreditMemo({ reference: newRef('re'), date: '2024-06-03', currency, customerId: buyerId, lines: linesFor(REFUNDS), refundAccount: CLEARING });
      expect(await clearingBalance(currency)).toBe(before);
    });
  });

  describe('journals, which Sage Accounting posts only in the base currency', () => {
    it('posts a payout journal in USD with balanced lines: bank and fees debited, clearing credited', async () => {
      const reference = newRef('po');
      const entry = await sage.createJournalEntry({ reference, date: '2024-06-07', currency: 'USD', memo: 'Stripe payout', lines: payoutLines(6002n) });
      expect(entry).toMatchObject({ type: 'journal_entry', reference, number: expect.stringMatching(/^JNL-/) });
      const [stored] = await documents(reference, 'journal');
      expect(stored).toMatchObject({ currency: 'USD', amount: '60.02' });
      expect(postings(stored)).toEqual([
        { account: BANK, debit: '59.97', credit: '0.00' },
        { account: FEES, debit: '0.05', credit: '0.00' },
        { account: CLEARING, debit: '0.00', credit: '60.02' },
      ]);
      expect(isBalanced(stored)).toBe(true);
      expect(await sage.findDocumentByReference('journal_entry', reference)).toEqual(entry);
    });

    it.each(['JPY', 'BHD'])('refuses a %s journal before sending it, since Sage would read its amounts as USD', async (currency) => {
      const recorder = recordingFetch();
      const reference = newRef('po');
      const error = await failureOf(connect({ fetch: recorder.fetch }).createJournalEntry({ reference, date: '2024-06-07', currency, memo: 'payout', lines: payoutLines(6002n) }));
      expect(error).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false, detail: { field: 'currency' } });
      expect(error.message).toContain(`is in ${currency}`);
      expect(recorder.requests).toEqual([]);
      expect(await documents(reference)).toEqual([]);
    });

    it('never sends an unbalanced journal', async () => {
      const recorder = recordingFetch();
      const lines = payoutLines(6002n).map((line) => (line.account === FEES ? { ...line, debitMinor: 4n } : line));
      const error = await failureOf(connect({ fetch: recorder.fetch }).createJournalEntry({ reference: newRef('po'), date: '2024-06-07', currency: 'USD', memo: 'payout', lines }));
      expect(error).toMatchObject({ code: 'SAGE_VALIDATION' });
      expect(error.message).toMatch(/must balance/);
      expect(recorder.requests).toEqual([]);
    });

    it('resolves each GL code to its ledger account once per connector', async () => {
      const recorder = recordingFetch();
      const cached = connect({ fetch: recorder.fetch });
      await cached.createJournalEntry({ reference: newRef('po'), date: '2024-06-07', currency: 'USD', memo: 'payout', lines: payoutLines(200n) });
      await cached.createJournalEntry({ reference: newRef('po'), date: '2024-06-08', currency: 'USD', memo: 'payout', lines: payoutLines(300n) });
      const searches = recorder.requests.filter((request) => request.url.includes('/ledger_accounts'));
      expect(searches.map((request) => new URL(request.url, s.url).searchParams.get('search'))).toEqual([BANK, FEES, CLEARING]);
    });
  });

  it('refuses a sales order, which Sage Accounting does not have, with a message saying what to turn off', async () => {
    const reference = newRef('so');
    const error = await failureOf(sage.createSalesOrder({ reference, date: '2024-06-01', currency: 'USD', customerId: buyerId, lines: linesFor(REVENUE) }));
    expect(error).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false });
    expect(error.message).toMatch(/no sales orders/);
    expect(await sage.findDocumentByReference('sales_order', reference)).toBeNull();
    expect(await documents(reference)).toEqual([]);
  });

  describe('refusals, each with a code the sync can act on', () => {
    it('a GL code missing from the chart is missing master data, found before anything is posted', async () => {
      const reference = newRef('in');
      const error = await failureOf(sage.createInvoice({ reference, date: '2024-06-01', currency: 'USD', customerId: buyerId, lines: linesFor('9999') }));
      expect(error).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', retryable: false, detail: { field: 'lines.0.glAccount' } });
      expect(error.message).toContain('GL account 9999');
      expect(await documents(reference)).toEqual([]);
    });

    it('a deposit account that is not a bank account is missing master data', async () => {
      const error = await failureOf(sage.createCashReceipt({ reference: newRef('ch'), date: '2024-06-02', currency: 'USD', customerId: buyerId, amountMinor: 100n, depositAccount: REVENUE }));
      expect(error).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', detail: { field: 'bank_account_id' } });
      expect(error.message).toContain('4000 is not a bank account');
    });

    it('an unknown contact is missing master data, keeping the Sage data code and field', async () => {
      const error = await failureOf(sage.createInvoice({ reference: newRef('in'), date: '2024-06-01', currency: 'USD', customerId: 'f'.repeat(32), lines: linesFor(REVENUE) }));
      expect(error).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', detail: { status: 422, sageCodes: ['RecordInvalid:contact_id'], field: 'contact_id' } });
      expect(error.detail.body).toContain('RecordInvalid');
    });

    it('a receipt for an invoice Sage Accounting does not have is missing master data', async () => {
      const error = await failureOf(sage.createCashReceipt({ reference: newRef('ch'), date: '2024-06-02', currency: 'USD', customerId: buyerId, amountMinor: 100n, depositAccount: CLEARING, invoiceNumber: 'SI-99999' }));
      expect(error).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', detail: { field: 'invoice_number' } });
    });

    it('a date in the closed period (through 2023-12-31) is a closed period', async () => {
      const error = await failureOf(sage.createInvoice({ reference: newRef('in'), date: '2023-12-31', currency: 'USD', customerId: buyerId, lines: linesFor(REVENUE) }));
      expect(error).toMatchObject({ code: 'SAGE_CLOSED_PERIOD', retryable: false, detail: { sageCodes: ['RecordInvalid:date'], field: 'date' } });
      expect(error.message).toMatch(/closed/);
    });

    it('a contact name over 100 characters is a validation error on that field', async () => {
      const error = await failureOf(sage.createCustomer({ name: 'N'.repeat(101), stripeCustomerId: 'cus_longname' }));
      expect(error).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false, detail: { status: 422, sageCodes: ['RecordInvalid:name'], field: 'name' } });
      expect(error.message).toContain('100');
    });

    it('a reference Sage already holds for a different amount is an unresolvable duplicate, and nothing more posts', async () => {
      const reference = newRef('ch');
      await sage.createCashReceipt({ reference, date: '2024-06-02', currency: 'USD', customerId: buyerId, amountMinor: 6002n, depositAccount: CLEARING });
      const error = await failureOf(sage.createCashReceipt({ reference, date: '2024-06-02', currency: 'USD', customerId: buyerId, amountMinor: 100n, depositAccount: CLEARING }));
      expect(error).toMatchObject({ code: 'SAGE_DUPLICATE_REFERENCE', retryable: false });
      expect(error.message).toContain('60.02 USD');
      expect(error.message).toContain('1.00 USD');
      expect(await documents(reference)).toHaveLength(1);
    });

    it('a server error is Sage unavailable, which a retry can fix', async () => {
      await s.setFaults(BUSINESS, { errorShare: 1 });
      const error = await failureOf(sage.findCustomerByStripeId('cus_buyer'));
      expect(error).toMatchObject({ code: 'SAGE_UNAVAILABLE', retryable: true, detail: { status: 500 } });
    });

    it('too many requests is rate limited, with the wait Sage asked for', async () => {
      await s.setFaults(BUSINESS, { rateLimitPerMinute: 1 });
      const limited = connect();
      const error = await failureOf((async () => {
        await limited.findCustomerById(buyerId);
        await limited.findCustomerById(buyerId);
      })());
      expect(error).toMatchObject({ code: 'SAGE_RATE_LIMITED', retryable: true, detail: { status: 429 } });
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    });
  });

  describe('a lost answer (Sage committed, the socket dropped)', () => {
    const KINDS = ['invoice', 'cash_receipt', 'credit_memo', 'journal_entry'] as const;
    const creates = (connector: () => SageConnector): Record<(typeof KINDS)[number], (reference: string) => Promise<SageDocumentRef>> => ({
      invoice: (reference) => connector().createInvoice({ reference, date: '2024-06-01', currency: 'USD', customerId: buyerId, lines: linesFor(REVENUE) }),
      cash_receipt: (reference) => connector().createCashReceipt({ reference, date: '2024-06-02', currency: 'USD', customerId: buyerId, amountMinor: 6002n, depositAccount: CLEARING }),
      credit_memo: (reference) => connector().createCreditMemo({ reference, date: '2024-06-03', currency: 'USD', customerId: buyerId, lines: linesFor(REFUNDS), refundAccount: CLEARING }),
      journal_entry: (reference) => connector().createJournalEntry({ reference, date: '2024-06-07', currency: 'USD', memo: 'payout', lines: payoutLines(6002n) }),
    });
    const create = creates(() => sage);

    it.each(KINDS)('fails a %s create as a retryable network error, and the retry (look up, then create only if missing) ends with exactly one', async (type) => {
      const reference = newRef('x');
      await s.setFaults(BUSINESS, { commitThenDropNext: true });
      expect(await failureOf(create[type](reference))).toMatchObject({ code: 'SAGE_NETWORK', retryable: true });

      const found = (await sage.findDocumentByReference(type, reference)) ?? (await create[type](reference));
      expect(found).toMatchObject({ type, reference });
      const stored = await documents(reference);
      expect(stored.map((document) => document.type).sort()).toEqual(type === 'credit_memo' ? ['credit_memo', 'customer_refund'] : [type === 'journal_entry' ? 'journal' : type]);
    });

    it('re-sending the create with the same idempotency_id gets the original back (201) and posts nothing new', async () => {
      const recorder = recordingFetch();
      const replaying = creates(() => connect({ fetch: recorder.fetch }));
      const reference = newRef('in');
      await s.setFaults(BUSINESS, { commitThenDropNext: true });
      expect(await failureOf(replaying.invoice(reference))).toMatchObject({ code: 'SAGE_NETWORK' });
      const again = await replaying.invoice(reference);

      const posts = recorder.requests.filter((request) => request.method === 'POST');
      expect(posts.map((request) => request.status)).toEqual(['dropped', 201]);
      expect(again).toEqual(await sage.findDocumentByReference('invoice', reference));
      expect(await documents(reference)).toHaveLength(1);
    });

    it('a credit note whose answer was lost is not yet a credit memo: the retry replays the note and adds only its refund', async () => {
      const reference = newRef('re');
      await s.setFaults(BUSINESS, { commitThenDropNext: true });
      expect(await failureOf(create.credit_memo(reference))).toMatchObject({ code: 'SAGE_NETWORK' });
      expect(await documents(reference)).toEqual([expect.objectContaining({ type: 'credit_memo' })]);

      expect(await sage.findDocumentByReference('credit_memo', reference)).toBeNull();
      const memo = await create.credit_memo(reference);
      expect(memo).toMatchObject({ type: 'credit_memo', reference });
      expect((await documents(reference)).map((document) => document.type).sort()).toEqual(['credit_memo', 'customer_refund']);
      expect(await sage.findDocumentByReference('credit_memo', reference)).toEqual(memo);
    });
  });

  describe('an expired access token', () => {
    it('is refused as auth revoked when the token cannot be refreshed, asking for a reconnect', async () => {
      const own = await startSandbox();
      try {
        const token = (await connectWithOAuth(own.url, '/sageaccounting')).access_token;
        let refreshes = 0;
        const expiring = createSageAccountingConnector({
          baseUrl: `${own.url}/sageaccounting/core/v3.1`,
          businessId: BUSINESS,
          baseCurrency: 'USD',
          http: {
            auth: new BearerAuth({ accessToken: async () => token, refresh: async () => ((refreshes += 1), false) }),
            rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000 }),
          },
        });
        expect(await expiring.findCustomerByStripeId('cus_nobody')).toBeNull();
        own.clock.advance(301_000);
        const error = await failureOf(expiring.findCustomerByStripeId('cus_nobody'));
        expect(error).toMatchObject({ code: 'SAGE_AUTH_REVOKED', retryable: false, detail: { status: 401 } });
        expect(error.message).toMatch(/Reconnect Sage/);
        expect(JSON.stringify(error.detail)).not.toContain(token);
        expect(refreshes).toBe(1);
      } finally {
        await own.close();
      }
    });
  });
});
