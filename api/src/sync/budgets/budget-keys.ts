import type { SageEdition } from '@sagesync/db';

/**
 * The budget key of one Sage company: `<edition>:<company id>`. It is the same string every Sage
 * connector passes to its RateLimiter as `rateLimitKey` (they build it inline, because connectors
 * do not import sync), so the shared bucket and the connectors meet on one row per company.
 * Prefix limits (limitsByKeyPrefix) are therefore per edition: `sage500:`, `sage_pro:`, ...
 */
export function budgetKeyForSageCompany(edition: SageEdition, companyId: string): string {
  if (companyId.trim() === '') throw new RangeError('A Sage company id is needed for its request budget');
  return `${edition}:${companyId}`;
}

/** The key prefix shared by every company of one edition, for limitsByKeyPrefix. */
export function budgetKeyPrefixForSageEdition(edition: SageEdition): string {
  return `${edition}:`;
}
