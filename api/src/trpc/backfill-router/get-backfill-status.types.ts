import { z } from 'zod';
import { ZBackfillOutcome, ZBackfillSegmentError } from '../../sync/backfill/backfill-outcome.ts';
import { ZOrgScopedRequestSchema } from '../org-scoped-request.ts';
import { ZBackfillStatusSchema } from './backfill-status-schema.ts';

export const ZGetBackfillStatusRequestSchema = ZOrgScopedRequestSchema.extend({
  runId: z.string().min(1, 'Choose a backfill.'),
});

const ZSegmentStatusSchema = z.object({
  id: z.string(),
  objectType: z.string(),
  rangeStart: z.iso.datetime(),
  rangeEnd: z.iso.datetime(),
  status: ZBackfillStatusSchema,
  listedCount: z.number().int().nonnegative(),
  enqueuedCount: z.number().int().nonnegative(),
  error: ZBackfillSegmentError.nullable(),
});

export const ZGetBackfillStatusResponseSchema = z.object({
  runId: z.string(),
  integrationId: z.string(),
  status: ZBackfillStatusSchema,
  rangeStart: z.iso.datetime(),
  rangeEnd: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  startedAt: z.iso.datetime().nullable(),
  finishedAt: z.iso.datetime().nullable(),
  totals: z.object({
    segments: z.number().int().nonnegative(),
    completeSegments: z.number().int().nonnegative(),
    failedSegments: z.number().int().nonnegative(),
    listed: z.number().int().nonnegative(),
    enqueued: z.number().int().nonnegative(),
  }),
  segments: z.array(ZSegmentStatusSchema),
  /** What the run did not bring in (filled when it ended partial or failed; live while running). */
  missing: ZBackfillOutcome.shape.missing,
  stoppedBy: ZBackfillOutcome.shape.stoppedBy,
});

export type TGetBackfillStatusRequest = z.infer<typeof ZGetBackfillStatusRequestSchema>;
export type TGetBackfillStatusResponse = z.infer<typeof ZGetBackfillStatusResponseSchema>;
