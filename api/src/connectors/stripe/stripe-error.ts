import Stripe from 'stripe';

// Every failure of the Stripe connector is a StripeConnectorError: a code the sync engine can
// branch on, whether a retry can help, a message a finance admin understands, and the detail for
// the log. It is never built from anything that holds the API key: the SDK's own error is not kept
// as `cause`, because a logger that walks causes would print whatever the SDK put there.

export const STRIPE_ERROR_CODES = {
  // Retryable: the same request may succeed later.
  STRIPE_RATE_LIMITED: true,
  STRIPE_UNAVAILABLE: true,
  STRIPE_NETWORK: true,
  // Needs a human (or a different request): retrying the same one cannot help.
  STRIPE_NOT_FOUND: false,
  STRIPE_AUTH: false,
  STRIPE_INVALID_REQUEST: false,
  STRIPE_PERMISSION: false,
} as const;
export type StripeErrorCode = keyof typeof STRIPE_ERROR_CODES;

/** What the connector was doing, so a message can name the object. */
export type StripeOperation = {
  /** e.g. `retrieve`, `list`, `update metadata`. */
  action: string;
  /** Stripe's object name: `charge`, `payout`, `balance_transaction`. */
  objectType: string;
  objectId?: string;
};

export type StripeErrorDetail = {
  operation: string;
  stripeAccount?: string;
  status?: number;
  /** Stripe's `Request-Id`, what Stripe support asks for. */
  requestId?: string;
  /** The SDK's class (`StripeInvalidRequestError`) and Stripe's `error.type` and `error.code`. */
  sdkErrorType?: string;
  stripeType?: string;
  stripeCode?: string;
  param?: string;
  /** Stripe's own message, with anything that looks like a key removed. */
  stripeMessage?: string;
  /** The `Stripe-Should-Retry` header, when Stripe sent one. */
  shouldRetry?: 'true' | 'false';
  attempts?: number;
  /** For network failures: the socket error code (ECONNREFUSED, ETIMEDOUT, ...). */
  networkCode?: string;
};

export class StripeConnectorError extends Error {
  override readonly name = 'StripeConnectorError';
  readonly retryable: boolean;

  constructor(
    readonly code: StripeErrorCode,
    /** For a finance admin: what happened and what to do. */
    message: string,
    readonly detail: StripeErrorDetail,
    /** When Stripe said when to come back (Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
    /** Overrides the code's default, e.g. a 429 with `Stripe-Should-Retry: false`. */
    retryable?: boolean,
  ) {
    super(message);
    this.retryable = retryable ?? STRIPE_ERROR_CODES[code];
  }

  /** The same failure after `attempts` tries, for the error the caller finally sees. */
  withAttempts(attempts: number): StripeConnectorError {
    return new StripeConnectorError(this.code, this.message, { ...this.detail, attempts }, this.retryAfterMs, this.retryable);
  }
}

export function isStripeConnectorError(error: unknown): error is StripeConnectorError {
  return error instanceof StripeConnectorError;
}

const KEY_PATTERN = /\b(sk|rk|pk)_(live|test)_[A-Za-z0-9]+/g;

/** Removes the key itself and anything shaped like a Stripe key from text meant for logs. */
export function redactStripeSecrets(text: string, apiKey?: string): string {
  let redacted = apiKey && apiKey.length > 0 ? text.split(apiKey).join('[redacted key]') : text;
  redacted = redacted.replace(KEY_PATTERN, '$1_$2_[redacted]');
  return redacted;
}

function describe(operation: StripeOperation): string {
  return `${operation.action} ${operation.objectType}${operation.objectId ? ` ${operation.objectId}` : ''}`;
}

function objectName(operation: StripeOperation): string {
  const name = operation.objectType.replaceAll('_', ' ');
  return operation.objectId ? `${name} ${operation.objectId}` : name;
}

function headerOf(headers: Record<string, string> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return found?.[1];
}

/** Retry-After as seconds or as an HTTP date, in milliseconds from `nowMs`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

const MESSAGES: Record<StripeErrorCode, (operation: StripeOperation) => string> = {
  STRIPE_RATE_LIMITED: () => 'Stripe asked us to slow down. The sync waits and tries again by itself; nothing needs doing.',
  STRIPE_UNAVAILABLE: () => 'Stripe could not answer just now. The sync tries again by itself; nothing needs doing unless this persists.',
  STRIPE_NETWORK: () => 'We could not reach Stripe over the network. The sync tries again by itself; nothing needs doing unless this persists.',
  STRIPE_NOT_FOUND: (operation) =>
    `Stripe has no ${objectName(operation)} in this Stripe account. It may have been deleted, or it belongs to another connected account.`,
  STRIPE_AUTH: () => 'Stripe refused the API key of this connection. Reconnect Stripe in Settings (the key may have been rolled or revoked).',
  STRIPE_INVALID_REQUEST: (operation) =>
    `Stripe refused our request to ${operation.action} the ${objectName(operation)}. Retrying will not help; please contact support with the request id.`,
  STRIPE_PERMISSION: (operation) =>
    `The Stripe key of this connection is not allowed to ${operation.action} ${operation.objectType.replaceAll('_', ' ')}s. Reconnect Stripe with a key that has that permission.`,
};

function codeForStatus(status: number | undefined, stripeCode: string | undefined, error: Stripe.errors.StripeError): StripeErrorCode {
  if (error instanceof Stripe.errors.StripeConnectionError) return 'STRIPE_NETWORK';
  if (status === 429 || error instanceof Stripe.errors.StripeRateLimitError) return 'STRIPE_RATE_LIMITED';
  if (status === 401 || error instanceof Stripe.errors.StripeAuthenticationError) return 'STRIPE_AUTH';
  if (status === 403 || error instanceof Stripe.errors.StripePermissionError) return 'STRIPE_PERMISSION';
  // A missing object named in a parameter (a list cursor, a payout filter) is a 400 with this code.
  if (status === 404 || stripeCode === 'resource_missing') return 'STRIPE_NOT_FOUND';
  // 409: a concurrent request holds the same object or idempotency key; Stripe asks to try later.
  if (status === 409) return 'STRIPE_UNAVAILABLE';
  if (status === undefined || status >= 500) return 'STRIPE_UNAVAILABLE';
  return 'STRIPE_INVALID_REQUEST';
}

export type ErrorContext = { operation: StripeOperation; apiKey: string; stripeAccount?: string; nowMs: number };

/** Turns whatever the SDK threw into a StripeConnectorError. */
export function toStripeConnectorError(error: unknown, context: ErrorContext): StripeConnectorError {
  if (error instanceof StripeConnectorError) return error;
  const base: StripeErrorDetail = {
    operation: describe(context.operation),
    ...(context.stripeAccount ? { stripeAccount: context.stripeAccount } : {}),
  };
  if (error instanceof Stripe.errors.StripeError) {
    const status = error.statusCode;
    const stripeCode = error.code;
    const code = codeForStatus(status, stripeCode, error);
    const shouldRetryHeader = headerOf(error.headers, 'stripe-should-retry');
    const shouldRetry = shouldRetryHeader === 'true' || shouldRetryHeader === 'false' ? shouldRetryHeader : undefined;
    const underlying = error.detail instanceof Error ? (error.detail as Error & { code?: unknown }) : undefined;
    const detail: StripeErrorDetail = {
      ...base,
      ...(status !== undefined ? { status } : {}),
      ...(error.requestId ? { requestId: error.requestId } : {}),
      sdkErrorType: error.type,
      ...(error.rawType ? { stripeType: error.rawType } : {}),
      ...(stripeCode ? { stripeCode } : {}),
      ...(error.param ? { param: error.param } : {}),
      ...(error.message ? { stripeMessage: redactStripeSecrets(error.message, context.apiKey) } : {}),
      ...(shouldRetry ? { shouldRetry } : {}),
      ...(typeof underlying?.code === 'string' ? { networkCode: underlying.code } : {}),
    };
    const retryAfterMs = parseRetryAfter(headerOf(error.headers, 'retry-after'), context.nowMs);
    // Stripe's own verdict wins over the status: it knows whether the same request can succeed.
    const retryable = shouldRetry === 'false' ? false : shouldRetry === 'true' ? true : undefined;
    const message =
      retryable === false && STRIPE_ERROR_CODES[code]
        ? `Stripe could not ${context.operation.action} the ${objectName(context.operation)} and asked us not to repeat the request. Please contact support with the request id.`
        : MESSAGES[code](context.operation);
    return new StripeConnectorError(code, message, detail, retryAfterMs, retryable);
  }
  const networkCode = (error as { code?: unknown } | null)?.code;
  if (typeof networkCode === 'string' && /^E[A-Z]+$/.test(networkCode)) {
    return new StripeConnectorError('STRIPE_NETWORK', MESSAGES.STRIPE_NETWORK(context.operation), { ...base, networkCode });
  }
  // Anything else came from the SDK refusing our arguments before sending: a bug, not Stripe.
  const message = error instanceof Error ? error.message : String(error);
  return new StripeConnectorError('STRIPE_INVALID_REQUEST', MESSAGES.STRIPE_INVALID_REQUEST(context.operation), {
    ...base,
    stripeMessage: redactStripeSecrets(message, context.apiKey),
  });
}
