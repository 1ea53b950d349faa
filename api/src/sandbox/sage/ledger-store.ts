import { randomUUID } from 'node:crypto';
import {
  DOCUMENT_TYPES,
  ZLedgerSnapshot,
  type Company,
  type Customer,
  type DocumentType,
  type LedgerDocument,
  type LedgerSnapshot,
  type Product,
} from './ledger-model.ts';
import { LedgerRejection, rejectWhen, type RejectionIssue } from './ledger-rejection.ts';
import { formatMinor, isCurrencyCode } from './money.ts';
import { accountsNamedBy, buildPosting, type PostingInstruction } from './posting-rules.ts';

export type CustomerInput = {
  code?: string | null;
  name: string;
  email?: string | null;
  addressLine1?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  phone?: string | null;
  stripeCustomerId?: string | null;
};

export type CustomerFilter = { email?: string; stripeCustomerId?: string; code?: string; search?: string };

export type CustomerRef = { code: string } | { id: string };

export type PostDocumentInput = {
  posting: PostingInstruction;
  reference: string | null;
  /** A caller-chosen document number; the ledger numbers it when absent. */
  number?: string | null;
  date: string;
  currency: string;
  customer: CustomerRef | null;
  appliesToInvoice?: string | null;
  description?: string | null;
  details?: Record<string, unknown>;
};

export type DocumentFilter = { types?: DocumentType[]; reference?: string; number?: string; customerId?: string; search?: string };

export type AccountBalance = { account: string; name: string; currency: string; debitMinor: number; creditMinor: number };

export type ProductInput = { code: string; description: string; priceMinor: number; currency: string; incomeAccount: string };

type CompanyState = {
  company: Company;
  customers: Map<string, Customer>;
  customerIdByCode: Map<string, string>;
  documents: Map<string, LedgerDocument>;
  documentIdByReference: Map<string, string>;
  documentIdByNumber: Map<string, string>;
  products: Map<string, Product>;
  idempotency: Map<string, string>;
  /** Running totals per account and currency, kept as each document posts. */
  totals: Map<string, { debitMinor: number; creditMinor: number }>;
};

const NUMBER_PREFIX: Record<Company['dialect'], Record<DocumentType, string>> = {
  sage500: { sales_order: 'SO', invoice: 'INV', credit_memo: 'CM', cash_receipt: 'CR', customer_refund: 'RF', journal: 'JE' },
  sage_pro: { sales_order: 'SO-', invoice: 'INV-', credit_memo: 'CM-', cash_receipt: 'CR-', customer_refund: 'RF-', journal: 'JE-' },
  sage50: { sales_order: 'SO', invoice: 'INV', credit_memo: 'CM', cash_receipt: 'RCPT', customer_refund: 'RFND', journal: 'GJ' },
  sage_accounting: { sales_order: 'SO-', invoice: 'SI-', credit_memo: 'SCN-', cash_receipt: 'CR-', customer_refund: 'CRF-', journal: 'JNL-' },
};

const key = (...parts: string[]) => parts.join('\u0000');

function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const parsed = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === value;
}

export type LedgerStoreOptions = { now?: () => number; onChange?: () => void };

/**
 * The sandbox's books: companies with their charts, customers, documents and the journal lines
 * they post. Every write validates the way a ledger does (customer, accounts, balance, period,
 * duplicate reference) and throws a LedgerRejection listing every problem at once.
 */
export class LedgerStore {
  private readonly companies = new Map<string, CompanyState>();
  private sequences = new Map<string, number>();
  private readonly now: () => number;
  /** Called after every change, e.g. to save the books to a file. */
  onChange: () => void;

  constructor(companies: Company[], options: LedgerStoreOptions = {}) {
    this.now = options.now ?? Date.now;
    this.onChange = options.onChange ?? (() => {});
    for (const company of companies) this.addCompanyState(company);
  }

  static fromSnapshot(snapshot: unknown, options: LedgerStoreOptions = {}): LedgerStore {
    const data = ZLedgerSnapshot.parse(snapshot);
    const store = new LedgerStore(data.companies, options);
    store.sequences = new Map(Object.entries(data.sequences));
    for (const customer of data.customers) store.indexCustomer(store.stateOf(customer.companyId), customer);
    for (const document of data.documents) store.indexDocument(store.stateOf(document.companyId), document);
    for (const product of data.products) store.stateOf(product.companyId).products.set(product.id, product);
    for (const record of data.idempotency) store.stateOf(record.companyId).idempotency.set(key(record.scope, record.key), record.resourceId);
    return store;
  }

  snapshot(): LedgerSnapshot {
    const states = [...this.companies.values()];
    return {
      version: 1,
      companies: states.map((state) => state.company),
      customers: states.flatMap((state) => [...state.customers.values()]),
      documents: states.flatMap((state) => [...state.documents.values()]),
      products: states.flatMap((state) => [...state.products.values()]),
      idempotency: states.flatMap((state) =>
        [...state.idempotency.entries()].map(([compound, resourceId]) => {
          const [scope = '', idempotencyKey = ''] = compound.split('\u0000');
          return { companyId: state.company.id, scope, key: idempotencyKey, resourceId };
        }),
      ),
      sequences: Object.fromEntries(this.sequences),
    };
  }

  /** Replaces every company and everything in them (the admin reset). */
  replaceCompanies(companies: Company[]): void {
    this.companies.clear();
    this.sequences.clear();
    for (const company of companies) this.addCompanyState(company);
    this.onChange();
  }

  addCompany(company: Company): Company {
    if (this.companies.has(company.id)) throw new Error(`company ${company.id} already exists`);
    this.addCompanyState(company);
    this.onChange();
    return company;
  }

  listCompanies(): Company[] {
    return [...this.companies.values()].map((state) => state.company);
  }

  getCompany(companyId: string): Company | undefined {
    return this.companies.get(companyId)?.company;
  }

  setClosedThrough(companyId: string, closedThrough: string | null): Company {
    const state = this.stateOf(companyId);
    if (closedThrough !== null && !isCalendarDate(closedThrough)) {
      throw new LedgerRejection([{ code: 'invalid_format', path: ['closedThrough'], message: 'closedThrough must be a date as YYYY-MM-DD' }]);
    }
    state.company = { ...state.company, closedThrough };
    this.onChange();
    return state.company;
  }

  findAccount(companyId: string, code: string) {
    return this.stateOf(companyId).company.accounts.find((account) => account.code === code);
  }

  // ----- customers -----

  createCustomer(companyId: string, input: CustomerInput): Customer {
    const state = this.stateOf(companyId);
    const code = input.code ?? this.nextCustomerCode(state);
    rejectWhen(
      state.customerIdByCode.has(code)
        ? [{ code: 'duplicate_customer', path: ['code'], message: `A customer with ID ${code} already exists` }]
        : [],
    );
    const timestamp = new Date(this.now()).toISOString();
    const customer: Customer = {
      id: this.nextId(state),
      companyId,
      code,
      name: input.name,
      email: input.email ?? null,
      addressLine1: input.addressLine1 ?? null,
      city: input.city ?? null,
      state: input.state ?? null,
      postalCode: input.postalCode ?? null,
      phone: input.phone ?? null,
      stripeCustomerId: input.stripeCustomerId ?? null,
      createdAt: timestamp,
      updatedAt: timestamp,
    };
    this.indexCustomer(state, customer);
    this.onChange();
    return customer;
  }

  /** Changes the given fields; the customer's code (its key in the ERP) does not change. */
  updateCustomer(companyId: string, customerId: string, patch: Partial<Omit<CustomerInput, 'code'>>): Customer {
    const state = this.stateOf(companyId);
    const existing = state.customers.get(customerId);
    if (!existing) throw new LedgerRejection([{ code: 'not_found', path: ['customer'], message: `Customer ${customerId} was not found` }]);
    const defined = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined));
    const updated: Customer = { ...existing, ...defined, updatedAt: new Date(this.now()).toISOString() };
    state.customers.set(customerId, updated);
    this.onChange();
    return updated;
  }

  getCustomer(companyId: string, ref: CustomerRef): Customer | undefined {
    const state = this.stateOf(companyId);
    const id = 'id' in ref ? ref.id : state.customerIdByCode.get(ref.code);
    return id === undefined ? undefined : state.customers.get(id);
  }

  /** Emails match without regard to case, as the product's customer resolution expects. */
  findCustomers(companyId: string, filter: CustomerFilter = {}): Customer[] {
    const email = filter.email?.trim().toLowerCase();
    const search = filter.search?.trim().toLowerCase();
    return [...this.stateOf(companyId).customers.values()].filter(
      (customer) =>
        (email === undefined || customer.email?.toLowerCase() === email) &&
        (filter.stripeCustomerId === undefined || customer.stripeCustomerId === filter.stripeCustomerId) &&
        (filter.code === undefined || customer.code === filter.code) &&
        (search === undefined ||
          [customer.name, customer.code, customer.email ?? ''].some((text) => text.toLowerCase().includes(search))),
    );
  }

  // ----- documents -----

  postDocument(companyId: string, input: PostDocumentInput): LedgerDocument {
    const state = this.stateOf(companyId);
    const { company } = state;
    const type = input.posting.type;
    const issues: RejectionIssue[] = [];

    if (!isCalendarDate(input.date)) {
      issues.push({ code: 'invalid_format', path: ['date'], message: `Date ${input.date} is not a date as YYYY-MM-DD` });
    } else if (company.closedThrough !== null && input.date <= company.closedThrough) {
      issues.push({
        code: 'closed_period',
        path: ['date'],
        message: `The period is closed through ${company.closedThrough}; a document dated ${input.date} cannot be posted`,
      });
    }
    if (!isCurrencyCode(input.currency)) {
      issues.push({ code: 'invalid_format', path: ['currency'], message: `Currency ${input.currency} is not a three-letter ISO code` });
    }
    if (input.reference !== null && state.documentIdByReference.has(key(type, input.reference))) {
      issues.push({
        code: 'duplicate_reference',
        path: ['reference'],
        message: `Reference ${input.reference} is already used by another ${type.replace('_', ' ')}`,
      });
    }
    if (input.number != null && state.documentIdByNumber.has(key(type, input.number))) {
      issues.push({ code: 'duplicate_reference', path: ['number'], message: `Number ${input.number} is already used by another ${type.replace('_', ' ')}` });
    }

    const customer = input.customer === null ? undefined : this.getCustomer(companyId, input.customer);
    if (input.customer === null) {
      if (type !== 'journal') issues.push({ code: 'required', path: ['customer'], message: 'A customer is required' });
    } else if (!customer) {
      const named = 'code' in input.customer ? input.customer.code : input.customer.id;
      issues.push({ code: 'unknown_customer', path: ['customer'], message: `Customer ${named} does not exist` });
    }

    if (input.appliesToInvoice != null) {
      const invoiceId = state.documentIdByNumber.get(key('invoice', input.appliesToInvoice));
      const invoice = invoiceId === undefined ? undefined : state.documents.get(invoiceId);
      if (!invoice || (customer && invoice.customerId !== customer.id)) {
        issues.push({
          code: 'unknown_invoice',
          path: ['appliesToInvoice'],
          message: `Invoice ${input.appliesToInvoice} does not exist${customer ? ` for customer ${customer.code}` : ''}`,
        });
      }
    }

    for (const named of accountsNamedBy(input.posting)) {
      if (!company.accounts.some((account) => account.code === named.code)) {
        issues.push({ code: 'unknown_account', path: named.path, message: `GL account ${named.code} does not exist in the chart of accounts` });
      }
    }
    issues.push(...amountIssues(input.posting, input.currency));
    rejectWhen(issues);

    const posting = buildPosting(input.posting, company.receivablesAccount);
    const document: LedgerDocument = {
      id: this.nextId(state),
      companyId,
      type,
      number: input.number ?? this.nextNumber(state, type),
      reference: input.reference,
      date: input.date,
      currency: input.currency,
      amountMinor: posting.amountMinor,
      customerId: customer?.id ?? null,
      description: input.description ?? null,
      appliesToInvoice: input.appliesToInvoice ?? null,
      lines: posting.lines,
      details: input.details ?? {},
      createdAt: new Date(this.now()).toISOString(),
    };
    this.indexDocument(state, document);
    this.onChange();
    return document;
  }

  getDocument(companyId: string, documentId: string): LedgerDocument | undefined {
    return this.stateOf(companyId).documents.get(documentId);
  }

  findDocuments(companyId: string, filter: DocumentFilter = {}): LedgerDocument[] {
    const state = this.stateOf(companyId);
    const search = filter.search?.trim().toLowerCase();
    return this.candidateDocuments(state, filter).filter((document) => {
      if (filter.types && !filter.types.includes(document.type)) return false;
      if (filter.reference !== undefined && document.reference !== filter.reference) return false;
      if (filter.number !== undefined && document.number !== filter.number) return false;
      if (filter.customerId !== undefined && document.customerId !== filter.customerId) return false;
      if (search !== undefined) {
        const customer = document.customerId === null ? undefined : state.customers.get(document.customerId);
        const haystack = [document.reference ?? '', document.number, document.description ?? '', customer?.name ?? ''];
        if (!haystack.some((text) => text.toLowerCase().includes(search))) return false;
      }
      return true;
    });
  }

  accountBalance(companyId: string, accountCode: string, currency: string): AccountBalance | undefined {
    const state = this.stateOf(companyId);
    const account = state.company.accounts.find((candidate) => candidate.code === accountCode);
    if (!account) return undefined;
    const totals = state.totals.get(key(accountCode, currency)) ?? { debitMinor: 0, creditMinor: 0 };
    return { account: account.code, name: account.name, currency, ...totals };
  }

  /**
   * The trial balance: every account with lines, its debits and credits per currency, in chart
   * order. Kept per currency because the sandbox does not convert (see README, "Not modelled").
   */
  trialBalance(companyId: string): AccountBalance[] {
    const state = this.stateOf(companyId);
    const chartOrder = new Map(state.company.accounts.map((account, index) => [account.code, index]));
    return [...state.totals.entries()]
      .map(([compound, totals]) => {
        const [code = '', currency = ''] = compound.split('\u0000');
        const account = state.company.accounts.find((candidate) => candidate.code === code);
        return { account: code, name: account?.name ?? code, currency, ...totals };
      })
      .sort((a, b) => a.currency.localeCompare(b.currency) || (chartOrder.get(a.account) ?? 0) - (chartOrder.get(b.account) ?? 0));
  }

  /** Currencies an account has lines in, so a reader can ask for each balance. */
  currenciesPostedTo(companyId: string, accountCode: string): string[] {
    return [...this.stateOf(companyId).totals.keys()]
      .map((compound) => compound.split('\u0000'))
      .filter(([code]) => code === accountCode)
      .map(([, currency]) => currency ?? '');
  }

  // ----- products (Sage 50's item list) -----

  createProduct(companyId: string, input: ProductInput): Product {
    const state = this.stateOf(companyId);
    const issues: RejectionIssue[] = [];
    if ([...state.products.values()].some((product) => product.code === input.code)) {
      issues.push({ code: 'duplicate_reference', path: ['code'], message: `An item with ID ${input.code} already exists` });
    }
    if (!state.company.accounts.some((account) => account.code === input.incomeAccount)) {
      issues.push({ code: 'unknown_account', path: ['incomeAccount'], message: `GL account ${input.incomeAccount} does not exist in the chart of accounts` });
    }
    rejectWhen(issues);
    const product: Product = { id: this.nextId(state), companyId, ...input, createdAt: new Date(this.now()).toISOString() };
    state.products.set(product.id, product);
    this.onChange();
    return product;
  }

  listProducts(companyId: string): Product[] {
    return [...this.stateOf(companyId).products.values()];
  }

  getProduct(companyId: string, productId: string): Product | undefined {
    return this.stateOf(companyId).products.get(productId);
  }

  // ----- idempotency (Sage Accounting's idempotency_id) -----

  recallIdempotent(companyId: string, scope: string, idempotencyKey: string): string | undefined {
    return this.stateOf(companyId).idempotency.get(key(scope, idempotencyKey));
  }

  rememberIdempotent(companyId: string, scope: string, idempotencyKey: string, resourceId: string): void {
    this.stateOf(companyId).idempotency.set(key(scope, idempotencyKey), resourceId);
    this.onChange();
  }

  // ----- internals -----

  /**
   * The documents a filter can match, in posting order. A lookup by reference or number (what
   * every connector makes before it creates) goes through the unique indexes instead of reading
   * every document of the company; when it finds more than one, the full scan keeps their order.
   */
  private candidateDocuments(state: CompanyState, filter: DocumentFilter): LedgerDocument[] {
    const indexed = filter.reference !== undefined ? { index: state.documentIdByReference, value: filter.reference } : filter.number !== undefined ? { index: state.documentIdByNumber, value: filter.number } : null;
    if (indexed) {
      const found: LedgerDocument[] = [];
      for (const type of filter.types ?? DOCUMENT_TYPES) {
        const id = indexed.index.get(key(type, indexed.value));
        const document = id === undefined ? undefined : state.documents.get(id);
        if (document) found.push(document);
      }
      if (found.length <= 1) return found;
    }
    return [...state.documents.values()];
  }

  private addCompanyState(company: Company): void {
    this.companies.set(company.id, {
      company,
      customers: new Map(),
      customerIdByCode: new Map(),
      documents: new Map(),
      documentIdByReference: new Map(),
      documentIdByNumber: new Map(),
      products: new Map(),
      idempotency: new Map(),
      totals: new Map(),
    });
  }

  private stateOf(companyId: string): CompanyState {
    const state = this.companies.get(companyId);
    if (!state) throw new LedgerRejection([{ code: 'not_found', path: ['company'], message: `Company ${companyId} does not exist` }]);
    return state;
  }

  private indexCustomer(state: CompanyState, customer: Customer): void {
    state.customers.set(customer.id, customer);
    state.customerIdByCode.set(customer.code, customer.id);
  }

  private indexDocument(state: CompanyState, document: LedgerDocument): void {
    state.documents.set(document.id, document);
    if (document.reference !== null) state.documentIdByReference.set(key(document.type, document.reference), document.id);
    state.documentIdByNumber.set(key(document.type, document.number), document.id);
    for (const line of document.lines) {
      const totalsKey = key(line.account, document.currency);
      const totals = state.totals.get(totalsKey) ?? { debitMinor: 0, creditMinor: 0 };
      state.totals.set(totalsKey, { debitMinor: totals.debitMinor + line.debitMinor, creditMinor: totals.creditMinor + line.creditMinor });
    }
  }

  private bump(name: string, start: number): number {
    const next = (this.sequences.get(name) ?? start) + 1;
    this.sequences.set(name, next);
    return next;
  }

  private nextId(state: CompanyState): string {
    // Sage Accounting uses 32-character hex GUIDs; the on-premises systems use integer keys.
    if (state.company.dialect === 'sage_accounting') return randomUUID().replaceAll('-', '');
    return String(this.bump(`${state.company.id}:id`, 1000));
  }

  private nextNumber(state: CompanyState, type: DocumentType): string {
    const prefix = NUMBER_PREFIX[state.company.dialect][type];
    for (;;) {
      const sequence = this.bump(`${state.company.id}:number:${type}`, 0);
      const candidate = state.company.dialect === 'sage_accounting' ? `${prefix}${sequence}` : `${prefix}${String(sequence).padStart(6, '0')}`;
      if (!state.documentIdByNumber.has(key(type, candidate))) return candidate;
    }
  }

  private nextCustomerCode(state: CompanyState): string {
    for (;;) {
      const candidate = `C${String(this.bump(`${state.company.id}:customer`, 0)).padStart(6, '0')}`;
      if (!state.customerIdByCode.has(candidate)) return candidate;
    }
  }
}

function amountIssues(posting: PostingInstruction, currency: string): RejectionIssue[] {
  const issues: RejectionIssue[] = [];
  const money = (minor: number) => (isCurrencyCode(currency) ? `${formatMinor(minor, currency)} ${currency}` : String(minor));
  switch (posting.type) {
    case 'sales_order':
    case 'invoice':
    case 'credit_memo': {
      if (posting.lines.length === 0) {
        issues.push({ code: 'required', path: ['lines'], message: 'At least one line is required' });
      } else if (posting.lines.reduce((total, line) => total + line.amountMinor, 0) <= 0) {
        issues.push({ code: 'invalid_amount', path: ['lines'], message: 'The document total must be greater than zero' });
      }
      break;
    }
    case 'cash_receipt':
    case 'customer_refund':
      if (posting.amountMinor <= 0) issues.push({ code: 'invalid_amount', path: ['amount'], message: 'The amount must be greater than zero' });
      break;
    case 'journal': {
      if (posting.lines.length < 2) {
        issues.push({ code: 'unbalanced_journal', path: ['lines'], message: 'A journal entry needs at least two lines' });
      }
      posting.lines.forEach((line, index) => {
        if (line.debitMinor < 0 || line.creditMinor < 0) {
          issues.push({ code: 'invalid_amount', path: ['lines', index, line.debitMinor < 0 ? 'debit' : 'credit'], message: 'Debits and credits cannot be negative' });
        } else if ((line.debitMinor > 0) === (line.creditMinor > 0)) {
          issues.push({ code: 'invalid_amount', path: ['lines', index, 'debit'], message: 'Each line needs exactly one of a debit or a credit' });
        }
      });
      const debits = posting.lines.reduce((total, line) => total + line.debitMinor, 0);
      const credits = posting.lines.reduce((total, line) => total + line.creditMinor, 0);
      if (debits !== credits) {
        issues.push({ code: 'unbalanced_journal', path: ['lines'], message: `The journal entry does not balance: debits ${money(debits)}, credits ${money(credits)}` });
      }
      break;
    }
  }
  return issues;
}
