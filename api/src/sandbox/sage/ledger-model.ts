import { z } from 'zod';

// The one ledger model every dialect translates into. These schemas also validate the JSON file
// the sandbox may persist to, so the types come from them.

export const SAGE_DIALECTS = ['sage500', 'sage_pro', 'sage50', 'sage_accounting'] as const;
export const ZSageDialect = z.enum(SAGE_DIALECTS);
export type SageDialect = z.infer<typeof ZSageDialect>;

export const DOCUMENT_TYPES = ['sales_order', 'invoice', 'credit_memo', 'cash_receipt', 'customer_refund', 'journal'] as const;
export const ZDocumentType = z.enum(DOCUMENT_TYPES);
export type DocumentType = z.infer<typeof ZDocumentType>;

const ZIsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const ZLedgerAccount = z.object({
  /** Stable opaque id (Sage Accounting addresses ledger accounts by id, the others by code). */
  id: z.string(),
  code: z.string(),
  name: z.string(),
  type: z.enum(['asset', 'liability', 'equity', 'income', 'expense']),
});
export type LedgerAccount = z.infer<typeof ZLedgerAccount>;

export const ZBankAccount = z.object({ id: z.string(), name: z.string(), accountCode: z.string() });
export type BankAccount = z.infer<typeof ZBankAccount>;

export const ZCompany = z.object({
  id: z.string(),
  dialect: ZSageDialect,
  name: z.string(),
  baseCurrency: z.string(),
  /** Documents dated on or before this day are refused: the period is closed. */
  closedThrough: ZIsoDate.nullable(),
  receivablesAccount: z.string(),
  defaultRevenueAccount: z.string(),
  /** Sage 500 agent key; null for the OAuth dialects. */
  apiKey: z.string().nullable(),
  rateLimitPerMinute: z.number().int().positive(),
  accounts: z.array(ZLedgerAccount),
  bankAccounts: z.array(ZBankAccount),
});
export type Company = z.infer<typeof ZCompany>;

export const ZCustomer = z.object({
  id: z.string(),
  companyId: z.string(),
  /** The customer's key in the ERP (CustomerID, customerId, customer_id, contact reference). */
  code: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  addressLine1: z.string().nullable(),
  city: z.string().nullable(),
  state: z.string().nullable(),
  postalCode: z.string().nullable(),
  phone: z.string().nullable(),
  stripeCustomerId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Customer = z.infer<typeof ZCustomer>;

export const ZJournalLine = z.object({
  account: z.string(),
  debitMinor: z.number().int().nonnegative(),
  creditMinor: z.number().int().nonnegative(),
  memo: z.string().nullable(),
});
export type JournalLine = z.infer<typeof ZJournalLine>;

export const ZLedgerDocument = z.object({
  id: z.string(),
  companyId: z.string(),
  type: ZDocumentType,
  number: z.string(),
  reference: z.string().nullable(),
  date: ZIsoDate,
  currency: z.string(),
  amountMinor: z.number().int(),
  customerId: z.string().nullable(),
  description: z.string().nullable(),
  /** The invoice a receipt or credit memo applies to, by number. */
  appliesToInvoice: z.string().nullable(),
  /** Balanced journal lines; empty for a sales order, which does not post. */
  lines: z.array(ZJournalLine),
  /** Dialect-specific extras echoed back on reads (payment method, item lines, ...). */
  details: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
});
export type LedgerDocument = z.infer<typeof ZLedgerDocument>;

export const ZProduct = z.object({
  id: z.string(),
  companyId: z.string(),
  code: z.string(),
  description: z.string(),
  priceMinor: z.number().int(),
  currency: z.string(),
  incomeAccount: z.string(),
  createdAt: z.string(),
});
export type Product = z.infer<typeof ZProduct>;

export const ZIdempotencyRecord = z.object({ companyId: z.string(), scope: z.string(), key: z.string(), resourceId: z.string() });
export type IdempotencyRecord = z.infer<typeof ZIdempotencyRecord>;

export const ZLedgerSnapshot = z.object({
  version: z.literal(1),
  companies: z.array(ZCompany),
  customers: z.array(ZCustomer),
  documents: z.array(ZLedgerDocument),
  products: z.array(ZProduct),
  idempotency: z.array(ZIdempotencyRecord),
  sequences: z.record(z.string(), z.number().int()),
});
export type LedgerSnapshot = z.infer<typeof ZLedgerSnapshot>;
