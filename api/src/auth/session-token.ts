import { randomUUID } from 'node:crypto';
import hkdf from '@panva/hkdf';
import { parse as parseCookies } from 'cookie';
import { EncryptJWT, jwtDecrypt } from 'jose';
import { z } from 'zod';

// The portal signs people in with next-auth v4 using JWT sessions. Its reverse proxy forwards the
// session cookie to us, and we open it exactly as next-auth's own `decode` does (next-auth/jwt):
// a JWE with `dir` + `A256GCM`, keyed by HKDF-SHA256 of NEXTAUTH_SECRET.

/** next-auth's cookie names: `__Secure-` on https deployments, the plain name on http. */
export const SESSION_COOKIE_NAMES = ['__Secure-next-auth.session-token', 'next-auth.session-token'] as const;

/** next-auth's default session lifetime (30 days). */
const DEFAULT_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;
/** next-auth's `decode` tolerates this much clock skew on `exp`. */
const CLOCK_TOLERANCE_SECONDS = 15;

/** The claims we rely on; next-auth puts the user id in `sub`. */
export const ZSessionClaims = z.object({
  sub: z.string().min(1),
  email: z.string().nullish(),
  name: z.string().nullish(),
  exp: z.number().optional(),
});
export type SessionClaims = z.infer<typeof ZSessionClaims>;

function deriveEncryptionKey(secret: string, salt = ''): Promise<Uint8Array> {
  return hkdf('sha256', secret, salt, `NextAuth.js Generated Encryption Key${salt ? ` (${salt})` : ''}`, 32);
}

/** Same algorithm as next-auth's `encode`: for tests and scripts that need a signed-in caller. */
export async function encodeSessionToken(options: {
  claims: { sub: string; email?: string | null; name?: string | null; [claim: string]: unknown };
  secret: string;
  maxAgeSeconds?: number;
}): Promise<string> {
  const { claims, secret, maxAgeSeconds = DEFAULT_MAX_AGE_SECONDS } = options;
  const nowSeconds = Math.floor(Date.now() / 1000);
  return new EncryptJWT(claims)
    .setProtectedHeader({ alg: 'dir', enc: 'A256GCM' })
    .setIssuedAt()
    .setExpirationTime(nowSeconds + maxAgeSeconds)
    .setJti(randomUUID())
    .encrypt(await deriveEncryptionKey(secret));
}

/**
 * Opens a session token. Returns null for anything that is not a current session made with this
 * secret (tampered, expired, another secret, malformed): to the caller these all mean "signed out".
 */
export async function decodeSessionToken(token: string, secret: string): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtDecrypt(token, await deriveEncryptionKey(secret), {
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      contentEncryptionAlgorithms: ['A256GCM'],
      keyManagementAlgorithms: ['dir'],
    });
    const claims = ZSessionClaims.safeParse(payload);
    return claims.success ? claims.data : null;
  } catch {
    return null;
  }
}

/**
 * Reads the session token from a Cookie header. next-auth splits a large token over
 * `<name>.0`, `<name>.1`, ...; the chunks are joined in order, as next-auth's SessionStore does.
 */
export function readSessionCookie(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  const cookies = parseCookies(cookieHeader);
  for (const name of SESSION_COOKIE_NAMES) {
    const whole = cookies[name];
    if (whole) return whole;
    const chunks = Object.entries(cookies)
      .map(([key, value]) => ({ index: chunkIndex(key, name), value }))
      .filter((chunk): chunk is { index: number; value: string } => chunk.index !== null && !!chunk.value)
      .sort((a, b) => a.index - b.index);
    if (chunks.length > 0) return chunks.map((chunk) => chunk.value).join('');
  }
  return null;
}

function chunkIndex(cookieName: string, baseName: string): number | null {
  if (!cookieName.startsWith(`${baseName}.`)) return null;
  const suffix = cookieName.slice(baseName.length + 1);
  return /^\d+$/.test(suffix) ? Number(suffix) : null;
}
