import type { SyncRecord } from '@sagesync/db';
import { TRPCError } from '@trpc/server';
import { anomalyReasons, explainAttempt, recordError } from '../../records/explain-sync-record.ts';
import { orgProcedure } from '../procedures.ts';
import { scopeToOrg } from '../scope-to-org.ts';
import { ZGetRecordRequestSchema, ZGetRecordResponseSchema } from './get-record.types.ts';
import { RECORD_INTEGRATION_SELECT, recordAmount } from './record-shapes.ts';

/** A record's history is long only when something keeps failing; the newest attempts say why. */
export const RECORD_ATTEMPTS_SHOWN = 50;

const RELATED_SELECT = { id: true, sourceObjectType: true, sourceObjectId: true, status: true, amountMinor: true, currency: true } as const;

function related(record: Pick<SyncRecord, keyof typeof RELATED_SELECT>) {
  const { amountMinor: _amountMinor, currency: _currency, ...link } = record;
  return { ...link, amount: recordAmount(record) };
}

/**
 * One item as the portal's record page shows it: where it stands in Sage, why not if it is not,
 * its charge and its refunds and disputes, and its attempts. Any member may look; another
 * organization's item looks exactly like a missing one.
 */
export const getRecordRoute = orgProcedure
  .input(ZGetRecordRequestSchema)
  .output(ZGetRecordResponseSchema)
  .query(async ({ ctx, input }) => {
    const record = await ctx.db.syncRecord.findFirst({
      where: { id: input.id, ...scopeToOrg(ctx) },
      include: { integration: { select: RECORD_INTEGRATION_SELECT } },
    });
    if (!record) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such item in this organization.' });

    const [parent, children, attempts, attemptCount, openCases] = await Promise.all([
      record.parentId ? ctx.db.syncRecord.findFirst({ where: { id: record.parentId, ...scopeToOrg(ctx) }, select: RELATED_SELECT }) : null,
      ctx.db.syncRecord.findMany({
        where: { parentId: record.id, ...scopeToOrg(ctx) },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        select: RELATED_SELECT,
      }),
      ctx.db.syncAttempt.findMany({
        where: { syncRecordId: record.id, ...scopeToOrg(ctx) },
        orderBy: { number: 'desc' },
        take: RECORD_ATTEMPTS_SHOWN,
      }),
      ctx.db.syncAttempt.count({ where: { syncRecordId: record.id, ...scopeToOrg(ctx) } }),
      record.status === 'held'
        ? ctx.db.anomalyCase.findMany({
            where: { syncRecordId: record.id, status: 'open', ...scopeToOrg(ctx) },
            orderBy: { createdAt: 'asc' },
            select: { reasons: true },
          })
        : [],
    ]);

    const hasDocument = record.sageDocumentType !== null || record.sageDocumentId !== null || record.sageDocumentNumber !== null;
    return {
      id: record.id,
      sourceObjectType: record.sourceObjectType,
      sourceObjectId: record.sourceObjectId,
      status: record.status,
      sageDocument: hasDocument ? { type: record.sageDocumentType, id: record.sageDocumentId, number: record.sageDocumentNumber } : null,
      amount: recordAmount(record),
      error: recordError(record),
      anomalyReasons: record.status === 'held' ? anomalyReasons(record, openCases) : [],
      integration: record.integration,
      parent: parent ? related(parent) : null,
      children: children.map(related),
      attempts: attempts.map((attempt) => ({
        number: attempt.number,
        ...explainAttempt(attempt),
        startedAt: attempt.startedAt.toISOString(),
        finishedAt: attempt.finishedAt?.toISOString() ?? null,
        durationMs: attempt.durationMs,
      })),
      attemptCount,
      createdAt: record.createdAt.toISOString(),
      updatedAt: record.updatedAt.toISOString(),
      syncedAt: record.syncedAt?.toISOString() ?? null,
      nextAttemptAt: record.nextAttemptAt?.toISOString() ?? null,
    };
  });
