import { z } from 'zod';
import { ZRedriveFilter, ZRedriveResult } from '../../sync/redrive-dead-records.ts';
import { ZOrgScopedRequestSchema } from '../org-scoped-request.ts';

/**
 * Which of the organization's dead items to send back through the sync: all of them, or those of
 * one integration, one kind of object, or a chosen list, at most `max` per call. `dryRun` only
 * counts what would be sent.
 */
export const ZRedriveDeadRecordsRequestSchema = ZOrgScopedRequestSchema.extend(ZRedriveFilter.shape).extend({ dryRun: z.boolean().default(false) });

export const ZRedriveDeadRecordsResponseSchema = ZRedriveResult;

export type TRedriveDeadRecordsRequest = z.infer<typeof ZRedriveDeadRecordsRequestSchema>;
export type TRedriveDeadRecordsResponse = z.infer<typeof ZRedriveDeadRecordsResponseSchema>;
