import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiKeyAuth } from '../../../src/connectors/sage/http/sage-auth.ts';
import { SageHttpClient } from '../../../src/connectors/sage/http/sage-http-client.ts';
import { InMemoryTokenBucket } from '../../../src/connectors/sage/http/rate-limiter.ts';
import { createSage500Connector } from '../../../src/connectors/sage/editions/sage500-connector.ts';
import { customerCodeForStripeId } from '../../../src/connectors/sage/editions/sage500-and-pro-idempotency.ts';
import type { SageConnector } from '../../../src/connectors/sage/sage-connector.ts';
import { aCustomer, erpDocuments, failureOf, postUnlessPosted } from '../../sandbox/sage/support/connector-contract.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/sage/support/sandbox-harness.ts';

// Contract tests: the Sage 500 connector over real HTTP against the sandbox's Sage 500 dialect.

const COMPANY = 'demo-500';
const AGENT_KEY = 'demo-500-agent-key';
const GL = { clearing: '1150-00', bank: '1010-00', revenue: '4000-00', refunds: '4050-00', fees: '6150-00', receivables: '1200-00' };
const OPEN_DATE = '2024-05-31';

let sandbox: RunningSandbox;
let requestsSent: number;

beforeEach(async () => {
  sandbox = await startSandbox();
  requestsSent = 0;
});
afterEach(() => sandbox.close());

function connect(options: { apiKey?: string; company?: string } = {}): SageConnector {
  const company = options.company ?? COMPANY;
  const http = new SageHttpClient({
    baseUrl: `${sandbox.url}/sage500/${company}`,
    auth: new ApiKeyAuth('X-Api-Key', options.apiKey ?? AGENT_KEY),
    rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000, now: sandbox.clock.now }),
    rateLimitKey: `sage500:${company}`,
    now: sandbox.clock.now,
    fetch: (input, init) => {
      requestsSent += 1;
      return fetch(input, init);
    },
  });
  return createSage500Connector({ companyId: company, http });
}

const { anInvoice, aReceipt, aPayoutJournal } = erpDocuments(GL, OPEN_DATE);

describe('Sage 500 connector', () => {
  it('says that a cash receipt is posted as a journal entry and that customer names hold 40 characters', () => {
    expect(connect().capabilities).toEqual({
      documents: { sales_order: 'native', invoice: 'native', cash_receipt: 'journal_entry', credit_memo: 'native', journal_entry: 'native' },
      customerNameMaxLength: 40,
    });
  });

  describe('customers', () => {
    it('creates a customer whose CustomerID comes from the Stripe id, then finds it by id, by Stripe id and by email in another case', async () => {
      const connector = connect();
      const created = await aCustomer(connector, 'cus_ada', 'Ada@Example.test');

      expect(created).toEqual({ id: customerCodeForStripeId('cus_ada'), number: customerCodeForStripeId('cus_ada'), name: 'Ada Lovelace', email: 'Ada@Example.test', stripeCustomerId: 'cus_ada' });
      expect(created.id).toMatch(/^ST[0-9A-Z]{10}$/);
      expect(await connector.findCustomerById(created.id)).toEqual(created);
      expect(await connector.findCustomerByStripeId('cus_ada')).toEqual(created);
      expect(await connector.findCustomerByEmail('ADA@example.TEST')).toEqual(created);
      expect(await connector.findCustomerByStripeId('cus_nobody')).toBeNull();
      expect(await connector.findCustomerById('NOBODY')).toBeNull();
      expect(await connector.findCustomerByEmail('nobody@example.test')).toBeNull();
    });

    it('derives the same 12-character CustomerID from the same Stripe id, and different ones from different ids', () => {
      expect(customerCodeForStripeId('cus_NffrFeUfNV2Hib')).toBe(customerCodeForStripeId('cus_NffrFeUfNV2Hib'));
      expect(customerCodeForStripeId('cus_NffrFeUfNV2Hib')).toHaveLength(12);
      expect(customerCodeForStripeId('cus_NffrFeUfNV2Hib')).not.toBe(customerCodeForStripeId('cus_NffrFeUfNV2HIB'));
    });

    it('uses the customer number the mapping suggests', async () => {
      const created = await connect().createCustomer({ name: 'Grace Hopper', stripeCustomerId: 'cus_grace', preferredCustomerNumber: 'HOPPER' });
      expect(created.id).toBe('HOPPER');
      const [stored] = (await sandbox.getJson<{ customers: { code: string; stripeCustomerId: string }[] }>(`/_sandbox/companies/${COMPANY}/customers?stripeCustomerId=cus_grace`)).body.customers;
      expect(stored).toMatchObject({ code: 'HOPPER', stripeCustomerId: 'cus_grace' });
    });

    it('resolves a customer create whose answer was lost to the one customer Sage committed', async () => {
      const connector = connect();
      await sandbox.setFaults(COMPANY, { commitThenDropNext: true });

      const lost = await failureOf(aCustomer(connector));
      expect(lost).toMatchObject({ code: 'SAGE_NETWORK', retryable: true });

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
      expect(conflict.message).toContain('HOPPER');
      expect(conflict.message).toContain('cus_grace');
    });

    it('asks a person to merge when two customers share an email', async () => {
      const connector = connect();
      await aCustomer(connector, 'cus_one', 'twin@example.test');
      await aCustomer(connector, 'cus_two', 'TWIN@example.test');
      const ambiguous = await failureOf(connector.findCustomerByEmail('twin@example.test'));
      expect(ambiguous).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false });
      expect(ambiguous.message).toMatch(/2 customers with email twin@example.test .*Merge them in Sage/);
    });

    it('refuses a customer name longer than Sage 500 holds as a validation error naming CustomerName', async () => {
      const tooLong = await failureOf(connect().createCustomer({ name: 'N'.repeat(41), stripeCustomerId: 'cus_long' }));
      expect(tooLong).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false, detail: { field: 'CustomerName', sageCodes: ['too_long'], status: 400 } });
      expect(tooLong.message).toContain('CustomerName');
    });
  });

  describe('documents', () => {
    const currencies = [
      { currency: 'USD', lines: [{ quantity: 2, unitAmountMinor: 1999n }, { quantity: 1, unitAmountMinor: 5n }], total: '40.03', lineCredits: ['39.98', '0.05'] },
      { currency: 'JPY', lines: [{ quantity: 3, unitAmountMinor: 1500n }], total: '4500', lineCredits: ['4500'] },
      { currency: 'BHD', lines: [{ quantity: 1, unitAmountMinor: 1250n }, { quantity: 2, unitAmountMinor: 5n }], total: '1.260', lineCredits: ['1.250', '0.010'] },
    ];

    it.each(currencies)('posts a sales order, an invoice and a credit memo in $currency with exact amounts', async ({ currency, lines, total, lineCredits }) => {
      const connector = connect();
      const customer = await aCustomer(connector);
      const itemLines = lines.map((line, index) => ({ description: `Item ${index + 1}`, glAccount: GL.revenue, ...line }));

      const order = await connector.createSalesOrder({ reference: `so_${currency}`, date: OPEN_DATE, currency, customerId: customer.id, lines: itemLines });
      const invoice = await connector.createInvoice({ reference: `in_${currency}`, date: OPEN_DATE, currency, customerId: customer.id, lines: itemLines });
      const memo = await connector.createCreditMemo({
        reference: `re_${currency}`,
        date: OPEN_DATE,
        currency,
        customerId: customer.id,
        refundAccount: GL.clearing,
        lines: lines.map((line, index) => ({ description: `Refund ${index + 1}`, glAccount: GL.refunds, ...line })),
      });

      expect(order).toMatchObject({ type: 'sales_order', reference: `so_${currency}` });
      expect(invoice).toMatchObject({ type: 'invoice', reference: `in_${currency}`, number: expect.stringMatching(/^INV/) });
      expect(memo).toMatchObject({ type: 'credit_memo', reference: `re_${currency}` });

      const [storedOrder] = await sandbox.documents(COMPANY, { type: 'sales_order', reference: `so_${currency}` });
      expect(storedOrder).toMatchObject({ id: order.id, number: order.number, currency, amount: total });
      const [storedInvoice] = await sandbox.documents(COMPANY, { type: 'invoice', reference: `in_${currency}` });
      expect(storedInvoice).toMatchObject({ id: invoice.id, number: invoice.number, currency, amount: total, customer: { code: customer.id } });
      expect(storedInvoice?.lines[0]).toMatchObject({ account: GL.receivables, debit: total });
      expect(storedInvoice?.lines.slice(1).map((line) => [line.account, line.credit])).toEqual(lineCredits.map((credit) => [GL.revenue, credit]));
      const [storedMemo] = await sandbox.documents(COMPANY, { type: 'credit_memo', reference: `re_${currency}` });
      expect(storedMemo).toMatchObject({ id: memo.id, currency, amount: total });
      // The refund leaves through Stripe: the clearing account is credited, not the receivable.
      expect(storedMemo?.lines.at(-1)).toMatchObject({ account: GL.clearing, credit: total });

      expect(await connector.findDocumentByReference('invoice', `in_${currency}`)).toEqual(invoice);
      expect(await connector.findDocumentByReference('sales_order', `so_${currency}`)).toEqual(order);
      expect(await connector.findDocumentByReference('credit_memo', `re_${currency}`)).toEqual(memo);
    });

    it('posts a cash receipt as a balanced journal, debit the deposit account and credit the offset account, and finds it as a cash receipt', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);

      const receipt = await connector.createCashReceipt(aReceipt(customer.id, { currency: 'BHD', amountMinor: 12_345n }));

      expect(receipt).toMatchObject({ type: 'cash_receipt', reference: 'ch_2001' });
      const [journal] = await sandbox.documents(COMPANY, { type: 'journal', reference: 'ch_2001' });
      expect(journal).toMatchObject({ id: receipt.id, number: receipt.number, currency: 'BHD' });
      expect(journal?.lines.map((line) => [line.account, line.debit, line.credit])).toEqual([
        [GL.clearing, '12.345', '0.000'],
        [GL.revenue, '0.000', '12.345'],
      ]);
      expect(journal?.lines[0]?.memo).toBe(`Receipt from ${customer.id}`);
      expect(await connector.findDocumentByReference('cash_receipt', 'ch_2001')).toEqual(receipt);
      expect(await connector.findDocumentByReference('cash_receipt', 'ch_missing')).toBeNull();
    });

    it('applies a receipt to an invoice by crediting receivables and naming the invoice on the journal', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      const invoice = await connector.createInvoice(anInvoice(customer.id));

      await connector.createCashReceipt(aReceipt(customer.id, { invoiceNumber: invoice.number, offsetAccount: GL.receivables }));

      const [journal] = await sandbox.documents(COMPANY, { type: 'journal', reference: 'ch_2001' });
      expect(journal?.lines.map((line) => [line.account, line.debit, line.credit, line.memo])).toEqual([
        [GL.clearing, '39.98', '0.00', `Receipt from ${customer.id} for ${invoice.number}`],
        [GL.receivables, '0.00', '39.98', `Receipt from ${customer.id} for ${invoice.number}`],
      ]);
      expect((await sandbox.balance(COMPANY, GL.receivables)).balance).toBe('0.00');
    });

    it('refuses a cash receipt without an offset account before any request, saying why Sage 500 needs one', async () => {
      const connector = connect();
      const missing = await failureOf(connector.createCashReceipt(aReceipt('ANY', { offsetAccount: undefined })));
      expect(missing).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false, detail: { field: 'offsetAccount' } });
      expect(missing.message).toMatch(/no cash-receipt endpoint.*offset account in the GL rules/);
      expect(requestsSent).toBe(0);
    });

    it('refuses a cash receipt for a customer Sage 500 does not have, and one for an invoice it does not have', async () => {
      const connector = connect();
      const unknownCustomer = await failureOf(connector.createCashReceipt(aReceipt('NOBODY')));
      expect(unknownCustomer).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', retryable: false });
      expect(unknownCustomer.message).toContain('Customer NOBODY does not exist in Sage 500 company demo-500');

      const customer = await aCustomer(connector);
      const unknownInvoice = await failureOf(connector.createCashReceipt(aReceipt(customer.id, { invoiceNumber: 'INV999999', offsetAccount: GL.receivables })));
      expect(unknownInvoice).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA' });
      expect(unknownInvoice.message).toContain('Invoice INV999999 does not exist');
      expect(await sandbox.documents(COMPANY, { type: 'journal' })).toEqual([]);
    });

    it('posts a balanced journal entry line for line', async () => {
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
      const unbalanced = aPayoutJournal({ lines: [{ account: GL.bank, debitMinor: 100n, creditMinor: 0n }, { account: GL.clearing, debitMinor: 0n, creditMinor: 99n }] });

      const refused = await failureOf(connector.createJournalEntry(unbalanced));

      expect(refused).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false });
      expect(refused.message).toContain('journal entry po_3001 cannot be posted to Sage 500 company demo-500: lines: the lines do not balance (debits 1.00 USD, credits 0.99 USD)');
      expect(requestsSent).toBe(0);
    });
  });

  describe('refusals, as errors a finance admin can act on', () => {
    it('reports an unknown GL account as missing master data, naming the account and the company, not retryable', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      const refused = await failureOf(connector.createInvoice(anInvoice(customer.id, { lines: [{ description: 'Pro plan', quantity: 1, unitAmountMinor: 100n, glAccount: '4999-99' }] })));
      expect(refused).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', retryable: false, detail: { status: 422, sageCodes: ['unknown_account'], field: 'Lines[0].GLAccount' } });
      expect(refused.message).toBe('GL account 4999-99 does not exist in Sage 500 company demo-500. Add it in Sage or change the GL rule.');
      expect(refused.detail.body).toContain('unknown_account');
    });

    it('reports an invoice for an unknown customer as missing master data', async () => {
      const refused = await failureOf(connect().createInvoice(anInvoice('NOBODY')));
      expect(refused).toMatchObject({ code: 'SAGE_MISSING_MASTER_DATA', retryable: false, detail: { sageCodes: ['unknown_customer'] } });
      expect(refused.message).toContain('Customer NOBODY does not exist in Sage 500 company demo-500');
    });

    it('reports a document dated in the closed period as a closed period', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      const refused = await failureOf(connector.createInvoice(anInvoice(customer.id, { date: '2023-12-31' })));
      expect(refused).toMatchObject({ code: 'SAGE_CLOSED_PERIOD', retryable: false, detail: { field: 'InvoiceDate' } });
      expect(refused.message).toContain('The accounting period of 2023-12-31 is closed in Sage 500 company demo-500');
    });

    it('reports a line description longer than Sage 500 holds as a validation error naming the field', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      const refused = await failureOf(connector.createInvoice(anInvoice(customer.id, { lines: [{ description: 'D'.repeat(61), quantity: 1, unitAmountMinor: 100n, glAccount: GL.revenue }] })));
      expect(refused).toMatchObject({ code: 'SAGE_VALIDATION', detail: { field: 'Lines[0].Description', sageCodes: ['too_long'] } });
      expect(refused.message).toContain('Lines[0].Description');
    });

    it('reports a wrong agent key as revoked credentials', async () => {
      const refused = await failureOf(connect({ apiKey: 'wrong-key' }).findCustomerByStripeId('cus_ada'));
      expect(refused).toMatchObject({ code: 'SAGE_AUTH_REVOKED', retryable: false });
      expect(JSON.stringify(refused.detail)).not.toContain('wrong-key');
    });

    it('reports a company the agent does not serve as not found', async () => {
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

    it('reports Sage 500 saying slow down as rate limited, with when to come back', async () => {
      const connector = connect();
      await sandbox.setFaults(COMPANY, { rateLimitPerMinute: 1 });
      expect(await connector.findCustomerByStripeId('cus_ada')).toBeNull();
      const refused = await failureOf(connector.findCustomerByStripeId('cus_ada'));
      expect(refused).toMatchObject({ code: 'SAGE_RATE_LIMITED', retryable: true, retryAfterMs: 60_000 });
    });
  });

  describe('exactly once', () => {
    it('recovers an invoice whose answer was lost: the retry finds it instead of posting it twice', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      await sandbox.setFaults(COMPANY, { commitThenDropNext: true });
      const attempt = () => postUnlessPosted(() => connector.findDocumentByReference('invoice', 'in_1001'), () => connector.createInvoice(anInvoice(customer.id)));

      const lost = await failureOf(attempt());
      expect(lost).toMatchObject({ code: 'SAGE_NETWORK', retryable: true });
      const retried = await attempt();

      const stored = await sandbox.documents(COMPANY, { type: 'invoice', reference: 'in_1001' });
      expect(stored).toHaveLength(1);
      expect(retried).toMatchObject({ type: 'invoice', id: stored[0]?.id, number: stored[0]?.number, reference: 'in_1001' });
    });

    it('recovers a cash receipt whose answer was lost, finding its journal by the receipt reference', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      await sandbox.setFaults(COMPANY, { commitThenDropNext: true });
      const attempt = () => postUnlessPosted(() => connector.findDocumentByReference('cash_receipt', 'ch_2001'), () => connector.createCashReceipt(aReceipt(customer.id)));

      expect(await failureOf(attempt())).toMatchObject({ code: 'SAGE_NETWORK' });
      const retried = await attempt();

      const stored = await sandbox.documents(COMPANY, { type: 'journal', reference: 'ch_2001' });
      expect(stored).toHaveLength(1);
      expect(retried).toMatchObject({ type: 'cash_receipt', id: stored[0]?.id });
      expect((await sandbox.balance(COMPANY, GL.clearing)).balance).toBe('39.98');
    });

    it('answers a second create of the same reference with the document already posted', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);

      const first = await connector.createInvoice(anInvoice(customer.id));
      const second = await connector.createInvoice(anInvoice(customer.id));
      const firstEntry = await connector.createJournalEntry(aPayoutJournal());
      const secondEntry = await connector.createJournalEntry(aPayoutJournal());

      expect(second).toEqual(first);
      expect(secondEntry).toEqual(firstEntry);
      expect(await sandbox.documents(COMPANY, { type: 'invoice', reference: 'in_1001' })).toHaveLength(1);
      expect(await sandbox.documents(COMPANY, { type: 'journal', reference: 'po_3001' })).toHaveLength(1);
    });

    it('refuses to call a different amount under an existing reference "synced"', async () => {
      const connector = connect();
      const customer = await aCustomer(connector);
      await connector.createInvoice(anInvoice(customer.id));

      const conflict = await failureOf(connector.createInvoice(anInvoice(customer.id, { lines: [{ description: 'Pro plan', quantity: 2, unitAmountMinor: 2000n, glAccount: GL.revenue }] })));

      expect(conflict).toMatchObject({ code: 'SAGE_DUPLICATE_REFERENCE', retryable: false });
      expect(conflict.message).toContain('a total of 39.98 USD where we mean 40.00 USD');
      expect(await sandbox.documents(COMPANY, { type: 'invoice', reference: 'in_1001' })).toHaveLength(1);
    });
  });
});
