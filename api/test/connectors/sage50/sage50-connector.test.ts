import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseDecimal } from '../../../src/accounting/money.ts';
import { createSage50Connector } from '../../../src/connectors/sage/editions/sage50-connector.ts';
import { InMemoryTokenBucket } from '../../../src/connectors/sage/http/rate-limiter.ts';
import { BearerAuth } from '../../../src/connectors/sage/http/sage-auth.ts';
import type { SageConnector } from '../../../src/connectors/sage/sage-connector.ts';
import type { SageDocumentRef, SageLine } from '../../../src/connectors/sage/sage-documents.ts';
import { failureOf, isBalanced, postings } from '../../sandbox/sage/support/connector-contract.ts';
import { connectWithOAuth, startSandbox, type RunningSandbox } from '../../sandbox/sage/support/sandbox-harness.ts';

// Contract tests: the Sage 50 connector over real HTTP against the Sage sandbox's Sage 50 dialect.

const COMPANY = 'demo-50';
const AR = '11000';
const CLEARING = '10500';
const BANK = '10200';
const REVENUE = '40000';
const REFUNDS = '40500';
const FEES = '61500';

/** The same minor units in three currencies: 3 × 1999 + 1 × 5 = 6002. */
const CURRENCIES = [
  { currency: 'USD', unit: '19.99', threeUnits: '59.97', small: '0.05', total: '60.02' },
  { currency: 'JPY', unit: '1999', threeUnits: '5997', small: '5', total: '6002' },
  { currency: 'BHD', unit: '1.999', threeUnits: '5.997', small: '0.005', total: '6.002' },
] as const;

const linesFor = (glAccount: string): SageLine[] => [
  { description: 'Pro plan', quantity: 3, unitAmountMinor: 1999n, glAccount },
  { description: 'Rounding', quantity: 1, unitAmountMinor: 5n, glAccount },
];

const DOCUMENT_KINDS = ['sales_order', 'invoice', 'cash_receipt', 'credit_memo', 'journal_entry'] as const;
type DocumentKind = (typeof DOCUMENT_KINDS)[number];

const newRef = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 18)}`;

describe('Sage 50 connector', () => {
  let s: RunningSandbox;
  let accessToken: string;
  let sage: SageConnector;

  const connect = (options: { pageSize?: number; fetch?: typeof fetch } = {}) =>
    createSage50Connector({
      baseUrl: `${s.url}/sage50`,
      companyId: COMPANY,
      http: {
        auth: new BearerAuth({ accessToken: async () => accessToken, refresh: async () => false }),
        rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000 }),
        ...(options.fetch ? { fetch: options.fetch } : {}),
      },
      ...(options.pageSize ? { pageSize: options.pageSize } : {}),
    });

  const documents = (reference: string, type?: string) => s.documents(COMPANY, type ? { reference, type } : { reference });

  beforeAll(async () => {
    s = await startSandbox();
    accessToken = (await connectWithOAuth(s.url, '/sage50')).access_token;
    sage = connect();
    await sage.createCustomer({ name: 'Buyer Inc', email: 'ap@buyer.test', stripeCustomerId: 'cus_buyer', preferredCustomerNumber: 'BUYER' });
  });
  afterAll(() => s.close());
  afterEach(() => s.clearFaults(COMPANY));

  it('says what it posts natively and that a credit memo is posted as a journal entry', () => {
    expect(sage.edition).toBe('sage50');
    expect(sage.capabilities).toEqual({
      documents: { sales_order: 'native', invoice: 'native', cash_receipt: 'native', credit_memo: 'journal_entry', journal_entry: 'native' },
      customerNameMaxLength: 39,
    });
  });

  describe('customers', () => {
    it('creates a customer with its Stripe id, then finds it by id, by Stripe id and by email in another case', async () => {
      const created = await sage.createCustomer({ name: 'Katherine Johnson', email: 'Katherine@NASA.test', stripeCustomerId: 'cus_katherine', city: 'Hampton' });
      expect(created).toEqual({ id: expect.any(String), number: created.id, name: 'Katherine Johnson', email: 'Katherine@NASA.test', stripeCustomerId: 'cus_katherine' });
      expect(await sage.findCustomerById(created.id)).toEqual(created);
      expect(await sage.findCustomerByStripeId('cus_katherine')).toEqual(created);
      expect(await sage.findCustomerByEmail('katherine@nasa.TEST')).toEqual(created);
    });

    it('uses the preferred customer number as the Sage 50 customer ID', async () => {
      const created = await sage.createCustomer({ name: 'Mary Jackson', stripeCustomerId: 'cus_mary', preferredCustomerNumber: 'MJACKSON' });
      expect(created).toMatchObject({ id: 'MJACKSON', number: 'MJACKSON' });
    });

    it('creating a customer whose Stripe id Sage 50 already holds returns that customer instead of a second one', async () => {
      const first = await sage.createCustomer({ name: 'Dorothy Vaughan', stripeCustomerId: 'cus_dorothy' });
      const again = await sage.createCustomer({ name: 'Dorothy Vaughan', stripeCustomerId: 'cus_dorothy' });
      expect(again).toEqual(first);
      const { body } = await s.getJson<{ customers: unknown[] }>(`/_sandbox/companies/${COMPANY}/customers?stripeCustomerId=cus_dorothy`);
      expect(body.customers).toHaveLength(1);
    });

    it('refuses to choose between two customers sharing an email, across pages, and asks a human to merge them', async () => {
      for (const [index, email] of ['twin@family.test', 'TWIN@family.test', 'Twin@Family.test'].entries()) {
        await sage.createCustomer({ name: `Twin ${index}`, email, stripeCustomerId: `cus_twin${index}` });
      }
      const error = await failureOf(connect({ pageSize: 1 }).findCustomerByEmail('twin@family.test'));
      expect(error).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false });
      expect(error.message).toMatch(/3 customers with the email twin@family\.test/);
      expect(error.message).toMatch(/merge them/);
    });

    it('answers null for a customer id, Stripe id or email that Sage 50 does not have', async () => {
      expect(await sage.findCustomerById('NOBODY')).toBeNull();
      expect(await sage.findCustomerByStripeId('cus_nobody')).toBeNull();
      expect(await sage.findCustomerByEmail('nobody@nowhere.test')).toBeNull();
    });
  });

  describe.each(CURRENCIES)('documents in $currency', ({ currency, threeUnits, small, total }) => {
    const invoiceFor = async (reference = newRef('in')) => sage.createInvoice({ reference, date: '2024-06-01', currency, customerId: 'BUYER', memo: 'Stripe invoice', lines: linesFor(REVENUE) });

    it('posts a sales order that Sage 50 keeps at its exact amount without touching the ledger', async () => {
      const reference = newRef('so');
      const order = await sage.createSalesOrder({ reference, date: '2024-06-01', currency, customerId: 'BUYER', lines: linesFor(REVENUE) });
      expect(order).toMatchObject({ type: 'sales_order', reference, number: expect.stringMatching(/^SO/) });
      const [stored] = await documents(reference, 'sales_order');
      expect(stored).toMatchObject({ currency, amount: total, lines: [] });
      expect(await sage.findDocumentByReference('sales_order', reference)).toEqual(order);
    });

    it('posts an invoice: receivables debited and revenue credited, to the last minor unit', async () => {
      const reference = newRef('in');
      const invoice = await invoiceFor(reference);
      expect(invoice).toMatchObject({ type: 'invoice', reference, number: expect.stringMatching(/^INV/) });
      const [stored] = await documents(reference, 'invoice');
      expect(stored).toMatchObject({ currency, amount: total, customer: { code: 'BUYER' } });
      expect(postings(stored)).toEqual([
        { account: AR, debit: total, credit: expect.any(String) },
        { account: REVENUE, debit: expect.any(String), credit: threeUnits },
        { account: REVENUE, debit: expect.any(String), credit: small },
      ]);
      expect(isBalanced(stored)).toBe(true);
      expect(await sage.findDocumentByReference('invoice', reference)).toEqual(invoice);
    });

    it('posts a cash receipt into the Stripe clearing account, applied to its invoice', async () => {
      const invoice = await invoiceFor();
      const reference = newRef('ch');
      const receipt = await sage.createCashReceipt({ reference, date: '2024-06-02', currency, customerId: 'BUYER', amountMinor: 6002n, depositAccount: CLEARING, invoiceNumber: invoice.number, paymentMethod: 'Credit Card' });
      expect(receipt).toMatchObject({ type: 'cash_receipt', reference, number: expect.stringMatching(/^RCPT/) });
      const [stored] = await documents(reference, 'cash_receipt');
      expect(stored).toMatchObject({ currency, amount: total, appliesToInvoice: invoice.number });
      expect(postings(stored)).toEqual([
        { account: CLEARING, debit: total, credit: expect.any(String) },
        { account: AR, debit: expect.any(String), credit: total },
      ]);
      expect(await sage.findDocumentByReference('cash_receipt', reference)).toEqual(receipt);
    });

    it('posts a credit memo as one balanced journal, refunds debited and Stripe clearing credited, found again as a credit memo', async () => {
      const invoice = await invoiceFor();
      const reference = newRef('re');
      const memo = await sage.createCreditMemo({ reference, date: '2024-06-03', currency, customerId: 'BUYER', lines: linesFor(REFUNDS), refundAccount: CLEARING, appliesToInvoiceNumber: invoice.number });
      expect(memo).toMatchObject({ type: 'credit_memo', reference, number: expect.stringMatching(/^GJ/) });
      const [stored] = await documents(reference);
      expect(stored).toMatchObject({ type: 'journal', currency, amount: total });
      expect(postings(stored)).toEqual([
        { account: REFUNDS, debit: threeUnits, credit: expect.any(String) },
        { account: REFUNDS, debit: small, credit: expect.any(String) },
        { account: CLEARING, debit: expect.any(String), credit: total },
      ]);
      expect(isBalanced(stored)).toBe(true);
      expect(await sage.findDocumentByReference('credit_memo', reference)).toEqual(memo);
    });

    it('leaves the Stripe clearing account where it was after a charge and its full refund, to the minor unit', async () => {
      const balance = async () => (await s.getJson<{ balance: string }>(`/_sandbox/companies/${COMPANY}/accounts/${CLEARING}/balance?currency=${currency}`)).body.balance;
      const before = parseDecimal(await balance(), currency).minor;
      const invoice = await invoiceFor();
      await sage.createCashReceipt({ reference: newRef('ch'), date: '2024-06-02', currency, customerId: 'BUYER', amountMinor: 6002n, depositAccount: CLEARING, invoiceNumber: invoice.number });
      expect(parseDecimal(await balance(), currency).minor - before).toBe(6002n);
      await sage.createCreditMemo({ reference: newRef('re'), date: '2024-06-03', currency, customerId: 'BUYER', lines: linesFor(REFUNDS), refundAccount: CLEARING });
      expect(parseDecimal(await balance(), currency).minor).toBe(before);
    });

    it('posts a payout journal entry with balanced lines: bank and fees debited, clearing credited', async () => {
      const reference = newRef('po');
      const entry = await sage.createJournalEntry({
        reference,
        date: '2024-06-07',
        currency,
        memo: 'Stripe payout',
        lines: [
          { account: BANK, debitMinor: 5997n, creditMinor: 0n, memo: 'net to bank' },
          { account: FEES, debitMinor: 5n, creditMinor: 0n, memo: 'Stripe fees' },
          { account: CLEARING, debitMinor: 0n, creditMinor: 6002n },
        ],
      });
      expect(entry).toMatchObject({ type: 'journal_entry', reference });
      const [stored] = await documents(reference, 'journal');
      expect(stored).toMatchObject({ currency, amount: total });
      expect(postings(stored)).toEqual([
        { account: BANK, debit: threeUnits, credit: expect.any(String) },
        { account: FEES, debit: small, credit: expect.any(String) },
        { account: CLEARING, debit: expect.any(String), credit: total },
      ]);
      expect(isBalanced(stored)).toBe(true);
    });
  });

  describe('refusals, each with a code the sync can act on', () => {
    it('an unknown GL account is missing master data, naming the account and keeping Sage 50 codes', async () => {
      const reference = newRef('in');
      const error = await failureOf(sage.createInvoice({ reference, date: '2024-06-01', currency: 'USD', customerId: 'BUYER', lines: linesFor('99999') }));
      expect(error).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', retryable: false, detail: { status: 422, sageCodes: ['unknown_account'], field: 'lines[0].gl_account' } });
      expect(error.message).toContain('99999');
      expect(error.detail.body).toContain('unknown_account');
      expect(await documents(reference)).toEqual([]);
    });

    it('an unknown customer is missing master data, for a receipt and for a credit memo alike', async () => {
      const receipt = await failureOf(sage.createCashReceipt({ reference: newRef('ch'), date: '2024-06-02', currency: 'USD', customerId: 'GHOST', amountMinor: 100n, depositAccount: CLEARING }));
      expect(receipt).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', detail: { sageCodes: ['unknown_customer'] } });
      const memo = await failureOf(sage.createCreditMemo({ reference: newRef('re'), date: '2024-06-03', currency: 'USD', customerId: 'GHOST', lines: linesFor(REFUNDS), refundAccount: CLEARING }));
      expect(memo).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', detail: { sageCodes: ['unknown_customer'] } });
      expect(memo.message).toContain('GHOST');
    });

    it('a credit memo for an invoice Sage 50 does not have is missing master data, and posts nothing', async () => {
      const reference = newRef('re');
      const error = await failureOf(sage.createCreditMemo({ reference, date: '2024-06-03', currency: 'USD', customerId: 'BUYER', lines: linesFor(REFUNDS), refundAccount: CLEARING, appliesToInvoiceNumber: 'INV999999' }));
      expect(error).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', detail: { sageCodes: ['unknown_invoice'] } });
      expect(await documents(reference)).toEqual([]);
    });

    it('a date in the closed period (through 2023-12-31) is a closed period', async () => {
      const error = await failureOf(sage.createInvoice({ reference: newRef('in'), date: '2023-12-31', currency: 'USD', customerId: 'BUYER', lines: linesFor(REVENUE) }));
      expect(error).toMatchObject({ code: 'SAGE_CLOSED_PERIOD', retryable: false, detail: { sageCodes: ['closed_period'], field: 'date' } });
      expect(error.message).toMatch(/closed/);
    });

    it('a customer name over Sage 50 limit of 39 characters is a validation error on that field', async () => {
      const error = await failureOf(sage.createCustomer({ name: 'N'.repeat(40), stripeCustomerId: 'cus_longname' }));
      expect(error).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false, detail: { status: 400, sageCodes: ['too_long'], field: 'name' } });
      expect(error.message).toContain('39');
    });

    it('an unbalanced journal never leaves the process', async () => {
      const sent: string[] = [];
      const recording = connect({ fetch: async (input, init) => (sent.push(`${init?.method} ${String(input)}`), fetch(input, init)) });
      const error = await failureOf(
        recording.createJournalEntry({
          reference: newRef('po'),
          date: '2024-06-07',
          currency: 'USD',
          memo: 'payout',
          lines: [
            { account: BANK, debitMinor: 100n, creditMinor: 0n },
            { account: CLEARING, debitMinor: 0n, creditMinor: 99n },
          ],
        }),
      );
      expect(error).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false });
      expect(error.message).toMatch(/must balance/);
      expect(sent).toEqual([]);
    });

    it('a reference Sage 50 already holds for a different amount is an unresolvable duplicate, and nothing more posts', async () => {
      const reference = newRef('in');
      await sage.createInvoice({ reference, date: '2024-06-01', currency: 'USD', customerId: 'BUYER', lines: linesFor(REVENUE) });
      const error = await failureOf(sage.createInvoice({ reference, date: '2024-06-01', currency: 'USD', customerId: 'BUYER', lines: [{ description: 'Other', quantity: 1, unitAmountMinor: 100n, glAccount: REVENUE }] }));
      expect(error).toMatchObject({ code: 'SAGE_DUPLICATE_REFERENCE', retryable: false, detail: { status: 409, sageCodes: ['duplicate_reference'] } });
      expect(error.message).toContain('60.02 USD');
      expect(error.message).toContain('1.00 USD');
      expect(await documents(reference)).toHaveLength(1);
    });

    it('a server error is Sage unavailable, which a retry can fix', async () => {
      await s.setFaults(COMPANY, { errorShare: 1 });
      const error = await failureOf(sage.findCustomerById('BUYER'));
      expect(error).toMatchObject({ code: 'SAGE_UNAVAILABLE', retryable: true, detail: { status: 500 } });
    });

    it('too many requests is rate limited, with the wait Sage asked for', async () => {
      await s.setFaults(COMPANY, { rateLimitPerMinute: 1 });
      const limited = connect();
      const error = await failureOf((async () => {
        await limited.findCustomerById('BUYER');
        await limited.findCustomerById('BUYER');
      })());
      expect(error).toMatchObject({ code: 'SAGE_RATE_LIMITED', retryable: true, detail: { status: 429 } });
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(60_000);
    });
  });

  describe('a lost answer (Sage committed, the socket dropped)', () => {
    const creates: Record<DocumentKind, (reference: string) => Promise<SageDocumentRef>> = {
      sales_order: (reference) => sage.createSalesOrder({ reference, date: '2024-06-01', currency: 'USD', customerId: 'BUYER', lines: linesFor(REVENUE) }),
      invoice: (reference) => sage.createInvoice({ reference, date: '2024-06-01', currency: 'USD', customerId: 'BUYER', lines: linesFor(REVENUE) }),
      cash_receipt: (reference) => sage.createCashReceipt({ reference, date: '2024-06-02', currency: 'USD', customerId: 'BUYER', amountMinor: 6002n, depositAccount: CLEARING }),
      credit_memo: (reference) => sage.createCreditMemo({ reference, date: '2024-06-03', currency: 'USD', customerId: 'BUYER', lines: linesFor(REFUNDS), refundAccount: CLEARING }),
      journal_entry: (reference) =>
        sage.createJournalEntry({
          reference,
          date: '2024-06-07',
          currency: 'USD',
          memo: 'payout',
          lines: [
            { account: BANK, debitMinor: 6002n, creditMinor: 0n },
            { account: CLEARING, debitMinor: 0n, creditMinor: 6002n },
          ],
        }),
    };

    it.each(DOCUMENT_KINDS)(
      'fails a %s create as a retryable network error, and the retry (look up, then create only if missing) ends with exactly one document',
      async (type) => {
        const create = creates[type];
        const reference = newRef('x');
        await s.setFaults(COMPANY, { commitThenDropNext: true });
        const lost = await failureOf(create(reference));
        expect(lost).toMatchObject({ code: 'SAGE_NETWORK', retryable: true });

        const found = (await sage.findDocumentByReference(type, reference)) ?? (await create(reference));
        expect(found).toMatchObject({ type, reference });
        expect(await documents(reference)).toHaveLength(1);
      },
    );

    it('re-sending the same create without looking first resolves to the document Sage already has', async () => {
      const reference = newRef('in');
      await s.setFaults(COMPANY, { commitThenDropNext: true });
      expect(await failureOf(creates.invoice(reference))).toMatchObject({ code: 'SAGE_NETWORK' });
      const again = await creates.invoice(reference);
      expect(again).toEqual(await sage.findDocumentByReference('invoice', reference));
      expect(await documents(reference)).toHaveLength(1);
    });
  });

  describe('an expired access token', () => {
    it('is refused as auth revoked when the token cannot be refreshed, asking for a reconnect', async () => {
      const own = await startSandbox();
      try {
        const token = (await connectWithOAuth(own.url, '/sage50')).access_token;
        let refreshes = 0;
        const expiring = createSage50Connector({
          baseUrl: `${own.url}/sage50`,
          companyId: COMPANY,
          http: {
            auth: new BearerAuth({ accessToken: async () => token, refresh: async () => (refreshes += 1, false) }),
            rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000 }),
          },
        });
        expect(await expiring.findCustomerById('BUYER')).toBeNull();
        own.clock.advance(301_000);
        const error = await failureOf(expiring.findCustomerById('BUYER'));
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
