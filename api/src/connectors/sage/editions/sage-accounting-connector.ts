import { createHash } from 'node:crypto';
import type { z } from 'zod';
import { formatDecimal, normalizeCurrency, type Money } from '../../../accounting/money.ts';
import { SageHttpClient, type SageHttpClientOptions, type SageRequest, type SageResponse } from '../http/sage-http-client.ts';
import type { SageCapabilities, SageConnector } from '../sage-connector.ts';
import {
  ZCashReceiptInput,
  ZCreditMemoInput,
  ZInvoiceInput,
  ZJournalEntryInput,
  ZSageCustomerInput,
  ZSageCustomerUpdate,
  ZSalesOrderInput,
  type CashReceiptInput,
  type CreditMemoInput,
  type InvoiceInput,
  type JournalEntryInput,
  type SageCustomer,
  type SageCustomerInput,
  type SageCustomerUpdate,
  type SageDocumentRef,
  type SageDocumentType,
  type SageLine,
  type SalesOrderInput,
} from '../sage-documents.ts';
import { SageError } from '../sage-error.ts';
import { exactAmount, linesTotal } from './document-amounts.ts';
import { fitFreeText } from './fit-free-text.ts';
import { inputValidator } from './input-validator.ts';
import { SageAccountingChart } from './sage-accounting-chart.ts';
import { isCloudDuplicateReference, sageAccountingErrorFor, unreadableCloudAnswer } from './sage-accounting-errors.ts';
import {
  SAGE_ACCOUNTING_CONTACT_NAME_LENGTH,
  SAGE_ACCOUNTING_MAX_PAGE,
  SAGE_ACCOUNTING_TEXT_LENGTH,
  ZCloudContact,
  ZCloudContactPayment,
  ZCloudCreditNote,
  ZCloudJournal,
  ZCloudPage,
  ZCloudSalesInvoice,
  type CloudContact,
} from './sage-accounting-wire.ts';

// Sage Accounting (Business Cloud Accounting API v3.1): bodies wrapped in the resource name,
// 32-hex ids, the business chosen by `X-Business`, ledger and bank accounts addressed by id, lists
// paged by `$next`, and `idempotency_id` on creates.
//
// How each normalized document lands:
// - invoice: `sales_invoices`; journal entry: `journals` (base currency only, as Sage posts them).
// - cash receipt: a `contact_payments` CUSTOMER_RECEIPT into the bank account whose nominal code
//   is `depositAccount` (Dr that bank's ledger account, Cr debtors), allocated to the invoice when
//   one is named.
// - credit memo: a `sales_credit_notes` (Dr each line's ledger account, Cr debtors) **and** a
//   CUSTOMER_REFUND `contact_payments` out of the `refundAccount` bank (Dr debtors, Cr clearing),
//   both with the refund's Stripe id as reference. The credit note alone would leave the customer
//   in credit and the clearing account untouched although the money has left it; the pair nets to
//   exactly the clearing-method refund, Dr refunds / Cr Stripe clearing, and leaves debtors at zero.
//   `findDocumentByReference('credit_memo')` answers only when both halves exist, so a retry after
//   a failure between them posts the missing half and never the other one twice.
// - sales order: Sage Accounting has none (and nothing here stands in for one without posting
//   revenue early), so creating one is refused with a message an admin can act on.
//
// Every create carries an idempotency_id derived from the Stripe reference, so re-sending a create
// whose answer was lost replays the original instead of posting a second document.

type DocumentKind = Exclude<SageDocumentType, 'customer'>;

export type SageAccountingHttpOptions = Omit<SageHttpClientOptions, 'baseUrl' | 'rateLimitKey'>;

export type SageAccountingConnectorOptions = {
  /**
   * The versioned API base that `$next` links are relative to: `https://api.accounting.sage.com/v3.1`
   * in production, `http://localhost:4010/sageaccounting/core/v3.1` for the sandbox.
   */
  baseUrl: string;
  /** The business id sent as `X-Business`; also the key of its rate budget (200 requests a minute). */
  businessId: string;
  /** The business's base currency. Sage Accounting posts journals in it and only in it. */
  baseCurrency: string;
  /** Credentials, the shared rate limiter and timeouts for the transport. */
  http: SageAccountingHttpOptions;
  /** Items per list page when looking records up (at most 200). */
  itemsPerPage?: number;
};

export type SageAccountingCapabilities = SageCapabilities;

export const SAGE_ACCOUNTING_CAPABILITIES: SageAccountingCapabilities = {
  documents: {
    // There is no sales order in Sage Accounting: createSalesOrder refuses with a message.
    sales_order: 'unsupported',
    invoice: 'native',
    cash_receipt: 'native',
    credit_memo: 'native',
    journal_entry: 'native',
  },
  customerNameMaxLength: SAGE_ACCOUNTING_CONTACT_NAME_LENGTH,
};

const MAX_PAGES = 1_000;

const validated = inputValidator('Sage Accounting');

/** The records the connector writes, each with its endpoint, body wrapper and how a row reads back. */
type CloudKind = 'sales_invoice' | 'sales_credit_note' | 'customer_receipt' | 'customer_refund' | 'journal';

/** A record as Sage holds it: ids, the number a user sees, and the exact total. */
type Found = { id: string; number: string; reference: string; total: Money };

const KINDS: Record<CloudKind, { path: string; wrapper: string; label: string; filter?: Record<string, string> }> = {
  sales_invoice: { path: '/sales_invoices', wrapper: 'sales_invoice', label: 'Sales invoice' },
  sales_credit_note: { path: '/sales_credit_notes', wrapper: 'sales_credit_note', label: 'Sales credit note' },
  customer_receipt: { path: '/contact_payments', wrapper: 'contact_payment', label: 'Customer receipt', filter: { transaction_type_id: 'CUSTOMER_RECEIPT' } },
  customer_refund: { path: '/contact_payments', wrapper: 'contact_payment', label: 'Customer refund', filter: { transaction_type_id: 'CUSTOMER_REFUND' } },
  journal: { path: '/journals', wrapper: 'journal', label: 'Journal' },
};

export function createSageAccountingConnector(options: SageAccountingConnectorOptions): SageConnector & { readonly capabilities: SageAccountingCapabilities } {
  return new SageAccountingConnector(options);
}

class SageAccountingConnector implements SageConnector {
  readonly edition = 'sage_accounting' as const;
  readonly capabilities = SAGE_ACCOUNTING_CAPABILITIES;
  private readonly http: SageHttpClient;
  private readonly headers: Record<string, string>;
  private readonly itemsPerPage: number;
  private readonly baseCurrency: string;
  private readonly basePath: string;
  private readonly chart: SageAccountingChart;

  constructor(private readonly options: SageAccountingConnectorOptions) {
    this.http = new SageHttpClient({ ...options.http, baseUrl: options.baseUrl, rateLimitKey: `sage_accounting:${options.businessId}` });
    this.headers = { 'X-Business': options.businessId };
    this.itemsPerPage = Math.min(SAGE_ACCOUNTING_MAX_PAGE, Math.max(1, options.itemsPerPage ?? SAGE_ACCOUNTING_MAX_PAGE));
    this.baseCurrency = normalizeCurrency(options.baseCurrency);
    this.basePath = new URL(options.baseUrl).pathname.replace(/\/$/, '');
    this.chart = new SageAccountingChart((path, query, action) => this.items(path, query, action));
  }

  // ----- customers (contacts) -----

  async findCustomerById(sageCustomerId: string): Promise<SageCustomer | null> {
    const request = this.get(`/contacts/${encodeURIComponent(sageCustomerId)}`);
    const response = await this.http.request(request);
    if (response.status === 404) return null;
    if (response.status !== 200) throw sageAccountingErrorFor(request, response, `Looking up contact ${sageCustomerId}`);
    return toSageCustomer(this.read(ZCloudContact, request, response, `Contact ${sageCustomerId}`));
  }

  async findCustomerByStripeId(stripeCustomerId: string): Promise<SageCustomer | null> {
    // The Stripe customer id is the contact's reference, which Sage keeps unique per business.
    const matches = await this.contactsWhere({ reference: stripeCustomerId }, (contact) => contact.reference === stripeCustomerId);
    return matches[0] ? toSageCustomer(matches[0]) : null;
  }

  async findCustomerByEmail(email: string): Promise<SageCustomer | null> {
    const wanted = email.trim().toLowerCase();
    const matches = await this.contactsWhere({ email: email.trim() }, (contact) => contact.email?.trim().toLowerCase() === wanted);
    if (matches.length > 1) {
      throw new SageError(
        'SAGE_VALIDATION',
        `Sage Accounting has ${matches.length} contacts with the email ${email} (${matches.map((contact) => `${contact.reference ?? contact.id} ${contact.name}`).join(', ')}). We will not guess which one is this Stripe customer: merge them in Sage Accounting, or set the right contact's reference to the Stripe customer id, then resync.`,
        { path: `${this.basePath}/contacts`, field: 'email' },
      );
    }
    return matches[0] ? toSageCustomer(matches[0]) : null;
  }

  async createCustomer(raw: SageCustomerInput): Promise<SageCustomer> {
    const input = validated(ZSageCustomerInput, raw, `Customer ${raw.stripeCustomerId}`);
    const action = `Contact ${input.stripeCustomerId} (${input.name})`;
    const address = { address_line_1: input.addressLine1, city: input.city, region: input.state, postal_code: input.postalCode };
    const request = this.post('/contacts', {
      contact: {
        name: input.name,
        contact_type_ids: ['CUSTOMER'],
        // The reference is the Stripe customer id, so the contact is found by it later; Sage keeps
        // references unique, so `preferredCustomerNumber` has no place to go.
        reference: input.stripeCustomerId,
        email: input.email,
        telephone: input.phone,
        main_address: Object.values(address).some((value) => value !== undefined) ? address : undefined,
        idempotency_id: this.idempotencyId('contact', input.stripeCustomerId),
      },
    });
    const response = await this.http.request(request);
    if (response.status === 201 || response.status === 200) return toSageCustomer(this.read(ZCloudContact, request, response, action));
    if (isCloudDuplicateReference(response)) {
      const existing = await this.findCustomerByStripeId(input.stripeCustomerId);
      if (existing) return existing;
    }
    throw sageAccountingErrorFor(request, response, action);
  }

  async updateCustomer(sageCustomerId: string, raw: SageCustomerUpdate): Promise<SageCustomer> {
    const action = `Updating contact ${sageCustomerId}`;
    const update = validated(ZSageCustomerUpdate, raw, `The update of contact ${sageCustomerId}`);
    // Sage's PUT /contacts/{id} changes the attributes the body names and keeps the rest, inside
    // main_address too. The reference (the Stripe customer id) is not sent: it is how the contact
    // is found again.
    const address = { address_line_1: update.addressLine1, city: update.city, region: update.state, postal_code: update.postalCode };
    const request: SageRequest = {
      method: 'PUT',
      path: `/contacts/${encodeURIComponent(sageCustomerId)}`,
      headers: this.headers,
      body: {
        contact: {
          name: update.name,
          email: update.email,
          telephone: update.phone,
          main_address: Object.values(address).some((value) => value !== undefined) ? address : undefined,
        },
      },
    };
    const response = await this.http.request(request);
    if (response.status === 200) return toSageCustomer(this.read(ZCloudContact, request, response, action));
    if (response.status === 404) {
      throw new SageError(
        'SAGE_NOT_FOUND',
        `Contact ${sageCustomerId} is no longer in Sage Accounting (deleted after it was linked). Resync the Stripe customer: it is looked up afresh, and linked or created again.`,
        { method: request.method, path: request.path, status: response.status, sageCodes: ['RecordNotFound'], body: response.text.slice(0, 2_000) },
      );
    }
    throw sageAccountingErrorFor(request, response, action);
  }

  // ----- documents -----

  async findDocumentByReference(type: DocumentKind, reference: string): Promise<SageDocumentRef | null> {
    switch (type) {
      case 'sales_order':
        return null;
      case 'invoice':
        return refOf('invoice', await this.lookup('sales_invoice', reference));
      case 'cash_receipt':
        return refOf('cash_receipt', await this.lookup('customer_receipt', reference));
      case 'journal_entry':
        return refOf('journal_entry', await this.lookup('journal', reference));
      case 'credit_memo': {
        const note = await this.lookup('sales_credit_note', reference);
        // Half a credit memo (the note without its refund) is not posted yet: the caller must create
        // it, which finds the note and adds only the refund.
        if (!note || !(await this.lookup('customer_refund', reference))) return null;
        return refOf('credit_memo', note);
      }
    }
  }

  async createSalesOrder(raw: SalesOrderInput): Promise<SageDocumentRef> {
    const input = validated(ZSalesOrderInput, raw, `Sales order ${raw.reference}`);
    throw new SageError(
      'SAGE_VALIDATION',
      `Sales order ${input.reference} was not sent: Sage Accounting has no sales orders. Turn off sales-order sync for this integration; invoices, receipts and refunds post as usual.`,
      { field: 'sales_order' },
    );
  }

  async createInvoice(raw: InvoiceInput): Promise<SageDocumentRef> {
    const input = validated(ZInvoiceInput, raw, `Invoice ${raw.reference}`);
    const action = `Sales invoice ${input.reference}`;
    const lines = await this.artefactLines(input.lines, input.currency, action);
    const found = await this.createOnce('sales_invoice', input.reference, money(linesTotal(input.lines), input.currency), {
      contact_id: input.customerId,
      date: input.date,
      reference: input.reference,
      currency_id: input.currency,
      notes: fitFreeText(input.memo, SAGE_ACCOUNTING_TEXT_LENGTH.notes),
      invoice_lines: lines,
    });
    return refOf('invoice', found);
  }

  async createCashReceipt(raw: CashReceiptInput): Promise<SageDocumentRef> {
    const input = validated(ZCashReceiptInput, raw, `Cash receipt ${raw.reference}`);
    const action = `Customer receipt ${input.reference}`;
    const amount = money(input.amountMinor, input.currency);
    const bankAccountId = await this.requireBankAccount(input.depositAccount, action);
    const invoiceId = input.invoiceNumber ? await this.requireInvoiceId(input.invoiceNumber, input.customerId, action) : undefined;
    const found = await this.createOnce('customer_receipt', input.reference, amount, {
      transaction_type_id: 'CUSTOMER_RECEIPT',
      contact_id: input.customerId,
      bank_account_id: bankAccountId,
      date: input.date,
      total_amount: formatDecimal(amount),
      reference: input.reference,
      currency_id: input.currency,
      payment_method_id: paymentMethodId(input.paymentMethod),
      allocated_artefacts: invoiceId ? [{ artefact_id: invoiceId, amount: formatDecimal(amount) }] : undefined,
    });
    return refOf('cash_receipt', found);
  }

  async createCreditMemo(raw: CreditMemoInput): Promise<SageDocumentRef> {
    const input = validated(ZCreditMemoInput, raw, `Credit memo ${raw.reference}`);
    const action = `Credit memo ${input.reference}`;
    const total = money(linesTotal(input.lines), input.currency);
    if (total.minor <= 0n) {
      throw new SageError('SAGE_VALIDATION', `${action}: the credit note lines add up to ${formatDecimal(total)} ${total.currency}; a refund must be more than zero. Check the refund's line mapping, then resync.`, {
        field: 'lines',
      });
    }
    // Everything both halves need is resolved before either is posted, so a missing account cannot
    // leave a credit note without its refund.
    const lines = await this.artefactLines(input.lines, input.currency, action);
    const refundBankId = await this.requireBankAccount(input.refundAccount, action);
    const originalInvoiceId = input.appliesToInvoiceNumber ? await this.requireInvoiceId(input.appliesToInvoiceNumber, input.customerId, action) : undefined;

    const note = await this.createOnce('sales_credit_note', input.reference, total, {
      contact_id: input.customerId,
      date: input.date,
      reference: input.reference,
      currency_id: input.currency,
      notes: fitFreeText(input.memo, SAGE_ACCOUNTING_TEXT_LENGTH.notes),
      original_invoice_id: originalInvoiceId,
      credit_note_lines: lines,
    });
    await this.createOnce('customer_refund', input.reference, total, {
      transaction_type_id: 'CUSTOMER_REFUND',
      contact_id: input.customerId,
      bank_account_id: refundBankId,
      date: input.date,
      total_amount: formatDecimal(total),
      reference: input.reference,
      currency_id: input.currency,
    });
    return refOf('credit_memo', note);
  }

  async createJournalEntry(raw: JournalEntryInput): Promise<SageDocumentRef> {
    const input = validated(ZJournalEntryInput, raw, `Journal entry ${raw.reference}`);
    const action = `Journal ${input.reference}`;
    if (input.currency !== this.baseCurrency) {
      // Sage Accounting reads journal amounts in the base currency: sending 500 JPY would book
      // 500.00 USD. Refuse rather than post a wrong amount.
      throw new SageError(
        'SAGE_VALIDATION',
        `${action} is in ${input.currency}, but Sage Accounting posts journals only in the business's base currency (${this.baseCurrency}). Post it in ${this.baseCurrency} (the settlement amounts), then resync.`,
        { field: 'currency' },
      );
    }
    const journalLines = [];
    for (const [index, line] of input.lines.entries()) {
      journalLines.push({
        ledger_account_id: await this.requireLedgerAccount(line.account, action, `lines.${index}.account`),
        debit: formatDecimal(money(line.debitMinor, input.currency)),
        credit: formatDecimal(money(line.creditMinor, input.currency)),
        details: fitFreeText(line.memo ?? input.memo, SAGE_ACCOUNTING_TEXT_LENGTH.lineDescription),
      });
    }
    const debits = input.lines.reduce((sum, line) => sum + line.debitMinor, 0n);
    const found = await this.createOnce('journal', input.reference, money(debits, input.currency), {
      date: input.date,
      reference: input.reference,
      description: fitFreeText(input.memo, SAGE_ACCOUNTING_TEXT_LENGTH.journalDescription),
      journal_lines: journalLines,
    });
    return refOf('journal_entry', found);
  }

  // ----- internals -----

  /**
   * Creates one record with an idempotency id derived from its reference, and reads its total
   * back exactly. A replayed create answers with the original record; a duplicate-reference
   * refusal means Sage already has it: that record is the answer, provided it is for the same
   * amount.
   */
  private async createOnce(kind: CloudKind, reference: string, expected: Money, fields: Record<string, unknown>): Promise<Found> {
    const { path, wrapper, label } = KINDS[kind];
    const action = `${label} ${reference}`;
    const request = this.post(path, { [wrapper]: { ...fields, idempotency_id: this.idempotencyId(kind, reference) } });
    const response = await this.http.request(request);
    let found: Found | null;
    if (response.status === 201 || response.status === 200) {
      const read = foundFrom(kind, response.body, this.baseCurrency);
      if (typeof read === 'string') throw unreadableCloudAnswer(request, response, action, read);
      found = read;
    } else if (isCloudDuplicateReference(response)) {
      found = await this.lookup(kind, reference);
      if (!found) throw sageAccountingErrorFor(request, response, action);
    } else {
      throw sageAccountingErrorFor(request, response, action);
    }
    if (found.total.minor !== expected.minor || found.total.currency !== expected.currency) {
      throw new SageError(
        'SAGE_DUPLICATE_REFERENCE',
        `${action}: Sage Accounting holds ${found.number} with reference ${reference} for ${formatDecimal(found.total)} ${found.total.currency}, but this sync is for ${formatDecimal(expected)} ${expected.currency}. Nothing more was posted; check which is right in Sage Accounting before resyncing.`,
        { method: 'POST', path: request.path, status: response.status, body: response.text.slice(0, 2_000), field: 'reference' },
      );
    }
    return found;
  }

  private async lookup(kind: CloudKind, reference: string): Promise<Found | null> {
    const { path, label, filter } = KINDS[kind];
    const action = `Looking up ${label.toLowerCase()} ${reference}`;
    for await (const item of this.items(path, { ...filter, reference, attributes: 'all' }, action)) {
      const read = foundFrom(kind, item, this.baseCurrency);
      if (typeof read === 'string') {
        throw new SageError('SAGE_UNAVAILABLE', `${action}: Sage Accounting listed a record we could not read (${read}). We will retry.`, { path: `${this.basePath}${path}` });
      }
      if (read.reference === reference && (!filter || transactionTypeOf(item) === filter.transaction_type_id)) return read;
    }
    return null;
  }

  private async contactsWhere(query: Record<string, string>, matches: (contact: CloudContact) => boolean): Promise<CloudContact[]> {
    const found: CloudContact[] = [];
    for await (const item of this.items('/contacts', { ...query, attributes: 'all' }, 'Looking up contacts')) {
      const contact = ZCloudContact.safeParse(item);
      if (!contact.success) throw new SageError('SAGE_UNAVAILABLE', `Looking up contacts: Sage Accounting listed a contact we could not read. We will retry.`, { path: `${this.basePath}/contacts` });
      if (matches(contact.data)) found.push(contact.data);
    }
    return found;
  }

  /** Every item of a list, following `$next` (relative to the versioned base) to the last page. */
  private async *items(path: string, query: Record<string, string>, action: string): AsyncGenerator<unknown> {
    let request: SageRequest | null = { ...this.get(path), query: { ...query, items_per_page: String(this.itemsPerPage) } };
    for (let page = 0; request && page < MAX_PAGES; page += 1) {
      const response: SageResponse = await this.http.request(request);
      if (response.status !== 200) throw sageAccountingErrorFor(request, response, action);
      const list: z.infer<typeof ZCloudPage> = this.read(ZCloudPage, request, response, action);
      yield* list.$items;
      const next: string | null = list.$items.length > 0 ? this.nextPath(list.$next) : null;
      request = next === null ? null : this.get(next);
    }
    if (request) throw new SageError('SAGE_VALIDATION', `${action}: Sage Accounting returned more than ${MAX_PAGES} pages; narrow the search.`, { path: `${this.basePath}${path}` });
  }

  /** `$next` is relative to the versioned base; an absolute link to our own base is accepted too. */
  private nextPath(next: string | null | undefined): string | null {
    if (!next) return null;
    if (next.startsWith('/')) return next;
    const absolute = new URL(next, this.options.baseUrl);
    const base = new URL(this.options.baseUrl);
    if (absolute.origin !== base.origin || !absolute.pathname.startsWith(this.basePath)) return null;
    return `${absolute.pathname.slice(this.basePath.length)}${absolute.search}`;
  }

  private async artefactLines(lines: SageLine[], currency: string, action: string) {
    const wire = [];
    for (const [index, line] of lines.entries()) {
      wire.push({
        description: fitFreeText(line.description, SAGE_ACCOUNTING_TEXT_LENGTH.lineDescription),
        ledger_account_id: await this.requireLedgerAccount(line.glAccount, action, `lines.${index}.glAccount`),
        quantity: line.quantity,
        unit_price: formatDecimal(money(line.unitAmountMinor, currency)),
      });
    }
    return wire;
  }

  private async requireLedgerAccount(code: string, action: string, field: string): Promise<string> {
    const id = await this.chart.ledgerAccountId(code);
    if (id !== null) return id;
    throw new SageError(
      'SAGE_MISSING_MASTER_DATA',
      `${action} was not posted: GL account ${code} is not in the Sage Accounting chart of accounts. Add it in Sage Accounting, or change the GL rules to an account that exists, then resync.`,
      { path: `${this.basePath}/ledger_accounts`, field },
    );
  }

  private async requireBankAccount(code: string, action: string): Promise<string> {
    const id = await this.chart.bankAccountId(code);
    if (id !== null) return id;
    throw new SageError(
      'SAGE_MISSING_MASTER_DATA',
      `${action} was not posted: ${code} is not a bank account in Sage Accounting. Receipts and refunds move money through a bank account (the Stripe clearing bank account, e.g. 1210): create it or set that account in the GL rules, then resync.`,
      { path: `${this.basePath}/bank_accounts`, field: 'bank_account_id' },
    );
  }

  private async requireInvoiceId(invoiceNumber: string, contactId: string, action: string): Promise<string> {
    for await (const item of this.items('/sales_invoices', { search: invoiceNumber, contact_id: contactId, attributes: 'all' }, action)) {
      const invoice = ZCloudSalesInvoice.safeParse(item);
      if (invoice.success && invoice.data.invoice_number === invoiceNumber) return invoice.data.id;
    }
    throw new SageError(
      'SAGE_MISSING_MASTER_DATA',
      `${action} was not posted: Sage Accounting has no sales invoice ${invoiceNumber} for this contact. Sync the invoice first (or correct the invoice it applies to), then resync.`,
      { path: `${this.basePath}/sales_invoices`, field: 'invoice_number' },
    );
  }

  /** Stable per business, record kind and Stripe reference: the same create always replays. */
  private idempotencyId(kind: string, reference: string): string {
    return createHash('sha256').update(`${this.options.businessId}\u0000${kind}\u0000${reference}`).digest('hex');
  }

  private get(path: string): SageRequest {
    return { method: 'GET', path, headers: this.headers };
  }

  private post(path: string, body: unknown): SageRequest {
    return { method: 'POST', path, body, headers: this.headers };
  }

  private read<S extends z.ZodType>(schema: S, request: SageRequest, response: SageResponse, action: string): z.infer<S> {
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw unreadableCloudAnswer(request, response, action, parsed.error.issues[0]?.message ?? 'unexpected shape');
    return parsed.data;
  }
}

// ----- translation helpers -----

function money(minor: bigint, currency: string): Money {
  return { minor, currency };
}

const STRIPE_CUSTOMER_ID = /^cus_[A-Za-z0-9]+$/;

function toSageCustomer(contact: CloudContact): SageCustomer {
  const reference = contact.reference ?? null;
  return {
    id: contact.id,
    number: reference ?? contact.displayed_as ?? contact.id,
    name: contact.name,
    email: contact.email ?? null,
    // Contacts we create carry the Stripe customer id as their reference; others carry Sage's own.
    stripeCustomerId: reference !== null && STRIPE_CUSTOMER_ID.test(reference) ? reference : null,
  };
}

/** Sage Accounting's payment method ids, from the free text the mapping gives. */
function paymentMethodId(method: string | undefined): string | undefined {
  if (!method) return undefined;
  if (/^[A-Z_]+$/.test(method)) return method;
  if (/card|credit|debit/i.test(method)) return 'CREDIT_DEBIT';
  if (/ach|bank|transfer|sepa|bacs|wire/i.test(method)) return 'BANK_TRANSFER';
  if (/cheque|check/i.test(method)) return 'CHECK';
  if (/cash/i.test(method)) return 'CASH';
  return undefined;
}

function transactionTypeOf(item: unknown): string | undefined {
  const payment = ZCloudContactPayment.safeParse(item);
  return payment.success ? payment.data.transaction_type.id : undefined;
}

/** Reads one record of a kind; a string is the reason it could not be read. */
function foundFrom(kind: CloudKind, item: unknown, baseCurrency: string): Found | string {
  switch (kind) {
    case 'sales_invoice':
    case 'sales_credit_note': {
      const parsed = kind === 'sales_invoice' ? ZCloudSalesInvoice.safeParse(item) : ZCloudCreditNote.safeParse(item);
      if (!parsed.success) return parsed.error.issues[0]?.message ?? 'unexpected shape';
      const data = parsed.data;
      const total = exactAmount(data.total_amount, data.currency?.id ?? baseCurrency);
      if (typeof total === 'string') return total;
      const number = 'invoice_number' in data ? data.invoice_number : data.credit_note_number;
      return { id: data.id, number: String(number), reference: data.reference ?? '', total };
    }
    case 'customer_receipt':
    case 'customer_refund': {
      const parsed = ZCloudContactPayment.safeParse(item);
      if (!parsed.success) return parsed.error.issues[0]?.message ?? 'unexpected shape';
      const total = exactAmount(parsed.data.total_amount, parsed.data.currency?.id ?? baseCurrency);
      if (typeof total === 'string') return total;
      // A contact payment has no number of its own in Sage: a user finds it by its reference.
      const reference = parsed.data.reference ?? '';
      return { id: parsed.data.id, number: reference || (parsed.data.displayed_as ?? parsed.data.id), reference, total };
    }
    case 'journal': {
      const parsed = ZCloudJournal.safeParse(item);
      if (!parsed.success) return parsed.error.issues[0]?.message ?? 'unexpected shape';
      let debits = 0n;
      for (const line of parsed.data.journal_lines) {
        const debit = exactAmount(line.debit ?? '0', baseCurrency);
        if (typeof debit === 'string') return debit;
        debits += debit.minor;
      }
      const reference = parsed.data.reference ?? '';
      return { id: parsed.data.id, number: parsed.data.journal_number ?? parsed.data.displayed_as ?? reference, reference, total: money(debits, baseCurrency) };
    }
  }
}

function refOf(type: DocumentKind, found: Found): SageDocumentRef;
function refOf(type: DocumentKind, found: Found | null): SageDocumentRef | null;
function refOf(type: DocumentKind, found: Found | null): SageDocumentRef | null {
  return found ? { type, id: found.id, number: found.number, reference: found.reference } : null;
}
