import { z } from 'zod';

/** Every organization-scoped procedure's input starts with this; orgProcedure checks the membership. */
export const ZOrgScopedRequestSchema = z.object({ orgId: z.string().min(1, 'Choose an organization.') });
