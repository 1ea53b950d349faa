import { z } from 'zod';
import {
  ZIntegrationStatusSchema,
  ZPaymentSourceSchema,
  ZPostingModeSchema,
  ZSageEditionSchema,
} from '../enum-schemas.ts';

/** What the portal shows of an integration; never its credentials or webhook secret. */
export const ZIntegrationSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  source: ZPaymentSourceSchema,
  sourceAccountId: z.string(),
  sageEdition: ZSageEditionSchema,
  sageCompanyId: z.string(),
  postingMode: ZPostingModeSchema,
  timeZone: z.string(),
  homeCurrency: z.string(),
  status: ZIntegrationStatusSchema,
});

export type TIntegrationSummary = z.infer<typeof ZIntegrationSummarySchema>;

/** The Prisma select that reads exactly ZIntegrationSummarySchema's fields. */
export const INTEGRATION_SUMMARY_SELECT = {
  id: true,
  name: true,
  source: true,
  sourceAccountId: true,
  sageEdition: true,
  sageCompanyId: true,
  postingMode: true,
  timeZone: true,
  homeCurrency: true,
  status: true,
} as const satisfies Record<keyof TIntegrationSummary, true>;
