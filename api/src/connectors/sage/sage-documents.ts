import { z } from 'zod';

// The normalized Sage documents the sync engine builds and every connector translates into its
// own dialect. Money is bigint minor units plus the document's currency; dates are the tenant's
// local calendar date (YYYY-MM-DD), already decided by the accounting layer.

export const SAGE_DOCUMENT_TYPES = ['customer', 'sales_order', 'invoice', 'cash_receipt', 'credit_memo', 'journal_entry'] as const;
export const ZSageDocumentType = z.enum(SAGE_DOCUMENT_TYPES);
export type SageDocumentType = z.infer<typeof ZSageDocumentType>;

const ZLocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a local date, YYYY-MM-DD');
const ZCurrency = z.string().regex(/^[A-Z]{3}$/, 'an upper-case ISO currency code');
/** The Stripe id (ch_, re_, in_, po_, du_ ...) the document is idempotent on. */
const ZReference = z.string().min(1).max(64);
const ZMinor = z.bigint();
const ZPositiveMinor = z.bigint().refine((v) => v > 0n, 'must be more than zero');

export const ZSageCustomerInput = z.object({
  name: z.string().min(1),
  email: z.string().email().optional(),
  addressLine1: z.string().optional(),
  city: z.string().optional(),
  state: z.string().optional(),
  postalCode: z.string().optional(),
  country: z.string().optional(),
  phone: z.string().optional(),
  /** Kept in Sage's custom field (or reference) so the customer can be found by it later. */
  stripeCustomerId: z.string().min(1),
  /** Suggested Sage customer id/number where the dialect lets the caller choose it. */
  preferredCustomerNumber: z.string().optional(),
});
export type SageCustomerInput = z.infer<typeof ZSageCustomerInput>;

/**
 * What an update of a Sage customer changes. A field left out keeps what Sage holds (a finance
 * user may have edited it there); `null` clears it. The name can be replaced but never cleared,
 * as Sage requires one. The Stripe id in Sage's custom field and the customer's own id stay as
 * they are: they are how the customer is found. Sage keeps no country in any edition we post to.
 */
export const ZSageCustomerUpdate = z
  .object({
    name: ZSageCustomerInput.shape.name.optional(),
    email: z.string().email().nullable().optional(),
    addressLine1: z.string().nullable().optional(),
    city: z.string().nullable().optional(),
    state: z.string().nullable().optional(),
    postalCode: z.string().nullable().optional(),
    phone: z.string().nullable().optional(),
  })
  .refine((update) => Object.values(update).some((value) => value !== undefined), 'an update names at least one field to change');
export type SageCustomerUpdate = z.infer<typeof ZSageCustomerUpdate>;
/** The customer fields an update can change, in the order they are listed above. */
export const SAGE_CUSTOMER_UPDATE_FIELDS = Object.keys(ZSageCustomerUpdate.shape) as (keyof SageCustomerUpdate)[];

export const ZSageCustomer = z.object({
  id: z.string(),
  /** The number a finance user sees in Sage (CustomerID, customer number, contact reference). */
  number: z.string(),
  name: z.string(),
  email: z.string().nullable(),
  stripeCustomerId: z.string().nullable(),
});
export type SageCustomer = z.infer<typeof ZSageCustomer>;

export const ZSageLine = z.object({
  description: z.string().min(1),
  quantity: z.number().int().positive().default(1),
  /** Price of one unit, in minor units of the document currency. */
  unitAmountMinor: ZMinor,
  glAccount: z.string().min(1),
  productCode: z.string().optional(),
});
export type SageLine = z.infer<typeof ZSageLine>;

const documentBase = {
  reference: ZReference,
  date: ZLocalDate,
  currency: ZCurrency,
  memo: z.string().optional(),
};

export const ZSalesOrderInput = z.object({ ...documentBase, customerId: z.string().min(1), lines: z.array(ZSageLine).min(1) });
export type SalesOrderInput = z.infer<typeof ZSalesOrderInput>;

export const ZInvoiceInput = z.object({ ...documentBase, customerId: z.string().min(1), lines: z.array(ZSageLine).min(1) });
export type InvoiceInput = z.infer<typeof ZInvoiceInput>;

export const ZCashReceiptInput = z.object({
  ...documentBase,
  customerId: z.string().min(1),
  amountMinor: ZPositiveMinor,
  /** The account the money lands in: the Stripe clearing account under the clearing method. */
  depositAccount: z.string().min(1),
  /** Apply the receipt to this Sage invoice when the Stripe object names one. */
  invoiceNumber: z.string().optional(),
  paymentMethod: z.string().optional(),
  /**
   * The account credited, for editions that have no receipt endpoint and post it as a journal
   * (Sage 500): receivables when it pays an invoice, revenue for a direct sale. The GL rules
   * decide it; editions with a native receipt credit the customer's receivable themselves.
   */
  offsetAccount: z.string().min(1).optional(),
});
export type CashReceiptInput = z.infer<typeof ZCashReceiptInput>;

export const ZCreditMemoInput = z.object({
  ...documentBase,
  customerId: z.string().min(1),
  lines: z.array(ZSageLine).min(1),
  /** The account the refund leaves from (Stripe clearing). */
  refundAccount: z.string().min(1),
  appliesToInvoiceNumber: z.string().optional(),
});
export type CreditMemoInput = z.infer<typeof ZCreditMemoInput>;

export const ZJournalLine = z.object({
  account: z.string().min(1),
  debitMinor: ZMinor,
  creditMinor: ZMinor,
  memo: z.string().optional(),
});
export type JournalLine = z.infer<typeof ZJournalLine>;

export const ZJournalEntryInput = z
  .object({ ...documentBase, memo: z.string().min(1), lines: z.array(ZJournalLine).min(2) })
  .superRefine((entry, ctx) => {
    let debits = 0n;
    let credits = 0n;
    entry.lines.forEach((line, index) => {
      if (line.debitMinor < 0n || line.creditMinor < 0n || (line.debitMinor === 0n) === (line.creditMinor === 0n)) {
        ctx.addIssue({ code: 'custom', path: ['lines', index], message: 'each line is either a debit or a credit, not negative' });
      }
      debits += line.debitMinor;
      credits += line.creditMinor;
    });
    if (debits !== credits) {
      ctx.addIssue({ code: 'custom', path: ['lines'], message: `debits (${debits}) and credits (${credits}) must balance` });
    }
  });
export type JournalEntryInput = z.infer<typeof ZJournalEntryInput>;

/** What a connector returns for any posted (or found) document. */
export const ZSageDocumentRef = z.object({
  type: ZSageDocumentType,
  id: z.string(),
  /** The number a finance user sees in Sage. */
  number: z.string(),
  reference: z.string(),
});
export type SageDocumentRef = z.infer<typeof ZSageDocumentRef>;
