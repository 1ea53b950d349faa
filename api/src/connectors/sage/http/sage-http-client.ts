import { SageError } from '../sage-error.ts';
import type { SageAuth } from './sage-auth.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { fetchWire, nodeHttpWire, WireTimeoutError, type Wire, type WireAnswer } from './sage-wire.ts';

// Transport shared by every dialect: base URL, auth, the company's rate budget, timeouts, JSON,
// and the failures every dialect shares (network, timeout, 429, 5xx, 401 after one refresh).
// Answers 2xx and other 4xx are returned as they are: each dialect reads its own error bodies.

export type SageRequest = {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path below the base URL, e.g. `/Sage500API/Customers`. */
  path: string;
  query?: Record<string, string | undefined>;
  body?: unknown;
  headers?: Record<string, string>;
};

export type SageResponse = { status: number; headers: Headers; body: unknown; text: string };

export type SageHttpClientOptions = {
  baseUrl: string;
  auth: SageAuth;
  rateLimiter: RateLimiter;
  /** Budget key: one per Sage company (edition + company id). */
  rateLimitKey: string;
  timeoutMs?: number;
  /** Sends through this fetch instead of node:http (tests record or break requests with it). */
  fetch?: typeof fetch;
  now?: () => number;
};

const BODY_EXCERPT = 2_000;

/** Retry-After is seconds or an HTTP date; anything else gets a cautious default. */
export function parseRetryAfterMs(value: string | null, now: number): number {
  if (!value) return 1_000;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1_000);
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : 1_000;
}

export class SageHttpClient {
  private readonly timeoutMs: number;
  private readonly wire: Wire;
  private readonly now: () => number;

  constructor(private readonly options: SageHttpClientOptions) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.wire = options.fetch ? fetchWire(options.fetch) : nodeHttpWire;
    this.now = options.now ?? Date.now;
  }

  async request(request: SageRequest): Promise<SageResponse> {
    // The headers sent stay here (they carry the credentials); only the answer goes back.
    const { response: first, sentHeaders } = await this.send(request);
    if (first.status !== 401) return first;
    if (await this.options.auth.recoverFromUnauthorized(sentHeaders)) {
      const { response: second } = await this.send(request);
      if (second.status !== 401) return second;
    }
    throw new SageError(
      'SAGE_AUTH_REVOKED',
      'Sage refused our credentials. Reconnect Sage in the portal (Integrations → Connect) to resume syncing.',
      this.detail(request, first),
    );
  }

  private async send(request: SageRequest): Promise<{ response: SageResponse; sentHeaders: Headers }> {
    const url = new URL(this.options.baseUrl.replace(/\/$/, '') + request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) if (value !== undefined) url.searchParams.set(name, value);
    const headers = new Headers({ accept: 'application/json', ...request.headers });
    if (request.body !== undefined) headers.set('content-type', 'application/json');
    await this.options.auth.authorize(headers);
    await this.options.rateLimiter.acquire(this.options.rateLimitKey);

    let response: WireAnswer;
    try {
      response = await this.wire(url, {
        method: request.method,
        headers,
        body: request.body === undefined ? undefined : JSON.stringify(request.body, (_key, value) => (typeof value === 'bigint' ? value.toString() : value)),
        timeoutMs: this.timeoutMs,
      });
    } catch (error) {
      const timedOut = error instanceof WireTimeoutError || (error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError'));
      throw new SageError(
        timedOut ? 'SAGE_TIMEOUT' : 'SAGE_NETWORK',
        timedOut
          ? `Sage did not answer within ${Math.round(this.timeoutMs / 1000)} s. We will retry; if Sage committed the document, the retry finds it instead of posting it twice.`
          : 'Sage could not be reached. We will retry; check that the Sage server (or its agent) is running if this persists.',
        { method: request.method, path: url.pathname },
        undefined,
        { cause: error },
      );
    }

    const { text } = response;
    const result: SageResponse = { status: response.status, headers: response.headers, text, body: parseJson(text) };
    if (response.status === 429) {
      const retryAfterMs = parseRetryAfterMs(response.headers.get('retry-after'), this.now());
      this.options.rateLimiter.pause(this.options.rateLimitKey, this.now() + retryAfterMs);
      throw new SageError('SAGE_RATE_LIMITED', 'Sage asked us to slow down; the item will be retried shortly.', this.detail(request, result), retryAfterMs);
    }
    if (response.status >= 500) {
      throw new SageError('SAGE_UNAVAILABLE', `Sage answered with a server error (${response.status}). We will retry.`, this.detail(request, result));
    }
    return { response: result, sentHeaders: headers };
  }

  private detail(request: SageRequest, response: SageResponse) {
    return { method: request.method, path: request.path, status: response.status, body: response.text.slice(0, BODY_EXCERPT) };
  }
}

function parseJson(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
