import type { BackfillRun, Prisma, PrismaClient } from '@sagesync/db';
import { z } from 'zod';
import { isValidTimeZone } from '../../accounting/local-date.ts';
import { BACKFILL_OBJECT_TYPES, type BackfillObjectType } from './backfill-object-types.ts';
import { BackfillRequestError } from './backfill-errors.ts';
import { addDays, daysBetween, localDayStart, ZCalendarDate } from './local-day-start.ts';

/**
 * A backfill request: calendar dates in the integration's time zone, `to` exclusive (the day
 * after the last day to bring in), so `2025-01-01`..`2025-02-01` is all of January.
 */
export const ZBackfillRequest = z
  .object({
    orgId: z.string().min(1, 'Choose an organization.'),
    integrationId: z.string().min(1, 'Choose an integration.'),
    from: ZCalendarDate,
    to: ZCalendarDate,
  })
  .refine((request) => request.from < request.to, { path: ['to'], message: 'The end date must be after the start date (the end date is not included).' });
export type BackfillRequest = z.infer<typeof ZBackfillRequest>;

/**
 * Time slices per object type stay below this by widening the slice for long ranges: a year is
 * about 92 slices of 4 days, not 365 of one. A slice with nothing in it still costs one request.
 */
export const MAX_SLICES_PER_OBJECT_TYPE = 92;

export type PlannedSegment = { objectType: BackfillObjectType; rangeStart: Date; rangeEnd: Date };

/** The segments of [from, to): whole local days per slice, each slice once per object type. */
export function planSegments(from: string, to: string, timeZone: string): PlannedSegment[] {
  const days = daysBetween(from, to);
  const sliceDays = Math.max(1, Math.ceil(days / MAX_SLICES_PER_OBJECT_TYPE));
  const segments: PlannedSegment[] = [];
  for (let start = from; start < to; ) {
    const next = addDays(start, sliceDays);
    const end = next < to ? next : to;
    const rangeStart = localDayStart(start, timeZone);
    const rangeEnd = localDayStart(end, timeZone);
    for (const objectType of BACKFILL_OBJECT_TYPES) segments.push({ objectType, rangeStart, rangeEnd });
    start = end;
  }
  return segments;
}

export type StartBackfillResult = {
  run: BackfillRun;
  /** True when an unfinished run of the same integration and range was found and reused. */
  resumed: boolean;
  segmentCount: number;
};

/** Runs that a new request for the same range continues instead of starting over. */
const RESUMABLE_STATUSES = ['queued', 'running', 'partial', 'failed'] as const;

/**
 * Plans a backfill (a run and its segments, in one transaction), or returns the unfinished run of
 * the same integration and range so a second request resumes it instead of listing everything
 * again. A run that ended partial or failed is queued again: its missing segments will be retried.
 */
export async function startBackfill(
  prisma: PrismaClient,
  input: BackfillRequest & { requestedById?: string | null },
  { now = () => new Date() }: { now?: () => Date } = {},
): Promise<StartBackfillResult> {
  const request = ZBackfillRequest.parse(input);
  const integration = await prisma.integration.findFirst({
    where: { id: request.integrationId, orgId: request.orgId },
    select: { id: true, orgId: true, source: true, timeZone: true, name: true },
  });
  // Another organization's integration looks exactly like a missing one.
  if (!integration) throw new BackfillRequestError('BACKFILL_INTEGRATION_NOT_FOUND', 'No such integration in this organization.');
  if (integration.source !== 'stripe') {
    throw new BackfillRequestError('BACKFILL_NOT_STRIPE', `${integration.name} is not a Stripe integration; only Stripe history can be backfilled.`);
  }
  if (!isValidTimeZone(integration.timeZone)) {
    throw new BackfillRequestError('BACKFILL_TIME_ZONE_INVALID', `${integration.name} has no valid time zone ("${integration.timeZone}"); fix it before a backfill.`);
  }

  const rangeStart = localDayStart(request.from, integration.timeZone);
  const rangeEnd = localDayStart(request.to, integration.timeZone);
  if (rangeEnd.getTime() <= rangeStart.getTime()) {
    throw new BackfillRequestError('BACKFILL_RANGE_EMPTY', 'The range is empty: the end date must be after the start date.');
  }
  // History only: what happens from now on arrives by webhook, and a range ending later would be
  // marked complete while objects can still appear in it.
  if (rangeEnd.getTime() > now().getTime()) {
    throw new BackfillRequestError(
      'BACKFILL_RANGE_IN_FUTURE',
      `The range ends in the future (${request.to} in ${integration.timeZone}). The end date is not included: today at the latest.`,
    );
  }

  return prisma.$transaction(async (tx) => {
    // Two requests for one integration at once must not both create a run.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`backfill:${integration.id}`}))`;
    const existing = await tx.backfillRun.findFirst({
      where: { integrationId: integration.id, rangeStart, rangeEnd, status: { in: [...RESUMABLE_STATUSES] } },
      orderBy: { createdAt: 'desc' },
      include: { _count: { select: { segments: true } } },
    });
    if (existing) {
      const { _count, ...run } = existing;
      if (run.status === 'partial' || run.status === 'failed') {
        const requeued = await tx.backfillRun.update({ where: { id: run.id }, data: { status: 'queued', finishedAt: null } });
        return { run: requeued, resumed: true, segmentCount: _count.segments };
      }
      return { run, resumed: true, segmentCount: _count.segments };
    }

    const run = await tx.backfillRun.create({
      data: {
        orgId: integration.orgId,
        integrationId: integration.id,
        rangeStart,
        rangeEnd,
        status: 'queued',
        requestedById: input.requestedById ?? null,
      },
    });
    const segments = planSegments(request.from, request.to, integration.timeZone).map(
      (segment): Prisma.BackfillSegmentCreateManyInput => ({ runId: run.id, ...segment, status: 'queued' }),
    );
    await tx.backfillSegment.createMany({ data: segments });
    return { run, resumed: false, segmentCount: segments.length };
  });
}
