import { z } from 'zod';
import { formatDecimal } from '../../../accounting/money.ts';
import type { SageHttpClient, SageRequest } from '../http/sage-http-client.ts';
import type { SageCapabilities, SageConnector } from '../sage-connector.ts';
import {
  ZCashReceiptInput,
  ZCreditMemoInput,
  ZInvoiceInput,
  ZJournalEntryInput,
  ZSageCustomerInput,
  ZSageCustomerUpdate,
  ZSalesOrderInput,
  type JournalEntryInput,
  type SageCustomer,
  type SageDocumentRef,
  type SageDocumentType,
  type SageLine,
} from '../sage-documents.ts';
import { SageError } from '../sage-error.ts';
import { linesTotal } from './document-amounts.ts';
import { dialectAnswers, DOCUMENT_LABEL, subjectOf, ZWireKey } from './sage500-and-pro-answers.ts';
import { parseInputOrRefuse, refusalToSageError, refuseInput } from './sage500-and-pro-errors.ts';
import { createOnce, customerCodeForStripeId, documentConflict, type IntendedAmount, type PostedDocument } from './sage500-and-pro-idempotency.ts';

// Sage 500 ERP, reached through its on-premises agent: `<agent URL>/Sage500API/...`, an
// `X-Api-Key` header, PascalCase fields, lists as `{ Items, Page, PageSize, TotalCount, NextPage }`.
// The agent URL already names the company, so every path here is relative to it.
//
// Sage 500 has no cash-receipt endpoint. A receipt is posted as a balanced journal with the
// receipt's reference: Dr the deposit account (Stripe clearing), Cr the offset account the GL
// rules chose (receivables when it pays an invoice, revenue for a direct sale). Journal
// references are unique per company in Sage 500, so the receipt is found again by its reference.

export type Sage500ConnectorOptions = {
  /** The Sage 500 company behind the agent (e.g. `demo-500`); named in every message. */
  companyId: string;
  /**
   * Transport whose `baseUrl` is the agent URL (`https://agent.example/sage500/<company>`), with
   * `ApiKeyAuth('X-Api-Key', agentKey)` and the company's rate budget.
   */
  http: SageHttpClient;
};

type DocumentKind = Exclude<SageDocumentType, 'customer'>;

export const SAGE500_CAPABILITIES: SageCapabilities = {
  documents: { sales_order: 'native', invoice: 'native', cash_receipt: 'journal_entry', credit_memo: 'native', journal_entry: 'native' },
  customerNameMaxLength: 40,
};

const API = '/Sage500API';
const LOOKUP_PAGE_SIZE = '100';

const ZCustomerAnswer = z.object({
  CustomerID: z.string(),
  CustomerName: z.string(),
  EmailAddress: z.string().nullish(),
  StripeCustomerID_Custom: z.string().nullish(),
});
type CustomerAnswer = z.infer<typeof ZCustomerAnswer>;

const ANSWERS = {
  sales_order: z
    .object({ SalesOrderKey: ZWireKey, SalesOrderNumber: z.string(), Reference: z.string(), Currency: z.string(), OrderTotal: z.string() })
    .transform((a): PostedDocument => ({ id: a.SalesOrderKey, number: a.SalesOrderNumber, reference: a.Reference, currency: a.Currency, sums: [[a.OrderTotal]] })),
  invoice: z
    .object({ InvoiceKey: ZWireKey, InvoiceNumber: z.string(), Reference: z.string(), Currency: z.string(), InvoiceTotal: z.string() })
    .transform((a): PostedDocument => ({ id: a.InvoiceKey, number: a.InvoiceNumber, reference: a.Reference, currency: a.Currency, sums: [[a.InvoiceTotal]] })),
  credit_memo: z
    .object({ CreditMemoKey: ZWireKey, CreditMemoNumber: z.string(), Reference: z.string(), Currency: z.string(), MemoTotal: z.string() })
    .transform((a): PostedDocument => ({ id: a.CreditMemoKey, number: a.CreditMemoNumber, reference: a.Reference, currency: a.Currency, sums: [[a.MemoTotal]] })),
  // A journal's debits and credits are both read back: each must equal what we sent.
  journal_entry: z
    .object({ JournalEntryKey: ZWireKey, EntryNumber: z.string(), Reference: z.string(), Currency: z.string(), TotalDebits: z.string(), TotalCredits: z.string() })
    .transform((a): PostedDocument => ({ id: a.JournalEntryKey, number: a.EntryNumber, reference: a.Reference, currency: a.Currency, sums: [[a.TotalDebits], [a.TotalCredits]] })),
} as const;

type Resource = { path: string; answer: (typeof ANSWERS)[keyof typeof ANSWERS] };

const RESOURCES: Record<Exclude<DocumentKind, 'cash_receipt'>, Resource> = {
  sales_order: { path: '/SalesOrders', answer: ANSWERS.sales_order },
  invoice: { path: '/Invoices', answer: ANSWERS.invoice },
  credit_memo: { path: '/CreditMemos', answer: ANSWERS.credit_memo },
  journal_entry: { path: '/JournalEntries', answer: ANSWERS.journal_entry },
};

/** Where each document type lives in Sage 500: a cash receipt is a journal entry. */
function resourceFor(type: DocumentKind): Resource {
  return RESOURCES[type === 'cash_receipt' ? 'journal_entry' : type];
}

function wireLines(lines: SageLine[], currency: string) {
  return lines.map((line) => ({
    ...(line.productCode ? { ItemID: line.productCode } : {}),
    Description: line.description,
    Quantity: line.quantity,
    UnitPrice: formatDecimal({ minor: line.unitAmountMinor, currency }),
    GLAccount: line.glAccount,
  }));
}

export function createSage500Connector({ companyId, http }: Sage500ConnectorOptions): SageConnector {
  const { context, get, readWith } = dialectAnswers(http, 'Sage 500', companyId);

  async function listCustomers(query: Record<string, string>, subject: string): Promise<CustomerAnswer[]> {
    const request: SageRequest = { method: 'GET', path: `${API}/Customers`, query: { ...query, PageSize: LOOKUP_PAGE_SIZE } };
    const response = await get(request, subject);
    return readWith(z.object({ Items: z.array(ZCustomerAnswer) }), request, response, subject).Items;
  }

  /** Exactly one customer or none; two is a human's decision, never ours. */
  function onlyOne(matches: CustomerAnswer[], what: string): SageCustomer | null {
    if (matches.length > 1) {
      throw new SageError(
        'SAGE_VALIDATION',
        `Sage 500 company ${companyId} has ${matches.length} customers with ${what} (${matches.map((match) => match.CustomerID).join(', ')}). Merge them in Sage, or put the right CustomerID in the Stripe customer's metadata, then resync.`,
        { sageCodes: ['ambiguous_customer'] },
      );
    }
    const [only] = matches;
    return only ? toCustomer(only) : null;
  }

  async function findPosted(kind: DocumentKind, reference: string): Promise<PostedDocument | null> {
    const resource = resourceFor(kind);
    const request: SageRequest = { method: 'GET', path: `${API}${resource.path}`, query: { Reference: reference, PageSize: LOOKUP_PAGE_SIZE } };
    const subject = `${DOCUMENT_LABEL[kind]} ${reference}`;
    const response = await get(request, subject);
    const items = readWith(z.object({ Items: z.array(resource.answer) }), request, response, subject).Items;
    return items.find((item) => item.reference === reference) ?? null;
  }

  async function postDocument(kind: DocumentKind, reference: string, body: Record<string, unknown>, intended: IntendedAmount): Promise<SageDocumentRef> {
    const resource = resourceFor(kind);
    const subject = `${DOCUMENT_LABEL[kind]} ${reference}`;
    const request: SageRequest = { method: 'POST', path: `${API}${resource.path}`, body };
    const posted = await createOnce(http, {
      context: context(subject),
      request,
      duplicateCode: 'duplicate_reference',
      read: (response) => readWith(resource.answer, request, response, subject),
      findExisting: () => findPosted(kind, reference),
      conflictWith: documentConflict(context(subject), intended),
    });
    return { type: kind, id: posted.id, number: posted.number, reference: posted.reference };
  }

  async function postJournal(kind: 'journal_entry' | 'cash_receipt', entry: JournalEntryInput): Promise<SageDocumentRef> {
    const debits = entry.lines.reduce((total, line) => total + line.debitMinor, 0n);
    const amount = (minor: bigint) => (minor === 0n ? undefined : formatDecimal({ minor, currency: entry.currency }));
    return postDocument(
      kind,
      entry.reference,
      {
        EntryDate: entry.date,
        Reference: entry.reference,
        Description: entry.memo,
        Currency: entry.currency,
        Lines: entry.lines.map((line) => ({ GLAccount: line.account, Debit: amount(line.debitMinor), Credit: amount(line.creditMinor), Memo: line.memo })),
      },
      { currency: entry.currency, totalMinor: debits },
    );
  }

  async function requireCustomer(customerId: string, subject: string): Promise<void> {
    const found = (await listCustomers({ CustomerID: customerId }, subject)).some((customer) => customer.CustomerID === customerId);
    if (!found) {
      throw new SageError(
        'SAGE_MISSING_MASTER_DATA',
        `Customer ${customerId} does not exist in Sage 500 company ${companyId}. Check that it was not deleted or renumbered in Sage, then resync ${subject}.`,
        { field: 'CustomerID', sageCodes: ['unknown_customer'] },
      );
    }
  }

  async function requireInvoice(invoiceNumber: string, customerId: string, subject: string): Promise<void> {
    const request: SageRequest = { method: 'GET', path: `${API}/Invoices`, query: { InvoiceNumber: invoiceNumber, CustomerID: customerId, PageSize: LOOKUP_PAGE_SIZE } };
    const response = await get(request, subject);
    const items = readWith(z.object({ Items: z.array(z.object({ InvoiceNumber: z.string() })) }), request, response, subject).Items;
    if (!items.some((item) => item.InvoiceNumber === invoiceNumber)) {
      throw new SageError(
        'SAGE_MISSING_MASTER_DATA',
        `Invoice ${invoiceNumber} does not exist for customer ${customerId} in Sage 500 company ${companyId}. Post the invoice to Sage first (or remove the invoice link), then resync ${subject}.`,
        { field: 'InvoiceNumber', sageCodes: ['unknown_invoice'] },
      );
    }
  }

  return {
    edition: 'sage500',
    capabilities: SAGE500_CAPABILITIES,

    async findCustomerById(sageCustomerId) {
      const matches = await listCustomers({ CustomerID: sageCustomerId }, `customer ${sageCustomerId}`);
      return onlyOne(matches.filter((customer) => customer.CustomerID === sageCustomerId), `CustomerID ${sageCustomerId}`);
    },

    async findCustomerByStripeId(stripeCustomerId) {
      const matches = await listCustomers({ StripeCustomerID_Custom: stripeCustomerId }, `customer ${stripeCustomerId}`);
      return onlyOne(matches.filter((customer) => customer.StripeCustomerID_Custom === stripeCustomerId), `Stripe customer id ${stripeCustomerId}`);
    },

    async findCustomerByEmail(email) {
      const wanted = email.trim().toLowerCase();
      const matches = await listCustomers({ EmailAddress: email.trim() }, `the customer with email ${email}`);
      return onlyOne(matches.filter((customer) => customer.EmailAddress?.trim().toLowerCase() === wanted), `email ${email}`);
    },

    async createCustomer(raw) {
      const input = parseInputOrRefuse(ZSageCustomerInput, raw, context(subjectOf('customer', raw)));
      const code = input.preferredCustomerNumber ?? customerCodeForStripeId(input.stripeCustomerId);
      const subject = `customer ${input.stripeCustomerId}`;
      // Sage 500 keeps no country on tarCustomer through the agent; the address lines it has are sent.
      const request: SageRequest = {
        method: 'POST',
        path: `${API}/Customers`,
        body: {
          CustomerID: code,
          CustomerName: input.name,
          EmailAddress: input.email,
          BillingAddress1: input.addressLine1,
          BillingCity: input.city,
          BillingState: input.state,
          BillingZip: input.postalCode,
          PhoneNumber: input.phone,
          StripeCustomerID_Custom: input.stripeCustomerId,
        },
      };
      const created = await createOnce(http, {
        context: context(subject),
        request,
        duplicateCode: 'duplicate_customer',
        read: (response) => readWith(ZCustomerAnswer, request, response, subject),
        findExisting: async () => (await listCustomers({ CustomerID: code }, subject)).find((customer) => customer.CustomerID === code) ?? null,
        conflictWith: (customer) =>
          customer.StripeCustomerID_Custom === input.stripeCustomerId
            ? null
            : `Sage 500 company ${companyId} already has CustomerID ${code}, belonging to ${customer.CustomerName}${customer.StripeCustomerID_Custom ? ` (Stripe ${customer.StripeCustomerID_Custom})` : ''}, not to Stripe customer ${input.stripeCustomerId}. Choose another customer number in the mapping, or link that Sage customer in the Stripe customer's metadata.`,
      });
      return toCustomer(created);
    },

    async updateCustomer(sageCustomerId, raw) {
      const subject = `customer ${sageCustomerId}`;
      const update = parseInputOrRefuse(ZSageCustomerUpdate, raw, context(subject));
      // Sage 500's PUT changes the fields the body names and keeps the rest; the CustomerID in the
      // path is the key and cannot change. A field set to null is cleared.
      const request: SageRequest = {
        method: 'PUT',
        path: `${API}/Customers/${encodeURIComponent(sageCustomerId)}`,
        body: {
          CustomerName: update.name,
          EmailAddress: update.email,
          BillingAddress1: update.addressLine1,
          BillingCity: update.city,
          BillingState: update.state,
          BillingZip: update.postalCode,
          PhoneNumber: update.phone,
        },
      };
      const response = await http.request(request);
      if (response.status === 200) return toCustomer(readWith(ZCustomerAnswer, request, response, subject));
      if (response.status === 404) {
        throw new SageError(
          'SAGE_NOT_FOUND',
          `Customer ${sageCustomerId} is no longer in Sage 500 company ${companyId} (deleted or renumbered after it was linked). Resync the Stripe customer: it is looked up afresh, and linked or created again.`,
          { method: request.method, path: request.path, status: response.status, sageCodes: ['not_found'], body: response.text.slice(0, 500) },
        );
      }
      throw refusalToSageError(context(subject), request, response);
    },

    async findDocumentByReference(type, reference) {
      const posted = await findPosted(type, reference);
      return posted ? { type, id: posted.id, number: posted.number, reference: posted.reference } : null;
    },

    async createSalesOrder(raw) {
      const input = parseInputOrRefuse(ZSalesOrderInput, raw, context(subjectOf('sales_order', raw)));
      return postDocument(
        'sales_order',
        input.reference,
        { CustomerID: input.customerId, OrderDate: input.date, Currency: input.currency, Reference: input.reference, Description: input.memo, Lines: wireLines(input.lines, input.currency) },
        { currency: input.currency, totalMinor: linesTotal(input.lines) },
      );
    },

    async createInvoice(raw) {
      const input = parseInputOrRefuse(ZInvoiceInput, raw, context(subjectOf('invoice', raw)));
      return postDocument(
        'invoice',
        input.reference,
        { CustomerID: input.customerId, InvoiceDate: input.date, Currency: input.currency, Reference: input.reference, Description: input.memo, Lines: wireLines(input.lines, input.currency) },
        { currency: input.currency, totalMinor: linesTotal(input.lines) },
      );
    },

    async createCreditMemo(raw) {
      const input = parseInputOrRefuse(ZCreditMemoInput, raw, context(subjectOf('credit_memo', raw)));
      // RefundGLAccount makes Sage credit the account the refund left from (Stripe clearing)
      // instead of the customer's receivable: the money went back out through Stripe.
      return postDocument(
        'credit_memo',
        input.reference,
        {
          CustomerID: input.customerId,
          MemoDate: input.date,
          Currency: input.currency,
          Reference: input.reference,
          Description: input.memo,
          ApplyToInvoiceNumber: input.appliesToInvoiceNumber,
          RefundGLAccount: input.refundAccount,
          Lines: wireLines(input.lines, input.currency),
        },
        { currency: input.currency, totalMinor: linesTotal(input.lines) },
      );
    },

    async createCashReceipt(raw) {
      const input = parseInputOrRefuse(ZCashReceiptInput, raw, context(subjectOf('cash_receipt', raw)));
      const subject = `cash receipt ${input.reference}`;
      if (!input.offsetAccount) {
        refuseInput(
          context(subject),
          `Sage 500 has no cash-receipt endpoint, so a receipt is posted as a journal (debit ${input.depositAccount}, credit an offset account) and no offset account was given. Set the receipt's offset account in the GL rules (receivables when it pays an invoice, revenue for a direct sale)`,
          'offsetAccount',
        );
      }
      // A journal names no customer, so the checks a native receipt makes are made here: the
      // customer (and the invoice it pays) must exist, as they would for Sage Pro's receipt.
      await requireCustomer(input.customerId, subject);
      if (input.invoiceNumber) await requireInvoice(input.invoiceNumber, input.customerId, subject);
      // The line memo says whose money it is (at most 50 characters: CustomerID 12, invoice 20),
      // since a journal line cannot carry a customer. The payment method has no place in a journal.
      const lineMemo = `Receipt from ${input.customerId}${input.invoiceNumber ? ` for ${input.invoiceNumber}` : ''}`;
      const entry = parseInputOrRefuse(
        ZJournalEntryInput,
        {
          reference: input.reference,
          date: input.date,
          currency: input.currency,
          memo: input.memo ?? lineMemo,
          lines: [
            { account: input.depositAccount, debitMinor: input.amountMinor, creditMinor: 0n, memo: lineMemo },
            { account: input.offsetAccount, debitMinor: 0n, creditMinor: input.amountMinor, memo: lineMemo },
          ],
        },
        context(subject),
      );
      return postJournal('cash_receipt', entry);
    },

    async createJournalEntry(raw) {
      const entry = parseInputOrRefuse(ZJournalEntryInput, raw, context(subjectOf('journal_entry', raw)));
      return postJournal('journal_entry', entry);
    },
  };
}

function toCustomer(answer: CustomerAnswer): SageCustomer {
  return {
    id: answer.CustomerID,
    number: answer.CustomerID,
    name: answer.CustomerName,
    email: answer.EmailAddress ?? null,
    stripeCustomerId: answer.StripeCustomerID_Custom ?? null,
  };
}
