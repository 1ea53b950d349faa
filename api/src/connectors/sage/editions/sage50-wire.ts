import { z } from 'zod';

// What Sage 50's REST gateway answers, read with zod at the door. Only the fields the connector
// uses are named; the rest pass through untouched. Money stays a decimal string here and is read
// exactly (parseDecimal) by the connector, never as a float.

const ZKey = z.union([z.string(), z.number()]).transform(String);

export const ZSage50Customer = z.looseObject({
  customer_id: z.string(),
  name: z.string(),
  email: z.string().nullish(),
  stripe_customer_id: z.string().nullish(),
});
export type Sage50Customer = z.infer<typeof ZSage50Customer>;

/** Sales orders and invoices share a header: `number` (the invoice number for invoices) and `total`. */
export const ZSage50ItemDocument = z.looseObject({
  id: ZKey,
  number: z.string(),
  reference: z.string().nullish(),
  currency: z.string(),
  total: z.string(),
});

export const ZSage50Payment = z.looseObject({
  id: ZKey,
  payment_number: z.string(),
  type: z.string(),
  reference: z.string().nullish(),
  currency: z.string(),
  amount: z.string(),
});

export const ZSage50JournalEntry = z.looseObject({
  id: ZKey,
  entry_number: z.string(),
  reference: z.string().nullish(),
  currency: z.string(),
  lines: z.array(z.looseObject({ account: z.string(), debit: z.string().nullish(), credit: z.string().nullish() })),
});

/** `{ data, meta: { page, per_page, total }, links: { next, prev } }`. */
export const ZSage50List = z.looseObject({
  data: z.array(z.unknown()),
  links: z.looseObject({ next: z.string().nullish() }).nullish(),
});

/** Field lengths of the Sage 50 gateway that the connector fits free text into (never names or references). */
export const SAGE50_TEXT_LENGTH = { description: 60, memo: 60, paymentMethod: 30 } as const;
export const SAGE50_CUSTOMER_NAME_LENGTH = 39;
