import type Stripe from 'stripe';
import type { PayoutTransaction } from '../../accounting/payout-journal.ts';
import { MoneyError, normalizeCurrency } from '../../accounting/money.ts';

/**
 * A balance transaction as the accounting code reads it: exactly the payout journal's
 * PayoutTransaction (minor units as bigint, upper-case currency, Stripe's reporting category),
 * plus what a memo or a drill-down needs.
 */
export type NormalizedBalanceTransaction = PayoutTransaction & {
  /** The charge, refund, dispute, payout... that moved the money; null for some adjustments. */
  sourceId: string | null;
  /** Unix seconds, as Stripe gives it; the dates module makes it a tenant-local date. */
  created: number;
  /**
   * Presentment → settlement rate when Stripe converted, as Stripe wrote it. A string on purpose:
   * it is only ever shown in a memo, and no money is ever computed from a float.
   */
  exchangeRate?: string;
};

function minorUnits(value: number, field: string, id: string): bigint {
  // Stripe sends integers; anything else means the object is not what we think it is.
  if (!Number.isSafeInteger(value)) throw new MoneyError(`Balance transaction ${id}: ${field} ${value} is not a whole number of minor units.`);
  return BigInt(value);
}

function sourceIdOf(source: Stripe.BalanceTransaction['source']): string | null {
  if (source === null || source === undefined) return null;
  return typeof source === 'string' ? source : source.id;
}

/**
 * From the SDK's BalanceTransaction. `net` is taken as Stripe gives it, not recomputed: when
 * amount − fee ≠ net the payout journal holds the payout for a person, which is what we want.
 */
export function normalizeBalanceTransaction(transaction: Stripe.BalanceTransaction): NormalizedBalanceTransaction {
  const { id } = transaction;
  return {
    id,
    type: transaction.type,
    reportingCategory: transaction.reporting_category,
    amountMinor: minorUnits(transaction.amount, 'amount', id),
    feeMinor: minorUnits(transaction.fee, 'fee', id),
    netMinor: minorUnits(transaction.net, 'net', id),
    currency: normalizeCurrency(transaction.currency),
    sourceId: sourceIdOf(transaction.source),
    created: transaction.created,
    ...(transaction.exchange_rate !== null && transaction.exchange_rate !== undefined ? { exchangeRate: String(transaction.exchange_rate) } : {}),
  };
}
