import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { registerCustomerResource } from './customer-resource.ts';
import {
  customerCodeOf,
  documentFilterOf,
  installCompanyGate,
  installDialectErrorHandler,
  joinPath,
  jsonErrorStyle,
  optionalText,
  parseBody,
  positiveInt,
  readItemDocument,
  readJournalLines,
  registerDocumentResource,
  sameSecret,
  sendFailure,
  ZWireAmount,
  ZWireCurrency,
  ZWireDate,
  type DocumentResource,
  type ListEnvelope,
  type SandboxContext,
} from './dialect-kit.ts';
import { detailText, itemLinesOf, postingLinesOf } from './document-details.ts';
import type { Company, Customer, LedgerDocument } from './ledger-model.ts';
import type { FieldPath } from './ledger-rejection.ts';
import type { LedgerStore } from './ledger-store.ts';
import { formatMinor } from './money.ts';

// Sage 500 ERP through its on-premises agent: `<agent>/Sage500API/...`, an `X-Api-Key` header,
// PascalCase fields. Query parameter names are matched without regard to case.

export const SAGE500_PREFIX = '/sage500/:company/Sage500API';

/** Customer field lengths of Sage 500's tarCustomer / tciAddress columns. */
export const SAGE500_CUSTOMER_LENGTHS = {
  CustomerID: 12,
  CustomerName: 40,
  EmailAddress: 60,
  BillingAddress1: 40,
  BillingCity: 30,
  BillingState: 20,
  BillingZip: 10,
  PhoneNumber: 20,
  StripeCustomerID_Custom: 50,
} as const;

const L = SAGE500_CUSTOMER_LENGTHS;
const REFERENCE_LENGTH = 40;
const TEXT_LENGTH = 60;

const ZCustomerFields = z.object({
  CustomerName: z.string().trim().min(1).max(L.CustomerName),
  EmailAddress: optionalText(L.EmailAddress),
  BillingAddress1: optionalText(L.BillingAddress1),
  BillingCity: optionalText(L.BillingCity),
  BillingState: optionalText(L.BillingState),
  BillingZip: optionalText(L.BillingZip),
  PhoneNumber: optionalText(L.PhoneNumber),
  StripeCustomerID_Custom: optionalText(L.StripeCustomerID_Custom),
});
const ZCreateCustomer = ZCustomerFields.extend({ CustomerID: z.string().trim().min(1).max(L.CustomerID).optional() });
const ZUpdateCustomer = ZCustomerFields.partial();

const ZItemLine = z.object({
  ItemID: optionalText(30),
  Description: optionalText(TEXT_LENGTH),
  Quantity: z.number().int().positive().optional(),
  UnitPrice: ZWireAmount,
  GLAccount: z.string().trim().min(1).max(20).nullish(),
});

const documentHeader = {
  CustomerID: z.string().trim().min(1).max(L.CustomerID),
  Currency: ZWireCurrency.optional(),
  Reference: z.string().trim().min(1).max(REFERENCE_LENGTH),
  Description: optionalText(TEXT_LENGTH),
  Lines: z.array(ZItemLine).min(1),
};

const ZSalesOrder = z.object({ ...documentHeader, OrderDate: ZWireDate });
const ZInvoice = z.object({ ...documentHeader, InvoiceDate: ZWireDate, InvoiceNumber: z.string().trim().min(1).max(20).nullish() });
const ZCreditMemo = z.object({
  ...documentHeader,
  MemoDate: ZWireDate,
  ApplyToInvoiceNumber: z.string().trim().min(1).max(20).nullish(),
  RefundGLAccount: z.string().trim().min(1).max(20).nullish(),
});
const ZJournalEntry = z.object({
  EntryDate: ZWireDate,
  Reference: z.string().trim().min(1).max(REFERENCE_LENGTH),
  Description: optionalText(TEXT_LENGTH),
  Currency: ZWireCurrency.optional(),
  Lines: z.array(
    z.object({
      GLAccount: z.string().trim().min(1).max(20),
      Debit: ZWireAmount.nullish(),
      Credit: ZWireAmount.nullish(),
      Memo: optionalText(TEXT_LENGTH),
    }),
  ).min(1),
});

function renderCustomer(customer: Customer) {
  return {
    CustomerKey: customer.id,
    CustomerID: customer.code,
    CustomerName: customer.name,
    EmailAddress: customer.email,
    BillingAddress1: customer.addressLine1,
    BillingCity: customer.city,
    BillingState: customer.state,
    BillingZip: customer.postalCode,
    PhoneNumber: customer.phone,
    StripeCustomerID_Custom: customer.stripeCustomerId,
    CreateDate: customer.createdAt,
    UpdateDate: customer.updatedAt,
  };
}

function customerFields(body: z.infer<typeof ZUpdateCustomer>) {
  return {
    name: body.CustomerName,
    email: body.EmailAddress,
    addressLine1: body.BillingAddress1,
    city: body.BillingCity,
    state: body.BillingState,
    postalCode: body.BillingZip,
    phone: body.PhoneNumber,
    stripeCustomerId: body.StripeCustomerID_Custom,
  };
}

/** Maps the ledger's field paths to this dialect's names; the date field's name depends on the document. */
function wireFieldFor(dateField: string, lineAccountField = 'GLAccount') {
  const top: Record<string, string> = {
    reference: 'Reference',
    number: 'InvoiceNumber',
    date: dateField,
    currency: 'Currency',
    customer: 'CustomerID',
    appliesToInvoice: 'ApplyToInvoiceNumber',
    settlementAccount: 'RefundGLAccount',
    amount: 'Amount',
    code: 'CustomerID',
  };
  return (path: FieldPath): string | null => {
    const [head, index, leaf] = path;
    if (head === 'lines' && typeof index === 'number') {
      const name = leaf === 'account' ? lineAccountField : leaf === 'debit' ? 'Debit' : leaf === 'credit' ? 'Credit' : String(leaf ?? '');
      return `Lines[${index}].${name}`;
    }
    if (head === 'lines') return 'Lines';
    return top[String(head)] ?? joinPath(path);
  };
}

function renderItemLines(document: LedgerDocument) {
  return itemLinesOf(document).map((line, index) => ({
    LineNumber: index + 1,
    ItemID: line.itemId,
    Description: line.description,
    Quantity: line.quantity,
    UnitPrice: formatMinor(line.unitPriceMinor, document.currency),
    ExtendedAmount: formatMinor(line.amountMinor, document.currency),
    GLAccount: line.account,
  }));
}

function itemDocumentResources(store: LedgerStore): DocumentResource[] {
  const filter = documentFilterOf(store, 'customerid', (query) => query.invoicenumber ?? query.creditmemonumber ?? query.salesordernumber ?? query.entrynumber);
  const header = (document: LedgerDocument, company: Company) => ({
    CustomerID: customerCodeOf(store, company, document.customerId),
    Currency: document.currency,
    Reference: document.reference,
    Description: document.description,
    Lines: renderItemLines(document),
    CreateDate: document.createdAt,
  });
  const read = <Body extends { Currency?: string | undefined; Lines: z.infer<typeof ZItemLine>[] }>(body: Body, company: Company) =>
    readItemDocument(
      company,
      body.Currency,
      body.Lines.map((line) => ({ itemId: line.ItemID, description: line.Description, quantity: line.Quantity, unitPrice: line.UnitPrice, account: line.GLAccount })),
      (index) => `Lines[${index}].UnitPrice`,
    );

  return [
    {
      path: '/SalesOrders',
      types: ['sales_order'],
      wireField: wireFieldFor('OrderDate'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZSalesOrder, raw);
        const { currency, lines } = read(body, company);
        return {
          posting: { type: 'sales_order', lines: postingLinesOf(lines) },
          reference: body.Reference,
          date: body.OrderDate,
          currency,
          customer: { code: body.CustomerID },
          description: body.Description,
          details: { itemLines: lines },
        };
      },
      render: (document, company) => ({
        SalesOrderKey: document.id,
        SalesOrderNumber: document.number,
        OrderDate: document.date,
        ...header(document, company),
        OrderTotal: formatMinor(document.amountMinor, document.currency),
        Status: 'Open',
      }),
    },
    {
      path: '/Invoices',
      types: ['invoice'],
      wireField: wireFieldFor('InvoiceDate'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZInvoice, raw);
        const { currency, lines } = read(body, company);
        return {
          posting: { type: 'invoice', lines: postingLinesOf(lines) },
          reference: body.Reference,
          number: body.InvoiceNumber,
          date: body.InvoiceDate,
          currency,
          customer: { code: body.CustomerID },
          description: body.Description,
          details: { itemLines: lines },
        };
      },
      render: (document, company) => ({
        InvoiceKey: document.id,
        InvoiceNumber: document.number,
        InvoiceDate: document.date,
        ...header(document, company),
        InvoiceTotal: formatMinor(document.amountMinor, document.currency),
        Status: 'Posted',
      }),
    },
    {
      path: '/CreditMemos',
      types: ['credit_memo'],
      wireField: wireFieldFor('MemoDate'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZCreditMemo, raw);
        const { currency, lines } = read(body, company);
        return {
          posting: { type: 'credit_memo', lines: postingLinesOf(lines), settlementAccount: body.RefundGLAccount ?? null },
          reference: body.Reference,
          date: body.MemoDate,
          currency,
          customer: { code: body.CustomerID },
          appliesToInvoice: body.ApplyToInvoiceNumber,
          description: body.Description,
          details: { itemLines: lines, refundAccount: body.RefundGLAccount ?? null },
        };
      },
      render: (document, company) => ({
        CreditMemoKey: document.id,
        CreditMemoNumber: document.number,
        MemoDate: document.date,
        ...header(document, company),
        ApplyToInvoiceNumber: document.appliesToInvoice,
        RefundGLAccount: detailText(document, 'refundAccount'),
        MemoTotal: formatMinor(document.amountMinor, document.currency),
        Status: 'Posted',
      }),
    },
    {
      path: '/JournalEntries',
      types: ['journal'],
      wireField: wireFieldFor('EntryDate'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZJournalEntry, raw);
        const currency = body.Currency ?? company.baseCurrency;
        const lines = readJournalLines(
          body.Lines.map((line) => ({ account: line.GLAccount, debit: line.Debit, credit: line.Credit, memo: line.Memo })),
          currency,
          (index, side) => `Lines[${index}].${side === 'debit' ? 'Debit' : 'Credit'}`,
        );
        return { posting: { type: 'journal', lines }, reference: body.Reference, date: body.EntryDate, currency, customer: null, description: body.Description };
      },
      render: (document) => ({
        JournalEntryKey: document.id,
        EntryNumber: document.number,
        EntryDate: document.date,
        Reference: document.reference,
        Description: document.description,
        Currency: document.currency,
        Lines: document.lines.map((line, index) => ({
          LineNumber: index + 1,
          GLAccount: line.account,
          Debit: formatMinor(line.debitMinor, document.currency),
          Credit: formatMinor(line.creditMinor, document.currency),
          Memo: line.memo,
        })),
        TotalDebits: formatMinor(document.lines.reduce((total, line) => total + line.debitMinor, 0), document.currency),
        TotalCredits: formatMinor(document.lines.reduce((total, line) => total + line.creditMinor, 0), document.currency),
        Status: 'Posted',
        CreateDate: document.createdAt,
      }),
    },
  ];
}

const envelope: ListEnvelope = {
  pageParam: 'Page',
  pageRequest: (query) => ({ page: positiveInt(query.page, 1, 1_000_000), pageSize: positiveInt(query.pagesize, 100, 500) }),
  render: (items, info) => ({ Items: items, Page: info.page, PageSize: info.pageSize, TotalCount: info.total, NextPage: info.nextUrl }),
};

export function registerSage500Dialect(app: FastifyInstance, ctx: SandboxContext): void {
  const style = jsonErrorStyle(wireFieldFor('Date'));

  app.register(
    async (scope) => {
      installDialectErrorHandler(scope, style);
      installCompanyGate(scope, ctx, style, {
        dialect: 'sage500',
        missing: (companyId) => `No Sage 500 company ${companyId ?? ''} behind this agent`,
        authorized(request, reply, company) {
          const key = request.headers['x-api-key'];
          if (sameSecret(typeof key === 'string' ? key : undefined, company.apiKey)) return true;
          sendFailure(reply, style, 'unauthorized', 'Missing or invalid X-Api-Key');
          return false;
        },
      });

      registerCustomerResource(
        scope,
        ctx,
        style,
        {
          path: '/Customers',
          filter: (query) => ({ code: query.customerid, email: query.emailaddress, stripeCustomerId: query.stripecustomerid_custom, search: query.customername }),
          readCreate(raw) {
            const body = parseBody(ZCreateCustomer, raw);
            return { code: body.CustomerID, ...customerFields(body), name: body.CustomerName };
          },
          readUpdate: (raw) => customerFields(parseBody(ZUpdateCustomer, raw)),
          codeField: 'CustomerID',
          render: renderCustomer,
        },
        envelope,
      );

      for (const resource of itemDocumentResources(ctx.store)) registerDocumentResource(scope, ctx, style, resource, envelope, true);
    },
    { prefix: SAGE500_PREFIX },
  );
}
