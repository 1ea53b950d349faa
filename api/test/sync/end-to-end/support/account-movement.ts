import { parseAmountToMinor } from '../../../../src/sandbox/sage/money.ts';
import type { InspectedDocument } from '../../../sandbox/sage/support/sandbox-harness.ts';

/** A Sage document's decimal amount in minor units of its currency (the sandbox's own parser). */
export function minor(amount: string, currency: string): bigint {
  const parsed = parseAmountToMinor(amount, currency);
  if (!parsed.ok) throw new Error(`not an amount: ${amount}`);
  return BigInt(parsed.minor);
}

/** Debits minus credits of an account over the documents, in minor units. */
export function movementOf(documents: readonly InspectedDocument[], account: string): bigint {
  return documents.flatMap((document) => document.lines.filter((line) => line.account === account).map((line) => minor(line.debit, document.currency) - minor(line.credit, document.currency))).reduce((sum, each) => sum + each, 0n);
}
