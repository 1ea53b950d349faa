// How a connector proves who it is to a dialect. API keys never change; OAuth access tokens
// expire and are refreshed by the token manager (connectors/sage/oauth/), which stores rotating
// refresh tokens atomically.

export interface SageAuth {
  /** Adds the credentials to an outgoing request. */
  authorize(headers: Headers): Promise<void>;
  /**
   * Sage answered 401 to a request sent with `sent` headers. Return true when fresh credentials
   * were obtained (the request is retried once); false when nothing can help (the connection needs
   * to be re-authorized by a person).
   */
  recoverFromUnauthorized(sent?: Headers): Promise<boolean>;
}

export class ApiKeyAuth implements SageAuth {
  constructor(
    private readonly headerName: string,
    private readonly apiKey: string,
  ) {}

  async authorize(headers: Headers): Promise<void> {
    headers.set(this.headerName, this.apiKey);
  }

  async recoverFromUnauthorized(): Promise<boolean> {
    return false;
  }
}

/** A bearer token from a provider (the OAuth token manager, or a fixed token in tests). */
export class BearerAuth implements SageAuth {
  constructor(
    private readonly tokens: { accessToken(): Promise<string>; refresh(rejectedToken: string): Promise<boolean> },
  ) {}

  private lastToken: string | null = null;

  async authorize(headers: Headers): Promise<void> {
    this.lastToken = await this.tokens.accessToken();
    headers.set('authorization', `Bearer ${this.lastToken}`);
  }

  /**
   * The token refused is the one the refused request carried: one connector serves several jobs
   * at once, so the token this instance handed out last may already be a newer one.
   */
  async recoverFromUnauthorized(sent?: Headers): Promise<boolean> {
    const carried = sent?.get('authorization')?.replace(/^Bearer /, '') ?? this.lastToken;
    return carried ? this.tokens.refresh(carried) : false;
  }
}
