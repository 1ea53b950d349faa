import { TRPCError } from '@trpc/server';
import { requestResync, ResyncRefusedError } from '../../sync/request-resync.ts';
import { orgProcedure, requireRole } from '../procedures.ts';
import { scopeToOrg } from '../scope-to-org.ts';
import { ZResyncRecordRequestSchema, ZResyncRecordResponseSchema } from './resync-record.types.ts';

/**
 * An admin retries one item (a failed or dead one, or any to re-check it): the worker fetches the
 * object's current state again and posts only what Sage does not already have.
 */
export const resyncRecordRoute = orgProcedure
  .use(requireRole('admin'))
  .input(ZResyncRecordRequestSchema)
  .output(ZResyncRecordResponseSchema)
  .mutation(async ({ ctx, input }) => {
    const record = await ctx.db.syncRecord.findFirst({ where: { id: input.syncRecordId, ...scopeToOrg(ctx) } });
    // Another organization's item looks exactly like a missing one.
    if (!record) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such item in this organization.' });
    if (!ctx.boss) throw new TRPCError({ code: 'SERVICE_UNAVAILABLE', message: 'The job queue is not available on this server; try again shortly.' });
    try {
      await requestResync(ctx.db, ctx.boss, record, { kind: 'user', id: ctx.session.userId, requestId: ctx.requestId });
    } catch (error) {
      if (error instanceof ResyncRefusedError) throw new TRPCError({ code: 'PRECONDITION_FAILED', message: error.message });
      throw error;
    }
    const after = await ctx.db.syncRecord.findUniqueOrThrow({ where: { id: record.id }, select: { id: true, status: true } });
    return { syncRecordId: after.id, status: after.status, queued: true };
  });
