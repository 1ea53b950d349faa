import { z } from 'zod';
import { ZSourceObjectTypeSchema } from '../enum-schemas.ts';
import { ZOrgScopedRequestSchema } from '../org-scoped-request.ts';
import { ZRecordAmountSchema, ZRecordIntegrationSchema } from './record-shapes.ts';

export const ZListHeldRecordsRequestSchema = ZOrgScopedRequestSchema.extend({
  integrationId: z.string().min(1).optional(),
  /** `nextCursor` of the previous page; absent for the first. */
  cursor: z.string().min(1).nullish(),
  limit: z.number().int().min(1).max(100).default(25),
});

export const ZHeldRecordSchema = z.object({
  id: z.string(),
  sourceObjectType: ZSourceObjectTypeSchema,
  sourceObjectId: z.string(),
  amount: ZRecordAmountSchema.nullable(),
  /** Why it is held, in plain language, one sentence each. */
  reasons: z.array(z.string()),
  integration: ZRecordIntegrationSchema,
  /** When it was last touched, which for a held item is when it was held. */
  heldAt: z.iso.datetime(),
});

export const ZListHeldRecordsResponseSchema = z.object({
  items: z.array(ZHeldRecordSchema),
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
});

export type TListHeldRecordsRequest = z.infer<typeof ZListHeldRecordsRequestSchema>;
export type TListHeldRecordsResponse = z.infer<typeof ZListHeldRecordsResponseSchema>;
