import { z } from 'zod';
import { ZOrgScopedRequestSchema } from '../org-scoped-request.ts';
import { ZIntegrationSummarySchema } from './integration-summary.ts';

export const ZListIntegrationsRequestSchema = ZOrgScopedRequestSchema;

export const ZListIntegrationsResponseSchema = z.array(ZIntegrationSummarySchema);

export type TListIntegrationsRequest = z.infer<typeof ZListIntegrationsRequestSchema>;
export type TListIntegrationsResponse = z.infer<typeof ZListIntegrationsResponseSchema>;
