import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '@sagesync/db';

// The link that pairs a Stripe account (and the Dashboard user who asked) with a portal
// organization. The token is 256 random bits: nobody can make or guess one, and only its sha-256
// is stored, so a copy of the database does not hold a usable link. It expires, and the portal
// consumes it once (stripe-app-link-router).

export const LINK_TOKEN_TTL_MS = 15 * 60 * 1000;
export const LINK_PAGE_PATH = '/link/stripe';

export function hashLinkToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function linkPageUrl(portalOrigin: string, token: string): string {
  return `${portalOrigin}${LINK_PAGE_PATH}?token=${encodeURIComponent(token)}`;
}

export type CreatedLink = { url: string; expiresAt: string };

/**
 * A new link for the signed account and user. Expired links of the account that were never used
 * are deleted on the way, so a Dashboard that asks again and again does not pile rows up; used
 * ones stay, as the record of who linked what.
 */
export async function createLinkToken(
  db: PrismaClient,
  input: { stripeAccountId: string; stripeUserId: string; portalOrigin: string; now?: Date },
): Promise<CreatedLink> {
  const now = input.now ?? new Date();
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + LINK_TOKEN_TTL_MS);
  await db.$transaction([
    db.stripeAppLinkToken.deleteMany({ where: { stripeAccountId: input.stripeAccountId, usedAt: null, expiresAt: { lt: now } } }),
    db.stripeAppLinkToken.create({
      data: { tokenHash: hashLinkToken(token), stripeAccountId: input.stripeAccountId, stripeUserId: input.stripeUserId, expiresAt },
    }),
  ]);
  return { url: linkPageUrl(input.portalOrigin, token), expiresAt: expiresAt.toISOString() };
}
