import type { PrismaClient, StripeAppLinkToken } from '@sagesync/db';
import { TRPCError } from '@trpc/server';
import { hashLinkToken } from '../../http/stripe-app/link-token.ts';

// The portal's half of the Stripe App link (the api's /stripe-app/link made it): a link is good
// until it expires or is used once. Each way it can be no good gets its own message, because the
// person holding it can only fix it by getting a new one from the app's settings.

const GET_A_NEW_LINK = 'Open the Sage Sync app settings in the Stripe Dashboard and get a new link.';

/** Why a token cannot be used now; `row` is what the database holds for its hash (null: nothing). */
export function linkTokenRefusal(row: Pick<StripeAppLinkToken, 'usedAt' | 'expiresAt'> | null, now: Date): TRPCError {
  if (!row) return new TRPCError({ code: 'NOT_FOUND', message: `This link is not valid. ${GET_A_NEW_LINK}` });
  if (row.usedAt) return new TRPCError({ code: 'CONFLICT', message: `This link was already used; each link works once. ${GET_A_NEW_LINK}` });
  if (row.expiresAt.getTime() <= now.getTime()) {
    return new TRPCError({ code: 'PRECONDITION_FAILED', message: `This link expired at ${row.expiresAt.toISOString()}; links work for 15 minutes. ${GET_A_NEW_LINK}` });
  }
  // Not reached for a row that is open; kept so a caller never gets `undefined`.
  return new TRPCError({ code: 'CONFLICT', message: `This link cannot be used now. ${GET_A_NEW_LINK}` });
}

function isOpen(row: Pick<StripeAppLinkToken, 'usedAt' | 'expiresAt'>, now: Date): boolean {
  return row.usedAt === null && row.expiresAt.getTime() > now.getTime();
}

/** The token's row when the link can still be used; otherwise throws why not. Reads only. */
export async function findOpenLinkToken(db: Pick<PrismaClient, 'stripeAppLinkToken'>, token: string, now: Date): Promise<StripeAppLinkToken> {
  const row = await db.stripeAppLinkToken.findUnique({ where: { tokenHash: hashLinkToken(token) } });
  if (!row || !isOpen(row, now)) throw linkTokenRefusal(row, now);
  return row;
}
