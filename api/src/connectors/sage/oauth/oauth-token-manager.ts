import { SageError } from '../sage-error.ts';
import type { ConnectionTokenStore, StoredAccessToken } from './connection-token-store.ts';
import type { OAuthTokens } from './oauth-client.ts';

// The token source `BearerAuth` asks for each request: the stored access token while it has at
// least a minute left, else a refresh. Refreshes are single-flight per connection inside this
// process (requests that need one at the same time share it), and serialised across processes by
// the row lock in the token store. Build one manager per process and OAuth client, and hand every
// connector of that dialect a `tokenSource(connectionId)`; a second manager in the same process is
// still correct (the row lock holds) but refreshes separately.

/** What `BearerAuth` takes. */
export type BearerTokenSource = {
  accessToken(): Promise<string>;
  refresh(rejectedToken: string): Promise<boolean>;
};

export type OAuthTokenManagerOptions = {
  store: ConnectionTokenStore;
  /** The dialect's OAuth client (`SageOAuthClient`), or anything that spends a refresh token. */
  client: { refresh(refreshToken: string): Promise<OAuthTokens> };
  now?: () => number;
  /** An access token with less life left than this is refreshed before use. */
  minValidityMs?: number;
};

export const DEFAULT_MIN_VALIDITY_MS = 60_000;

export class OAuthTokenManager {
  private readonly store: ConnectionTokenStore;
  private readonly client: OAuthTokenManagerOptions['client'];
  private readonly now: () => number;
  private readonly minValidityMs: number;
  private readonly inFlight = new Map<string, Promise<StoredAccessToken>>();

  constructor(options: OAuthTokenManagerOptions) {
    this.store = options.store;
    this.client = options.client;
    this.now = options.now ?? Date.now;
    this.minValidityMs = options.minValidityMs ?? DEFAULT_MIN_VALIDITY_MS;
  }

  /** The per-connection view for `new BearerAuth(manager.tokenSource(connectionId))`. */
  tokenSource(connectionId: string): BearerTokenSource {
    return {
      accessToken: () => this.accessToken(connectionId),
      refresh: (rejectedToken) => this.refresh(connectionId, rejectedToken),
    };
  }

  /** A token valid for at least `minValidityMs` more, refreshing first when needed. */
  async accessToken(connectionId: string): Promise<string> {
    const stored = await this.store.read(connectionId);
    assertConnected(stored);
    if (stored.accessToken !== null && this.isFresh(stored)) return stored.accessToken;
    return usableToken(await this.refreshOnce(connectionId, stored.tokenVersion));
  }

  /**
   * Sage refused `rejectedToken` (401). Refreshes unless another caller already replaced it, and
   * says whether a different token is now stored. Throws SAGE_AUTH_REVOKED when the connection
   * needs a person to reconnect, and a retryable SageError when Sage's sign-in service failed.
   */
  async refresh(connectionId: string, rejectedToken: string): Promise<boolean> {
    const stored = await this.store.read(connectionId);
    assertConnected(stored);
    if (stored.accessToken !== null && stored.accessToken !== rejectedToken) return true;
    const next = await this.refreshOnce(connectionId, stored.tokenVersion);
    return usableToken(next) !== rejectedToken;
  }

  private isFresh(stored: StoredAccessToken): boolean {
    return stored.accessTokenExpiresAt !== null && stored.accessTokenExpiresAt.getTime() - this.now() >= this.minValidityMs;
  }

  private refreshOnce(connectionId: string, seenVersion: number): Promise<StoredAccessToken> {
    const running = this.inFlight.get(connectionId);
    if (running) return running;
    const refresh = this.store.refreshUnderLock(connectionId, seenVersion, (refreshToken) => this.client.refresh(refreshToken));
    this.inFlight.set(connectionId, refresh);
    const forget = () => {
      if (this.inFlight.get(connectionId) === refresh) this.inFlight.delete(connectionId);
    };
    refresh.then(forget, forget);
    return refresh;
  }
}

function assertConnected(stored: StoredAccessToken): void {
  if (stored.status === 'connected') return;
  throw new SageError(
    'SAGE_AUTH_REVOKED',
    stored.status === 'needs_reauth'
      ? 'Sage no longer accepts this connection. An admin must reconnect Sage in the portal (Integrations → Connect) to resume syncing.'
      : 'This Sage connection was disconnected. Connect Sage again in the portal (Integrations → Connect) to resume syncing.',
  );
}

function usableToken(stored: StoredAccessToken): string {
  assertConnected(stored);
  if (stored.accessToken === null) {
    throw new SageError('SAGE_AUTH_REVOKED', 'Sage is not connected with OAuth for this integration. Connect Sage in the portal (Integrations → Connect).');
  }
  return stored.accessToken;
}
