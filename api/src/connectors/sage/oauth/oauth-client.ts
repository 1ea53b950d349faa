import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseRetryAfterMs } from '../http/sage-http-client.ts';
import { SageError, type SageErrorDetail } from '../sage-error.ts';

// The OAuth 2.0 authorization-code client of one Sage dialect (Sage Pro, Sage 50, Sage
// Accounting). Where the endpoints live and which client we are is configuration, so the same code
// talks to a real Sage host or to the local sandbox. Every failure of the token endpoint becomes a
// SageError; a token, code, verifier or client secret never reaches an error message or detail.

export const ZOAuthEndpoints = z.object({
  /** The consent page; may already carry query parameters (Sage Accounting's `?filter=apiv3.1`). */
  authorizeUrl: z.url(),
  tokenUrl: z.url(),
  clientId: z.string().min(1),
  clientSecret: z.string().min(1),
  /** How the client proves itself at the token endpoint: form fields (default) or HTTP Basic. */
  clientAuth: z.enum(['body', 'basic']).default('body'),
  /** Sent when the caller names no scope. */
  defaultScope: z.string().min(1).optional(),
});
export type OAuthEndpoints = z.input<typeof ZOAuthEndpoints>;

export type OAuthTokens = {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
  /** The scope the grant carries, when the token endpoint says. */
  scope: string | null;
};

export type SageOAuthClientOptions = {
  endpoints: OAuthEndpoints;
  fetch?: typeof fetch;
  /** Turns `expires_in` into an instant; tests move it instead of sleeping. */
  now?: () => number;
  /** How long to wait for the token endpoint. Keep it below the token store's transaction timeout. */
  timeoutMs?: number;
};

const ZTokenAnswer = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).optional(),
  expires_in: z.coerce.number().positive(),
  scope: z.string().optional(),
});

const ZTokenErrorAnswer = z.object({
  error: z.string(),
  error_description: z.string().optional(),
});

const DESCRIPTION_EXCERPT = 300;
export const DEFAULT_TOKEN_TIMEOUT_MS = 10_000;

export class SageOAuthClient {
  private readonly endpoints: z.output<typeof ZOAuthEndpoints>;
  private readonly fetchImpl: typeof fetch;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(options: SageOAuthClientOptions) {
    this.endpoints = ZOAuthEndpoints.parse(options.endpoints);
    this.fetchImpl = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TOKEN_TIMEOUT_MS;
  }

  /** Where to send the admin's browser to consent. Verifying `state` on the way back is the caller's job. */
  buildAuthorizeUrl(request: { state: string; codeChallenge: string; redirectUri: string; scope?: string }): string {
    const url = new URL(this.endpoints.authorizeUrl);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.endpoints.clientId);
    url.searchParams.set('redirect_uri', request.redirectUri);
    url.searchParams.set('state', request.state);
    const scope = request.scope ?? this.endpoints.defaultScope;
    if (scope !== undefined) url.searchParams.set('scope', scope);
    url.searchParams.set('code_challenge', request.codeChallenge);
    url.searchParams.set('code_challenge_method', 'S256');
    return url.toString();
  }

  /** Trades the code from the consent redirect for the first token pair. */
  async exchangeCode(request: { code: string; codeVerifier: string; redirectUri: string }): Promise<OAuthTokens> {
    const answer = await this.postToken('authorization_code', {
      grant_type: 'authorization_code',
      code: request.code,
      redirect_uri: request.redirectUri,
      code_verifier: request.codeVerifier,
    });
    if (answer.refresh_token === undefined) {
      throw new SageError(
        'SAGE_VALIDATION',
        'Sage connected without granting offline access, so the connection would stop working within minutes. Connect again and allow offline access.',
        { method: 'POST', path: new URL(this.endpoints.tokenUrl).pathname, sageCodes: ['missing_refresh_token'] },
      );
    }
    return this.tokens(answer, answer.refresh_token);
  }

  /**
   * Uses a refresh token once. Sage rotates refresh tokens on every use and refuses the old one at
   * once, so the caller must store the returned pair before anything else (see the token store).
   */
  async refresh(refreshToken: string): Promise<OAuthTokens> {
    const answer = await this.postToken('refresh_token', { grant_type: 'refresh_token', refresh_token: refreshToken });
    // A server that does not rotate leaves the refresh token out; the old one stays valid.
    return this.tokens(answer, answer.refresh_token ?? refreshToken);
  }

  private tokens(answer: z.infer<typeof ZTokenAnswer>, refreshToken: string): OAuthTokens {
    return {
      accessToken: answer.access_token,
      refreshToken,
      expiresAt: new Date(this.now() + Math.floor(answer.expires_in * 1000)),
      scope: answer.scope ?? null,
    };
  }

  private async postToken(grant: 'authorization_code' | 'refresh_token', form: Record<string, string>): Promise<z.infer<typeof ZTokenAnswer>> {
    const path = new URL(this.endpoints.tokenUrl).pathname;
    const headers = new Headers({ accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' });
    const body = new URLSearchParams(form);
    if (this.endpoints.clientAuth === 'basic') {
      // RFC 6749 §2.3.1: both parts are form-encoded before they are joined.
      const user = encodeURIComponent(this.endpoints.clientId);
      const password = encodeURIComponent(this.endpoints.clientSecret);
      headers.set('authorization', `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`);
    } else {
      body.set('client_id', this.endpoints.clientId);
      body.set('client_secret', this.endpoints.clientSecret);
    }

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.endpoints.tokenUrl, {
        method: 'POST',
        headers,
        body: body.toString(),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
      throw new SageError(
        timedOut ? 'SAGE_TIMEOUT' : 'SAGE_NETWORK',
        timedOut
          ? `Sage's sign-in service did not answer within ${Math.round(this.timeoutMs / 1000)} s. We will retry.`
          : "Sage's sign-in service could not be reached. We will retry.",
        { method: 'POST', path },
        undefined,
        { cause: error },
      );
    }

    const json = parseJson(text);
    if (response.ok) {
      const parsed = ZTokenAnswer.safeParse(json);
      // The body of a 200 holds tokens: never copy it into the error.
      if (!parsed.success) {
        throw new SageError('SAGE_UNAVAILABLE', "Sage's sign-in service gave an answer we could not read. We will retry.", {
          method: 'POST',
          path,
          status: response.status,
        });
      }
      return parsed.data;
    }

    const failure = ZTokenErrorAnswer.safeParse(json);
    const oauthError = failure.success ? failure.data.error : undefined;
    const detail: SageErrorDetail = {
      method: 'POST',
      path,
      status: response.status,
      ...(oauthError === undefined ? {} : { sageCodes: [oauthError] }),
      ...(failure.success && failure.data.error_description !== undefined ? { body: failure.data.error_description.slice(0, DESCRIPTION_EXCERPT) } : {}),
    };

    if (response.status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), this.now());
      throw new SageError('SAGE_RATE_LIMITED', "Sage's sign-in service asked us to slow down; we will retry shortly.", detail, retryAfterMs);
    }
    if (response.status >= 500) {
      throw new SageError('SAGE_UNAVAILABLE', `Sage's sign-in service answered with a server error (${response.status}). We will retry.`, detail);
    }
    if (oauthError === 'invalid_grant') {
      throw new SageError(
        'SAGE_AUTH_REVOKED',
        grant === 'refresh_token'
          ? 'Sage no longer accepts this connection (access was revoked or has expired). An admin must reconnect Sage in the portal (Integrations → Connect) to resume syncing.'
          : 'Sage refused the authorization (it expired or was already used). Start Connect again in the portal.',
        detail,
      );
    }
    if (oauthError === 'invalid_client' || response.status === 401) {
      throw new SageError(
        'SAGE_AUTH_REVOKED',
        "Sage refused this application's OAuth client id or secret. An operator must fix the Sage OAuth settings; reconnecting will not help.",
        detail,
      );
    }
    throw new SageError('SAGE_VALIDATION', `Sage's sign-in service refused the request (${oauthError ?? `HTTP ${response.status}`}).`, detail);
  }
}

/** True when the token endpoint said the grant itself is dead: only a person consenting again helps. */
export function isInvalidGrant(error: unknown): error is SageError {
  return error instanceof SageError && error.code === 'SAGE_AUTH_REVOKED' && (error.detail.sageCodes?.includes('invalid_grant') ?? false);
}

export type PkcePair = { codeVerifier: string; codeChallenge: string; codeChallengeMethod: 'S256' };

/** RFC 7636 S256: a 43-character verifier (32 random bytes) and its SHA-256 challenge. */
export function createPkcePair(): PkcePair {
  const codeVerifier = randomBytes(32).toString('base64url');
  return { codeVerifier, codeChallenge: pkceChallengeFor(codeVerifier), codeChallengeMethod: 'S256' };
}

export function pkceChallengeFor(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier).digest('base64url');
}

/**
 * An unguessable `state` for one authorization request. The caller stores it with the verifier
 * (bound to the admin's session) and accepts it back once only.
 */
export function createOAuthState(): string {
  return randomBytes(32).toString('base64url');
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
