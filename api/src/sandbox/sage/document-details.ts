import { z } from 'zod';
import type { LedgerDocument } from './ledger-model.ts';
import type { ItemLine } from './posting-rules.ts';

// Item lines (what was sold or credited) kept beside a document's journal lines, so each dialect
// can give back the lines it was sent.

export const ZItemLineDetail = z.object({
  itemId: z.string().nullable(),
  description: z.string().nullable(),
  quantity: z.number().int(),
  unitPriceMinor: z.number().int(),
  amountMinor: z.number().int(),
  account: z.string(),
});
export type ItemLineDetail = z.infer<typeof ZItemLineDetail>;

export function itemLinesOf(document: LedgerDocument): ItemLineDetail[] {
  const parsed = z.array(ZItemLineDetail).safeParse(document.details.itemLines);
  return parsed.success ? parsed.data : [];
}

export function detailText(document: LedgerDocument, name: string): string | null {
  const value = document.details[name];
  return typeof value === 'string' ? value : null;
}

export function postingLinesOf(lines: ItemLineDetail[]): ItemLine[] {
  return lines.map((line) => ({ account: line.account, amountMinor: line.amountMinor, memo: line.description }));
}
