import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { registerCustomerResource } from './customer-resource.ts';
import {
  AmountReader,
  companyOf,
  customerCodeOf,
  documentFilterOf,
  installCompanyGate,
  installDialectErrorHandler,
  joinPath,
  jsonErrorStyle,
  listPage,
  optionalText,
  parseBody,
  positiveInt,
  queryOf,
  readItemDocument,
  readJournalLines,
  registerDocumentResource,
  sendFailure,
  withWireNames,
  ZWireAmount,
  ZWireCurrency,
  ZWireDate,
  type DocumentResource,
  type ListEnvelope,
  type SandboxContext,
} from './dialect-kit.ts';
import { detailText, itemLinesOf, postingLinesOf } from './document-details.ts';
import type { Company, Customer, LedgerDocument, Product } from './ledger-model.ts';
import type { FieldPath } from './ledger-rejection.ts';
import type { LedgerStore } from './ledger-store.ts';
import { formatMinor } from './money.ts';
import { requireAccessToken } from './oauth-guard.ts';

// Sage 50 through its REST gateway: `/v1/...`, OAuth 2.0 bearer tokens, snake_case fields.
// Sage 50 has no credit memo endpoint here: a refund is a payment of type "refund" (or a journal).

export const SAGE50_PREFIX = '/sage50/:company/v1';

/** Sage 50's customer record limits (a 39-character name is Sage 50 US's own limit). */
export const SAGE50_CUSTOMER_LENGTHS = {
  customer_id: 20,
  name: 39,
  email: 64,
  address_line1: 40,
  city: 30,
  state: 20,
  postal_code: 10,
  phone: 20,
  stripe_customer_id: 50,
} as const;

const L = SAGE50_CUSTOMER_LENGTHS;
const REFERENCE_LENGTH = 40;
const TEXT_LENGTH = 60;
const ACCOUNT_LENGTH = 15;

const ZCustomerFields = z.object({
  name: z.string().trim().min(1).max(L.name),
  email: optionalText(L.email),
  address_line1: optionalText(L.address_line1),
  city: optionalText(L.city),
  state: optionalText(L.state),
  postal_code: optionalText(L.postal_code),
  phone: optionalText(L.phone),
  stripe_customer_id: optionalText(L.stripe_customer_id),
});
const ZCreateCustomer = ZCustomerFields.extend({ customer_id: z.string().trim().min(1).max(L.customer_id).optional() });
const ZUpdateCustomer = ZCustomerFields.partial();

const ZItemLine = z.object({
  item_id: optionalText(20),
  description: optionalText(TEXT_LENGTH),
  quantity: z.number().int().positive().optional(),
  unit_price: ZWireAmount,
  gl_account: z.string().trim().min(1).max(ACCOUNT_LENGTH).nullish(),
});

const documentHeader = {
  customer_id: z.string().trim().min(1).max(L.customer_id),
  date: ZWireDate,
  currency: ZWireCurrency.optional(),
  reference: z.string().trim().min(1).max(REFERENCE_LENGTH),
  description: optionalText(TEXT_LENGTH),
  lines: z.array(ZItemLine).min(1),
};
const ZSalesOrder = z.object(documentHeader);
const ZInvoice = z.object({ ...documentHeader, invoice_number: z.string().trim().min(1).max(20).nullish() });
const ZPayment = z.object({
  type: z.enum(['receipt', 'refund']).default('receipt'),
  customer_id: z.string().trim().min(1).max(L.customer_id),
  date: ZWireDate,
  amount: ZWireAmount,
  currency: ZWireCurrency.optional(),
  reference: z.string().trim().min(1).max(REFERENCE_LENGTH),
  payment_method: optionalText(30),
  cash_account: z.string().trim().min(1).max(ACCOUNT_LENGTH),
  invoice_number: z.string().trim().min(1).max(20).nullish(),
  memo: optionalText(TEXT_LENGTH),
});
const ZJournalEntry = z.object({
  date: ZWireDate,
  reference: z.string().trim().min(1).max(REFERENCE_LENGTH),
  description: optionalText(TEXT_LENGTH),
  currency: ZWireCurrency.optional(),
  lines: z
    .array(z.object({ account: z.string().trim().min(1).max(ACCOUNT_LENGTH), debit: ZWireAmount.nullish(), credit: ZWireAmount.nullish(), memo: optionalText(TEXT_LENGTH) }))
    .min(1),
});
const ZProductBody = z.object({
  item_id: z.string().trim().min(1).max(20),
  description: z.string().trim().min(1).max(TEXT_LENGTH),
  price: ZWireAmount,
  currency: ZWireCurrency.optional(),
  gl_sales_account: z.string().trim().min(1).max(ACCOUNT_LENGTH).nullish(),
});

function renderCustomer(customer: Customer) {
  return {
    id: customer.id,
    customer_id: customer.code,
    name: customer.name,
    email: customer.email,
    address_line1: customer.addressLine1,
    city: customer.city,
    state: customer.state,
    postal_code: customer.postalCode,
    phone: customer.phone,
    stripe_customer_id: customer.stripeCustomerId,
    created_at: customer.createdAt,
    updated_at: customer.updatedAt,
  };
}

function customerFields(body: z.infer<typeof ZUpdateCustomer>) {
  return {
    name: body.name,
    email: body.email,
    addressLine1: body.address_line1,
    city: body.city,
    state: body.state,
    postalCode: body.postal_code,
    phone: body.phone,
    stripeCustomerId: body.stripe_customer_id,
  };
}

function renderProduct(product: Product) {
  return {
    id: product.id,
    item_id: product.code,
    description: product.description,
    price: formatMinor(product.priceMinor, product.currency),
    currency: product.currency,
    gl_sales_account: product.incomeAccount,
    created_at: product.createdAt,
  };
}

const TOP_FIELDS: Record<string, string> = {
  reference: 'reference',
  number: 'invoice_number',
  date: 'date',
  currency: 'currency',
  customer: 'customer_id',
  appliesToInvoice: 'invoice_number',
  cashAccount: 'cash_account',
  amount: 'amount',
  code: 'item_id',
  incomeAccount: 'gl_sales_account',
};

function wireField(lineAccountField: string) {
  return (path: FieldPath): string | null => {
    const [head, index, leaf] = path;
    if (head === 'lines' && typeof index === 'number') return `lines[${index}].${leaf === 'account' ? lineAccountField : String(leaf ?? '')}`;
    return TOP_FIELDS[String(head)] ?? joinPath(path);
  };
}

function renderItemLines(document: LedgerDocument) {
  return itemLinesOf(document).map((line, index) => ({
    line_number: index + 1,
    item_id: line.itemId,
    description: line.description,
    quantity: line.quantity,
    unit_price: formatMinor(line.unitPriceMinor, document.currency),
    amount: formatMinor(line.amountMinor, document.currency),
    gl_account: line.account,
  }));
}

function resources(store: LedgerStore): DocumentResource[] {
  const filter = documentFilterOf(store, 'customer_id', (query) => query.number ?? query.invoice_number);
  const header = (document: LedgerDocument, company: Company) => ({
    id: document.id,
    number: document.number,
    customer_id: customerCodeOf(store, company, document.customerId),
    date: document.date,
    currency: document.currency,
    reference: document.reference,
    description: document.description,
    lines: renderItemLines(document),
    total: formatMinor(document.amountMinor, document.currency),
    created_at: document.createdAt,
  });
  const read = (body: { currency?: string | undefined; lines: z.infer<typeof ZItemLine>[] }, company: Company) => {
    const products = store.listProducts(company.id);
    return readItemDocument(
      company,
      body.currency,
      body.lines.map((line) => ({
        itemId: line.item_id,
        description: line.description,
        quantity: line.quantity,
        unitPrice: line.unit_price,
        // An item's own sales account is the default, as in Sage 50's item maintenance.
        account: line.gl_account ?? products.find((product) => product.code === line.item_id)?.incomeAccount,
      })),
      (index) => `lines[${index}].unit_price`,
    );
  };

  return [
    {
      path: '/sales_orders',
      types: ['sales_order'],
      wireField: wireField('gl_account'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZSalesOrder, raw);
        const { currency, lines } = read(body, company);
        return {
          posting: { type: 'sales_order', lines: postingLinesOf(lines) },
          reference: body.reference,
          date: body.date,
          currency,
          customer: { code: body.customer_id },
          description: body.description,
          details: { itemLines: lines },
        };
      },
      render: (document, company) => ({ ...header(document, company), status: 'open' }),
    },
    {
      path: '/invoices',
      types: ['invoice'],
      wireField: wireField('gl_account'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZInvoice, raw);
        const { currency, lines } = read(body, company);
        return {
          posting: { type: 'invoice', lines: postingLinesOf(lines) },
          reference: body.reference,
          number: body.invoice_number,
          date: body.date,
          currency,
          customer: { code: body.customer_id },
          description: body.description,
          details: { itemLines: lines },
        };
      },
      render: (document, company) => ({ ...header(document, company), invoice_number: document.number, status: 'posted' }),
    },
    {
      path: '/payments',
      types: ['cash_receipt', 'customer_refund'],
      wireField: wireField('account'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZPayment, raw);
        const currency = body.currency ?? company.baseCurrency;
        const amounts = new AmountReader(currency);
        const amountMinor = amounts.read(body.amount, 'amount');
        amounts.throwIfAny();
        const posting =
          body.type === 'receipt'
            ? { type: 'cash_receipt' as const, amountMinor, cashAccount: body.cash_account, memo: body.memo ?? null }
            : { type: 'customer_refund' as const, amountMinor, cashAccount: body.cash_account, memo: body.memo ?? null };
        return {
          posting,
          reference: body.reference,
          date: body.date,
          currency,
          customer: { code: body.customer_id },
          appliesToInvoice: body.invoice_number,
          description: body.memo,
          details: { paymentMethod: body.payment_method ?? null, cashAccount: body.cash_account },
        };
      },
      render: (document, company) => ({
        id: document.id,
        payment_number: document.number,
        type: document.type === 'cash_receipt' ? 'receipt' : 'refund',
        customer_id: customerCodeOf(store, company, document.customerId),
        date: document.date,
        amount: formatMinor(document.amountMinor, document.currency),
        currency: document.currency,
        reference: document.reference,
        payment_method: detailText(document, 'paymentMethod'),
        cash_account: detailText(document, 'cashAccount'),
        invoice_number: document.appliesToInvoice,
        memo: document.description,
        created_at: document.createdAt,
      }),
    },
    {
      path: '/journal_entries',
      types: ['journal'],
      wireField: wireField('account'),
      filter,
      toPosting(raw, company) {
        const body = parseBody(ZJournalEntry, raw);
        const currency = body.currency ?? company.baseCurrency;
        const lines = readJournalLines(body.lines, currency, (index, side) => `lines[${index}].${side}`);
        return { posting: { type: 'journal', lines }, reference: body.reference, date: body.date, currency, customer: null, description: body.description };
      },
      render: (document) => ({
        id: document.id,
        entry_number: document.number,
        date: document.date,
        reference: document.reference,
        description: document.description,
        currency: document.currency,
        lines: document.lines.map((line, index) => ({
          line_number: index + 1,
          account: line.account,
          debit: formatMinor(line.debitMinor, document.currency),
          credit: formatMinor(line.creditMinor, document.currency),
          memo: line.memo,
        })),
        created_at: document.createdAt,
      }),
    },
  ];
}

const envelope: ListEnvelope = {
  pageParam: 'page',
  pageRequest: (query) => ({ page: positiveInt(query.page, 1, 1_000_000), pageSize: positiveInt(query.per_page, 25, 100) }),
  render: (items, info) => ({ data: items, meta: { page: info.page, per_page: info.pageSize, total: info.total }, links: { next: info.nextUrl, prev: info.backUrl } }),
};

export function registerSage50Dialect(app: FastifyInstance, ctx: SandboxContext): void {
  const style = jsonErrorStyle(wireField('account'));

  app.register(
    async (scope) => {
      installDialectErrorHandler(scope, style);
      installCompanyGate(scope, ctx, style, {
        dialect: 'sage50',
        missing: (companyId) => `No Sage 50 company ${companyId ?? ''}`,
        authorized: (request, reply) => requireAccessToken(ctx.oauth, 'sage50', request, reply, style),
      });

      registerCustomerResource(
        scope,
        ctx,
        style,
        {
          path: '/customers',
          filter: (query) => ({ code: query.customer_id, email: query.email, stripeCustomerId: query.stripe_customer_id, search: query.search }),
          readCreate(raw) {
            const body = parseBody(ZCreateCustomer, raw);
            return { code: body.customer_id, ...customerFields(body), name: body.name };
          },
          readUpdate: (raw) => customerFields(parseBody(ZUpdateCustomer, raw)),
          codeField: 'customer_id',
          render: renderCustomer,
        },
        envelope,
      );

      scope.get('/products', async (request) => {
        const company = companyOf(request);
        const query = queryOf(request, { lowerCaseNames: true });
        const products = ctx.store.listProducts(company.id).filter((product) => query.item_id === undefined || product.code === query.item_id);
        const { items, info } = listPage(request, products, envelope.pageRequest(query), envelope.pageParam);
        return envelope.render(items.map(renderProduct), info);
      });

      scope.get('/products/:productId', async (request, reply) => {
        const { productId } = request.params as { productId: string };
        const product = ctx.store.getProduct(companyOf(request).id, productId);
        if (!product) return sendFailure(reply, style, 'not_found', `Product ${productId} was not found`);
        return renderProduct(product);
      });

      scope.post('/products', async (request, reply) => {
        const company = companyOf(request);
        const body = parseBody(ZProductBody, request.body);
        const currency = body.currency ?? company.baseCurrency;
        const amounts = new AmountReader(currency);
        const priceMinor = amounts.readNonNegative(body.price, 'price');
        amounts.throwIfAny();
        const product = withWireNames(
          () =>
            ctx.store.createProduct(company.id, {
              code: body.item_id,
              description: body.description,
              priceMinor,
              currency,
              incomeAccount: body.gl_sales_account ?? company.defaultRevenueAccount,
            }),
          (path) => TOP_FIELDS[String(path[0])] ?? joinPath(path),
        );
        return reply.code(201).send(renderProduct(product));
      });

      for (const resource of resources(ctx.store)) registerDocumentResource(scope, ctx, style, resource, envelope, true);
    },
    { prefix: SAGE50_PREFIX },
  );
}
