import { z } from 'zod';
import { ZCalendarDate } from '../../sync/backfill/local-day-start.ts';
import { ZOrgScopedRequestSchema } from '../org-scoped-request.ts';
import { ZBackfillStatusSchema } from './backfill-status-schema.ts';

/** Dates in the integration's time zone; `to` is not included (2025-01-01 to 2025-02-01 is January). */
export const ZStartBackfillRequestSchema = ZOrgScopedRequestSchema.extend({
  integrationId: z.string().min(1, 'Choose an integration.'),
  from: ZCalendarDate,
  to: ZCalendarDate,
}).refine((request) => request.from < request.to, { path: ['to'], message: 'The end date must be after the start date (the end date is not included).' });

export const ZStartBackfillResponseSchema = z.object({
  runId: z.string(),
  status: ZBackfillStatusSchema,
  /** True when an unfinished run of the same range was found: it continues instead of starting over. */
  resumed: z.boolean(),
  segments: z.number().int().nonnegative(),
});

export type TStartBackfillRequest = z.infer<typeof ZStartBackfillRequestSchema>;
export type TStartBackfillResponse = z.infer<typeof ZStartBackfillResponseSchema>;
