import { z } from 'zod';

// What Sage Accounting (Business Cloud Accounting API v3.1) answers, read with zod at the door.
// Only the fields the connector uses are named. Money stays a decimal string until the connector
// reads it exactly (parseDecimal).

const ZLink = z.looseObject({ id: z.string(), displayed_as: z.string().nullish() });

export const ZCloudContact = z.looseObject({
  id: z.string(),
  displayed_as: z.string().nullish(),
  name: z.string(),
  reference: z.string().nullish(),
  email: z.string().nullish(),
});
export type CloudContact = z.infer<typeof ZCloudContact>;

export const ZCloudSalesInvoice = z.looseObject({
  id: z.string(),
  invoice_number: z.string(),
  reference: z.string().nullish(),
  currency: ZLink.nullish(),
  total_amount: z.string(),
});

export const ZCloudCreditNote = z.looseObject({
  id: z.string(),
  credit_note_number: z.string(),
  reference: z.string().nullish(),
  currency: ZLink.nullish(),
  total_amount: z.string(),
});

export const ZCloudContactPayment = z.looseObject({
  id: z.string(),
  displayed_as: z.string().nullish(),
  transaction_type: ZLink,
  reference: z.string().nullish(),
  currency: ZLink.nullish(),
  total_amount: z.string(),
});

export const ZCloudJournal = z.looseObject({
  id: z.string(),
  displayed_as: z.string().nullish(),
  journal_number: z.string().nullish(),
  reference: z.string().nullish(),
  journal_lines: z.array(z.looseObject({ debit: z.string().nullish(), credit: z.string().nullish() })),
});

export const ZCloudLedgerAccount = z.looseObject({ id: z.string(), nominal_code: z.string().nullish() });

export const ZCloudBankAccount = z.looseObject({
  id: z.string(),
  nominal_code: z.string().nullish(),
  ledger_account: ZLink.nullish(),
});
export type CloudBankAccount = z.infer<typeof ZCloudBankAccount>;

/** `{ $total, $page, $next, $back, $itemsPerPage, $items }`; `$next` is relative to the versioned base. */
export const ZCloudPage = z.looseObject({ $next: z.string().nullish(), $items: z.array(z.unknown()) });

/** Field lengths free text is fitted into (never names or references). */
export const SAGE_ACCOUNTING_TEXT_LENGTH = { lineDescription: 255, journalDescription: 255, notes: 2_000 } as const;
export const SAGE_ACCOUNTING_CONTACT_NAME_LENGTH = 100;
/** Most items one list page may carry. */
export const SAGE_ACCOUNTING_MAX_PAGE = 200;
