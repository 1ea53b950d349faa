import { connectionSecretContext, openSecret, type PrismaClient } from '@sagesync/db';
import { createTestDatabase, type TestDatabase } from '@sagesync/db/testing';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BearerAuth } from '../../../src/connectors/sage/http/sage-auth.ts';
import { InMemoryTokenBucket } from '../../../src/connectors/sage/http/rate-limiter.ts';
import { SageHttpClient } from '../../../src/connectors/sage/http/sage-http-client.ts';
import { ConnectionTokenStore, type ConnectionTokenStoreOptions } from '../../../src/connectors/sage/oauth/connection-token-store.ts';
import { createOAuthState, createPkcePair, SageOAuthClient } from '../../../src/connectors/sage/oauth/oauth-client.ts';
import { OAuthTokenManager } from '../../../src/connectors/sage/oauth/oauth-token-manager.ts';
import { storeNewOAuthConnection } from '../../../src/connectors/sage/oauth/store-new-connection.ts';
import { SageError } from '../../../src/connectors/sage/sage-error.ts';
import { postTokenForm, startSandbox, testClock, type RunningSandbox } from '../../sandbox/sage/support/sandbox-harness.ts';
import {
  consentAsAdmin,
  countingFetch,
  createSageProIntegration,
  openSecondHandle,
  REDIRECT_URI,
  sageProEndpoints,
  testKeyring,
} from './support/oauth-fixtures.ts';

const ACCESS_TOKEN_LIFETIME_MS = 300_000;

describe('OAuth tokens of a Sage connection', () => {
  const keyring = testKeyring();
  let s: RunningSandbox;
  let db: TestDatabase;

  beforeAll(async () => {
    s = await startSandbox();
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await s?.close();
    await db?.dispose();
  });

  function oauthClient(fetchImpl: typeof fetch, now = s.clock.now) {
    return new SageOAuthClient({ endpoints: sageProEndpoints(s.url), fetch: fetchImpl, now });
  }

  function workerManager(prisma: PrismaClient, client: SageOAuthClient, now = s.clock.now) {
    return new OAuthTokenManager({ store: new ConnectionTokenStore({ prisma, keyring, now }), client, now });
  }

  /** The portal's part: consent in the browser, the code for tokens, the tokens onto the connection. */
  async function connect(client: SageOAuthClient, target: { orgId: string; integrationId: string }) {
    const state = createOAuthState();
    const pkce = createPkcePair();
    const authorizeUrl = client.buildAuthorizeUrl({ state, codeChallenge: pkce.codeChallenge, redirectUri: REDIRECT_URI });
    const callback = await consentAsAdmin(s.url, authorizeUrl);
    expect(callback.searchParams.get('state')).toBe(state);
    const tokens = await client.exchangeCode({ code: callback.searchParams.get('code') ?? '', codeVerifier: pkce.codeVerifier, redirectUri: REDIRECT_URI });
    const stored = await storeNewOAuthConnection(db.prisma, keyring, { ...target, provider: 'sage_pro', tokens, now: s.clock.now });
    return { tokens, stored, authorizeUrl: new URL(authorizeUrl) };
  }

  async function connectNewIntegration() {
    const counter = countingFetch();
    const client = oauthClient(counter.fetch);
    const { org, integration } = await createSageProIntegration(db.prisma);
    const connected = await connect(client, { orgId: org.id, integrationId: integration.id });
    return { ...connected, org, integration, client, counter, connectionId: connected.stored.connectionId };
  }

  const connectionRow = (id: string) => db.prisma.connection.findUniqueOrThrow({ where: { id } });

  async function storedRefreshToken(id: string): Promise<string> {
    const row = await connectionRow(id);
    return openSecret(keyring, row.refreshToken, connectionSecretContext(row, 'refreshToken'));
  }

  const customersStatus = async (accessToken: string) =>
    (await fetch(`${s.url}/sagepro/demo-pro/api/v1/customers`, { headers: { authorization: `Bearer ${accessToken}` } })).status;

  async function sageErrorOf(promise: Promise<unknown>): Promise<SageError> {
    const error = await promise.then(
      () => null,
      (failure: unknown) => failure,
    );
    if (!(error instanceof SageError)) throw new Error(`expected a SageError, got ${String(error)}`);
    return error;
  }

  it('stores the tokens of a consent and code exchange sealed, so the raw row holds neither token', async () => {
    const { tokens, connectionId, authorizeUrl } = await connectNewIntegration();
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');

    const [raw] = await db.query<{ access: string; refresh: string }>(
      'SELECT "accessToken"::text AS access, "refreshToken"::text AS refresh FROM "connections" WHERE "id" = $1',
      [connectionId],
    );
    // Each column holds a sealed envelope, and neither holds its token.
    expect(raw?.access).toContain('"wrappedKey"');
    expect(raw?.refresh).toContain('"wrappedKey"');
    expect(raw?.access).not.toContain(tokens.accessToken);
    expect(raw?.refresh).not.toContain(tokens.refreshToken);

    const row = await connectionRow(connectionId);
    expect(row).toMatchObject({ status: 'connected', authKind: 'oauth', provider: 'sage_pro', tokenVersion: 0 });
    expect(row.accessTokenExpiresAt?.getTime()).toBe(s.clock.now() + ACCESS_TOKEN_LIFETIME_MS);
    expect(openSecret(keyring, row.accessToken, connectionSecretContext(row, 'accessToken'))).toBe(tokens.accessToken);
    expect(await storedRefreshToken(connectionId)).toBe(tokens.refreshToken);
    expect(await customersStatus(tokens.accessToken)).toBe(200);
  });

  it('uses a stored access token with more than a minute left as it is, without asking Sage', async () => {
    const { tokens, connectionId, client, counter } = await connectNewIntegration();
    s.clock.advance(ACCESS_TOKEN_LIFETIME_MS - 61_000);
    expect(await workerManager(db.prisma, client).accessToken(connectionId)).toBe(tokens.accessToken);
    expect(counter.refreshCalls()).toBe(0);
  });

  it('refreshes an access token with less than a minute left and stores the rotated refresh token with it', async () => {
    const { tokens, connectionId, client, counter } = await connectNewIntegration();
    s.clock.advance(ACCESS_TOKEN_LIFETIME_MS - 50_000);

    const fresh = await workerManager(db.prisma, client).accessToken(connectionId);

    expect(fresh).not.toBe(tokens.accessToken);
    expect(counter.refreshCalls()).toBe(1);
    expect(await customersStatus(fresh)).toBe(200);
    const row = await connectionRow(connectionId);
    expect(row.tokenVersion).toBe(1);
    expect(row.lastRefreshedAt?.getTime()).toBe(s.clock.now());
    expect(row.accessTokenExpiresAt?.getTime()).toBe(s.clock.now() + ACCESS_TOKEN_LIFETIME_MS);
    const rotated = await storedRefreshToken(connectionId);
    expect(rotated).not.toBe(tokens.refreshToken);
    // The stored refresh token is the live one: Sage accepts it once more.
    expect((await postTokenForm(s.url, '/sagepro', { grant_type: 'refresh_token', refresh_token: rotated })).status).toBe(200);
  });

  it('lets two workers that find the same token stale refresh it once between them, and the connection keeps working', async () => {
    const { connectionId, counter } = await connectNewIntegration();
    const otherWorker = await openSecondHandle(db);
    try {
      // Each worker reads the stale token before either takes the row lock, so they truly race.
      const bothRead = barrier(2);
      const storeOptions = (prisma: PrismaClient): ConnectionTokenStoreOptions => ({ prisma, keyring, now: s.clock.now });
      const workerA = new OAuthTokenManager({ store: new StoreThatWaitsForBothWorkers(storeOptions(db.prisma), bothRead), client: oauthClient(counter.fetch), now: s.clock.now });
      const workerB = new OAuthTokenManager({ store: new StoreThatWaitsForBothWorkers(storeOptions(otherWorker.prisma), bothRead), client: oauthClient(counter.fetch), now: s.clock.now });
      s.clock.advance(ACCESS_TOKEN_LIFETIME_MS - 30_000);

      const [tokenA, tokenB] = await Promise.all([workerA.accessToken(connectionId), workerB.accessToken(connectionId)]);

      expect(bothRead.arrivals()).toBe(2);
      expect(counter.refreshCalls()).toBe(1);
      expect(tokenA).toBe(tokenB);
      expect(await customersStatus(tokenA)).toBe(200);
      expect((await connectionRow(connectionId)).tokenVersion).toBe(1);

      s.clock.advance(ACCESS_TOKEN_LIFETIME_MS);
      const later = await workerB.accessToken(connectionId);
      expect(counter.refreshCalls()).toBe(2);
      expect(later).not.toBe(tokenA);
      expect(await customersStatus(later)).toBe(200);
      expect(await connectionRow(connectionId)).toMatchObject({ status: 'connected', tokenVersion: 2 });
    } finally {
      await otherWorker.close();
    }
  });

  it('shares one refresh between concurrent requests of one process for the same connection', async () => {
    const { connectionId, client, counter } = await connectNewIntegration();
    const store = new ConnectionTokenStore({ prisma: db.prisma, keyring, now: s.clock.now });
    const lockedRefreshes = vi.spyOn(store, 'refreshUnderLock');
    const manager = new OAuthTokenManager({ store, client, now: s.clock.now });
    s.clock.advance(ACCESS_TOKEN_LIFETIME_MS);

    const tokens = await Promise.all([manager.accessToken(connectionId), manager.accessToken(connectionId), manager.accessToken(connectionId)]);

    expect(new Set(tokens).size).toBe(1);
    expect(lockedRefreshes).toHaveBeenCalledTimes(1);
    expect(counter.refreshCalls()).toBe(1);
    expect(await customersStatus(tokens[0] ?? '')).toBe(200);
  });

  it('marks the connection needs_reauth and throws SAGE_AUTH_REVOKED when Sage refuses a refresh token that was already used', async () => {
    const { tokens, connectionId, client, counter } = await connectNewIntegration();
    // Something else spent the stored refresh token (a lost answer, a copy of the database...).
    expect((await postTokenForm(s.url, '/sagepro', { grant_type: 'refresh_token', refresh_token: tokens.refreshToken })).status).toBe(200);
    const manager = workerManager(db.prisma, client);
    s.clock.advance(ACCESS_TOKEN_LIFETIME_MS);

    const error = await sageErrorOf(manager.accessToken(connectionId));

    expect(error).toMatchObject({ code: 'SAGE_AUTH_REVOKED', retryable: false, detail: { sageCodes: ['invalid_grant'] } });
    expect(error.message).toMatch(/reconnect Sage in the portal/i);
    expect(await connectionRow(connectionId)).toMatchObject({ status: 'needs_reauth', tokenVersion: 0 });

    // From now on the connection fails fast, without spending anything at Sage.
    expect(await sageErrorOf(manager.accessToken(connectionId))).toMatchObject({ code: 'SAGE_AUTH_REVOKED' });
    expect(await sageErrorOf(manager.refresh(connectionId, tokens.accessToken))).toMatchObject({ code: 'SAGE_AUTH_REVOKED' });
    expect(counter.refreshCalls()).toBe(1);
  });

  it('reconnecting a connection that needs re-authorization puts new tokens on the same row and makes it usable again', async () => {
    const first = await connectNewIntegration();
    await db.prisma.connection.update({ where: { id: first.connectionId }, data: { status: 'needs_reauth' } });

    const again = await connect(first.client, { orgId: first.org.id, integrationId: first.integration.id });

    expect(again.stored).toEqual({ connectionId: first.connectionId, status: 'connected', tokenVersion: 1 });
    expect(await workerManager(db.prisma, first.client).accessToken(first.connectionId)).toBe(again.tokens.accessToken);
    expect(await db.prisma.connection.count({ where: { integrationId: first.integration.id } })).toBe(1);
  });

  it('refuses to store tokens on an integration of another organization', async () => {
    const mine = await connectNewIntegration();
    const theirs = await createSageProIntegration(db.prisma);
    await expect(
      storeNewOAuthConnection(db.prisma, keyring, { orgId: mine.org.id, integrationId: theirs.integration.id, provider: 'sage_pro', tokens: mine.tokens }),
    ).rejects.toThrow(/does not exist in your organization/);
    expect(await db.prisma.connection.count({ where: { integrationId: theirs.integration.id } })).toBe(0);
  });

  it('keeps the stored pair when Sage’s sign-in service fails, so a later refresh still succeeds', async () => {
    const { tokens, connectionId, client } = await connectNewIntegration();
    const failing = oauthClient(async () => new Response(JSON.stringify({ error: 'server_error' }), { status: 503 }));
    s.clock.advance(ACCESS_TOKEN_LIFETIME_MS);

    const error = await sageErrorOf(workerManager(db.prisma, failing).accessToken(connectionId));

    expect(error).toMatchObject({ code: 'SAGE_UNAVAILABLE', retryable: true });
    expect(await connectionRow(connectionId)).toMatchObject({ status: 'connected', tokenVersion: 0 });
    expect(await storedRefreshToken(connectionId)).toBe(tokens.refreshToken);
    expect(await customersStatus(await workerManager(db.prisma, client).accessToken(connectionId))).toBe(200);
  });

  it('answers a 401 for a token Sage no longer accepts with one refresh, and the request then succeeds', async () => {
    const { connectionId, counter } = await connectNewIntegration();
    // The worker's clock is behind Sage's: it believes the token has minutes left, Sage has expired it.
    const workerClock = testClock(s.clock.now());
    s.clock.advance(ACCESS_TOKEN_LIFETIME_MS + 1_000);
    const manager = workerManager(db.prisma, oauthClient(counter.fetch, workerClock.now), workerClock.now);
    const http = new SageHttpClient({
      baseUrl: `${s.url}/sagepro/demo-pro`,
      auth: new BearerAuth(manager.tokenSource(connectionId)),
      rateLimiter: new InMemoryTokenBucket({ perMinute: 300 }),
      rateLimitKey: 'sage_pro:demo-pro',
    });

    const response = await http.request({ method: 'GET', path: '/api/v1/customers' });

    expect(response.status).toBe(200);
    expect(counter.refreshCalls()).toBe(1);
    expect(await connectionRow(connectionId)).toMatchObject({ status: 'connected', tokenVersion: 1 });
  });
});

/** Holds each caller until `parties` have arrived. */
function barrier(parties: number) {
  let arrived = 0;
  let release: () => void = () => {};
  const everyone = new Promise<void>((resolve) => (release = resolve));
  return {
    async arrive() {
      arrived += 1;
      if (arrived >= parties) release();
      await everyone;
    },
    arrivals: () => arrived,
  };
}

/** A worker's token store that starts its locked refresh only once the other worker wants one too. */
class StoreThatWaitsForBothWorkers extends ConnectionTokenStore {
  constructor(
    options: ConnectionTokenStoreOptions,
    private readonly bothRead: ReturnType<typeof barrier>,
  ) {
    super(options);
  }

  override async refreshUnderLock(...args: Parameters<ConnectionTokenStore['refreshUnderLock']>) {
    await this.bothRead.arrive();
    return super.refreshUnderLock(...args);
  }
}
