import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuthState, createPkcePair, isInvalidGrant, SageOAuthClient } from '../../../src/connectors/sage/oauth/oauth-client.ts';
import { SageError } from '../../../src/connectors/sage/sage-error.ts';
import { startSandbox, type RunningSandbox } from '../../sandbox/sage/support/sandbox-harness.ts';
import { closedPortUrl } from './support/closed-port.ts';
import { consentAsAdmin, REDIRECT_URI, sageProEndpoints } from './support/oauth-fixtures.ts';

const CLIENT_SECRET = 'client-secret-never-logged';
const REFRESH_TOKEN = 'refresh-token-never-logged-0123456789';

function answering(status: number, body: unknown, headers: Record<string, string> = {}): typeof fetch {
  return async () => new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

function clientAnswering(fetchImpl: typeof fetch) {
  return new SageOAuthClient({
    endpoints: { authorizeUrl: 'https://sage.example/oauth/authorize', tokenUrl: 'https://sage.example/oauth/token', clientId: 'client-id', clientSecret: CLIENT_SECRET },
    fetch: fetchImpl,
    now: () => Date.parse('2024-06-01T12:00:00Z'),
  });
}

async function refreshFailure(client: SageOAuthClient): Promise<SageError> {
  const error = await client.refresh(REFRESH_TOKEN).then(
    () => null,
    (failure: unknown) => failure,
  );
  if (!(error instanceof SageError)) throw new Error(`expected a SageError, got ${String(error)}`);
  // Whatever went wrong, the secrets we sent stay out of what gets shown and logged.
  const shown = JSON.stringify({ message: error.message, detail: error.detail });
  expect(shown).not.toContain(CLIENT_SECRET);
  expect(shown).not.toContain(REFRESH_TOKEN);
  return error;
}

describe('the OAuth client of a Sage dialect', () => {
  it('builds an authorize URL with the client, redirect, state and an S256 challenge, keeping the query the endpoint already has', () => {
    const client = new SageOAuthClient({
      endpoints: { authorizeUrl: 'https://www.sageone.example/oauth2/auth/central?filter=apiv3.1', tokenUrl: 'https://oauth.sage.example/token', clientId: 'abc', clientSecret: 'xyz', defaultScope: 'full_access' },
    });
    const url = new URL(client.buildAuthorizeUrl({ state: 'st', codeChallenge: 'ch', redirectUri: 'https://app.example/cb' }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      filter: 'apiv3.1',
      response_type: 'code',
      client_id: 'abc',
      redirect_uri: 'https://app.example/cb',
      state: 'st',
      scope: 'full_access',
      code_challenge: 'ch',
      code_challenge_method: 'S256',
    });
    expect(url.searchParams.has('client_secret')).toBe(false);
  });

  it('makes PKCE pairs whose challenge is the SHA-256 of the verifier, and states that never repeat', () => {
    const pair = createPkcePair();
    expect(pair.codeVerifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(pair.codeChallenge).toBe(createHash('sha256').update(pair.codeVerifier).digest('base64url'));
    expect(pair.codeChallengeMethod).toBe('S256');
    expect(createPkcePair().codeVerifier).not.toBe(pair.codeVerifier);
    const states = new Set(Array.from({ length: 100 }, () => createOAuthState()));
    expect(states.size).toBe(100);
  });

  it('turns invalid_grant on a refresh into SAGE_AUTH_REVOKED that tells the admin to reconnect', async () => {
    const error = await refreshFailure(clientAnswering(answering(400, { error: 'invalid_grant', error_description: 'The refresh token was already used' })));
    expect(error).toMatchObject({ code: 'SAGE_AUTH_REVOKED', retryable: false, detail: { status: 400, sageCodes: ['invalid_grant'], path: '/oauth/token' } });
    expect(error.message).toMatch(/reconnect Sage in the portal/i);
    expect(isInvalidGrant(error)).toBe(true);
  });

  it('treats a refused client id or secret as a configuration problem, not as a dead grant', async () => {
    const error = await refreshFailure(clientAnswering(answering(401, { error: 'invalid_client' })));
    expect(error).toMatchObject({ code: 'SAGE_AUTH_REVOKED', retryable: false });
    expect(error.message).toMatch(/operator/);
    expect(isInvalidGrant(error)).toBe(false);
  });

  it('makes a server error of the token endpoint retryable', async () => {
    expect(await refreshFailure(clientAnswering(answering(502, '<html>Bad gateway</html>')))).toMatchObject({ code: 'SAGE_UNAVAILABLE', retryable: true, detail: { status: 502 } });
  });

  it('honours Retry-After when the token endpoint rate-limits us', async () => {
    expect(await refreshFailure(clientAnswering(answering(429, { error: 'slow_down' }, { 'retry-after': '7' })))).toMatchObject({
      code: 'SAGE_RATE_LIMITED',
      retryable: true,
      retryAfterMs: 7_000,
    });
  });

  it('makes an unreadable successful answer retryable without copying its body, which may hold tokens', async () => {
    const error = await refreshFailure(clientAnswering(answering(200, { access_token: 'leaked-access-token' })));
    expect(error).toMatchObject({ code: 'SAGE_UNAVAILABLE', retryable: true });
    expect(JSON.stringify(error.detail)).not.toContain('leaked-access-token');
  });

  it('makes an unreachable token endpoint a retryable network error', async () => {
    const url = await closedPortUrl();
    const client = new SageOAuthClient({ endpoints: { authorizeUrl: `${url}/authorize`, tokenUrl: `${url}/token`, clientId: 'client-id', clientSecret: CLIENT_SECRET } });
    expect(await refreshFailure(client)).toMatchObject({ code: 'SAGE_NETWORK', retryable: true });
  });

  describe('against the sandbox', () => {
    let s: RunningSandbox;
    beforeAll(async () => {
      s = await startSandbox();
    });
    afterAll(() => s.close());

    it('authenticates with HTTP Basic when the dialect is configured so, and gets an expiry from expires_in', async () => {
      const client = new SageOAuthClient({ endpoints: sageProEndpoints(s.url, { clientAuth: 'basic' }), now: s.clock.now });
      const pkce = createPkcePair();
      const callback = await consentAsAdmin(s.url, client.buildAuthorizeUrl({ state: createOAuthState(), codeChallenge: pkce.codeChallenge, redirectUri: REDIRECT_URI }));
      const tokens = await client.exchangeCode({ code: callback.searchParams.get('code') ?? '', codeVerifier: pkce.codeVerifier, redirectUri: REDIRECT_URI });
      expect(tokens.expiresAt.getTime()).toBe(s.clock.now() + 300_000);
      expect(tokens.scope).toBe('full_access');

      const refreshed = await client.refresh(tokens.refreshToken);
      expect(refreshed.refreshToken).not.toBe(tokens.refreshToken);
    });

    it('refuses a code exchange with the wrong PKCE verifier as a non-retryable error', async () => {
      const client = new SageOAuthClient({ endpoints: sageProEndpoints(s.url) });
      const pkce = createPkcePair();
      const callback = await consentAsAdmin(s.url, client.buildAuthorizeUrl({ state: createOAuthState(), codeChallenge: pkce.codeChallenge, redirectUri: REDIRECT_URI }));
      const exchange = client.exchangeCode({ code: callback.searchParams.get('code') ?? '', codeVerifier: createPkcePair().codeVerifier, redirectUri: REDIRECT_URI });
      await expect(exchange).rejects.toMatchObject({ code: 'SAGE_AUTH_REVOKED', retryable: false, message: expect.stringMatching(/Start Connect again/) });
    });
  });
});
