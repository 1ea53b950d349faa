import { TRPCError } from '@trpc/server';
import { compareSegments } from '../../sync/backfill/backfill-object-types.ts';
import { parseOutcome, parseSegmentError, summarizeSegments } from '../../sync/backfill/backfill-outcome.ts';
import { orgProcedure } from '../procedures.ts';
import { scopeToOrg } from '../scope-to-org.ts';
import { ZGetBackfillStatusRequestSchema, ZGetBackfillStatusResponseSchema } from './get-backfill-status.types.ts';

/** Times are ISO strings (no tRPC transformer). A run's progress per segment and what it is missing; any member of the organization may look. */
export const getBackfillStatusRoute = orgProcedure
  .input(ZGetBackfillStatusRequestSchema)
  .output(ZGetBackfillStatusResponseSchema)
  .query(async ({ ctx, input }) => {
    const run = await ctx.db.backfillRun.findFirst({ where: { id: input.runId, ...scopeToOrg(ctx) }, include: { segments: true } });
    if (!run) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such backfill in this organization.' });

    const segments = [...run.segments].sort(compareSegments);
    const live = summarizeSegments(segments, null);
    const ended = parseOutcome(run);
    return {
      runId: run.id,
      integrationId: run.integrationId,
      status: run.status,
      rangeStart: run.rangeStart.toISOString(),
      rangeEnd: run.rangeEnd.toISOString(),
      createdAt: run.createdAt.toISOString(),
      startedAt: run.startedAt?.toISOString() ?? null,
      finishedAt: run.finishedAt?.toISOString() ?? null,
      totals: {
        segments: live.segments,
        completeSegments: live.completeSegments,
        failedSegments: segments.filter((segment) => segment.status === 'failed').length,
        listed: live.listed,
        enqueued: live.enqueued,
      },
      segments: segments.map((segment) => ({
        id: segment.id,
        objectType: segment.objectType,
        rangeStart: segment.rangeStart.toISOString(),
        rangeEnd: segment.rangeEnd.toISOString(),
        status: segment.status,
        listedCount: segment.listedCount,
        enqueuedCount: segment.enqueuedCount,
        error: parseSegmentError(segment.lastError),
      })),
      missing: live.missing,
      stoppedBy: ended?.stoppedBy ?? null,
    };
  });
