import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  connectWithOAuth,
  DEMO_CLIENT,
  openConsentPage,
  pkcePair,
  postTokenForm,
  pressConsentButton,
  startSandbox,
  type OAuthPrefix,
  type RunningSandbox,
} from './support/sandbox-harness.ts';

const API_PROBE: Record<OAuthPrefix, { path: string; headers?: Record<string, string> }> = {
  '/sagepro': { path: '/sagepro/demo-pro/api/v1/customers' },
  '/sage50': { path: '/sage50/demo-50/v1/customers' },
  '/sageaccounting': { path: '/sageaccounting/core/v3.1/contacts', headers: { 'x-business': 'demo-cloud' } },
};

describe('OAuth 2.0 authorization code flow of the sandbox', () => {
  let s: RunningSandbox;
  beforeAll(async () => {
    s = await startSandbox();
  });
  afterAll(() => s.close());

  const callApi = (prefix: OAuthPrefix, accessToken: string) =>
    fetch(`${s.url}${API_PROBE[prefix].path}`, { headers: { authorization: `Bearer ${accessToken}`, ...API_PROBE[prefix].headers } });

  async function codeFor(prefix: OAuthPrefix, params: Record<string, string> = {}) {
    const page = await openConsentPage(s.url, prefix, params);
    const callback = await pressConsentButton(s.url, page.action ?? '', page.consentId ?? '', 'allow');
    return callback.searchParams.get('code') ?? '';
  }

  describe.each(['/sagepro', '/sage50', '/sageaccounting'] as const)('at %s', (prefix) => {
    it('shows a consent page whose Allow button sends the browser back with a code and the state', async () => {
      const page = await openConsentPage(s.url, prefix, {});
      expect(page.response.status).toBe(200);
      expect(page.response.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.html).toContain('<button type="submit" name="decision" value="allow"');
      expect(page.action).toBe(`${prefix}/oauth/authorize`);
      const callback = await pressConsentButton(s.url, page.action ?? '', page.consentId ?? '', 'allow');
      expect(`${callback.origin}${callback.pathname}`).toBe(DEMO_CLIENT.redirectUri);
      expect(callback.searchParams.get('code')).toMatch(/^[\w-]{20,}$/);
      expect(callback.searchParams.get('state')).toBe('state-123');
    });

    it('trades the code for a 5-minute access token that opens the API', async () => {
      const tokens = await connectWithOAuth(s.url, prefix);
      expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 300, access_token: expect.any(String), refresh_token: expect.any(String) });
      expect((await callApi(prefix, tokens.access_token)).status).toBe(200);
    });

    it('refuses the API without a token and with a made-up token', async () => {
      const missing = await fetch(`${s.url}${API_PROBE[prefix].path}`, { headers: API_PROBE[prefix].headers });
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect((await callApi(prefix, 'not-a-token')).status).toBe(401);
    });

    it('rotates the refresh token on every use and refuses the old one afterwards', async () => {
      const first = await connectWithOAuth(s.url, prefix);
      const refreshed = await postTokenForm(s.url, prefix, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refresh_token).not.toBe(first.refresh_token);
      expect(refreshed.body.access_token).not.toBe(first.access_token);

      const reused = await postTokenForm(s.url, prefix, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
      expect(reused).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });

      // The chain stays alive through the token that replaced the old one: there is one live chain.
      const next = await postTokenForm(s.url, prefix, { grant_type: 'refresh_token', refresh_token: String(refreshed.body.refresh_token) });
      expect(next.status).toBe(200);
      expect((await callApi(prefix, String(next.body.access_token))).status).toBe(200);
    });

    it('refuses an access token once it has expired, and a refresh then gives a working one', async () => {
      const tokens = await connectWithOAuth(s.url, prefix);
      s.clock.advance(299_000);
      expect((await callApi(prefix, tokens.access_token)).status).toBe(200);
      s.clock.advance(1_000);
      const expired = await callApi(prefix, tokens.access_token);
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const refreshed = await postTokenForm(s.url, prefix, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
      expect((await callApi(prefix, String(refreshed.body.access_token))).status).toBe(200);
    });
  });

  it('sends the browser back with access_denied when the user presses Deny', async () => {
    const page = await openConsentPage(s.url, '/sagepro', {});
    const callback = await pressConsentButton(s.url, page.action ?? '', page.consentId ?? '', 'deny');
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('state')).toBe('state-123');
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('answers a consent form only once', async () => {
    const page = await openConsentPage(s.url, '/sage50', {});
    await pressConsentButton(s.url, page.action ?? '', page.consentId ?? '', 'allow');
    await expect(pressConsentButton(s.url, page.action ?? '', page.consentId ?? '', 'allow')).rejects.toThrow('consent answered 400');
  });

  it('tells Sage Accounting clients the business country in the callback, as Sage does', async () => {
    const page = await openConsentPage(s.url, '/sageaccounting', {});
    const callback = await pressConsentButton(s.url, page.action ?? '', page.consentId ?? '', 'allow');
    expect(callback.searchParams.get('country')).toBe('US');
  });

  it('shows an error page, and never redirects, for an unknown client or an unregistered redirect URI', async () => {
    const attempts: Record<string, string>[] = [{ client_id: 'someone-else' }, { redirect_uri: 'https://evil.test/callback' }, { redirect_uri: 'http://localhost:5000/cb' }];
    for (const params of attempts) {
      const page = await openConsentPage(s.url, '/sagepro', params);
      expect(page.response.status).toBe(400);
      expect(page.response.headers.get('location')).toBeNull();
      expect(page.consentId).toBeUndefined();
    }
  });

  it('accepts redirect URIs under localhost:4000 as well', async () => {
    const page = await openConsentPage(s.url, '/sagepro', { redirect_uri: 'http://localhost:4000/oauth/callback' });
    expect(page.response.status).toBe(200);
  });

  it('refuses a code used twice, and revokes the tokens the first use issued', async () => {
    const code = await codeFor('/sagepro');
    const first = await postTokenForm(s.url, '/sagepro', { grant_type: 'authorization_code', code, redirect_uri: DEMO_CLIENT.redirectUri });
    expect(first.status).toBe(200);
    const second = await postTokenForm(s.url, '/sagepro', { grant_type: 'authorization_code', code, redirect_uri: DEMO_CLIENT.redirectUri });
    expect(second).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant' }) });
    expect((await callApi('/sagepro', String(first.body.access_token))).status).toBe(401);
  });

  it('refuses a code after 60 seconds', async () => {
    const code = await codeFor('/sage50');
    s.clock.advance(60_000);
    const late = await postTokenForm(s.url, '/sage50', { grant_type: 'authorization_code', code, redirect_uri: DEMO_CLIENT.redirectUri });
    expect(late.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a code exchanged with another redirect URI', async () => {
    const code = await codeFor('/sage50');
    const wrong = await postTokenForm(s.url, '/sage50', { grant_type: 'authorization_code', code, redirect_uri: 'http://localhost:3000/other' });
    expect(wrong.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses a PKCE verifier that does not match the challenge, and a missing one', async () => {
    const { challenge } = pkcePair();
    const mismatched = await postTokenForm(s.url, '/sageaccounting', {
      grant_type: 'authorization_code',
      code: await codeFor('/sageaccounting', { code_challenge: challenge, code_challenge_method: 'S256' }),
      redirect_uri: DEMO_CLIENT.redirectUri,
      code_verifier: pkcePair().verifier,
    });
    expect(mismatched).toEqual({ status: 400, body: expect.objectContaining({ error: 'invalid_grant', error_description: expect.stringContaining('code_verifier') }) });
    const missing = await postTokenForm(s.url, '/sageaccounting', {
      grant_type: 'authorization_code',
      code: await codeFor('/sageaccounting', { code_challenge: challenge, code_challenge_method: 'S256' }),
      redirect_uri: DEMO_CLIENT.redirectUri,
    });
    expect(missing.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('supports only the S256 PKCE method', async () => {
    const page = await openConsentPage(s.url, '/sagepro', { code_challenge: 'plain-challenge-value-plain-challenge-value-xx', code_challenge_method: 'plain' });
    expect(page.response.status).toBe(302);
    const location = new URL(page.response.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_request');
  });

  it('refuses a wrong client secret with invalid_client, in the body or in HTTP Basic', async () => {
    const code = await codeFor('/sagepro');
    const wrongSecret = await postTokenForm(s.url, '/sagepro', { grant_type: 'authorization_code', code, redirect_uri: DEMO_CLIENT.redirectUri, client_secret: 'guess' });
    expect(wrongSecret).toEqual({ status: 401, body: expect.objectContaining({ error: 'invalid_client' }) });
    const basic = await fetch(`${s.url}/sagepro/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${DEMO_CLIENT.clientId}:${DEMO_CLIENT.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: DEMO_CLIENT.redirectUri }).toString(),
    });
    expect(basic.status).toBe(200);
  });

  it('does not accept one dialect token at another dialect', async () => {
    const proTokens = await connectWithOAuth(s.url, '/sagepro');
    expect((await callApi('/sage50', proTokens.access_token)).status).toBe(401);
    expect((await callApi('/sageaccounting', proTokens.access_token)).status).toBe(401);
    const refreshElsewhere = await postTokenForm(s.url, '/sage50', { grant_type: 'refresh_token', refresh_token: proTokens.refresh_token });
    expect(refreshElsewhere.body).toMatchObject({ error: 'invalid_grant' });
  });

  it('refuses an unknown grant type', async () => {
    const result = await postTokenForm(s.url, '/sagepro', { grant_type: 'password' });
    expect(result).toEqual({ status: 400, body: expect.objectContaining({ error: 'unsupported_grant_type' }) });
  });
});
