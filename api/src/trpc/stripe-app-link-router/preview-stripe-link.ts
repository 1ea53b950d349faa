import { hasRole, signedInProcedure } from '../procedures.ts';
import { findOpenLinkToken } from './link-token-state.ts';
import { ZPreviewStripeLinkRequestSchema, ZPreviewStripeLinkResponseSchema } from './preview-stripe-link.types.ts';

/**
 * What confirming a Stripe App link would do, for the page that asks: which Stripe account, and
 * whether it is linked already. It only reads, and the link stays usable; it is a mutation all the
 * same because tRPC sends queries as GET with the input in the URL, and the token is a secret that
 * must not land in request logs (mutations send it in the body).
 */
export const previewStripeLinkRoute = signedInProcedure
  .input(ZPreviewStripeLinkRequestSchema)
  .output(ZPreviewStripeLinkResponseSchema)
  .mutation(async ({ ctx, input }) => {
    const token = await findOpenLinkToken(ctx.db, input.token, new Date());
    const [integration, memberships] = await Promise.all([
      ctx.db.integration.findUnique({
        where: { source_sourceAccountId: { source: 'stripe', sourceAccountId: token.stripeAccountId } },
        select: { id: true, name: true, orgId: true },
      }),
      ctx.db.membership.findMany({
        where: { userId: ctx.session.userId },
        select: { role: true, org: { select: { id: true, name: true } } },
        orderBy: { org: { name: 'asc' } },
      }),
    ]);
    const home = integration ? memberships.find((membership) => membership.org.id === integration.orgId) : undefined;
    return {
      stripeAccountId: token.stripeAccountId,
      stripeUserId: token.stripeUserId,
      expiresAt: token.expiresAt.toISOString(),
      linkedTo: integration && home ? { orgId: home.org.id, orgName: home.org.name, integrationId: integration.id, integrationName: integration.name } : null,
      linkedElsewhere: integration !== null && home === undefined,
      organizations: memberships.map((membership) => ({
        orgId: membership.org.id,
        orgName: membership.org.name,
        role: membership.role,
        canLinkAccount: hasRole(membership.role, 'admin'),
      })),
    };
  });
