import { TRPCError } from '@trpc/server';
import { redriveDeadRecords } from '../../sync/redrive-dead-records.ts';
import { orgProcedure, requireRole } from '../procedures.ts';
import { scopeToOrg } from '../scope-to-org.ts';
import { ZRedriveDeadRecordsRequestSchema, ZRedriveDeadRecordsResponseSchema } from './redrive-dead-records.types.ts';

/**
 * An admin sends the organization's dead items back through the sync, in bulk (sync.resync is the
 * one-item version). Only this organization's items are read; another organization's integration
 * looks exactly like a missing one, and another organization's item ids simply match nothing.
 */
export const redriveDeadRecordsRoute = orgProcedure
  .use(requireRole('admin'))
  .input(ZRedriveDeadRecordsRequestSchema)
  .output(ZRedriveDeadRecordsResponseSchema)
  .mutation(async ({ ctx, input }) => {
    const { orgId: _orgId, dryRun, ...filter } = input;
    if (filter.integrationId) {
      const integration = await ctx.db.integration.findFirst({ where: { id: filter.integrationId, ...scopeToOrg(ctx) }, select: { id: true } });
      if (!integration) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such integration in this organization.' });
    }
    if (!ctx.boss) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The job queue is not available on this server; try again shortly.' });
    return redriveDeadRecords(ctx.db, ctx.boss, { orgId: scopeToOrg(ctx).orgId, filter, dryRun }, { kind: 'user', id: ctx.session.userId, requestId: ctx.requestId, via: 'portal' });
  });
