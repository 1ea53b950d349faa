import { TRPCError } from '@trpc/server';
import { anomalyReasons } from '../../records/explain-sync-record.ts';
import { orgProcedure } from '../procedures.ts';
import { scopeToOrg } from '../scope-to-org.ts';
import { decodeHeldRecordsCursor, encodeHeldRecordsCursor } from './held-records-cursor.ts';
import { ZListHeldRecordsRequestSchema, ZListHeldRecordsResponseSchema } from './list-held-records.types.ts';
import { RECORD_INTEGRATION_SELECT, recordAmount } from './record-shapes.ts';

/**
 * The organization's items held for review, newest first, a page at a time, each with why it is
 * held. Any member may look (deciding on them is the review queue's, with its own roles).
 */
export const listHeldRecordsRoute = orgProcedure
  .input(ZListHeldRecordsRequestSchema)
  .output(ZListHeldRecordsResponseSchema)
  .query(async ({ ctx, input }) => {
    if (input.integrationId) {
      const integration = await ctx.db.integration.findFirst({ where: { id: input.integrationId, ...scopeToOrg(ctx) }, select: { id: true } });
      // Another organization's integration looks exactly like a missing one.
      if (!integration) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such integration in this organization.' });
    }
    const after = input.cursor ? decodeHeldRecordsCursor(input.cursor) : null;
    if (input.cursor && !after) throw new TRPCError({ code: 'BAD_REQUEST', message: 'This page link is not valid any more: reload the list.' });

    const rows = await ctx.db.syncRecord.findMany({
      where: {
        ...scopeToOrg(ctx),
        status: 'held',
        ...(input.integrationId ? { integrationId: input.integrationId } : {}),
        ...(after ? { OR: [{ updatedAt: { lt: after.at } }, { updatedAt: after.at, id: { lt: after.id } }] } : {}),
      },
      orderBy: [{ updatedAt: 'desc' }, { id: 'desc' }],
      // One more than asked: whether it comes back says whether there is a next page.
      take: input.limit + 1,
      include: { integration: { select: RECORD_INTEGRATION_SELECT } },
    });
    const page = rows.slice(0, input.limit);
    const openCases =
      page.length === 0
        ? []
        : await ctx.db.anomalyCase.findMany({
            where: { ...scopeToOrg(ctx), syncRecordId: { in: page.map((row) => row.id) }, status: 'open' },
            orderBy: { createdAt: 'asc' },
            select: { syncRecordId: true, reasons: true },
          });

    const last = page[page.length - 1];
    return {
      items: page.map((row) => ({
        id: row.id,
        sourceObjectType: row.sourceObjectType,
        sourceObjectId: row.sourceObjectId,
        amount: recordAmount(row),
        reasons: anomalyReasons(row, openCases.filter((anomalyCase) => anomalyCase.syncRecordId === row.id)),
        integration: row.integration,
        heldAt: row.updatedAt.toISOString(),
      })),
      nextCursor: rows.length > input.limit && last ? encodeHeldRecordsCursor(last) : null,
    };
  });
