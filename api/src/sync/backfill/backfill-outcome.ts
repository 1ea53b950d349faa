import type { BackfillRun, BackfillSegment } from '@sagesync/db';
import { z } from 'zod';

/** A segment's last failure as stored in `backfill_segments.lastError`. */
export const ZBackfillSegmentError = z.object({
  code: z.string(),
  message: z.string(),
  retryable: z.boolean(),
  retryAfterMs: z.number().int().nonnegative().nullable(),
  at: z.iso.datetime(),
});
export type BackfillSegmentError = z.infer<typeof ZBackfillSegmentError>;

/** One part of the range that was not (fully) brought in. */
export const ZBackfillMissingPart = z.object({
  segmentId: z.string(),
  objectType: z.string(),
  rangeStart: z.iso.datetime(),
  rangeEnd: z.iso.datetime(),
  status: z.string(),
  /** Objects already listed and enqueued from this part before it stopped. */
  listedCount: z.number().int().nonnegative(),
  error: ZBackfillSegmentError.nullable(),
});
export type BackfillMissingPart = z.infer<typeof ZBackfillMissingPart>;

/** `backfill_runs.outcome`: written when a run ends, whatever the status. */
export const ZBackfillOutcome = z.object({
  segments: z.number().int().nonnegative(),
  completeSegments: z.number().int().nonnegative(),
  listed: z.number().int().nonnegative(),
  enqueued: z.number().int().nonnegative(),
  /** Every segment that did not complete: empty exactly when the run is complete. */
  missing: z.array(ZBackfillMissingPart),
  /** Set when an account-wide failure (no key, revoked access) stopped the run before the end. */
  stoppedBy: z.object({ code: z.string(), message: z.string() }).nullable(),
});
export type BackfillOutcome = z.infer<typeof ZBackfillOutcome>;

export function parseSegmentError(value: unknown): BackfillSegmentError | null {
  const parsed = ZBackfillSegmentError.safeParse(value);
  return parsed.success ? parsed.data : null;
}

export function missingPartOf(segment: BackfillSegment): BackfillMissingPart {
  return {
    segmentId: segment.id,
    objectType: segment.objectType,
    rangeStart: segment.rangeStart.toISOString(),
    rangeEnd: segment.rangeEnd.toISOString(),
    status: segment.status,
    listedCount: segment.listedCount,
    error: parseSegmentError(segment.lastError),
  };
}

export function summarizeSegments(segments: readonly BackfillSegment[], stoppedBy: BackfillOutcome['stoppedBy']): BackfillOutcome {
  const missing = segments.filter((segment) => segment.status !== 'complete');
  return {
    segments: segments.length,
    completeSegments: segments.length - missing.length,
    listed: segments.reduce((sum, segment) => sum + segment.listedCount, 0),
    enqueued: segments.reduce((sum, segment) => sum + segment.enqueuedCount, 0),
    missing: missing.map(missingPartOf),
    stoppedBy,
  };
}

/** The stored outcome, or null for a run that has not ended (or an outcome written by an older shape). */
export function parseOutcome(run: Pick<BackfillRun, 'outcome'>): BackfillOutcome | null {
  const parsed = ZBackfillOutcome.safeParse(run.outcome);
  return parsed.success ? parsed.data : null;
}
