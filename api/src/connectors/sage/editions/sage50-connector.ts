import type { z } from 'zod';
import { formatDecimal, type Money } from '../../../accounting/money.ts';
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
import { customerCodeForStripeId } from './sage500-and-pro-idempotency.ts';
import { isSage50DuplicateReference, readSage50Errors, sage50ErrorFor, unreadableSage50Answer } from './sage50-errors.ts';
import {
  SAGE50_CUSTOMER_NAME_LENGTH,
  SAGE50_TEXT_LENGTH,
  ZSage50Customer,
  ZSage50ItemDocument,
  ZSage50JournalEntry,
  ZSage50List,
  ZSage50Payment,
  type Sage50Customer,
} from './sage50-wire.ts';

// Sage 50 through its REST gateway: `<gateway>/<company>/v1/...`, OAuth bearer tokens, snake_case.
//
// How each normalized document lands:
// - sales order, invoice, journal entry: their own endpoints.
// - cash receipt: `/payments` with `type: "receipt"` (debits the deposit account, credits AR).
// - credit memo: Sage 50 has no credit memo endpoint. Under the clearing-account method a refund is
//   money leaving the Stripe clearing account against the refunds account: Dr each line's GL
//   account, Cr `refundAccount`. A `/payments` refund cannot say that (it debits AR, not the
//   refunds account, and would leave the customer owing the refund back), so the credit memo is
//   posted as one balanced journal entry with the refund's Stripe id as its reference. One
//   document means one reference to look up, so a retry can never post half of it.

type DocumentKind = Exclude<SageDocumentType, 'customer'>;

export type Sage50HttpOptions = Omit<SageHttpClientOptions, 'baseUrl' | 'rateLimitKey'>;

export type Sage50ConnectorOptions = {
  /**
   * The Sage 50 REST gateway root; the company's API is `<baseUrl>/<companyId>/v1`.
   * E.g. `http://localhost:4010/sage50` for the sandbox.
   */
  baseUrl: string;
  /** The Sage 50 company, as the gateway names it (e.g. `demo-50`). Also the rate-budget key. */
  companyId: string;
  /** Credentials, the shared rate limiter and timeouts for the transport. */
  http: Sage50HttpOptions;
  /** Rows per page when looking records up (the gateway allows up to 100). */
  pageSize?: number;
};

export const SAGE50_CAPABILITIES: SageCapabilities = {
  documents: {
    sales_order: 'native',
    invoice: 'native',
    cash_receipt: 'native',
    credit_memo: 'journal_entry',
    journal_entry: 'native',
  },
  customerNameMaxLength: SAGE50_CUSTOMER_NAME_LENGTH,
};

const MAX_PAGES = 1_000;

const validated = inputValidator('Sage 50');

/** Where each document type lives and how a list row of it is read back. */
const RESOURCES: Record<DocumentKind, { path: string; label: string }> = {
  sales_order: { path: '/sales_orders', label: 'Sales order' },
  invoice: { path: '/invoices', label: 'Invoice' },
  cash_receipt: { path: '/payments', label: 'Cash receipt' },
  credit_memo: { path: '/journal_entries', label: 'Credit memo' },
  journal_entry: { path: '/journal_entries', label: 'Journal entry' },
};

/** A document as Sage 50 holds it: what the caller gets, and the total it was posted for. */
type Posted = { ref: SageDocumentRef; total: Money };

export function createSage50Connector(options: Sage50ConnectorOptions): SageConnector {
  return new Sage50Connector(options);
}

class Sage50Connector implements SageConnector {
  readonly edition = 'sage50' as const;
  readonly capabilities = SAGE50_CAPABILITIES;
  private readonly http: SageHttpClient;
  private readonly companyPath: string;
  private readonly pageSize: number;

  constructor(options: Sage50ConnectorOptions) {
    this.http = new SageHttpClient({ ...options.http, baseUrl: options.baseUrl, rateLimitKey: `sage50:${options.companyId}` });
    this.companyPath = `/${encodeURIComponent(options.companyId)}/v1`;
    this.pageSize = Math.min(100, Math.max(1, options.pageSize ?? 100));
  }

  // ----- customers -----

  async findCustomerById(sageCustomerId: string): Promise<SageCustomer | null> {
    const request: SageRequest = { method: 'GET', path: this.path(`/customers/${encodeURIComponent(sageCustomerId)}`) };
    const response = await this.http.request(request);
    if (response.status === 404) return null;
    if (response.status !== 200) throw sage50ErrorFor(request, response, `Looking up customer ${sageCustomerId}`);
    return toSageCustomer(this.read(ZSage50Customer, request, response, `Customer ${sageCustomerId}`));
  }

  async findCustomerByStripeId(stripeCustomerId: string): Promise<SageCustomer | null> {
    const matches = await this.customersWhere({ stripe_customer_id: stripeCustomerId }, (customer) => customer.stripe_customer_id === stripeCustomerId);
    if (matches.length > 1) {
      throw new SageError(
        'SAGE_VALIDATION',
        `Sage 50 has ${matches.length} customers carrying Stripe customer ${stripeCustomerId} (${describeCustomers(matches)}). Keep it on one of them only, then resync.`,
        { path: this.path('/customers'), field: 'stripe_customer_id' },
      );
    }
    return matches[0] ? toSageCustomer(matches[0]) : null;
  }

  async findCustomerByEmail(email: string): Promise<SageCustomer | null> {
    const wanted = email.trim().toLowerCase();
    const matches = await this.customersWhere({ email: email.trim() }, (customer) => customer.email?.trim().toLowerCase() === wanted);
    if (matches.length > 1) {
      throw new SageError(
        'SAGE_VALIDATION',
        `Sage 50 has ${matches.length} customers with the email ${email} (${describeCustomers(matches)}). We will not guess which one is this Stripe customer: merge them in Sage 50, or put the Stripe customer id on the right one, then resync.`,
        { path: this.path('/customers'), field: 'email' },
      );
    }
    return matches[0] ? toSageCustomer(matches[0]) : null;
  }

  async createCustomer(raw: SageCustomerInput): Promise<SageCustomer> {
    const input = validated(ZSageCustomerInput, raw, `Customer ${raw.stripeCustomerId}`);
    // Keyed by the Stripe customer id: a retry after a lost answer finds the first one.
    const existing = await this.findCustomerByStripeId(input.stripeCustomerId);
    if (existing) return existing;
    // A lookup cannot stop two syncs that create the same customer at once (both find nothing): as
    // in Sage 500 and Pro, the same Stripe customer always gets the same ID, so the second create
    // meets "duplicate customer" and resolves to the first.
    const customerId = input.preferredCustomerNumber ?? customerCodeForStripeId(input.stripeCustomerId);

    const action = `Customer ${input.stripeCustomerId} (${input.name})`;
    const request: SageRequest = {
      method: 'POST',
      path: this.path('/customers'),
      body: {
        customer_id: customerId,
        name: input.name,
        email: input.email,
        address_line1: input.addressLine1,
        city: input.city,
        state: input.state,
        postal_code: input.postalCode,
        phone: input.phone,
        stripe_customer_id: input.stripeCustomerId,
      },
    };
    const response = await this.http.request(request);
    if (response.status === 201 || response.status === 200) return toSageCustomer(this.read(ZSage50Customer, request, response, action));
    if (response.status === 409 && readSage50Errors(response.body).some((error) => error.code === 'duplicate_customer')) {
      const holder = await this.findCustomerById(customerId);
      if (holder?.stripeCustomerId === input.stripeCustomerId) return holder;
      throw new SageError(
        'SAGE_DUPLICATE_REFERENCE',
        `${action}: Sage 50 customer ID ${customerId} already belongs to ${holder ? `${holder.name} (Stripe customer ${holder.stripeCustomerId ?? 'none'})` : 'another customer'}. Change the customer ID in the customer field mapping, or link that customer to this Stripe customer, then resync.`,
        { method: 'POST', path: request.path, status: response.status, sageCodes: ['duplicate_customer'], body: response.text.slice(0, 2_000), field: 'customer_id' },
      );
    }
    throw sage50ErrorFor(request, response, action);
  }

  async updateCustomer(sageCustomerId: string, raw: SageCustomerUpdate): Promise<SageCustomer> {
    const action = `Updating customer ${sageCustomerId}`;
    const update = validated(ZSageCustomerUpdate, raw, `The update of customer ${sageCustomerId}`);
    // The gateway's PUT changes the fields the body names and keeps the rest; customer_id is the
    // key and cannot change. A field set to null is cleared.
    const request: SageRequest = {
      method: 'PUT',
      path: this.path(`/customers/${encodeURIComponent(sageCustomerId)}`),
      body: {
        name: update.name,
        email: update.email,
        address_line1: update.addressLine1,
        city: update.city,
        state: update.state,
        postal_code: update.postalCode,
        phone: update.phone,
      },
    };
    const response = await this.http.request(request);
    if (response.status === 200) return toSageCustomer(this.read(ZSage50Customer, request, response, action));
    if (response.status === 404) {
      throw new SageError(
        'SAGE_NOT_FOUND',
        `Customer ${sageCustomerId} is no longer in Sage 50 (deleted or renumbered after it was linked). Resync the Stripe customer: it is looked up afresh, and linked or created again.`,
        { method: request.method, path: request.path, status: response.status, sageCodes: ['not_found'], body: response.text.slice(0, 2_000) },
      );
    }
    throw sage50ErrorFor(request, response, action);
  }

  // ----- documents -----

  async findDocumentByReference(type: DocumentKind, reference: string): Promise<SageDocumentRef | null> {
    return (await this.lookup(type, reference))?.ref ?? null;
  }

  async createSalesOrder(raw: SalesOrderInput): Promise<SageDocumentRef> {
    const input = validated(ZSalesOrderInput, raw, `Sales order ${raw.reference}`);
    return this.post('sales_order', input.reference, money(linesTotal(input.lines), input.currency), {
      customer_id: input.customerId,
      date: input.date,
      currency: input.currency,
      reference: input.reference,
      description: fitFreeText(input.memo, SAGE50_TEXT_LENGTH.description),
      lines: input.lines.map((line) => itemLine(line, input.currency)),
    });
  }

  async createInvoice(raw: InvoiceInput): Promise<SageDocumentRef> {
    const input = validated(ZInvoiceInput, raw, `Invoice ${raw.reference}`);
    return this.post('invoice', input.reference, money(linesTotal(input.lines), input.currency), {
      customer_id: input.customerId,
      date: input.date,
      currency: input.currency,
      reference: input.reference,
      description: fitFreeText(input.memo, SAGE50_TEXT_LENGTH.description),
      lines: input.lines.map((line) => itemLine(line, input.currency)),
    });
  }

  async createCashReceipt(raw: CashReceiptInput): Promise<SageDocumentRef> {
    const input = validated(ZCashReceiptInput, raw, `Cash receipt ${raw.reference}`);
    const amount = money(input.amountMinor, input.currency);
    // The payment credits the customer's receivable itself; `offsetAccount` is for editions that
    // have to post a receipt as a journal.
    return this.post('cash_receipt', input.reference, amount, {
      type: 'receipt',
      customer_id: input.customerId,
      date: input.date,
      amount: formatDecimal(amount),
      currency: input.currency,
      reference: input.reference,
      payment_method: fitFreeText(input.paymentMethod, SAGE50_TEXT_LENGTH.paymentMethod),
      cash_account: input.depositAccount,
      invoice_number: input.invoiceNumber,
      memo: fitFreeText(input.memo, SAGE50_TEXT_LENGTH.memo),
    });
  }

  async createCreditMemo(raw: CreditMemoInput): Promise<SageDocumentRef> {
    const input = validated(ZCreditMemoInput, raw, `Credit memo ${raw.reference}`);
    const action = `Credit memo ${input.reference}`;
    const total = linesTotal(input.lines);
    if (total <= 0n) {
      throw new SageError('SAGE_VALIDATION', `${action}: the credit memo lines add up to ${formatDecimal(money(total, input.currency))} ${input.currency}; a refund must be more than zero. Check the refund's line mapping, then resync.`, {
        field: 'lines',
      });
    }
    // A journal line names no customer, so Sage 50 cannot check these for us: check them here, so a
    // refund for an unknown customer or invoice fails the way a native credit memo would.
    await this.requireCustomer(input.customerId, action);
    if (input.appliesToInvoiceNumber) await this.requireInvoice(input.appliesToInvoiceNumber, input.customerId, action);

    const journalLines = input.lines.flatMap((line) => {
      const amount = BigInt(line.quantity) * line.unitAmountMinor;
      if (amount === 0n) return [];
      return [journalLine(line.glAccount, amount > 0n ? amount : 0n, amount < 0n ? -amount : 0n, input.currency, line.description)];
    });
    journalLines.push(journalLine(input.refundAccount, 0n, total, input.currency, `Refund ${input.reference}`));
    const about = [`Credit memo, customer ${input.customerId}`, input.appliesToInvoiceNumber ? `invoice ${input.appliesToInvoiceNumber}` : null, input.memo ?? null];
    return this.post('credit_memo', input.reference, money(total, input.currency), {
      date: input.date,
      reference: input.reference,
      description: fitFreeText(about.filter(Boolean).join(', '), SAGE50_TEXT_LENGTH.description),
      currency: input.currency,
      lines: journalLines,
    });
  }

  async createJournalEntry(raw: JournalEntryInput): Promise<SageDocumentRef> {
    const input = validated(ZJournalEntryInput, raw, `Journal entry ${raw.reference}`);
    const debits = input.lines.reduce((sum, line) => sum + line.debitMinor, 0n);
    return this.post('journal_entry', input.reference, money(debits, input.currency), {
      date: input.date,
      reference: input.reference,
      description: fitFreeText(input.memo, SAGE50_TEXT_LENGTH.description),
      currency: input.currency,
      lines: input.lines.map((line) => journalLine(line.account, line.debitMinor, line.creditMinor, input.currency, line.memo)),
    });
  }

  // ----- internals -----

  private path(resource: string): string {
    return `${this.companyPath}${resource}`;
  }

  /**
   * Creates one document and reads its total back exactly. A duplicate-reference refusal means
   * Sage already has it (an earlier answer was lost): that document is the answer, provided it is
   * for the same amount.
   */
  private async post(type: DocumentKind, reference: string, expected: Money, body: Record<string, unknown>): Promise<SageDocumentRef> {
    const action = `${RESOURCES[type].label} ${reference}`;
    const request: SageRequest = { method: 'POST', path: this.path(RESOURCES[type].path), body };
    const response = await this.http.request(request);
    if (response.status === 201 || response.status === 200) {
      const posted = postedFrom(type, response.body);
      if (typeof posted === 'string') throw unreadableSage50Answer(request, response, action, posted);
      assertSameTotal(posted, expected, action);
      return posted.ref;
    }
    if (isSage50DuplicateReference(response)) {
      const existing = await this.lookup(type, reference);
      if (!existing) throw sage50ErrorFor(request, response, action);
      if (existing.total.minor !== expected.minor || existing.total.currency !== expected.currency) {
        throw new SageError(
          'SAGE_DUPLICATE_REFERENCE',
          `${action}: Sage 50 already has ${existing.ref.number} with reference ${reference} for ${formatDecimal(existing.total)} ${existing.total.currency}, but this sync would post ${formatDecimal(expected)} ${expected.currency}. Check which is right in Sage 50 before resyncing; nothing new was posted.`,
          { method: 'POST', path: request.path, status: response.status, sageCodes: ['duplicate_reference'], body: response.text.slice(0, 2_000), field: 'reference' },
        );
      }
      return existing.ref;
    }
    throw sage50ErrorFor(request, response, action);
  }

  private async lookup(type: DocumentKind, reference: string): Promise<Posted | null> {
    const action = `Looking up ${RESOURCES[type].label.toLowerCase()} ${reference}`;
    for await (const { row, request, response } of this.rows(RESOURCES[type].path, { reference }, action)) {
      const posted = postedFrom(type, row);
      if (typeof posted === 'string') throw unreadableSage50Answer(request, response, action, posted);
      if (posted.ref.reference === reference && (type !== 'cash_receipt' || isReceipt(row))) return posted;
    }
    return null;
  }

  private async customersWhere(query: Record<string, string>, matches: (customer: Sage50Customer) => boolean): Promise<Sage50Customer[]> {
    const found: Sage50Customer[] = [];
    for await (const { row, request, response } of this.rows('/customers', query, 'Looking up customers')) {
      const customer = ZSage50Customer.safeParse(row);
      if (!customer.success) throw unreadableSage50Answer(request, response, 'Looking up customers', customer.error.message);
      if (matches(customer.data)) found.push(customer.data);
    }
    return found;
  }

  /** Every row of a list, page after page, for as long as Sage says there is a next page. */
  private async *rows(resource: string, query: Record<string, string>, action: string): AsyncGenerator<{ row: unknown; request: SageRequest; response: SageResponse }> {
    for (let page = 1; page <= MAX_PAGES; page += 1) {
      const request: SageRequest = { method: 'GET', path: this.path(resource), query: { ...query, page: String(page), per_page: String(this.pageSize) } };
      const response = await this.http.request(request);
      if (response.status !== 200) throw sage50ErrorFor(request, response, action);
      const list = this.read(ZSage50List, request, response, action);
      for (const row of list.data) yield { row, request, response };
      if (!list.links?.next || list.data.length === 0) return;
    }
    throw new SageError('SAGE_VALIDATION', `${action}: Sage 50 returned more than ${MAX_PAGES} pages; narrow the search.`, { path: this.path(resource) });
  }

  private async requireCustomer(customerId: string, action: string): Promise<void> {
    if (await this.findCustomerById(customerId)) return;
    throw new SageError(
      'SAGE_MISSING_MASTER_DATA',
      `${action} was not posted: Sage 50 has no customer ${customerId}. Create or link the customer, then resync.`,
      { path: this.path(`/customers/${encodeURIComponent(customerId)}`), status: 404, sageCodes: ['unknown_customer'], field: 'customer_id' },
    );
  }

  private async requireInvoice(invoiceNumber: string, customerId: string, action: string): Promise<void> {
    for await (const { row } of this.rows('/invoices', { invoice_number: invoiceNumber, customer_id: customerId }, action)) {
      const invoice = ZSage50ItemDocument.safeParse(row);
      if (invoice.success && invoice.data.number === invoiceNumber) return;
    }
    throw new SageError(
      'SAGE_MISSING_MASTER_DATA',
      `${action} was not posted: Sage 50 has no invoice ${invoiceNumber} for customer ${customerId}. Sync the invoice first (or correct the invoice it applies to), then resync.`,
      { path: this.path('/invoices'), sageCodes: ['unknown_invoice'], field: 'invoice_number' },
    );
  }

  private read<S extends z.ZodType>(schema: S, request: SageRequest, response: SageResponse, action: string): z.infer<S> {
    const parsed = schema.safeParse(response.body);
    if (!parsed.success) throw unreadableSage50Answer(request, response, action, parsed.error.issues[0]?.message ?? 'unexpected shape');
    return parsed.data;
  }
}

// ----- translation helpers -----

function money(minor: bigint, currency: string): Money {
  return { minor, currency };
}

function itemLine(line: SageLine, currency: string) {
  return {
    item_id: line.productCode,
    description: fitFreeText(line.description, SAGE50_TEXT_LENGTH.description),
    quantity: line.quantity,
    unit_price: formatDecimal(money(line.unitAmountMinor, currency)),
    gl_account: line.glAccount,
  };
}

function journalLine(account: string, debitMinor: bigint, creditMinor: bigint, currency: string, memo: string | undefined) {
  return {
    account,
    ...(debitMinor > 0n ? { debit: formatDecimal(money(debitMinor, currency)) } : {}),
    ...(creditMinor > 0n ? { credit: formatDecimal(money(creditMinor, currency)) } : {}),
    memo: fitFreeText(memo, SAGE50_TEXT_LENGTH.memo),
  };
}

function toSageCustomer(customer: Sage50Customer): SageCustomer {
  // Documents name the customer by its Sage 50 customer ID, so that is both its id and number.
  return { id: customer.customer_id, number: customer.customer_id, name: customer.name, email: customer.email ?? null, stripeCustomerId: customer.stripe_customer_id ?? null };
}

function describeCustomers(customers: Sage50Customer[]): string {
  return customers.map((customer) => `${customer.customer_id} ${customer.name}`).join(', ');
}

function isReceipt(row: unknown): boolean {
  const payment = ZSage50Payment.safeParse(row);
  return payment.success && payment.data.type === 'receipt';
}

/** Reads one document row; a string is the reason it could not be read. */
function postedFrom(type: DocumentKind, row: unknown): Posted | string {
  switch (type) {
    case 'sales_order':
    case 'invoice': {
      const parsed = ZSage50ItemDocument.safeParse(row);
      if (!parsed.success) return parsed.error.issues[0]?.message ?? 'unexpected shape';
      const total = exactAmount(parsed.data.total, parsed.data.currency);
      if (typeof total === 'string') return total;
      return { ref: { type, id: parsed.data.id, number: parsed.data.number, reference: parsed.data.reference ?? '' }, total };
    }
    case 'cash_receipt': {
      const parsed = ZSage50Payment.safeParse(row);
      if (!parsed.success) return parsed.error.issues[0]?.message ?? 'unexpected shape';
      const total = exactAmount(parsed.data.amount, parsed.data.currency);
      if (typeof total === 'string') return total;
      return { ref: { type, id: parsed.data.id, number: parsed.data.payment_number, reference: parsed.data.reference ?? '' }, total };
    }
    case 'credit_memo':
    case 'journal_entry': {
      const parsed = ZSage50JournalEntry.safeParse(row);
      if (!parsed.success) return parsed.error.issues[0]?.message ?? 'unexpected shape';
      let debits = 0n;
      for (const line of parsed.data.lines) {
        const debit = exactAmount(line.debit ?? '0', parsed.data.currency);
        if (typeof debit === 'string') return debit;
        debits += debit.minor;
      }
      return { ref: { type, id: parsed.data.id, number: parsed.data.entry_number, reference: parsed.data.reference ?? '' }, total: money(debits, parsed.data.currency) };
    }
  }
}

/** Sage must have recorded exactly what we sent; anything else is for a person to look at now. */
function assertSameTotal(posted: Posted, expected: Money, action: string): void {
  if (posted.total.minor === expected.minor && posted.total.currency === expected.currency) return;
  throw new SageError(
    'SAGE_VALIDATION',
    `${action}: Sage 50 recorded ${posted.ref.number} for ${formatDecimal(posted.total)} ${posted.total.currency}, but we sent ${formatDecimal(expected)} ${expected.currency}. Check ${posted.ref.number} in Sage 50 before anything else is posted against it.`,
    { field: 'total' },
  );
}
