import type { BackfillStatus } from '@sagesync/db';
import { z } from 'zod';

const BACKFILL_STATUSES = ['queued', 'running', 'complete', 'partial', 'failed', 'cancelled'] as const satisfies readonly BackfillStatus[];

/** Mirrors the Prisma enum; types only from the database package, so the portal can import it. */
export const ZBackfillStatusSchema = z.enum(BACKFILL_STATUSES);
