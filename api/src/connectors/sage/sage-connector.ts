import type { SageEdition } from '@sagesync/db';
import type {
  CashReceiptInput,
  CreditMemoInput,
  InvoiceInput,
  JournalEntryInput,
  SageCustomer,
  SageCustomerInput,
  SageCustomerUpdate,
  SageDocumentRef,
  SageDocumentType,
  SalesOrderInput,
} from './sage-documents.ts';

// One interface for what the sync needs from any Sage edition. Connectors are written against the
// dialects (see each edition's file), never against the sandbox: a real host is configuration.
//
// Idempotency contract: every create is keyed by `reference` (the Stripe id). A connector never
// creates a second document for a reference that already exists: callers look it up first
// (`findDocumentByReference`), and a create answered with the dialect's duplicate-reference error
// resolves to the existing document instead of failing. This is what makes a retry after a lost
// response (Sage committed, the answer never arrived) safe.

export interface SageConnector {
  readonly edition: SageEdition;
  /** Which document types this edition has natively, and how the others are posted. */
  readonly capabilities: SageCapabilities;

  findCustomerById(sageCustomerId: string): Promise<SageCustomer | null>;
  findCustomerByStripeId(stripeCustomerId: string): Promise<SageCustomer | null>;
  /** Case-insensitive. More than one match is a SageError (SAGE_VALIDATION): a human must choose. */
  findCustomerByEmail(email: string): Promise<SageCustomer | null>;
  createCustomer(input: SageCustomerInput): Promise<SageCustomer>;
  /**
   * Changes the named fields of an existing customer (by the id the finds return) and answers the
   * customer as Sage now holds it. A customer Sage no longer has is a SageError (SAGE_NOT_FOUND).
   */
  updateCustomer(sageCustomerId: string, update: SageCustomerUpdate): Promise<SageCustomer>;

  findDocumentByReference(type: Exclude<SageDocumentType, 'customer'>, reference: string): Promise<SageDocumentRef | null>;
  createSalesOrder(input: SalesOrderInput): Promise<SageDocumentRef>;
  createInvoice(input: InvoiceInput): Promise<SageDocumentRef>;
  createCashReceipt(input: CashReceiptInput): Promise<SageDocumentRef>;
  createCreditMemo(input: CreditMemoInput): Promise<SageDocumentRef>;
  createJournalEntry(input: JournalEntryInput): Promise<SageDocumentRef>;
}

export type SageCapabilities = {
  /**
   * How each document type lands in this edition: `native` (its own endpoint), the type it is
   * posted as instead (e.g. Sage 500 has no cash-receipt endpoint: a receipt is a journal entry),
   * or `unsupported` (Sage Accounting has no sales orders; the create refuses with a message).
   */
  documents: Record<Exclude<SageDocumentType, 'customer'>, 'native' | 'unsupported' | Exclude<SageDocumentType, 'customer'>>;
  /** Longest customer name the dialect stores; the mapping truncates to it. */
  customerNameMaxLength: number;
};

/** Where the connector finds its company and how it authenticates; built from a Connection row. */
export type SageConnectionSettings = {
  edition: SageEdition;
  /** Sage 500: the on-premises agent URL; cloud editions: the API base. */
  baseUrl: string;
  companyId: string;
};
