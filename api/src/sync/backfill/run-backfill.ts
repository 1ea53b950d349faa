import { Prisma, type BackfillSegment, type Integration, type PrismaClient } from '@sagesync/db';
import { fromPrisma } from 'pg-boss';
import { isStripeConnectorError, type StripeConnectorError } from '../../connectors/stripe/stripe-error.ts';
import type { StripeReader } from '../../connectors/stripe/stripe-client.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Queue } from '../../queue/create-queue.ts';
import { ensureSyncObjectQueue, SYNC_OBJECT_QUEUE, syncObjectJob, ZSyncObjectJobPayload } from '../ingest/sync-object-job.ts';
import { BACKFILL_LIST_RESOURCE, compareSegments, isBackfillObjectType } from './backfill-object-types.ts';
import { BackfillRequestError, BackfillRunBusyError } from './backfill-errors.ts';
import { summarizeSegments, type BackfillOutcome, type BackfillSegmentError } from './backfill-outcome.ts';

/**
 * Live events are enqueued at pg-boss's default priority 0 and fetched highest first, so every
 * backfill job waits behind every live one, whichever tenant either belongs to. (On the
 * key_strict_fifo queue priority orders the heads of different keys; within one object's key the
 * order stays first come, first served.)
 */
export const BACKFILL_JOB_PRIORITY = -10;

/** Stripe's largest page: fewest requests from the account's read budget. */
export const BACKFILL_PAGE_SIZE = 100;

/** The synthetic event id of every job a run enqueues: there is no Stripe event behind it. */
export function backfillEventId(runId: string): string {
  return `backfill:${runId}`;
}

/** Failures that will fail every other segment the same way until a person fixes the connection. */
const ACCOUNT_WIDE_CODES = new Set(['STRIPE_AUTH', 'STRIPE_PERMISSION']);

export type SegmentProgress = Pick<BackfillSegment, 'id' | 'objectType' | 'rangeStart' | 'rangeEnd' | 'status' | 'listedCount' | 'enqueuedCount'>;

export type BackfillProgress = {
  runId: string;
  /** The segment that just moved (a page saved, or a status change). */
  segment: SegmentProgress;
  totals: { segments: number; finishedSegments: number; failedSegments: number; listed: number; enqueued: number };
};

export type RunBackfillDeps = {
  prisma: PrismaClient;
  boss: Queue;
  /** A reader on the integration's account, within its read budget (SyncServices.stripeFor). */
  stripeFor(integration: Integration): Promise<StripeReader>;
  log: Logger;
  now?: () => Date;
};

export type RunBackfillOptions = {
  /** Called after every saved page and every segment status change; a throw stops the run where it is (resumable). */
  onProgress?: (progress: BackfillProgress) => void | Promise<void>;
  pageSize?: number;
};

export type RunBackfillResult = {
  runId: string;
  status: 'complete' | 'partial' | 'failed' | 'cancelled';
  outcome: BackfillOutcome;
};

function segmentError(error: StripeConnectorError, at: Date): BackfillSegmentError {
  return { code: error.code, message: error.message, retryable: error.retryable, retryAfterMs: error.retryAfterMs ?? null, at: at.toISOString() };
}

/**
 * Lists a run's unfinished segments from Stripe, page by page from each segment's saved cursor,
 * and enqueues every object for the sync at backfill priority. Each page's jobs and the segment's
 * new cursor and counts commit in one transaction, so after a crash the run resumes after the
 * last saved page: no page is enqueued twice, none is skipped.
 *
 * A segment that Stripe refuses (rate limits beyond the reader's retries, outages) is marked
 * failed with the error, and the run moves on; the run then ends `partial` with what is missing.
 * Only a run whose every segment completed ends `complete`.
 */
export async function runBackfill(deps: RunBackfillDeps, runId: string, options: RunBackfillOptions = {}): Promise<RunBackfillResult> {
  const { prisma, boss } = deps;
  const now = deps.now ?? (() => new Date());
  const pageSize = options.pageSize ?? BACKFILL_PAGE_SIZE;

  const run = await prisma.backfillRun.findUnique({ where: { id: runId }, include: { integration: true } });
  if (!run) throw new BackfillRequestError('BACKFILL_RUN_NOT_FOUND', `There is no backfill ${runId}.`);
  const log = deps.log.child({ orgId: run.orgId, integrationId: run.integrationId, backfillRunId: run.id });

  if (run.status === 'complete' || run.status === 'cancelled') {
    const segments = await prisma.backfillSegment.findMany({ where: { runId } });
    return { runId, status: run.status, outcome: summarizeSegments(segments, null) };
  }

  // Failed segments of an earlier attempt get another try, from where they stopped.
  await prisma.$transaction([
    prisma.backfillSegment.updateMany({ where: { runId, status: 'failed' }, data: { status: 'queued' } }),
    prisma.backfillRun.update({
      where: { id: runId },
      data: { status: 'running', startedAt: run.startedAt ?? now(), finishedAt: null, outcome: Prisma.DbNull },
    }),
  ]);

  const segments = (await prisma.backfillSegment.findMany({ where: { runId } })).sort(compareSegments);
  const byId = new Map(segments.map((segment) => [segment.id, segment]));

  const totals = () => {
    const all = [...byId.values()];
    return {
      segments: all.length,
      finishedSegments: all.filter((segment) => segment.status === 'complete').length,
      failedSegments: all.filter((segment) => segment.status === 'failed').length,
      listed: all.reduce((sum, segment) => sum + segment.listedCount, 0),
      enqueued: all.reduce((sum, segment) => sum + segment.enqueuedCount, 0),
    };
  };
  const report = async (segment: BackfillSegment) => {
    byId.set(segment.id, segment);
    await options.onProgress?.({ runId, segment, totals: totals() });
  };

  const finish = async (stoppedBy: BackfillOutcome['stoppedBy']): Promise<RunBackfillResult> => {
    const outcome = summarizeSegments([...byId.values()], stoppedBy);
    const status = outcome.missing.length === 0 ? 'complete' : stoppedBy ? 'failed' : 'partial';
    await prisma.backfillRun.update({ where: { id: runId }, data: { status, outcome, finishedAt: now() } });
    log.info({ status, listed: outcome.listed, enqueued: outcome.enqueued, missing: outcome.missing.length }, 'backfill run ended');
    return { runId, status, outcome };
  };

  let reader: StripeReader;
  try {
    reader = await deps.stripeFor(run.integration);
  } catch (error) {
    if (!isStripeConnectorError(error)) throw error;
    return finish({ code: error.code, message: error.message });
  }
  // Outside any transaction: it also warms pg-boss's queue cache, so the inserts below never look
  // the queue up on a connection of their own (on PGlite that would wait for our transaction).
  await ensureSyncObjectQueue(boss);

  for (const start of segments) {
    if (start.status === 'complete') continue;
    let segment = start;
    if (!isBackfillObjectType(segment.objectType)) {
      segment = await prisma.backfillSegment.update({
        where: { id: segment.id },
        data: { status: 'failed', lastError: { code: 'BACKFILL_UNSUPPORTED_TYPE', message: `${segment.objectType} cannot be backfilled.`, retryable: false, retryAfterMs: null, at: now().toISOString() } },
      });
      await report(segment);
      continue;
    }
    const objectType = segment.objectType;
    if (segment.status !== 'running') {
      segment = await prisma.backfillSegment.update({ where: { id: segment.id }, data: { status: 'running' } });
      await report(segment);
    }
    const range = { gte: Math.floor(segment.rangeStart.getTime() / 1000), lt: Math.floor(segment.rangeEnd.getTime() / 1000) };

    for (;;) {
      let page;
      try {
        page = await reader.listCreated(BACKFILL_LIST_RESOURCE[objectType], range, segment.cursor, { limit: pageSize });
      } catch (error) {
        if (!isStripeConnectorError(error)) throw error;
        log.warn({ err: error, segmentId: segment.id, objectType, code: error.code }, 'backfill segment failed');
        segment = await prisma.backfillSegment.update({ where: { id: segment.id }, data: { status: 'failed', lastError: segmentError(error, now()) } });
        await report(segment);
        if (ACCOUNT_WIDE_CODES.has(error.code)) return finish({ code: error.code, message: error.message });
        break;
      }

      const jobs = page.objects.map((object) => ({
        ...syncObjectJob(
          ZSyncObjectJobPayload.parse({
            integrationId: run.integrationId,
            orgId: run.orgId,
            objectType,
            objectId: object.id,
            eventId: backfillEventId(runId),
          }),
        ),
        priority: BACKFILL_JOB_PRIORITY,
      }));
      const expected = segment;
      segment = await prisma.$transaction(async (tx) => {
        // Saved only if nobody moved the segment since we read it: a second runner of this run
        // loses here, before it enqueues, rather than enqueueing the page again.
        const saved = await tx.backfillSegment.updateMany({
          where: { id: expected.id, status: 'running', cursor: expected.cursor, listedCount: expected.listedCount },
          data: {
            cursor: page.nextCursor,
            listedCount: { increment: page.objects.length },
            enqueuedCount: { increment: jobs.length },
            ...(page.hasMore ? {} : { status: 'complete', lastError: Prisma.DbNull }),
          },
        });
        if (saved.count !== 1) throw new BackfillRunBusyError(runId);
        // `db` on every pg-boss call inside the transaction: the jobs commit or vanish with the cursor.
        if (jobs.length > 0) await boss.insert(SYNC_OBJECT_QUEUE, jobs, { db: fromPrisma(tx) });
        return tx.backfillSegment.findUniqueOrThrow({ where: { id: expected.id } });
      });
      await report(segment);
      if (!page.hasMore) break;
    }
  }

  return finish(null);
}
