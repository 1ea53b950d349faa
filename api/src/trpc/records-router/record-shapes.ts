import { z } from 'zod';
import { currencyExponent, MoneyError } from '../../accounting/money.ts';
import { INTEGRATION_SUMMARY_SELECT, ZIntegrationSummarySchema } from '../integration-router/integration-summary.ts';

// The pieces of a sync record both records procedures answer with. Amounts leave as strings of
// minor units (there is no tRPC transformer, and a bigint must not pass through a float), with
// the currency's exponent so the portal formats them without knowing currencies itself.

export const ZRecordAmountSchema = z.object({
  /** Integer minor units, as a decimal string of the stored bigint. */
  minor: z.string().regex(/^-?\d+$/),
  /** ISO 4217, upper case. */
  currency: z.string().length(3),
  /** Decimals of the currency: 0 (JPY), 2 (USD) or 3 (BHD). */
  exponent: z.union([z.literal(0), z.literal(2), z.literal(3)]),
});
export type TRecordAmount = z.infer<typeof ZRecordAmountSchema>;

/** The integration a record belongs to, as the portal names it. */
export const ZRecordIntegrationSchema = ZIntegrationSummarySchema.pick({ id: true, name: true, sageEdition: true, sourceAccountId: true });

export const RECORD_INTEGRATION_SELECT = {
  id: INTEGRATION_SUMMARY_SELECT.id,
  name: INTEGRATION_SUMMARY_SELECT.name,
  sageEdition: INTEGRATION_SUMMARY_SELECT.sageEdition,
  sourceAccountId: INTEGRATION_SUMMARY_SELECT.sourceAccountId,
} as const satisfies Record<keyof z.infer<typeof ZRecordIntegrationSchema>, true>;

/** A stored amount, or none when the record has no amount or a currency no one can format. */
export function recordAmount(record: { amountMinor: bigint | null; currency: string | null }): TRecordAmount | null {
  if (record.amountMinor === null || !record.currency) return null;
  try {
    const exponent = currencyExponent(record.currency);
    return { minor: record.amountMinor.toString(), currency: record.currency.trim().toUpperCase(), exponent };
  } catch (error) {
    if (error instanceof MoneyError) return null;
    throw error;
  }
}
