import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BearerAuth } from '../../../src/connectors/sage/http/sage-auth.ts';
import { SageHttpClient } from '../../../src/connectors/sage/http/sage-http-client.ts';
import { InMemoryTokenBucket } from '../../../src/connectors/sage/http/rate-limiter.ts';
import { createSageProConnector } from '../../../src/connectors/sage/editions/sage-pro-connector.ts';
import { customerCodeForStripeId } from '../../../src/connectors/sage/editions/sage500-and-pro-idempotency.ts';
import type { SageConnector } from '../../../src/connectors/sage/sage-connector.ts';
import { aCustomer, erpDocuments, failureOf, postUnlessPosted } from '../../sandbox/sage/support/connector-contract.ts';
import { connectWithOAuth, startSandbox, type RunningSandbox } from '../../sandbox/sage/support/sandbox-harness.ts';

// Contract tests: the Sage Pro connector over real HTTP against the sandbox's Sage Pro dialect.

const COMPANY = 'demo-pro';
const GL = { clearing: '1150', bank: '1010', revenue: '4000', refunds: '4050', fees: '6150', receivables: '1200' };
const OPEN_DATE = '2024-05-31';

let sandbox: RunningSandbox;
let requestsSent: number;
let accessToken: string;

beforeEach(async () => {
  sandbox = await startSandbox();
  accessToken = (await connectWithOAuth(sandbox.url, '/sagepro')).access_token;
  requestsSent = 0;
});
afterEach(() => sandbox.close());

function connect(options: { token?: string; company?: string } = {}): SageConnector {
  const company = options.company ?? COMPANY;
  const http = new SageHttpClient({
    baseUrl: `${sandbox.url}/sagepro`,
    auth: new BearerAuth({ accessToken: async () => options.token ?? accessToken, refresh: async () => false }),
    rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000, now: sandbox.clock.now }),
    rateLimitKey: `sage_pro:${company}`,
    now: sandbox.clock.now,
    fetch: (input, init) => {
      requestsSent += 1;
      return fetch(input, init);
    },
  });
  return createSageProConnector({ companyId: company, http });
}

const { anInvoice, aReceipt, aPayoutJournal } = erpDocuments(GL, OPEN_DATE);

describe('Sage Pro connector', () => {
  it('says that every document type is native and that customer names hold 50 characters', () => {
    expect(connect().capabilities).toEqual({
      documents: { sales_order: 'native', invoice: 'native', cash_receipt: 'native', credit_memo: 'native', journal_entry: 'native' },
      customerNameMaxLength: 50,
    });
  });

  describe('customers', () => {
    it('creates a customer whose ID comes from the Stripe id, then finds it by id, by Stripe id and by email in another case', async () => {
      const connector = connect();
      const created = await aCustomer(connector, 'cus_ada', 'Ada@Example.test');

      expect(created).toEqual({ id: customerCodeForStripeId('cus_ada'), number: customerCodeForStripeId('cus_ada'), name: 'Ada Lovelace', email: 'Ada@Example.test', stripeCustomerId: 'cus_ada' });
      expect(await connector.findCustomerById(created.id)).toEqual(created);
      expect(await connector.findCustomerByStripeId('cus_ada')).toEqual(created);
      expect(await connector.findCustomerByEmail('ADA@example.TEST')).toEqual(created);
      expect(await connector.findCustomerByStripeId('cus_nobody')).toBeNull();
      expect(await connector.findCustomerById('NOBODY')).toBeNull();
      expect(await connector.findCustomerByEmail('nobody@example.test')).toBeNull();
    });

    it('uses the customer number the mapping suggests', async () => {
      const created = await connect().createCustomer({ name: 'Grace Hopper', stripeCustomerId: 'cus_grace', preferredCustomerNumber: 'HOPPER-0001' });
      expect(created.id).toBe('HOPPER-0001');
    });

    it('resolves a customer create whose answer was lost to the one customer Sage committed', async () => {
      const connector = connect();
      await sandbox.setFaults(COMPANY, { commitThenDropNext: true });

      expect(await failureOf(aCustomer(connector))).toMatchObject({ code: 'SAGE_NETWORK', retryable: true });
      const retried = await aCustomer(connector);

      expect(retried.stripeCustomerId).toBe('cus_ada');
      const stored = (await sandbox.getJson<{ customers: unknown[] }>(`/_sandbox/companies/${COMPANY}/customers?stripeCustomerId=cus_ada`)).body.customers;
      expect(stored).toHaveLength(1);
    });

    it('refuses a suggested customer number that another Stripe customer already holds, instead of matching them', async () => {
      const connector = connect();
      await connector.createCustomer({ name: 'Grace Hopper', stripeCustomerId: 'cus_grace', preferredCustomerNumber: 'HOPPER' });
      const conflict = await failureOf(connector.createCustomer({ name: 'Other Hopper', stripeCustomerId: 'cus_other', preferredCustomerNumber: 'HOPPER' }));
      expect(conflict).toMatchObject({ code: 'SAGE_DUPLICATE_REFERENCE', retryable: false });
      expect(conflict.message).toContain('customer ID HOPPER, belonging to Grace Hopper (Stripe cus_grace), not to Stripe customer cus_other');
    });

    it('asks a person to merge when two customers share an email', async () => {
      const connector = connect();
      await aCustomer(connector, 'cus_one', 'twin@example.test');
      await aCustomer(connector, 'cus_two', 'TWIN@example.test');
      const ambiguous = await failureOf(connector.findCustomerByEmail('Twin@Example.test'));
      expect(ambiguous).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false });
      expect(ambiguous.message).toMatch(/2 customers with email Twin@Example.test .*Merge them in Sage/);
    });

    it('refuses a customer name longer than Sage Pro holds as a validation error naming the field', async () => {
      const tooLong = await failureOf(connect().createCustomer({ name: 'N'.repeat(51), stripeCustomerId: 'cus_long' }));
      expect(tooLong).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false, detail: { field: 'name', sageCodes: ['too_long'], status: 400 } });
      expect(tooLong.message).toContain('name must be at most 50 characters');
    });
  });

  describe('documents', () => {
    const currencies = [
      { currency: 'USD', lines: [{ quantity: 2, unitAmountMinor: 1999n }, { quantity: 1, unitAmountMinor: 5n }], total: '40.03', zero: '0.00', lineCredits: ['39.98', '0.05'] },
      { currency: 'JPY', lines: [{ quantity: 3, unitAmountMinor: 1500n }], total: '4500', zero: '0', lineCredits: ['4500'] },
      { currency: 'BHD', lines: [{ quantity: 1, unitAmountMinor: 1250n }, { quantity: 2, unitAmountMinor: 5n }], total: '1.260', zero: '0.000', lineCredits: ['1.250', '0.010'] },
    ];

    it.each(currencies)('posts a sales order, an invoice, a credit memo and a cash receipt in $currency with exact amounts', async ({ currency, lines, total, zero, lineCredits }) => {
      const connector = connect();
      const customer = await aCustomer(connector);
      const itemLines = lines.map((line, index) => ({ description: `Item ${index + 1}`, glAccount: GL.revenue, ...line }));
      const totalMinor = lines.reduce((sum, line) => sum + BigInt(line.quantity) * line.unitAmountMinor, 0n);

      const order = await connector.createSalesOrder({ reference: `so_${currency}`, date: OPEN_DATE, currency, customerId: customer.id, lines: itemLines });
      const invoice = await connector.createInvoice({ reference: `in_${currency}`, date: OPEN_DATE, currency, customerId: customer.id, lines: itemLines });
      const receipt = await connector.createCashReceipt({ reference: `ch_${currency}`, date: OPEN_DATE, currency, customerId: customer.id, amountMinor: totalMinor, depositAccount: GL.clearing, invoiceNumber: invoice.number });
      const memo = await connector.createCreditMemo({
        reference: `re_${currency}`,
        date: OPEN_DATE,
        currency,
        customerId: customer.id,
        refundAccount: GL.clearing,
        appliesToInvoiceNumber: invoice.number,
        lines: lines.map((line, index) => ({ description: `Refund ${index + 1}`, glAccount: GL.refunds, ...line })),
      });

      expect(order).toMatchObject({ type: 'sales_order', reference: `so_${currency}` });
      expect(invoice).toMatchObject({ type: 'invoice', reference: `in_${currency}`, number: expect.stringMatching(/^INV-/) });
      expect(receipt).toMatchObject({ type: 'cash_receipt', reference: `ch_${currency}` });
      expect(memo).toMatchObject({ type: 'credit_memo', reference: `re_${currency}` });

      const [storedOrder] = await sandbox.documents(COMPANY, { type: 'sales_order', reference: `so_${currency}` });
      expect(storedOrder).toMatchObject({ id: order.id, number: order.number, currency, amount: total });
      const [storedInvoice] = await sandbox.documents(COMPANY, { type: 'invoice', reference: `in_${currency}` });
      expect(storedInvoice).toMatchObject({ id: invoice.id, number: invoice.number, currency, amount: total, customer: { code: customer.id } });
      expect(storedInvoice?.lines[0]).toMatchObject({ account: GL.receivables, debit: total });
      expect(storedInvoice?.lines.slice(1).map((line) => [line.account, line.credit])).toEqual(lineCredits.map((credit) => [GL.revenue, credit]));
      const [storedReceipt] = await sandbox.documents(COMPANY, { type: 'cash_receipt', reference: `ch_${currency}` });
      expect(storedReceipt).toMatchObject({ id: receipt.id, number: receipt.number, currency, amount: total, appliesToInvoice: invoice.number });
      expect(storedReceipt?.lines.map((line) => [line.account, line.debit, line.credit])).toEqual([
        [GL.clearing, total, zero],
        [GL.receivables, zero, total],
      ]);
      const [storedMemo] = await sandbox.documents(COMPANY, { type: 'credit_memo', reference: `re_${currency}` });
      expect(storedMemo).toMatchObject({ id: memo.id, currency, amount: total, appliesToInvoice: invoice.number });
      // The refund leaves through Stripe: the clearing account is credited, not the receivable.
      expect(storedMemo?.lines.at(-1)).toMatchObject({ account: GL.clearing, credit: total });

      expect(await connector.findDocumentByReference('sales_order', `so_${currency}`)).toEqual(order);
      expect(await connector.findDocumentByReference('invoice', `in_${currency}`)).toEqual(invoice);
      expect(await connector.findDocumentByReference('cash_receipt', `ch_${currency}`)).toEqual(receipt);
      expect(await connector.findDocumentByReference('credit_memo', `re_${currency}`)).toEqual(memo);
    });

    it('posts a receipt natively against receivables, whatever offset account the GL rules name for journal editions', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      await connector.createInvoice(anInvoice(customer.id));

      await connector.createCashReceipt(aReceipt(customer.id, { offsetAccount: GL.revenue }));

      expect((await sandbox.balance(COMPANY, GL.receivables)).balance).toBe('0.00');
      expect((await sandbox.balance(COMPANY, GL.clearing)).balance).toBe('39.98');
    });

    it('posts a balanced journal entry line for line, and finds it by reference', async () => {
      const connector = connect();
      const entry = await connector.createJournalEntry(aPayoutJournal());

      expect(entry).toMatchObject({ type: 'journal_entry', reference: 'po_3001' });
      const [stored] = await sandbox.documents(COMPANY, { type: 'journal', reference: 'po_3001' });
      expect(stored?.lines.map((line) => [line.account, line.debit, line.credit])).toEqual([
        [GL.bank, '94.12', '0.00'],
        [GL.fees, '5.88', '0.00'],
        [GL.clearing, '0.00', '100.00'],
      ]);
      expect(await connector.findDocumentByReference('journal_entry', 'po_3001')).toEqual(entry);
    });

    it('refuses an unbalanced journal before any HTTP request', async () => {
      const connector = connect();
      const unbalanced = aPayoutJournal({ currency: 'JPY', lines: [{ account: GL.bank, debitMinor: 100n, creditMinor: 0n }, { account: GL.clearing, debitMinor: 0n, creditMinor: 99n }] });

      const refused = await failureOf(connector.createJournalEntry(unbalanced));

      expect(refused).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false });
      expect(refused.message).toContain('the lines do not balance (debits 100 JPY, credits 99 JPY)');
      expect(requestsSent).toBe(0);
    });
  });

  describe('refusals, as errors a finance admin can act on', () => {
    it('reports an unknown GL account as missing master data, naming the account and the company, not retryable', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      const refused = await failureOf(connector.createCashReceipt(aReceipt(customer.id, { depositAccount: '1999' })));
      expect(refused).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', retryable: false, detail: { status: 422, sageCodes: ['unknown_account'], field: 'glAccount' } });
      expect(refused.message).toBe('GL account 1999 does not exist in Sage Pro company demo-pro. Add it in Sage or change the GL rule.');
    });

    it('reports a receipt for an unknown customer as missing master data', async () => {
      const refused = await failureOf(connect().createCashReceipt(aReceipt('NOBODY')));
      expect(refused).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', retryable: false, detail: { sageCodes: ['unknown_customer'] } });
      expect(refused.message).toContain('Customer NOBODY does not exist in Sage Pro company demo-pro');
    });

    it('reports a document dated in the closed period as a closed period', async () => {
      const refused = await failureOf(connect().createJournalEntry(aPayoutJournal({ date: '2023-12-31' })));
      expect(refused).toMatchObject({ code: 'SAGE_CLOSED_PERIOD', retryable: false, detail: { field: 'entryDate' } });
      expect(refused.message).toContain('The accounting period of 2023-12-31 is closed in Sage Pro company demo-pro');
    });

    it('reports a line description longer than Sage Pro holds as a validation error naming the field', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      const refused = await failureOf(connector.createInvoice(anInvoice(customer.id, { lines: [{ description: 'D'.repeat(61), quantity: 1, unitAmountMinor: 100n, glAccount: GL.revenue }] })));
      expect(refused).toMatchObject({ code: 'SAGE_VALIDATION', detail: { field: 'lines[0].description', sageCodes: ['too_long'] } });
      expect(refused.message).toContain('lines[0].description');
    });

    it('reports a token Sage does not accept, with no refresh possible, as revoked credentials', async () => {
      const refused = await failureOf(connect({ token: 'not-a-token' }).findCustomerByStripeId('cus_ada'));
      expect(refused).toMatchObject({ code: 'SAGE_AUTH_REVOKED', retryable: false });
      expect(JSON.stringify(refused.detail)).not.toContain('not-a-token');
    });

    it('reports a company Sage Pro does not have as not found', async () => {
      const refused = await failureOf(connect({ company: 'demo-nope' }).findCustomerByStripeId('cus_ada'));
      expect(refused).toMatchObject({ code: 'SAGE_NOT_FOUND', retryable: false });
      expect(refused.message).toContain('demo-nope');
    });

    it('reports a server error as unavailable and retryable, with nothing posted', async () => {
      await sandbox.setFaults(COMPANY, { errorShare: 1 });
      const refused = await failureOf(connect().createJournalEntry(aPayoutJournal()));
      expect(refused).toMatchObject({ code: 'SAGE_UNAVAILABLE', retryable: true, detail: { status: 500 } });
      expect(await sandbox.documents(COMPANY, { type: 'journal' })).toEqual([]);
    });

    it('reports Sage Pro saying slow down as rate limited, with when to come back', async () => {
      const connector = connect();
      await sandbox.setFaults(COMPANY, { rateLimitPerMinute: 1 });
      expect(await connector.findCustomerByStripeId('cus_ada')).toBeNull();
      const refused = await failureOf(connector.findCustomerByStripeId('cus_ada'));
      expect(refused).toMatchObject({ code: 'SAGE_RATE_LIMITED', retryable: true, retryAfterMs: 60_000 });
    });
  });

  describe('exactly once', () => {
    it('recovers a cash receipt whose answer was lost: the retry finds it instead of posting it twice', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      await sandbox.setFaults(COMPANY, { commitThenDropNext: true });
      const attempt = () => postUnlessPosted(() => connector.findDocumentByReference('cash_receipt', 'ch_2001'), () => connector.createCashReceipt(aReceipt(customer.id)));

      expect(await failureOf(attempt())).toMatchObject({ code: 'SAGE_NETWORK', retryable: true });
      const retried = await attempt();

      const stored = await sandbox.documents(COMPANY, { type: 'cash_receipt', reference: 'ch_2001' });
      expect(stored).toHaveLength(1);
      expect(retried).toMatchObject({ type: 'cash_receipt', id: stored[0]?.id, number: stored[0]?.number, reference: 'ch_2001' });
      expect((await sandbox.balance(COMPANY, GL.clearing)).balance).toBe('39.98');
    });

    it('recovers a journal entry whose answer was lost', async () => {
      const connector = connect();
      await sandbox.setFaults(COMPANY, { commitThenDropNext: true });
      const attempt = () => postUnlessPosted(() => connector.findDocumentByReference('journal_entry', 'po_3001'), () => connector.createJournalEntry(aPayoutJournal()));

      expect(await failureOf(attempt())).toMatchObject({ code: 'SAGE_NETWORK' });
      const retried = await attempt();

      const stored = await sandbox.documents(COMPANY, { type: 'journal', reference: 'po_3001' });
      expect(stored).toHaveLength(1);
      expect(retried).toMatchObject({ type: 'journal_entry', id: stored[0]?.id });
    });

    it('answers a second create of the same reference with the document already posted', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);

      const first = await connector.createInvoice(anInvoice(customer.id));
      const second = await connector.createInvoice(anInvoice(customer.id));
      const firstReceipt = await connector.createCashReceipt(aReceipt(customer.id));
      const secondReceipt = await connector.createCashReceipt(aReceipt(customer.id));

      expect(second).toEqual(first);
      expect(secondReceipt).toEqual(firstReceipt);
      expect(await sandbox.documents(COMPANY, { type: 'invoice', reference: 'in_1001' })).toHaveLength(1);
      expect(await sandbox.documents(COMPANY, { type: 'cash_receipt', reference: 'ch_2001' })).toHaveLength(1);
    });

    it('refuses to call a different amount under an existing reference "synced"', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      await connector.createCashReceipt(aReceipt(customer.id));

      const conflict = await failureOf(connector.createCashReceipt(aReceipt(customer.id, { amountMinor: 3999n })));

      expect(conflict).toMatchObject({ code: 'SAGE_DUPLICATE_REFERENCE', retryable: false });
      expect(conflict.message).toContain('a total of 39.98 USD where we mean 39.99 USD');
      expect(await sandbox.documents(COMPANY, { type: 'cash_receipt', reference: 'ch_2001' })).toHaveLength(1);
    });
  });
});
