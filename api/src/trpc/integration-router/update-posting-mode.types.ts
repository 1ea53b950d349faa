import { z } from 'zod';
import { ZPostingModeSchema } from '../enum-schemas.ts';
import { ZOrgScopedRequestSchema } from '../org-scoped-request.ts';
import { ZIntegrationSummarySchema } from './integration-summary.ts';

export const ZUpdatePostingModeRequestSchema = ZOrgScopedRequestSchema.extend({
  integrationId: z.string().min(1, 'Choose an integration.'),
  postingMode: ZPostingModeSchema,
});

export const ZUpdatePostingModeResponseSchema = ZIntegrationSummarySchema;

export type TUpdatePostingModeRequest = z.infer<typeof ZUpdatePostingModeRequestSchema>;
export type TUpdatePostingModeResponse = z.infer<typeof ZUpdatePostingModeResponseSchema>;
