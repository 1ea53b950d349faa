import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import {
  AmountReader,
  companyOf,
  installDialectErrorHandler,
  joinPath,
  listPage,
  optionalText,
  parseBody,
  passFaultGate,
  positiveInt,
  queryOf,
  readItemLines,
  readJournalLines,
  rememberCompany,
  sendFailure,
  WireRejection,
  withWireNames,
  ZWireAmount,
  ZWireCurrency,
  ZWireDate,
  type DialectErrorStyle,
  type FailureKind,
  type FieldError,
  type PageInfo,
  type SandboxContext,
} from './dialect-kit.ts';
import { itemLinesOf, postingLinesOf } from './document-details.ts';
import type { BankAccount, Company, Customer, DocumentType, LedgerAccount, LedgerDocument } from './ledger-model.ts';
import type { FieldPath } from './ledger-rejection.ts';
import type { DocumentFilter, PostDocumentInput } from './ledger-store.ts';
import { formatMinor } from './money.ts';
import { requireAccessToken } from './oauth-guard.ts';

// Sage Business Cloud Accounting API v3.1: resources wrapped in their singular name
// (`{ "contact": {...} }`), ids as 32-character hex strings, amounts as decimal strings, lists as
// `{ $total, $page, $next, $back, $itemsPerPage, $items }` with `$next` relative to /core/v3.1,
// the business chosen by `X-Business` (the lead business when absent), errors as an array of
// `{ $severity, $dataCode, $message, $source }`, and `idempotency_id` on creates.

export const SAGE_ACCOUNTING_PREFIX = '/sageaccounting/core/v3.1';

export const SAGE_ACCOUNTING_LENGTHS = {
  contactName: 100,
  contactReference: 50,
  email: 100,
  telephone: 20,
  addressLine: 100,
  city: 50,
  region: 50,
  postalCode: 20,
  reference: 50,
  lineDescription: 255,
  notes: 2000,
  idempotencyId: 64,
} as const;

const L = SAGE_ACCOUNTING_LENGTHS;
const ZId = z.string().trim().min(1).max(64);
const ZQuantity = z.union([z.number().int().positive(), z.string().regex(/^\d+(\.0+)?$/).transform((text) => Number.parseInt(text, 10))]).optional();

const ZContactFields = z.object({
  name: z.string().trim().min(1).max(L.contactName),
  contact_type_ids: z.array(z.string()).optional(),
  reference: z.string().trim().min(1).max(L.contactReference).nullish(),
  email: optionalText(L.email),
  telephone: optionalText(L.telephone),
  notes: optionalText(L.notes),
  main_address: z
    .object({ address_line_1: optionalText(L.addressLine), city: optionalText(L.city), region: optionalText(L.region), postal_code: optionalText(L.postalCode) })
    .nullish(),
});
const ZCreateContact = z.object({ contact: ZContactFields.extend({ idempotency_id: ZId.optional() }) });
const ZUpdateContact = z.object({ contact: ZContactFields.partial().omit({ reference: true }) });

const ZArtefactLine = z.object({
  description: z.string().trim().min(1).max(L.lineDescription),
  ledger_account_id: ZId,
  quantity: ZQuantity,
  unit_price: ZWireAmount,
});
const artefactHeader = {
  contact_id: ZId,
  date: ZWireDate,
  reference: z.string().trim().min(1).max(L.reference).nullish(),
  currency_id: ZWireCurrency.optional(),
  notes: optionalText(L.notes),
  idempotency_id: ZId.optional(),
};
const ZCreateInvoice = z.object({ sales_invoice: z.object({ ...artefactHeader, invoice_lines: z.array(ZArtefactLine).min(1) }) });
const ZCreateCreditNote = z.object({
  sales_credit_note: z.object({ ...artefactHeader, original_invoice_id: ZId.nullish(), credit_note_lines: z.array(ZArtefactLine).min(1) }),
});
const ZCreatePayment = z.object({
  contact_payment: z.object({
    transaction_type_id: z.enum(['CUSTOMER_RECEIPT', 'CUSTOMER_REFUND']),
    contact_id: ZId,
    bank_account_id: ZId,
    date: ZWireDate,
    total_amount: ZWireAmount,
    reference: z.string().trim().min(1).max(L.reference).nullish(),
    currency_id: ZWireCurrency.optional(),
    payment_method_id: z.string().trim().max(40).nullish(),
    allocated_artefacts: z.array(z.object({ artefact_id: ZId, amount: ZWireAmount.optional() })).max(1).optional(),
    idempotency_id: ZId.optional(),
  }),
});
const ZCreateJournal = z.object({
  journal: z.object({
    date: ZWireDate,
    reference: z.string().trim().min(1).max(L.reference),
    description: optionalText(L.lineDescription),
    journal_lines: z
      .array(z.object({ ledger_account_id: ZId, debit: ZWireAmount.nullish(), credit: ZWireAmount.nullish(), details: optionalText(L.lineDescription) }))
      .min(1),
    idempotency_id: ZId.optional(),
  }),
});

// ----- errors -----

const FAILURE: Record<FailureKind, [status: number, dataCode: string]> = {
  unauthorized: [401, 'AuthorizationFailure'],
  not_found: [404, 'RecordNotFound'],
  rate_limited: [429, 'TooManyRequests'],
  server_error: [500, 'InternalServerError'],
  bad_request: [400, 'BadRequest'],
};

function cloudMessage(error: FieldError): string {
  if (error.code === 'duplicate_reference' || error.code === 'duplicate_customer') return `${error.field ?? 'reference'} has already been taken: ${error.message}`;
  return error.message;
}

/** Fastify paths are `journal.journal_lines[0]...`; Sage names the field without the wrapper. */
function withoutWrapper(path: readonly PropertyKey[]): string {
  return joinPath(path.slice(1));
}

const style: DialectErrorStyle = {
  wireField: (path) => joinPath(path),
  rejection: (errors) => ({
    status: errors.some((error) => error.code === 'not_found') ? 404 : 422,
    body: errors.map((error) => ({
      $severity: 'error',
      $dataCode: error.code === 'not_found' ? 'RecordNotFound' : 'RecordInvalid',
      $message: cloudMessage(error),
      $source: error.field ?? '',
    })),
  }),
  failure: (kind, message) => {
    const [status, dataCode] = FAILURE[kind];
    return { status, body: [{ $severity: 'error', $dataCode: dataCode, $message: message, $source: '' }] };
  },
};

function wireFieldFor(linesField: string, extra: Record<string, string> = {}) {
  const top: Record<string, string> = {
    reference: 'reference',
    date: 'date',
    currency: 'currency_id',
    customer: 'contact_id',
    number: 'invoice_number',
    code: 'reference',
    ...extra,
  };
  return (path: FieldPath): string | null => {
    const [head, index, leaf] = path;
    if (head === 'lines' && typeof index === 'number') {
      return `${linesField}[${index}].${leaf === 'account' ? 'ledger_account_id' : String(leaf ?? '')}`;
    }
    if (head === 'lines') return linesField;
    return top[String(head)] ?? joinPath(path);
  };
}

// ----- rendering -----

const link = (path: string, id: string, displayedAs: string) => ({ id, displayed_as: displayedAs, $path: `/${path}/${id}` });

function renderLedgerAccount(account: LedgerAccount) {
  return {
    ...link('ledger_accounts', account.id, `${account.name} (${account.code})`),
    nominal_code: account.code,
    name: account.name,
    ledger_account_type: { id: account.type.toUpperCase(), displayed_as: account.type },
    visible_in_journals: true,
  };
}

function ledgerLink(company: Company, code: string) {
  const account = company.accounts.find((candidate) => candidate.code === code);
  return account ? link('ledger_accounts', account.id, `${account.name} (${account.code})`) : { id: code, displayed_as: code, $path: '' };
}

function renderBankAccount(company: Company, bank: BankAccount) {
  return {
    ...link('bank_accounts', bank.id, `${bank.name} (${bank.accountCode})`),
    bank_account_details: { account_name: bank.name },
    ledger_account: ledgerLink(company, bank.accountCode),
    nominal_code: bank.accountCode,
    currency: { id: company.baseCurrency, displayed_as: company.baseCurrency },
  };
}

function renderContact(customer: Customer) {
  return {
    ...link('contacts', customer.id, `${customer.name} (${customer.code})`),
    name: customer.name,
    reference: customer.code,
    contact_types: [{ id: 'CUSTOMER', displayed_as: 'Customer' }],
    email: customer.email,
    telephone: customer.phone,
    main_address: { address_line_1: customer.addressLine1, city: customer.city, region: customer.state, postal_code: customer.postalCode },
    created_at: customer.createdAt,
    updated_at: customer.updatedAt,
  };
}

type Renderers = { company: Company; customer(id: string | null): Customer | undefined; document(id: string): LedgerDocument | undefined };

function contactLink(render: Renderers, customerId: string | null) {
  const customer = render.customer(customerId);
  return customer ? link('contacts', customer.id, `${customer.name} (${customer.code})`) : null;
}

function renderArtefact(document: LedgerDocument, render: Renderers, path: string, linesField: string) {
  const lines = itemLinesOf(document);
  const amount = (minor: number) => formatMinor(minor, document.currency);
  return {
    ...link(path, document.id, document.number),
    ...(document.type === 'invoice' ? { invoice_number: document.number } : { credit_note_number: document.number }),
    contact: contactLink(render, document.customerId),
    date: document.date,
    reference: document.reference,
    notes: document.description,
    currency: { id: document.currency, displayed_as: document.currency },
    net_amount: amount(document.amountMinor),
    tax_amount: amount(0),
    total_amount: amount(document.amountMinor),
    status: { id: document.type === 'invoice' ? 'UNPAID' : 'UNALLOCATED', displayed_as: document.type === 'invoice' ? 'Unpaid' : 'Unallocated' },
    [linesField]: lines.map((line) => ({
      description: line.description,
      ledger_account: ledgerLink(render.company, line.account),
      quantity: String(line.quantity),
      unit_price: amount(line.unitPriceMinor),
      net_amount: amount(line.amountMinor),
      tax_amount: amount(0),
      total_amount: amount(line.amountMinor),
    })),
    ...(document.type === 'credit_memo' && document.appliesToInvoice !== null ? { original_invoice_number: document.appliesToInvoice } : {}),
    created_at: document.createdAt,
    updated_at: document.createdAt,
  };
}

function renderPayment(document: LedgerDocument, render: Renderers) {
  const bankCode = document.details.bankAccountCode;
  const bank = render.company.bankAccounts.find((candidate) => candidate.accountCode === bankCode);
  const allocated = document.details.allocatedInvoiceId;
  const invoice = typeof allocated === 'string' ? render.document(allocated) : undefined;
  const amount = formatMinor(document.amountMinor, document.currency);
  const typeId = document.type === 'cash_receipt' ? 'CUSTOMER_RECEIPT' : 'CUSTOMER_REFUND';
  return {
    ...link('contact_payments', document.id, document.reference ?? document.number),
    transaction_type: { id: typeId, displayed_as: typeId === 'CUSTOMER_RECEIPT' ? 'Customer Receipt' : 'Customer Refund' },
    contact: contactLink(render, document.customerId),
    bank_account: bank ? link('bank_accounts', bank.id, `${bank.name} (${bank.accountCode})`) : null,
    date: document.date,
    reference: document.reference,
    total_amount: amount,
    net_amount: amount,
    currency: { id: document.currency, displayed_as: document.currency },
    payment_method: typeof document.details.paymentMethod === 'string' ? { id: document.details.paymentMethod, displayed_as: document.details.paymentMethod } : null,
    allocated_artefacts: invoice ? [{ artefact: link('sales_invoices', invoice.id, invoice.number), amount }] : [],
    created_at: document.createdAt,
    updated_at: document.createdAt,
  };
}

function renderJournal(document: LedgerDocument, render: Renderers) {
  return {
    ...link('journals', document.id, document.reference ?? document.number),
    journal_number: document.number,
    date: document.date,
    reference: document.reference,
    description: document.description,
    total: formatMinor(document.lines.reduce((total, line) => total + line.debitMinor, 0), document.currency),
    journal_lines: document.lines.map((line) => ({
      ledger_account: ledgerLink(render.company, line.account),
      debit: formatMinor(line.debitMinor, document.currency),
      credit: formatMinor(line.creditMinor, document.currency),
      details: line.memo,
    })),
    created_at: document.createdAt,
    updated_at: document.createdAt,
  };
}

/** List items carry only id, displayed_as and $path unless `attributes` asks for more, as in v3.1. */
function shapeForList(full: Record<string, unknown>, attributes: string | undefined): Record<string, unknown> {
  const minimal = { id: full.id, displayed_as: full.displayed_as, $path: full.$path };
  if (attributes === undefined) return minimal;
  if (attributes === 'all') return full;
  const wanted = attributes.split(',').map((name) => name.trim());
  return { ...minimal, ...Object.fromEntries(wanted.filter((name) => name in full).map((name) => [name, full[name]])) };
}

function envelope(items: unknown[], info: PageInfo) {
  return { $total: info.total, $page: info.page, $next: info.nextUrl, $back: info.backUrl, $itemsPerPage: info.pageSize, $items: items };
}

const relativeToVersion = (url: string) => (url.startsWith(SAGE_ACCOUNTING_PREFIX) ? url.slice(SAGE_ACCOUNTING_PREFIX.length) : url);

// ----- routes -----

type ArtefactKind = {
  path: string;
  scope: string;
  types: DocumentType[];
  render(document: LedgerDocument, render: Renderers): Record<string, unknown>;
  toPosting(body: unknown, company: Company, ctx: SandboxContext): { input: PostDocumentInput; idempotencyId: string | undefined };
  wireField(path: FieldPath): string | null;
  filter(query: Record<string, string>): DocumentFilter;
};

function readArtefactLines(lines: z.infer<typeof ZArtefactLine>[], currency: string, linesField: string) {
  const amounts = new AmountReader(currency);
  const details = readItemLines(
    lines.map((line) => ({ description: line.description, quantity: line.quantity, unitPrice: line.unit_price, account: line.ledger_account_id })),
    amounts,
    (index) => `${linesField}[${index}].unit_price`,
    '',
  );
  amounts.throwIfAny();
  return details;
}

/** Ledger accounts arrive by id; the ledger keeps codes. An unknown id stays as given so the ledger refuses it. */
function codeForLedgerId(company: Company, id: string): string {
  return company.accounts.find((account) => account.id === id)?.code ?? id;
}

function artefactKinds(): ArtefactKind[] {
  const baseFilter = (query: Record<string, string>): DocumentFilter => ({ reference: query.reference, search: query.search, customerId: query.contact_id });
  return [
    {
      path: 'sales_invoices',
      scope: 'sales_invoice',
      types: ['invoice'],
      render: (document, render) => renderArtefact(document, render, 'sales_invoices', 'invoice_lines'),
      wireField: wireFieldFor('invoice_lines'),
      filter: baseFilter,
      toPosting(raw, company) {
        const body = parseBody(ZCreateInvoice, raw, withoutWrapper).sales_invoice;
        const currency = body.currency_id ?? company.baseCurrency;
        const lines = readArtefactLines(body.invoice_lines, currency, 'invoice_lines').map((line) => ({ ...line, account: codeForLedgerId(company, line.account) }));
        return {
          idempotencyId: body.idempotency_id,
          input: {
            posting: { type: 'invoice', lines: postingLinesOf(lines) },
            reference: body.reference ?? null,
            date: body.date,
            currency,
            customer: { id: body.contact_id },
            description: body.notes,
            details: { itemLines: lines },
          },
        };
      },
    },
    {
      path: 'sales_credit_notes',
      scope: 'sales_credit_note',
      types: ['credit_memo'],
      render: (document, render) => renderArtefact(document, render, 'sales_credit_notes', 'credit_note_lines'),
      wireField: wireFieldFor('credit_note_lines', { appliesToInvoice: 'original_invoice_id' }),
      filter: baseFilter,
      toPosting(raw, company, ctx) {
        const body = parseBody(ZCreateCreditNote, raw, withoutWrapper).sales_credit_note;
        const currency = body.currency_id ?? company.baseCurrency;
        const lines = readArtefactLines(body.credit_note_lines, currency, 'credit_note_lines').map((line) => ({ ...line, account: codeForLedgerId(company, line.account) }));
        const original = body.original_invoice_id == null ? undefined : ctx.store.getDocument(company.id, body.original_invoice_id);
        if (body.original_invoice_id != null && original?.type !== 'invoice') {
          throw new WireRejection([{ code: 'unknown_invoice', field: 'original_invoice_id', message: `Sales invoice ${body.original_invoice_id} does not exist` }]);
        }
        return {
          idempotencyId: body.idempotency_id,
          input: {
            posting: { type: 'credit_memo', lines: postingLinesOf(lines), settlementAccount: null },
            reference: body.reference ?? null,
            date: body.date,
            currency,
            customer: { id: body.contact_id },
            appliesToInvoice: original?.number ?? null,
            description: body.notes,
            details: { itemLines: lines },
          },
        };
      },
    },
    {
      path: 'contact_payments',
      scope: 'contact_payment',
      types: ['cash_receipt', 'customer_refund'],
      render: (document, render) => renderPayment(document, render),
      wireField: wireFieldFor('', { cashAccount: 'bank_account_id', amount: 'total_amount', appliesToInvoice: 'allocated_artefacts[0].artefact_id' }),
      filter: (query) => ({
        ...baseFilter(query),
        types: query.transaction_type_id === 'CUSTOMER_RECEIPT' ? ['cash_receipt'] : query.transaction_type_id === 'CUSTOMER_REFUND' ? ['customer_refund'] : undefined,
      }),
      toPosting(raw, company, ctx) {
        const body = parseBody(ZCreatePayment, raw, withoutWrapper).contact_payment;
        const currency = body.currency_id ?? company.baseCurrency;
        const errors: FieldError[] = [];
        const bank = company.bankAccounts.find((candidate) => candidate.id === body.bank_account_id);
        if (!bank) errors.push({ code: 'unknown_bank_account', field: 'bank_account_id', message: `Bank account ${body.bank_account_id} does not exist` });
        const allocation = body.allocated_artefacts?.[0];
        const invoice = allocation === undefined ? undefined : ctx.store.getDocument(company.id, allocation.artefact_id);
        if (allocation !== undefined && invoice?.type !== 'invoice') {
          errors.push({ code: 'unknown_invoice', field: 'allocated_artefacts[0].artefact_id', message: `Sales invoice ${allocation.artefact_id} does not exist` });
        }
        const amounts = new AmountReader(currency);
        const amountMinor = amounts.read(body.total_amount, 'total_amount');
        errors.push(...amounts.errors);
        if (errors.length > 0 || !bank) throw new WireRejection(errors);
        const memo = body.reference ?? null;
        return {
          idempotencyId: body.idempotency_id,
          input: {
            posting:
              body.transaction_type_id === 'CUSTOMER_RECEIPT'
                ? { type: 'cash_receipt', amountMinor, cashAccount: bank.accountCode, memo }
                : { type: 'customer_refund', amountMinor, cashAccount: bank.accountCode, memo },
            reference: body.reference ?? null,
            date: body.date,
            currency,
            customer: { id: body.contact_id },
            appliesToInvoice: invoice?.number ?? null,
            details: { bankAccountCode: bank.accountCode, paymentMethod: body.payment_method_id ?? null, allocatedInvoiceId: invoice?.id ?? null },
          },
        };
      },
    },
    {
      path: 'journals',
      scope: 'journal',
      types: ['journal'],
      render: (document, render) => renderJournal(document, render),
      wireField: wireFieldFor('journal_lines'),
      filter: baseFilter,
      toPosting(raw, company) {
        const body = parseBody(ZCreateJournal, raw, withoutWrapper).journal;
        // Journals post in the business's base currency.
        const currency = company.baseCurrency;
        const lines = readJournalLines(
          body.journal_lines.map((line) => ({ account: codeForLedgerId(company, line.ledger_account_id), debit: line.debit, credit: line.credit, memo: line.details })),
          currency,
          (index, side) => `journal_lines[${index}].${side}`,
        );
        return {
          idempotencyId: body.idempotency_id,
          input: { posting: { type: 'journal', lines }, reference: body.reference, date: body.date, currency, customer: null, description: body.description },
        };
      },
    },
  ];
}

export function registerSageAccountingDialect(app: FastifyInstance, ctx: SandboxContext): void {
  const businesses = () => ctx.store.listCompanies().filter((company) => company.dialect === 'sage_accounting');

  app.register(
    async (scope) => {
      installDialectErrorHandler(scope, style);

      scope.addHook('preHandler', async (request, reply) => {
        if (!requireAccessToken(ctx.oauth, 'sage_accounting', request, reply, style)) return reply;
        if (request.routeOptions.url === `${SAGE_ACCOUNTING_PREFIX}/businesses`) return;
        const header = request.headers['x-business'];
        const wanted = typeof header === 'string' && header.trim() !== '' ? header.trim() : undefined;
        // Without X-Business, Sage runs the request against the user's lead business.
        const company = wanted === undefined ? businesses()[0] : businesses().find((candidate) => candidate.id === wanted);
        if (!company) return sendFailure(reply, style, 'unauthorized', `The business ${wanted ?? ''} is not accessible with this token`);
        rememberCompany(request, company);
        if (!(await passFaultGate(ctx, request, reply, company, style))) return reply;
      });

      const renderersFor = (company: Company): Renderers => ({
        company,
        customer: (id) => (id === null ? undefined : ctx.store.getCustomer(company.id, { id })),
        document: (id) => ctx.store.getDocument(company.id, id),
      });

      const pageRequest = (query: Record<string, string>) => ({ page: positiveInt(query.page, 1, 1_000_000), pageSize: positiveInt(query.items_per_page, 20, 200) });

      function sendList(request: FastifyRequest, full: Record<string, unknown>[]) {
        const query = queryOf(request, { lowerCaseNames: false });
        const { items, info } = listPage(request, full, pageRequest(query), 'page', relativeToVersion);
        return envelope(items.map((item) => shapeForList(item, query.attributes)), info);
      }

      scope.get('/businesses', async (request) =>
        sendList(request, businesses().map((company) => ({ ...link('businesses', company.id, company.name), name: company.name }))),
      );

      scope.get('/ledger_accounts', async (request) => {
        const query = queryOf(request, { lowerCaseNames: false });
        const search = query.search?.toLowerCase();
        const accounts = companyOf(request).accounts.filter(
          (account) =>
            (search === undefined || account.code.includes(search) || account.name.toLowerCase().includes(search)) &&
            (query.nominal_code === undefined || account.code === query.nominal_code),
        );
        return sendList(request, accounts.map(renderLedgerAccount));
      });

      scope.get('/ledger_accounts/:id', async (request, reply) => {
        const { id } = request.params as { id: string };
        const account = companyOf(request).accounts.find((candidate) => candidate.id === id);
        return account ? renderLedgerAccount(account) : sendFailure(reply, style, 'not_found', `Ledger account ${id} was not found`);
      });

      scope.get('/bank_accounts', async (request) => {
        const company = companyOf(request);
        return sendList(request, company.bankAccounts.map((bank) => renderBankAccount(company, bank)));
      });

      scope.get('/bank_accounts/:id', async (request, reply) => {
        const { id } = request.params as { id: string };
        const company = companyOf(request);
        const bank = company.bankAccounts.find((candidate) => candidate.id === id);
        return bank ? renderBankAccount(company, bank) : sendFailure(reply, style, 'not_found', `Bank account ${id} was not found`);
      });

      scope.get('/contacts', async (request) => {
        const query = queryOf(request, { lowerCaseNames: false });
        const customers = ctx.store.findCustomers(companyOf(request).id, { search: query.search, email: query.email, code: query.reference });
        return sendList(request, customers.map(renderContact));
      });

      scope.get('/contacts/:id', async (request, reply) => {
        const { id } = request.params as { id: string };
        const customer = ctx.store.getCustomer(companyOf(request).id, { id });
        return customer ? renderContact(customer) : sendFailure(reply, style, 'not_found', `Contact ${id} was not found`);
      });

      scope.post('/contacts', async (request, reply) => {
        const company = companyOf(request);
        const body = parseBody(ZCreateContact, request.body, withoutWrapper).contact;
        const replayed = replay(reply, body.idempotency_id, 'contact', (id) => ctx.store.getCustomer(company.id, { id }), renderContact);
        if (replayed) return replayed;
        const customer = withWireNames(
          () =>
            ctx.store.createCustomer(company.id, {
              code: body.reference,
              name: body.name,
              email: body.email,
              phone: body.telephone,
              addressLine1: body.main_address?.address_line_1,
              city: body.main_address?.city,
              state: body.main_address?.region,
              postalCode: body.main_address?.postal_code,
            }),
          () => 'reference',
        );
        if (body.idempotency_id !== undefined) ctx.store.rememberIdempotent(company.id, 'contact', body.idempotency_id, customer.id);
        return reply.code(201).send(renderContact(customer));
      });

      scope.put('/contacts/:id', async (request, reply) => {
        const { id } = request.params as { id: string };
        const company = companyOf(request);
        const body = parseBody(ZUpdateContact, request.body, withoutWrapper).contact;
        if (!ctx.store.getCustomer(company.id, { id })) return sendFailure(reply, style, 'not_found', `Contact ${id} was not found`);
        const updated = ctx.store.updateCustomer(company.id, id, {
          name: body.name,
          email: body.email,
          phone: body.telephone,
          addressLine1: body.main_address?.address_line_1,
          city: body.main_address?.city,
          state: body.main_address?.region,
          postalCode: body.main_address?.postal_code,
        });
        return renderContact(updated);
      });

      /** An idempotency_id seen before answers with what it created, and creates nothing. */
      function replay<T>(reply: FastifyReply, idempotencyId: string | undefined, resource: string, find: (id: string) => T | undefined, render: (found: T) => unknown) {
        if (idempotencyId === undefined) return undefined;
        const company = companyOf(reply.request);
        const resourceId = ctx.store.recallIdempotent(company.id, resource, idempotencyId);
        const found = resourceId === undefined ? undefined : find(resourceId);
        return found === undefined ? undefined : reply.code(201).send(render(found));
      }

      for (const kind of artefactKinds()) {
        scope.get(`/${kind.path}`, async (request) => {
          const company = companyOf(request);
          const query = queryOf(request, { lowerCaseNames: false });
          const filter = kind.filter(query);
          const documents = ctx.store.findDocuments(company.id, { ...filter, types: filter.types ?? kind.types });
          const render = renderersFor(company);
          return sendList(request, documents.map((document) => kind.render(document, render)));
        });

        scope.get(`/${kind.path}/:id`, async (request, reply) => {
          const { id } = request.params as { id: string };
          const company = companyOf(request);
          const document = ctx.store.getDocument(company.id, id);
          if (!document || !kind.types.includes(document.type)) return sendFailure(reply, style, 'not_found', `No ${kind.scope.replaceAll('_', ' ')} with id ${id}`);
          return kind.render(document, renderersFor(company));
        });

        scope.post(`/${kind.path}`, async (request, reply) => {
          const company = companyOf(request);
          const { input, idempotencyId } = kind.toPosting(request.body, company, ctx);
          const render = renderersFor(company);
          const replayed = replay(reply, idempotencyId, kind.scope, (id) => ctx.store.getDocument(company.id, id), (document) => kind.render(document, render));
          if (replayed) return replayed;
          const document = withWireNames(() => ctx.store.postDocument(company.id, input), kind.wireField);
          if (idempotencyId !== undefined) ctx.store.rememberIdempotent(company.id, kind.scope, idempotencyId, document.id);
          return reply.code(201).send(kind.render(document, render));
        });
      }
    },
    { prefix: SAGE_ACCOUNTING_PREFIX },
  );
}
