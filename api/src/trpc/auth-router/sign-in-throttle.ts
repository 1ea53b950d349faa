import { createHash } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { BucketLimit } from '../../sync/budgets/budget-limits.ts';
import { PostgresTokenBucket, type BucketSqlClient } from '../../sync/budgets/postgres-token-bucket.ts';

/**
 * Ten tries at once, then one a minute, per e-mail address. Password guessing against one account
 * becomes too slow to matter, and a user who mistypes a few times is never held up. The bucket
 * lives in PostgreSQL, so every api process counts the same attempts.
 */
export const SIGN_IN_ATTEMPTS: BucketLimit = { perMinute: 10, burst: 10 };

/** The e-mail is hashed so the table of buckets holds no addresses. */
export function signInBucketKey(email: string): string {
  return `sign-in:${createHash('sha256').update(email.trim().toLowerCase()).digest('hex')}`;
}

/** Spends one attempt for this e-mail, or refuses with TOO_MANY_REQUESTS and when to try again. */
export async function spendSignInAttempt(prisma: BucketSqlClient, email: string, now: () => number = Date.now): Promise<void> {
  const bucket = new PostgresTokenBucket({ prisma, limits: SIGN_IN_ATTEMPTS, now });
  const waitMs = await bucket.tryAcquire(signInBucketKey(email));
  if (waitMs === 0) return;
  const minutes = Math.max(1, Math.ceil(waitMs / 60_000));
  throw new TRPCError({
    code: 'TOO_MANY_REQUESTS',
    message: `Too many sign-in attempts for this e-mail address. Try again in ${minutes === 1 ? 'a minute' : `${minutes} minutes`}.`,
  });
}
