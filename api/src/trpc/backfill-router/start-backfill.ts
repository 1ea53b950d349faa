import { TRPCError } from '@trpc/server';
import { BackfillRequestError } from '../../sync/backfill/backfill-errors.ts';
import { startBackfill } from '../../sync/backfill/plan-backfill.ts';
import { orgProcedure, requireRole } from '../procedures.ts';
import { scopeToOrg } from '../scope-to-org.ts';
import { ZStartBackfillRequestSchema, ZStartBackfillResponseSchema } from './start-backfill.types.ts';

/**
 * Plans a backfill (or finds the unfinished one of the same range) and leaves it queued: the
 * worker's pick-up job starts it, so a long listing never runs inside a request.
 */
export const startBackfillRoute = orgProcedure
  .use(requireRole('admin'))
  .input(ZStartBackfillRequestSchema)
  .output(ZStartBackfillResponseSchema)
  .mutation(async ({ ctx, input }) => {
    try {
      const { run, resumed, segmentCount } = await startBackfill(ctx.db, {
        ...scopeToOrg(ctx),
        integrationId: input.integrationId,
        from: input.from,
        to: input.to,
        requestedById: ctx.session.userId,
      });
      await ctx.db.auditLogEntry.create({
        data: {
          ...scopeToOrg(ctx),
          actorKind: 'user',
          actorId: ctx.session.userId,
          action: resumed ? 'backfill.resumed' : 'backfill.started',
          targetType: 'backfill_run',
          targetId: run.id,
          data: { integrationId: input.integrationId, from: input.from, to: input.to },
          requestId: ctx.requestId,
        },
      });
      ctx.log.info({ orgId: ctx.org.id, integrationId: input.integrationId, runId: run.id, resumed }, 'backfill requested');
      return { runId: run.id, status: run.status, resumed, segments: segmentCount };
    } catch (error) {
      if (error instanceof BackfillRequestError) {
        throw new TRPCError({ code: error.code === 'BACKFILL_INTEGRATION_NOT_FOUND' ? 'NOT_FOUND' : 'BAD_REQUEST', message: error.message });
      }
      throw error;
    }
  });
