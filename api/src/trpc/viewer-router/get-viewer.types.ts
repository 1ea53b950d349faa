import { z } from 'zod';
import { ZMembershipRoleSchema } from '../enum-schemas.ts';

export const ZGetViewerResponseSchema = z.object({
  user: z.object({ id: z.string(), email: z.string(), name: z.string().nullable() }),
  memberships: z.array(
    z.object({ orgId: z.string(), orgName: z.string(), orgSlug: z.string(), role: ZMembershipRoleSchema }),
  ),
});

export type TGetViewerResponse = z.infer<typeof ZGetViewerResponseSchema>;
