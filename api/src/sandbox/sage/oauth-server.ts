import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { SageDialect } from './ledger-model.ts';
import { renderConsentPage, renderOAuthErrorPage } from './oauth-consent-page.ts';

// OAuth 2.0 authorization code flow as Sage Accounting runs it, shared by the three OAuth dialects:
// a consent page, single-use codes that live 60 s, access tokens that live 5 minutes, and refresh
// tokens that rotate on every use. A refresh token is dead the moment it is used: presenting it
// again (a retry after a lost answer, or two workers refreshing at once) gets invalid_grant and
// issues nothing, while the token that replaced it keeps the chain alive. So there is never more
// than one live chain per grant, and a connector must store the new refresh token before it uses
// the new access token, and refresh one connection at a time.

export type OAuthDialect = Exclude<SageDialect, 'sage500'>;

export type OAuthClient = { clientId: string; clientSecret: string; name: string; redirectUriPrefixes: string[] };

export const DEMO_OAUTH_CLIENT: OAuthClient = {
  clientId: 'demo-client-id',
  clientSecret: 'demo-client-secret',
  name: 'Stripe ⇄ Sage sync (demo)',
  redirectUriPrefixes: ['http://localhost:3000/', 'http://localhost:4000/'],
};

export const OAUTH_SYSTEM_NAMES: Record<OAuthDialect, string> = {
  sage_pro: 'Sage Pro',
  sage50: 'Sage 50',
  sage_accounting: 'Sage Accounting',
};

const ZGrant = z.object({ id: z.string(), dialect: z.enum(['sage_pro', 'sage50', 'sage_accounting']), clientId: z.string(), scope: z.string(), revoked: z.boolean() });
const ZIssuedToken = z.object({ grantId: z.string(), expiresAt: z.number(), used: z.boolean() });
export const ZOAuthSnapshot = z.object({
  grants: z.array(ZGrant),
  /** Keyed by the SHA-256 of the token: the file never holds a usable token. */
  accessTokens: z.record(z.string(), ZIssuedToken),
  refreshTokens: z.record(z.string(), ZIssuedToken),
});
export type OAuthSnapshot = z.infer<typeof ZOAuthSnapshot>;
type Grant = z.infer<typeof ZGrant>;
type IssuedToken = z.infer<typeof ZIssuedToken>;

type PendingConsent = {
  dialect: OAuthDialect;
  client: OAuthClient;
  redirectUri: string;
  state: string | null;
  scope: string;
  codeChallenge: string | null;
  expiresAt: number;
};

type AuthorizationCode = Omit<PendingConsent, 'state'> & { used: boolean; grantId: string | null };

export type TokenVerification = { ok: true; grant: Grant } | { ok: false; reason: 'missing' | 'invalid' | 'expired' };

export type OAuthAuthorityOptions = {
  now?: () => number;
  accessTokenTtlSeconds?: number;
  refreshTokenTtlSeconds?: number;
  codeTtlSeconds?: number;
  clients?: OAuthClient[];
};

const PKCE_VALUE = /^[A-Za-z0-9\-._~]{43,128}$/;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newSecret = () => randomBytes(32).toString('base64url');

type TokenResult = { status: 200; body: Record<string, unknown> } | { status: 400 | 401; body: { error: string; error_description: string } };

export class OAuthAuthority {
  readonly accessTokenTtlSeconds: number;
  readonly refreshTokenTtlSeconds: number;
  private readonly codeTtlSeconds: number;
  private readonly now: () => number;
  private readonly clients: Map<string, OAuthClient>;
  private readonly consents = new Map<string, PendingConsent>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private grants = new Map<string, Grant>();
  private accessTokens = new Map<string, IssuedToken>();
  private refreshTokens = new Map<string, IssuedToken>();
  onChange: () => void = () => {};

  constructor(options: OAuthAuthorityOptions = {}) {
    this.now = options.now ?? Date.now;
    this.accessTokenTtlSeconds = options.accessTokenTtlSeconds ?? 300;
    this.refreshTokenTtlSeconds = options.refreshTokenTtlSeconds ?? 31 * 24 * 3600;
    this.codeTtlSeconds = options.codeTtlSeconds ?? 60;
    this.clients = new Map((options.clients ?? [DEMO_OAUTH_CLIENT]).map((client) => [client.clientId, client]));
  }

  snapshot(): OAuthSnapshot {
    return {
      grants: [...this.grants.values()],
      accessTokens: Object.fromEntries(this.accessTokens),
      refreshTokens: Object.fromEntries(this.refreshTokens),
    };
  }

  restore(snapshot: unknown): void {
    const data = ZOAuthSnapshot.parse(snapshot);
    this.grants = new Map(data.grants.map((grant) => [grant.id, grant]));
    this.accessTokens = new Map(Object.entries(data.accessTokens));
    this.refreshTokens = new Map(Object.entries(data.refreshTokens));
  }

  /** Checks an authorize request. Errors about the client or redirect URI are shown, never redirected. */
  beginConsent(
    dialect: OAuthDialect,
    query: Record<string, string | undefined>,
  ): { kind: 'consent'; consentId: string; consent: PendingConsent } | { kind: 'show_error'; message: string } | { kind: 'redirect'; location: string } {
    const client = query.client_id === undefined ? undefined : this.clients.get(query.client_id);
    if (!client) return { kind: 'show_error', message: 'Unknown client_id.' };
    const redirectUri = query.redirect_uri;
    if (!redirectUri || !this.isAllowedRedirect(client, redirectUri)) {
      return { kind: 'show_error', message: 'The redirect_uri is not registered for this client.' };
    }
    const state = query.state ?? null;
    const fail = (error: string, description: string) => ({ kind: 'redirect' as const, location: redirectWith(redirectUri, { error, error_description: description, state }) });
    if (query.response_type !== 'code') return fail('unsupported_response_type', 'response_type must be code');
    const codeChallenge = query.code_challenge ?? null;
    if (codeChallenge !== null) {
      if ((query.code_challenge_method ?? 'plain') !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256');
      if (!/^[A-Za-z0-9\-_]{43}$/.test(codeChallenge)) return fail('invalid_request', 'code_challenge must be a base64url SHA-256 digest');
    } else if (query.code_challenge_method !== undefined) {
      return fail('invalid_request', 'code_challenge_method without code_challenge');
    }
    const consentId = newSecret();
    const consent: PendingConsent = {
      dialect,
      client,
      redirectUri,
      state,
      scope: query.scope?.trim() || 'full_access',
      codeChallenge,
      expiresAt: this.now() + 10 * 60_000,
    };
    this.consents.set(consentId, consent);
    return { kind: 'consent', consentId, consent };
  }

  /** The user's answer on the consent page: a redirect back to the client with a code or an error. */
  decide(dialect: OAuthDialect, consentId: string | undefined, decision: string | undefined): { kind: 'redirect'; location: string } | { kind: 'show_error'; message: string } {
    const expired = { kind: 'show_error' as const, message: 'This authorization request has expired or was already answered. Start again from the application.' };
    if (consentId === undefined) return expired;
    const consent = this.consents.get(consentId);
    if (!consent || consent.dialect !== dialect || consent.expiresAt <= this.now()) return expired;
    this.consents.delete(consentId);
    if (decision !== 'allow') {
      return { kind: 'redirect', location: redirectWith(consent.redirectUri, { error: 'access_denied', error_description: 'The user denied access', state: consent.state }) };
    }
    const code = newSecret();
    this.codes.set(hashToken(code), {
      dialect,
      client: consent.client,
      redirectUri: consent.redirectUri,
      scope: consent.scope,
      codeChallenge: consent.codeChallenge,
      expiresAt: this.now() + this.codeTtlSeconds * 1000,
      used: false,
      grantId: null,
    });
    // Sage Accounting also tells the client which region the business is in.
    const extra: Record<string, string> = dialect === 'sage_accounting' ? { country: 'US' } : {};
    return { kind: 'redirect', location: redirectWith(consent.redirectUri, { code, state: consent.state, ...extra }) };
  }

  /** The token endpoint: authorization_code and refresh_token grants. */
  exchange(dialect: OAuthDialect, params: Record<string, string | undefined>, basicAuthorization: string | undefined): TokenResult {
    const credentials = clientCredentials(params, basicAuthorization);
    const client = credentials.clientId === undefined ? undefined : this.clients.get(credentials.clientId);
    if (!client || client.clientSecret !== credentials.clientSecret) {
      return { status: 401, body: { error: 'invalid_client', error_description: 'Client authentication failed' } };
    }
    const invalidGrant = (description: string): TokenResult => ({ status: 400, body: { error: 'invalid_grant', error_description: description } });

    if (params.grant_type === 'authorization_code') {
      const codeHash = params.code === undefined ? undefined : hashToken(params.code);
      const code = codeHash === undefined ? undefined : this.codes.get(codeHash);
      if (!code || code.dialect !== dialect || code.client.clientId !== client.clientId) return invalidGrant('The authorization code is invalid');
      if (code.used) {
        // A code presented twice may have been stolen: what it issued is revoked (RFC 6749 §4.1.2).
        if (code.grantId !== null) this.revokeGrant(code.grantId);
        return invalidGrant('The authorization code was already used');
      }
      if (code.expiresAt <= this.now()) return invalidGrant('The authorization code has expired');
      if (params.redirect_uri !== code.redirectUri) return invalidGrant('redirect_uri does not match the authorization request');
      if (code.codeChallenge !== null) {
        const verifier = params.code_verifier;
        if (verifier === undefined || !PKCE_VALUE.test(verifier)) return invalidGrant('code_verifier is required');
        if (createHash('sha256').update(verifier).digest('base64url') !== code.codeChallenge) return invalidGrant('code_verifier does not match code_challenge');
      } else if (params.code_verifier !== undefined) {
        return invalidGrant('code_verifier sent for a request without code_challenge');
      }
      code.used = true;
      const grant: Grant = { id: newSecret(), dialect, clientId: client.clientId, scope: code.scope, revoked: false };
      this.grants.set(grant.id, grant);
      code.grantId = grant.id;
      return { status: 200, body: this.issueTokens(grant) };
    }

    if (params.grant_type === 'refresh_token') {
      const refreshHash = params.refresh_token === undefined ? undefined : hashToken(params.refresh_token);
      const issued = refreshHash === undefined ? undefined : this.refreshTokens.get(refreshHash);
      const grant = issued === undefined ? undefined : this.grants.get(issued.grantId);
      if (!issued || !grant || grant.revoked || grant.dialect !== dialect || grant.clientId !== client.clientId) return invalidGrant('The refresh token is invalid');
      if (issued.used) return invalidGrant('The refresh token was already used; use the one issued with it');
      if (issued.expiresAt <= this.now()) return invalidGrant('The refresh token has expired');
      issued.used = true;
      return { status: 200, body: this.issueTokens(grant) };
    }

    return { status: 400, body: { error: 'unsupported_grant_type', error_description: 'grant_type must be authorization_code or refresh_token' } };
  }

  verifyAccessToken(dialect: OAuthDialect, authorization: string | undefined): TokenVerification {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return { ok: false, reason: 'missing' };
    const issued = this.accessTokens.get(hashToken(match[1]));
    const grant = issued === undefined ? undefined : this.grants.get(issued.grantId);
    if (!issued || !grant || grant.revoked || grant.dialect !== dialect) return { ok: false, reason: 'invalid' };
    if (issued.expiresAt <= this.now()) return { ok: false, reason: 'expired' };
    return { ok: true, grant };
  }

  private issueTokens(grant: Grant): Record<string, unknown> {
    const accessToken = newSecret();
    const refreshToken = newSecret();
    const now = this.now();
    this.accessTokens.set(hashToken(accessToken), { grantId: grant.id, expiresAt: now + this.accessTokenTtlSeconds * 1000, used: false });
    this.refreshTokens.set(hashToken(refreshToken), { grantId: grant.id, expiresAt: now + this.refreshTokenTtlSeconds * 1000, used: false });
    this.forgetExpired(now);
    this.onChange();
    return {
      access_token: accessToken,
      expires_in: this.accessTokenTtlSeconds,
      token_type: 'bearer',
      refresh_token: refreshToken,
      refresh_token_expires_in: this.refreshTokenTtlSeconds,
      scope: grant.scope,
      ...(grant.dialect === 'sage_accounting' ? { requested_by_id: createHash('sha256').update(grant.id).digest('hex').slice(0, 32) } : {}),
    };
  }

  private revokeGrant(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (grant) grant.revoked = true;
    this.onChange();
  }

  private forgetExpired(now: number): void {
    for (const tokens of [this.accessTokens, this.refreshTokens]) {
      for (const [hash, token] of tokens) if (token.expiresAt <= now) tokens.delete(hash);
    }
    for (const [hash, code] of this.codes) if (code.expiresAt <= now) this.codes.delete(hash);
    for (const [id, consent] of this.consents) if (consent.expiresAt <= now) this.consents.delete(id);
  }

  private isAllowedRedirect(client: OAuthClient, redirectUri: string): boolean {
    try {
      const url = new URL(redirectUri);
      return url.hash === '' && client.redirectUriPrefixes.some((prefix) => redirectUri.startsWith(prefix));
    } catch {
      return false;
    }
  }
}

function redirectWith(redirectUri: string, params: Record<string, string | null>): string {
  const url = new URL(redirectUri);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.toString();
}

function clientCredentials(params: Record<string, string | undefined>, basicAuthorization: string | undefined) {
  const match = /^Basic\s+(\S+)$/i.exec(basicAuthorization ?? '');
  if (match?.[1]) {
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const separator = decoded.indexOf(':');
    if (separator > 0) {
      return { clientId: decodeURIComponent(decoded.slice(0, separator)), clientSecret: decodeURIComponent(decoded.slice(separator + 1)) };
    }
  }
  return { clientId: params.client_id, clientSecret: params.client_secret };
}

function stringFields(value: unknown): Record<string, string | undefined> {
  if (typeof value !== 'object' || value === null) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** Mounts `<prefix>/oauth/authorize` (GET page, POST consent) and `<prefix>/oauth/token`. */
export function registerOAuthRoutes(
  app: FastifyInstance,
  authority: OAuthAuthority,
  { dialect, prefix, companyIds }: { dialect: OAuthDialect; prefix: string; companyIds: () => string[] },
): void {
  const systemName = OAUTH_SYSTEM_NAMES[dialect];
  const authorizePath = `${prefix}/oauth/authorize`;

  app.get(authorizePath, async (request, reply) => {
    const outcome = authority.beginConsent(dialect, stringFields(request.query));
    reply.header('cache-control', 'no-store');
    if (outcome.kind === 'show_error') return reply.code(400).type('text/html; charset=utf-8').send(renderOAuthErrorPage(systemName, outcome.message));
    if (outcome.kind === 'redirect') return reply.redirect(outcome.location, 302);
    return reply.type('text/html; charset=utf-8').send(
      renderConsentPage({
        systemName,
        clientName: outcome.consent.client.name,
        scope: outcome.consent.scope,
        companies: companyIds(),
        formAction: authorizePath,
        consentId: outcome.consentId,
      }),
    );
  });

  app.post(authorizePath, async (request, reply) => {
    const body = stringFields(request.body);
    const outcome = authority.decide(dialect, body.consent_id, body.decision);
    if (outcome.kind === 'show_error') return reply.code(400).type('text/html; charset=utf-8').send(renderOAuthErrorPage(systemName, outcome.message));
    return reply.redirect(outcome.location, 302);
  });

  app.post(`${prefix}/oauth/token`, async (request, reply) => {
    const result = authority.exchange(dialect, stringFields(request.body), request.headers.authorization);
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
    if (result.status === 401) reply.header('www-authenticate', 'Basic realm="oauth"');
    return reply.code(result.status).send(result.body);
  });
}
