import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { registerCustomerResource } from './customer-resource.ts';
import {
  AmountReader,
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
import { requireAccessToken } from './oauth-guard.ts';

// Sage Pro ERP's REST API: `/api/v1/...`, OAuth 2.0 bearer tokens, camelCase fields.

export const SAGE_PRO_PREFIX = '/sagepro/:company/api/v1';

export const SAGE_PRO_CUSTOMER_LENGTHS = {
  customerId: 20,
  name: 50,
  email: 100,
  address1: 50,
  city: 30,
  state: 20,
  postalCode: 10,
  phone: 20,
  stripeCustomerId: 50,
} as const;

const L = SAGE_PRO_CUSTOMER_LENGTHS;
const REFERENCE_LENGTH = 50;
const TEXT_LENGTH = 60;
const ACCOUNT_LENGTH = 20;

const ZCustomerFields = z.object({
  name: z.string().trim().min(1).max(L.name),
  email: optionalText(L.email),
  address1: optionalText(L.address1),
  city: optionalText(L.city),
  state: optionalText(L.state),
  postalCode: optionalText(L.postalCode),
  phone: optionalText(L.phone),
  stripeCustomerId: optionalText(L.stripeCustomerId),
});
const ZCreateCustomer = ZCustomerFields.extend({ customerId: z.string().trim().min(1).max(L.customerId).optional() });
const ZUpdateCustomer = ZCustomerFields.partial();

const ZItemLine = z.object({
  itemId: optionalText(30),
  description: optionalText(TEXT_LENGTH),
  quantity: z.number().int().positive().optional(),
  unitPrice: ZWireAmount,
  glAccount: z.string().trim().min(1).max(ACCOUNT_LENGTH).nullish(),
});

const documentHeader = {
  customerId: z.string().trim().min(1).max(L.customerId),
  currency: ZWireCurrency.optional(),
  reference: z.string().trim().min(1).max(REFERENCE_LENGTH),
  description: optionalText(TEXT_LENGTH),
  lines: z.array(ZItemLine).min(1),
};

const ZSalesOrder = z.object({ ...documentHeader, orderDate: ZWireDate });
const ZInvoice = z.object({ ...documentHeader, invoiceDate: ZWireDate, invoiceNumber: z.string().trim().min(1).max(20).nullish() });
const ZCreditMemo = z.object({
  ...documentHeader,
  memoDate: ZWireDate,
  invoiceNumber: z.string().trim().min(1).max(20).nullish(),
  refundGlAccount: z.string().trim().min(1).max(ACCOUNT_LENGTH).nullish(),
});
const ZCashReceipt = z.object({
  customerId: z.string().trim().min(1).max(L.customerId),
  invoiceNumber: z.string().trim().min(1).max(20).nullish(),
  transactionDate: ZWireDate,
  amount: ZWireAmount,
  currency: ZWireCurrency.optional(),
  paymentMethod: optionalText(30),
  reference: z.string().trim().min(1).max(REFERENCE_LENGTH),
  glAccount: z.string().trim().min(1).max(ACCOUNT_LENGTH),
  memo: optionalText(TEXT_LENGTH),
});
const ZJournalEntry = z.object({
  entryDate: ZWireDate,
  reference: z.string().trim().min(1).max(REFERENCE_LENGTH),
  description: optionalText(TEXT_LENGTH),
  currency: ZWireCurrency.optional(),
  lines: z
    .array(z.object({ glAccount: z.string().trim().min(1).max(ACCOUNT_LENGTH), debit: ZWireAmount.nullish(), credit: ZWireAmount.nullish(), memo: optionalText(TEXT_LENGTH) }))
    .min(1),
});

function renderCustomer(customer: Customer) {
  return {
    id: customer.id,
    customerId: customer.code,
    name: customer.name,
    email: customer.email,
    address1: customer.addressLine1,
    city: customer.city,
    state: customer.state,
    postalCode: customer.postalCode,
    phone: customer.phone,
    stripeCustomerId: customer.stripeCustomerId,
    createdAt: customer.createdAt,
    updatedAt: customer.updatedAt,
  };
}

function customerFields(body: z.infer<typeof ZUpdateCustomer>) {
  return {
    name: body.name,
    email: body.email,
    addressLine1: body.address1,
    city: body.city,
    state: body.state,
    postalCode: body.postalCode,
    phone: body.phone,
    stripeCustomerId: body.stripeCustomerId,
  };
}

function wireFieldFor(dateField: string, appliesToField = 'invoiceNumber') {
  const top: Record<string, string> = {
    reference: 'reference',
    number: 'invoiceNumber',
    date: dateField,
    currency: 'currency',
    customer: 'customerId',
    appliesToInvoice: appliesToField,
    settlementAccount: 'refundGlAccount',
    cashAccount: 'glAccount',
    amount: 'amount',
    code: 'customerId',
  };
  return (path: FieldPath): string | null => {
    const [head, index, leaf] = path;
    if (head === 'lines' && typeof index === 'number') return `lines[${index}].${leaf === 'account' ? 'glAccount' : String(leaf ?? '')}`;
    return top[String(head)] ?? joinPath(path);
  };
}

function renderItemLines(document: LedgerDocument) {
  return itemLinesOf(document).map((line, index) => ({
    lineNumber: index + 1,
    itemId: line.itemId,
    description: line.description,
    quantity: line.quantity,
    unitPrice: formatMinor(line.unitPriceMinor, document.currency),
    amount: formatMinor(line.amountMinor, document.currency),
    glAccount: line.account,
  }));
}

function resources(store: LedgerStore): DocumentResource[] {
  const filter = documentFilterOf(store, 'customerid', (query) => query.number ?? query.invoicenumber);
  const header = (document: LedgerDocument, company: Company) => ({
    id: document.id,
    number: document.number,
    customerId: customerCodeOf(store, company, document.customerId),
    currency: document.currency,
    reference: document.reference,
    description: document.description,
    lines: renderItemLines(document),
    total: formatMinor(document.amountMinor, document.currency),
    createdAt: document.createdAt,
  });
  const read = (body: { currency?: string | undefined; lines: z.infer<typeof ZItemLine>[] }, company: Company) =>
    readItemDocument(
      company,
      body.currency,
      body.lines.map((line) => ({ itemId: line.itemId, description: line.description, quantity: line.quantity, unitPrice: line.unitPrice, account: line.glAccount })),
      (index) => `lines[${index}].unitPrice`,
    );

  return [
    {
      path: '/salesorders',
      types: ['sales_order'],
      wireField: wireFieldFor('orderDate'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZSalesOrder, raw);
        const { currency, lines } = read(body, company);
        return {
          posting: { type: 'sales_order', lines: postingLinesOf(lines) },
          reference: body.reference,
          date: body.orderDate,
          currency,
          customer: { code: body.customerId },
          description: body.description,
          details: { itemLines: lines },
        };
      },
      render: (document, company) => ({ ...header(document, company), orderDate: document.date, status: 'open' }),
    },
    {
      path: '/invoices',
      types: ['invoice'],
      wireField: wireFieldFor('invoiceDate'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZInvoice, raw);
        const { currency, lines } = read(body, company);
        return {
          posting: { type: 'invoice', lines: postingLinesOf(lines) },
          reference: body.reference,
          number: body.invoiceNumber,
          date: body.invoiceDate,
          currency,
          customer: { code: body.customerId },
          description: body.description,
          details: { itemLines: lines },
        };
      },
      render: (document, company) => ({ ...header(document, company), invoiceNumber: document.number, invoiceDate: document.date, status: 'posted' }),
    },
    {
      path: '/creditmemos',
      types: ['credit_memo'],
      wireField: wireFieldFor('memoDate'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZCreditMemo, raw);
        const { currency, lines } = read(body, company);
        return {
          posting: { type: 'credit_memo', lines: postingLinesOf(lines), settlementAccount: body.refundGlAccount ?? null },
          reference: body.reference,
          date: body.memoDate,
          currency,
          customer: { code: body.customerId },
          appliesToInvoice: body.invoiceNumber,
          description: body.description,
          details: { itemLines: lines, refundAccount: body.refundGlAccount ?? null },
        };
      },
      render: (document, company) => ({
        ...header(document, company),
        memoNumber: document.number,
        memoDate: document.date,
        invoiceNumber: document.appliesToInvoice,
        refundGlAccount: detailText(document, 'refundAccount'),
        status: 'posted',
      }),
    },
    {
      path: '/cashreceipts',
      types: ['cash_receipt'],
      wireField: wireFieldFor('transactionDate'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZCashReceipt, raw);
        const currency = body.currency ?? company.baseCurrency;
        const amounts = new AmountReader(currency);
        const amountMinor = amounts.read(body.amount, 'amount');
        amounts.throwIfAny();
        return {
          posting: { type: 'cash_receipt', amountMinor, cashAccount: body.glAccount, memo: body.memo ?? null },
          reference: body.reference,
          date: body.transactionDate,
          currency,
          customer: { code: body.customerId },
          appliesToInvoice: body.invoiceNumber,
          description: body.memo,
          details: { paymentMethod: body.paymentMethod ?? null, cashAccount: body.glAccount },
        };
      },
      render: (document, company) => ({
        id: document.id,
        receiptNumber: document.number,
        customerId: customerCodeOf(store, company, document.customerId),
        invoiceNumber: document.appliesToInvoice,
        transactionDate: document.date,
        amount: formatMinor(document.amountMinor, document.currency),
        currency: document.currency,
        paymentMethod: detailText(document, 'paymentMethod'),
        reference: document.reference,
        glAccount: detailText(document, 'cashAccount'),
        memo: document.description,
        status: 'posted',
        createdAt: document.createdAt,
      }),
    },
    {
      path: '/journalentries',
      types: ['journal'],
      wireField: wireFieldFor('entryDate'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZJournalEntry, raw);
        const currency = body.currency ?? company.baseCurrency;
        const lines = readJournalLines(
          body.lines.map((line) => ({ account: line.glAccount, debit: line.debit, credit: line.credit, memo: line.memo })),
          currency,
          (index, side) => `lines[${index}].${side}`,
        );
        return { posting: { type: 'journal', lines }, reference: body.reference, date: body.entryDate, currency, customer: null, description: body.description };
      },
      render: (document) => ({
        id: document.id,
        entryNumber: document.number,
        entryDate: document.date,
        reference: document.reference,
        description: document.description,
        currency: document.currency,
        lines: document.lines.map((line, index) => ({
          lineNumber: index + 1,
          glAccount: line.account,
          debit: formatMinor(line.debitMinor, document.currency),
          credit: formatMinor(line.creditMinor, document.currency),
          memo: line.memo,
        })),
        status: 'posted',
        createdAt: document.createdAt,
      }),
    },
  ];
}

const envelope: ListEnvelope = {
  pageParam: 'page',
  pageRequest: (query) => ({ page: positiveInt(query.page, 1, 1_000_000), pageSize: positiveInt(query.pagesize, 50, 200) }),
  render: (items, info) => ({ data: items, page: info.page, pageSize: info.pageSize, total: info.total, next: info.nextUrl }),
};

export function registerSageProDialect(app: FastifyInstance, ctx: SandboxContext): void {
  const style = jsonErrorStyle(wireFieldFor('date'));

  app.register(
    async (scope) => {
      installDialectErrorHandler(scope, style);
      installCompanyGate(scope, ctx, style, {
        dialect: 'sage_pro',
        missing: (companyId) => `No Sage Pro company ${companyId ?? ''}`,
        authorized: (request, reply) => requireAccessToken(ctx.oauth, 'sage_pro', request, reply, style),
      });

      registerCustomerResource(
        scope,
        ctx,
        style,
        {
          path: '/customers',
          filter: (query) => ({ code: query.customerid, email: query.email, stripeCustomerId: query.stripecustomerid, search: query.search }),
          readCreate(raw) {
            const body = parseBody(ZCreateCustomer, raw);
            return { code: body.customerId, ...customerFields(body), name: body.name };
          },
          readUpdate: (raw) => customerFields(parseBody(ZUpdateCustomer, raw)),
          codeField: 'customerId',
          render: renderCustomer,
        },
        envelope,
      );

      for (const resource of resources(ctx.store)) registerDocumentResource(scope, ctx, style, resource, envelope, true);
    },
    { prefix: SAGE_PRO_PREFIX },
  );
}
