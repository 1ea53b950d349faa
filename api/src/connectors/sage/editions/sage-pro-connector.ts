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
  type SageCustomer,
  type SageDocumentRef,
  type SageDocumentType,
  type SageLine,
} from '../sage-documents.ts';
import { SageError } from '../sage-error.ts';
import { linesTotal } from './document-amounts.ts';
import { dialectAnswers, DOCUMENT_LABEL, subjectOf, ZWireKey } from './sage500-and-pro-answers.ts';
import { parseInputOrRefuse, refusalToSageError } from './sage500-and-pro-errors.ts';
import { createOnce, customerCodeForStripeId, documentConflict, type IntendedAmount, type PostedDocument } from './sage500-and-pro-idempotency.ts';

// Sage Pro ERP's REST API: `<API base>/<company>/api/v1/...`, OAuth bearer tokens, camelCase
// fields, lists as `{ data, page, pageSize, total, next }`. Every document type is native,
// including cash receipts (debit the deposit account, credit the customer's receivable).

export type SageProConnectorOptions = {
  /** The Sage Pro company (e.g. `demo-pro`); it is part of every path and named in every message. */
  companyId: string;
  /**
   * Transport whose `baseUrl` is the Sage Pro API base without the company
   * (`https://host/sagepro`), with `BearerAuth` from the OAuth token manager and the company's rate budget.
   */
  http: SageHttpClient;
};

type DocumentKind = Exclude<SageDocumentType, 'customer'>;

export const SAGE_PRO_CAPABILITIES: SageCapabilities = {
  documents: { sales_order: 'native', invoice: 'native', cash_receipt: 'native', credit_memo: 'native', journal_entry: 'native' },
  customerNameMaxLength: 50,
};

const LOOKUP_PAGE_SIZE = '50';

const ZCustomerAnswer = z.object({
  customerId: z.string(),
  name: z.string(),
  email: z.string().nullish(),
  stripeCustomerId: z.string().nullish(),
});
type CustomerAnswer = z.infer<typeof ZCustomerAnswer>;

const header = { id: ZWireKey, reference: z.string(), currency: z.string() };

const ANSWERS = {
  sales_order: z
    .object({ ...header, number: z.string(), total: z.string() })
    .transform((a): PostedDocument => ({ id: a.id, number: a.number, reference: a.reference, currency: a.currency, sums: [[a.total]] })),
  invoice: z
    .object({ ...header, invoiceNumber: z.string(), total: z.string() })
    .transform((a): PostedDocument => ({ id: a.id, number: a.invoiceNumber, reference: a.reference, currency: a.currency, sums: [[a.total]] })),
  credit_memo: z
    .object({ ...header, memoNumber: z.string(), total: z.string() })
    .transform((a): PostedDocument => ({ id: a.id, number: a.memoNumber, reference: a.reference, currency: a.currency, sums: [[a.total]] })),
  cash_receipt: z
    .object({ ...header, receiptNumber: z.string(), amount: z.string() })
    .transform((a): PostedDocument => ({ id: a.id, number: a.receiptNumber, reference: a.reference, currency: a.currency, sums: [[a.amount]] })),
  // Sage Pro answers a journal with its lines and no totals: debits and credits are each summed exactly.
  journal_entry: z
    .object({ ...header, entryNumber: z.string(), lines: z.array(z.object({ debit: z.string(), credit: z.string() })) })
    .transform((a): PostedDocument => ({
      id: a.id,
      number: a.entryNumber,
      reference: a.reference,
      currency: a.currency,
      sums: [a.lines.map((line) => line.debit), a.lines.map((line) => line.credit)],
    })),
} as const;

const PATHS: Record<DocumentKind, string> = {
  sales_order: '/salesorders',
  invoice: '/invoices',
  cash_receipt: '/cashreceipts',
  credit_memo: '/creditmemos',
  journal_entry: '/journalentries',
};

function wireLines(lines: SageLine[], currency: string) {
  return lines.map((line) => ({
    ...(line.productCode ? { itemId: line.productCode } : {}),
    description: line.description,
    quantity: line.quantity,
    unitPrice: formatDecimal({ minor: line.unitAmountMinor, currency }),
    glAccount: line.glAccount,
  }));
}

export function createSageProConnector({ companyId, http }: SageProConnectorOptions): SageConnector {
  const api = `/${encodeURIComponent(companyId)}/api/v1`;
  const { context, get, readWith } = dialectAnswers(http, 'Sage Pro', companyId);

  async function listCustomers(query: Record<string, string>, subject: string): Promise<CustomerAnswer[]> {
    const request: SageRequest = { method: 'GET', path: `${api}/customers`, query: { ...query, pageSize: LOOKUP_PAGE_SIZE } };
    const response = await get(request, subject);
    return readWith(z.object({ data: z.array(ZCustomerAnswer) }), request, response, subject).data;
  }

  /** Exactly one customer or none; two is a human's decision, never ours. */
  function onlyOne(matches: CustomerAnswer[], what: string): SageCustomer | null {
    if (matches.length > 1) {
      throw new SageError(
        'SAGE_VALIDATION',
        `Sage Pro company ${companyId} has ${matches.length} customers with ${what} (${matches.map((match) => match.customerId).join(', ')}). Merge them in Sage, or put the right customer ID in the Stripe customer's metadata, then resync.`,
        { sageCodes: ['ambiguous_customer'] },
      );
    }
    const [only] = matches;
    return only ? toCustomer(only) : null;
  }

  async function findPosted(kind: DocumentKind, reference: string): Promise<PostedDocument | null> {
    const request: SageRequest = { method: 'GET', path: `${api}${PATHS[kind]}`, query: { reference, pageSize: LOOKUP_PAGE_SIZE } };
    const subject = `${DOCUMENT_LABEL[kind]} ${reference}`;
    const response = await get(request, subject);
    const items = readWith(z.object({ data: z.array(ANSWERS[kind]) }), request, response, subject).data;
    return items.find((item) => item.reference === reference) ?? null;
  }

  async function postDocument(kind: DocumentKind, reference: string, body: Record<string, unknown>, intended: IntendedAmount): Promise<SageDocumentRef> {
    const subject = `${DOCUMENT_LABEL[kind]} ${reference}`;
    const request: SageRequest = { method: 'POST', path: `${api}${PATHS[kind]}`, body };
    const posted = await createOnce(http, {
      context: context(subject),
      request,
      duplicateCode: 'duplicate_reference',
      read: (response) => readWith(ANSWERS[kind], request, response, subject),
      findExisting: () => findPosted(kind, reference),
      conflictWith: documentConflict(context(subject), intended),
    });
    return { type: kind, id: posted.id, number: posted.number, reference: posted.reference };
  }

  return {
    edition: 'sage_pro',
    capabilities: SAGE_PRO_CAPABILITIES,

    async findCustomerById(sageCustomerId) {
      const matches = await listCustomers({ customerId: sageCustomerId }, `customer ${sageCustomerId}`);
      return onlyOne(matches.filter((customer) => customer.customerId === sageCustomerId), `customer ID ${sageCustomerId}`);
    },

    async findCustomerByStripeId(stripeCustomerId) {
      const matches = await listCustomers({ stripeCustomerId }, `customer ${stripeCustomerId}`);
      return onlyOne(matches.filter((customer) => customer.stripeCustomerId === stripeCustomerId), `Stripe customer id ${stripeCustomerId}`);
    },

    async findCustomerByEmail(email) {
      const wanted = email.trim().toLowerCase();
      const matches = await listCustomers({ email: email.trim() }, `the customer with email ${email}`);
      return onlyOne(matches.filter((customer) => customer.email?.trim().toLowerCase() === wanted), `email ${email}`);
    },

    async createCustomer(raw) {
      const input = parseInputOrRefuse(ZSageCustomerInput, raw, context(subjectOf('customer', raw)));
      // Sage Pro would number the customer itself, but a number Sage chooses cannot be chosen
      // again by a retry after a lost answer; ours can, so the retry meets "duplicate customer".
      const code = input.preferredCustomerNumber ?? customerCodeForStripeId(input.stripeCustomerId);
      const subject = `customer ${input.stripeCustomerId}`;
      // Sage Pro's customer has no country field; the address lines it has are sent.
      const request: SageRequest = {
        method: 'POST',
        path: `${api}/customers`,
        body: {
          customerId: code,
          name: input.name,
          email: input.email,
          address1: input.addressLine1,
          city: input.city,
          state: input.state,
          postalCode: input.postalCode,
          phone: input.phone,
          stripeCustomerId: input.stripeCustomerId,
        },
      };
      const created = await createOnce(http, {
        context: context(subject),
        request,
        duplicateCode: 'duplicate_customer',
        read: (response) => readWith(ZCustomerAnswer, request, response, subject),
        findExisting: async () => (await listCustomers({ customerId: code }, subject)).find((customer) => customer.customerId === code) ?? null,
        conflictWith: (customer) =>
          customer.stripeCustomerId === input.stripeCustomerId
            ? null
            : `Sage Pro company ${companyId} already has customer ID ${code}, belonging to ${customer.name}${customer.stripeCustomerId ? ` (Stripe ${customer.stripeCustomerId})` : ''}, not to Stripe customer ${input.stripeCustomerId}. Choose another customer number in the mapping, or link that Sage customer in the Stripe customer's metadata.`,
      });
      return toCustomer(created);
    },

    async updateCustomer(sageCustomerId, raw) {
      const subject = `customer ${sageCustomerId}`;
      const update = parseInputOrRefuse(ZSageCustomerUpdate, raw, context(subject));
      // Sage Pro's PUT changes the fields the body names and keeps the rest; the customer ID in
      // the path cannot change. A field set to null is cleared.
      const request: SageRequest = {
        method: 'PUT',
        path: `${api}/customers/${encodeURIComponent(sageCustomerId)}`,
        body: {
          name: update.name,
          email: update.email,
          address1: update.addressLine1,
          city: update.city,
          state: update.state,
          postalCode: update.postalCode,
          phone: update.phone,
        },
      };
      const response = await http.request(request);
      if (response.status === 200) return toCustomer(readWith(ZCustomerAnswer, request, response, subject));
      if (response.status === 404) {
        throw new SageError(
          'SAGE_NOT_FOUND',
          `Customer ${sageCustomerId} is no longer in Sage Pro company ${companyId} (deleted or renumbered after it was linked). Resync the Stripe customer: it is looked up afresh, and linked or created again.`,
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
        { customerId: input.customerId, orderDate: input.date, currency: input.currency, reference: input.reference, description: input.memo, lines: wireLines(input.lines, input.currency) },
        { currency: input.currency, totalMinor: linesTotal(input.lines) },
      );
    },

    async createInvoice(raw) {
      const input = parseInputOrRefuse(ZInvoiceInput, raw, context(subjectOf('invoice', raw)));
      return postDocument(
        'invoice',
        input.reference,
        { customerId: input.customerId, invoiceDate: input.date, currency: input.currency, reference: input.reference, description: input.memo, lines: wireLines(input.lines, input.currency) },
        { currency: input.currency, totalMinor: linesTotal(input.lines) },
      );
    },

    async createCreditMemo(raw) {
      const input = parseInputOrRefuse(ZCreditMemoInput, raw, context(subjectOf('credit_memo', raw)));
      // refundGlAccount makes Sage credit the account the refund left from (Stripe clearing)
      // instead of the customer's receivable: the money went back out through Stripe.
      return postDocument(
        'credit_memo',
        input.reference,
        {
          customerId: input.customerId,
          memoDate: input.date,
          currency: input.currency,
          reference: input.reference,
          description: input.memo,
          invoiceNumber: input.appliesToInvoiceNumber,
          refundGlAccount: input.refundAccount,
          lines: wireLines(input.lines, input.currency),
        },
        { currency: input.currency, totalMinor: linesTotal(input.lines) },
      );
    },

    async createCashReceipt(raw) {
      const input = parseInputOrRefuse(ZCashReceiptInput, raw, context(subjectOf('cash_receipt', raw)));
      // The native receipt credits the customer's receivable itself, so `offsetAccount` (for
      // editions that post receipts as journals) is not sent.
      return postDocument(
        'cash_receipt',
        input.reference,
        {
          customerId: input.customerId,
          invoiceNumber: input.invoiceNumber,
          transactionDate: input.date,
          amount: formatDecimal({ minor: input.amountMinor, currency: input.currency }),
          currency: input.currency,
          paymentMethod: input.paymentMethod,
          reference: input.reference,
          glAccount: input.depositAccount,
          memo: input.memo,
        },
        { currency: input.currency, totalMinor: input.amountMinor },
      );
    },

    async createJournalEntry(raw) {
      const entry = parseInputOrRefuse(ZJournalEntryInput, raw, context(subjectOf('journal_entry', raw)));
      const amount = (minor: bigint) => (minor === 0n ? undefined : formatDecimal({ minor, currency: entry.currency }));
      return postDocument(
        'journal_entry',
        entry.reference,
        {
          entryDate: entry.date,
          reference: entry.reference,
          description: entry.memo,
          currency: entry.currency,
          lines: entry.lines.map((line) => ({ glAccount: line.account, debit: amount(line.debitMinor), credit: amount(line.creditMinor), memo: line.memo })),
        },
        { currency: entry.currency, totalMinor: entry.lines.reduce((total, line) => total + line.debitMinor, 0n) },
      );
    },
  };
}

function toCustomer(answer: CustomerAnswer): SageCustomer {
  return {
    id: answer.customerId,
    number: answer.customerId,
    name: answer.name,
    email: answer.email ?? null,
    stripeCustomerId: answer.stripeCustomerId ?? null,
  };
}
