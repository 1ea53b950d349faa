import { MoneyError, parseDecimal, type Money } from '../../../accounting/money.ts';
import type { SageLine } from '../sage-documents.ts';

// Exact amounts on both sides of a connector: what a normalized document adds up to, and what a
// Sage answer's decimal string is worth. Never floats.

/** The total of item lines: quantity times unit amount, summed in minor units. */
export function linesTotal(lines: SageLine[]): bigint {
  return lines.reduce((sum, line) => sum + BigInt(line.quantity) * line.unitAmountMinor, 0n);
}

/** Reads a decimal amount Sage answered; a string is the reason it could not be read exactly. */
export function exactAmount(text: string, currency: string): Money | string {
  try {
    return parseDecimal(text, currency);
  } catch (error) {
    if (error instanceof MoneyError) return error.message;
    throw error;
  }
}
