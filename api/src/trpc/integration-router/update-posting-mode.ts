import { TRPCError } from '@trpc/server';
import { orgProcedure, requireRole } from '../procedures.ts';
import { scopeToOrg } from '../scope-to-org.ts';
import { INTEGRATION_SUMMARY_SELECT } from './integration-summary.ts';
import { ZUpdatePostingModeRequestSchema, ZUpdatePostingModeResponseSchema } from './update-posting-mode.types.ts';

/**
 * Switches an integration between one Sage document per transaction and one summary per payout.
 * The change and its audit entry commit together: there is never a change nobody can trace.
 */
export const updatePostingModeRoute = orgProcedure
  .use(requireRole('admin'))
  .input(ZUpdatePostingModeRequestSchema)
  .output(ZUpdatePostingModeResponseSchema)
  .mutation(({ ctx, input }) =>
    ctx.db.$transaction(async (tx) => {
      const before = await tx.integration.findFirst({
        where: { id: input.integrationId, ...scopeToOrg(ctx) },
        select: { id: true, postingMode: true },
      });
      // Another organization's integration looks exactly like a missing one.
      if (!before) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such integration in this organization.' });

      const updated = await tx.integration.update({
        where: { id: before.id },
        data: { postingMode: input.postingMode },
        select: INTEGRATION_SUMMARY_SELECT,
      });
      await tx.auditLogEntry.create({
        data: {
          ...scopeToOrg(ctx),
          actorKind: 'user',
          actorId: ctx.session.userId,
          action: 'integration.posting_mode_updated',
          targetType: 'integration',
          targetId: before.id,
          data: { from: before.postingMode, to: input.postingMode },
          requestId: ctx.requestId,
        },
      });
      ctx.log.info(
        { orgId: ctx.org.id, integrationId: before.id, from: before.postingMode, to: input.postingMode },
        'posting mode updated',
      );
      return updated;
    }),
  );
