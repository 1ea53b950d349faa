import type { PrismaClient } from '@sagesync/db';
import { decodeSessionToken, readSessionCookie } from './session-token.ts';

export type Session = { userId: string; email: string };

/**
 * The signed-in person behind a request, or null. A valid cookie is not enough: the user must
 * still exist, so deleting a user ends their sessions at once instead of at the cookie's expiry.
 */
export async function resolveSession(
  prisma: PrismaClient,
  cookieHeader: string | undefined,
  secret: string,
): Promise<Session | null> {
  const token = readSessionCookie(cookieHeader);
  if (!token) return null;
  const claims = await decodeSessionToken(token, secret);
  if (!claims) return null;
  const user = await prisma.user.findUnique({ where: { id: claims.sub }, select: { id: true, email: true } });
  return user ? { userId: user.id, email: user.email } : null;
}
