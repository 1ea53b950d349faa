import { z } from 'zod';
import { ZExplainedAttemptOutcomeSchema, ZUserErrorSchema } from '../../records/explain-sync-record.ts';
import { ZSageDocumentTypeSchema, ZSourceObjectTypeSchema, ZSyncStatusSchema } from '../enum-schemas.ts';
import { ZOrgScopedRequestSchema } from '../org-scoped-request.ts';
import { ZRecordAmountSchema, ZRecordIntegrationSchema } from './record-shapes.ts';

export const ZGetRecordRequestSchema = ZOrgScopedRequestSchema.extend({
  id: z.string().min(1, 'Choose an item.'),
});

/** Another record, as a link: what it is and where it stands. */
const ZRelatedRecordSchema = z.object({
  id: z.string(),
  sourceObjectType: ZSourceObjectTypeSchema,
  sourceObjectId: z.string(),
  status: ZSyncStatusSchema,
  amount: ZRecordAmountSchema.nullable(),
});

const ZRecordAttemptSchema = z.object({
  number: z.number().int().positive(),
  outcome: ZExplainedAttemptOutcomeSchema,
  startedAt: z.iso.datetime(),
  finishedAt: z.iso.datetime().nullable(),
  durationMs: z.number().int().nonnegative().nullable(),
  error: ZUserErrorSchema.nullable(),
});

export const ZGetRecordResponseSchema = z.object({
  id: z.string(),
  sourceObjectType: ZSourceObjectTypeSchema,
  sourceObjectId: z.string(),
  status: ZSyncStatusSchema,
  sageDocument: z
    .object({ type: ZSageDocumentTypeSchema.nullable(), id: z.string().nullable(), number: z.string().nullable() })
    .nullable(),
  amount: ZRecordAmountSchema.nullable(),
  /** Why it is not (or not yet) in Sage, and what to do; null when there is nothing to do. */
  error: ZUserErrorSchema.nullable(),
  /** Held records only: why, in plain language, one sentence each. */
  anomalyReasons: z.array(z.string()),
  integration: ZRecordIntegrationSchema,
  parent: ZRelatedRecordSchema.nullable(),
  children: z.array(ZRelatedRecordSchema),
  /** Newest first, at most RECORD_ATTEMPTS_SHOWN; `attemptCount` says how many there were in all. */
  attempts: z.array(ZRecordAttemptSchema),
  attemptCount: z.number().int().nonnegative(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  syncedAt: z.iso.datetime().nullable(),
  nextAttemptAt: z.iso.datetime().nullable(),
});

export type TGetRecordRequest = z.infer<typeof ZGetRecordRequestSchema>;
export type TGetRecordResponse = z.infer<typeof ZGetRecordResponseSchema>;
