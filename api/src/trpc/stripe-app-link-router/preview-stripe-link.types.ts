import { z } from 'zod';
import { ZMembershipRoleSchema } from '../enum-schemas.ts';
import { ZStripeLinkTokenSchema } from './link-token.types.ts';

export const ZPreviewStripeLinkRequestSchema = z.object({ token: ZStripeLinkTokenSchema });

export const ZPreviewStripeLinkResponseSchema = z.object({
  stripeAccountId: z.string(),
  /** The Dashboard user who asked for the link; confirming links them to the signed-in portal user. */
  stripeUserId: z.string().nullable(),
  expiresAt: z.iso.datetime(),
  /** Where the account is linked already, when that is one of the viewer's organizations. */
  linkedTo: z.object({ orgId: z.string(), orgName: z.string(), integrationId: z.string(), integrationName: z.string() }).nullable(),
  /** Linked to an organization the viewer is not a member of (which one is not shown). */
  linkedElsewhere: z.boolean(),
  /** The viewer's organizations; linking an unlinked account needs an owner or admin. */
  organizations: z.array(z.object({ orgId: z.string(), orgName: z.string(), role: ZMembershipRoleSchema, canLinkAccount: z.boolean() })),
});

export type TPreviewStripeLinkRequest = z.infer<typeof ZPreviewStripeLinkRequestSchema>;
export type TPreviewStripeLinkResponse = z.infer<typeof ZPreviewStripeLinkResponseSchema>;
