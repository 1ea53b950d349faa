import { defaultGlRules, Prisma } from '@sagesync/db';
import { TRPCError } from '@trpc/server';
import { hashLinkToken } from '../../http/stripe-app/link-token.ts';
import { hasRole, orgProcedure } from '../procedures.ts';
import { scopeToOrg } from '../scope-to-org.ts';
import { linkTokenRefusal } from './link-token-state.ts';
import { ZConfirmStripeLinkRequestSchema, ZConfirmStripeLinkResponseSchema } from './confirm-stripe-link.types.ts';

const SAGE_EDITION_NAME = { sage500: 'Sage 500', sage_pro: 'Sage Pro', sage50: 'Sage 50', sage_accounting: 'Sage Accounting' } as const;

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * Confirms a Stripe App link in the chosen organization, all or nothing, in one transaction:
 * - the token is claimed first with a conditional update, so of two confirms racing with one link
 *   exactly one claims it and the other is told it was used;
 * - an account not linked yet gets a new Stripe integration in this organization (an integration
 *   always has its account, so there is no existing one to attach it to), with the edition's
 *   default GL rules, and Sage still to be connected; this needs an owner or admin;
 * - an account linked to this organization already is left as it is: the link only links the
 *   Dashboard user who asked for it to the signed-in portal user (any member may do that for
 *   themselves; what they may do from the app is their role's business);
 * - an account linked to another organization is refused, and nothing changes.
 * Each change is written to the audit log in the same transaction.
 */
export const confirmStripeLinkRoute = orgProcedure
  .input(ZConfirmStripeLinkRequestSchema)
  .output(ZConfirmStripeLinkResponseSchema)
  .mutation(async ({ ctx, input }) => {
    const now = new Date();
    const tokenHash = hashLinkToken(input.token);
    try {
      return await ctx.db.$transaction(async (tx) => {
        const claimed = await tx.stripeAppLinkToken.updateMany({
          where: { tokenHash, usedAt: null, expiresAt: { gt: now } },
          data: { usedAt: now, orgId: ctx.org.id },
        });
        const token = await tx.stripeAppLinkToken.findUnique({ where: { tokenHash } });
        if (claimed.count !== 1 || !token) throw linkTokenRefusal(token, now);

        const org = await tx.organization.findUniqueOrThrow({ where: { id: ctx.org.id }, select: { name: true } });
        let integration = await tx.integration.findUnique({
          where: { source_sourceAccountId: { source: 'stripe', sourceAccountId: token.stripeAccountId } },
          select: { id: true, name: true, orgId: true },
        });
        if (integration && integration.orgId !== ctx.org.id) {
          throw new TRPCError({
            code: 'CONFLICT',
            message: `Stripe account ${token.stripeAccountId} is linked to another Sage Sync organization, so it cannot be linked to ${org.name}. An admin of that organization can tell you more.`,
          });
        }

        const outcome = integration ? 'user_linked' : 'account_linked';
        if (!integration) {
          if (!hasRole(ctx.org.role, 'admin')) {
            throw new TRPCError({ code: 'FORBIDDEN', message: `Linking a Stripe account to ${org.name} needs the admin role or higher. Ask an owner or admin to open this link.` });
          }
          const sage = input.integration;
          if (!sage) {
            throw new TRPCError({ code: 'BAD_REQUEST', message: 'Choose the Sage edition and company this Stripe account posts into.' });
          }
          integration = await tx.integration.create({
            data: {
              ...scopeToOrg(ctx),
              name: sage.name ?? `Stripe ${token.stripeAccountId} → ${SAGE_EDITION_NAME[sage.sageEdition]}`,
              source: 'stripe',
              sourceAccountId: token.stripeAccountId,
              sageEdition: sage.sageEdition,
              sageCompanyId: sage.sageCompanyId,
              timeZone: sage.timeZone,
              homeCurrency: sage.homeCurrency,
            },
            select: { id: true, name: true, orgId: true },
          });
          const created = integration;
          await tx.glRule.createMany({
            data: defaultGlRules(sage.sageEdition).map((rule, position) => ({
              ...scopeToOrg(ctx),
              integrationId: created.id,
              position,
              name: rule.name,
              conditions: rule.conditions,
              accounts: rule.accounts,
            })),
          });
          await tx.auditLogEntry.create({
            data: {
              ...scopeToOrg(ctx),
              actorKind: 'user',
              actorId: ctx.session.userId,
              action: 'stripe_app.account_linked',
              targetType: 'integration',
              targetId: created.id,
              data: { stripeAccountId: token.stripeAccountId, stripeUserId: token.stripeUserId, sageEdition: sage.sageEdition, sageCompanyId: sage.sageCompanyId, linkTokenId: token.id },
              requestId: ctx.requestId,
            },
          });
        }

        const linked = integration;
        if (token.stripeUserId) {
          const key = { integrationId_stripeUserId: { integrationId: linked.id, stripeUserId: token.stripeUserId } };
          const before = await tx.stripeAppUserLink.findUnique({ where: key, select: { userId: true } });
          await tx.stripeAppUserLink.upsert({
            where: key,
            create: { ...scopeToOrg(ctx), integrationId: linked.id, stripeUserId: token.stripeUserId, userId: ctx.session.userId },
            update: { userId: ctx.session.userId },
          });
          await tx.auditLogEntry.create({
            data: {
              ...scopeToOrg(ctx),
              actorKind: 'user',
              actorId: ctx.session.userId,
              action: 'stripe_app.user_linked',
              targetType: 'stripe_user',
              targetId: token.stripeUserId,
              data: { integrationId: linked.id, stripeAccountId: token.stripeAccountId, userId: ctx.session.userId, previousUserId: before?.userId ?? null, linkTokenId: token.id },
              requestId: ctx.requestId,
            },
          });
        }

        ctx.log.info({ orgId: ctx.org.id, integrationId: linked.id, stripeAccountId: token.stripeAccountId, outcome }, 'stripe app link confirmed');
        return {
          outcome,
          stripeAccountId: token.stripeAccountId,
          orgName: org.name,
          integrationId: linked.id,
          integrationName: linked.name,
          stripeUserLinked: token.stripeUserId !== null,
        } as const;
      });
    } catch (error) {
      // Two different links for one new account confirmed at the same moment: the other one won.
      if (isUniqueViolation(error)) {
        throw new TRPCError({ code: 'CONFLICT', message: 'This Stripe account was linked a moment ago by someone else. Nothing was changed; reload the page to see where it is linked.' });
      }
      throw error;
    }
  });
