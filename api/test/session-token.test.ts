import { describe, expect, it } from 'vitest';
import { decodeSessionToken, encodeSessionToken, readSessionCookie } from '../src/auth/session-token.ts';

const SECRET = 'session-test-secret-0123456789';

function tamper(token: string): string {
  // Flip one character of the ciphertext (the fourth of five JWE parts).
  const parts = token.split('.');
  const ciphertext = parts[3] ?? '';
  const flipped = (ciphertext[0] === 'A' ? 'B' : 'A') + ciphertext.slice(1);
  return [...parts.slice(0, 3), flipped, parts[4]].join('.');
}

describe('session token', () => {
  it('decodes a token made by encodeSessionToken with the same secret', async () => {
    const token = await encodeSessionToken({ claims: { sub: 'user_1', email: 'a@example.test', name: 'A' }, secret: SECRET });
    expect(token.split('.')).toHaveLength(5);
    await expect(decodeSessionToken(token, SECRET)).resolves.toMatchObject({ sub: 'user_1', email: 'a@example.test', name: 'A' });
  });

  it('refuses a tampered token', async () => {
    const token = await encodeSessionToken({ claims: { sub: 'user_1' }, secret: SECRET });
    await expect(decodeSessionToken(tamper(token), SECRET)).resolves.toBeNull();
  });

  it('refuses a token made with another secret', async () => {
    const token = await encodeSessionToken({ claims: { sub: 'user_1' }, secret: 'another-secret-0123456789' });
    await expect(decodeSessionToken(token, SECRET)).resolves.toBeNull();
  });

  it('refuses an expired token', async () => {
    const token = await encodeSessionToken({ claims: { sub: 'user_1' }, secret: SECRET, maxAgeSeconds: -60 });
    await expect(decodeSessionToken(token, SECRET)).resolves.toBeNull();
  });

  it('refuses a token without a user id', async () => {
    const token = await encodeSessionToken({ claims: { sub: '' }, secret: SECRET });
    await expect(decodeSessionToken(token, SECRET)).resolves.toBeNull();
  });

  it('reads the plain and the __Secure- cookie, and joins a token next-auth split into chunks', () => {
    expect(readSessionCookie('theme=dark; next-auth.session-token=abc')).toBe('abc');
    expect(readSessionCookie('__Secure-next-auth.session-token=xyz')).toBe('xyz');
    expect(readSessionCookie('next-auth.session-token.1=def; next-auth.session-token.0=abc')).toBe('abcdef');
    expect(readSessionCookie('theme=dark')).toBeNull();
    expect(readSessionCookie(undefined)).toBeNull();
  });
});
