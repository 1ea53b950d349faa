import { z } from 'zod';
import { ZOrgScopedRequestSchema } from '../org-scoped-request.ts';

export const ZResyncRecordRequestSchema = ZOrgScopedRequestSchema.extend({
  syncRecordId: z.string().min(1, 'Choose an item to resync.'),
});

export const ZResyncRecordResponseSchema = z.object({
  syncRecordId: z.string(),
  status: z.enum(['pending', 'synced', 'failed', 'held', 'skipped', 'dead']),
  queued: z.boolean(),
});

export type TResyncRecordRequest = z.infer<typeof ZResyncRecordRequestSchema>;
export type TResyncRecordResponse = z.infer<typeof ZResyncRecordResponseSchema>;
