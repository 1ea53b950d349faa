/**
 * Stripe's error responses: `{ error: { type, code, message, param, doc_url } }` with the status
 * Stripe uses, so the real SDK turns each into the same typed error it would raise against Stripe
 * (400/404 → StripeInvalidRequestError or StripeIdempotencyError, 401 → StripeAuthenticationError,
 * 429 → StripeRateLimitError).
 */
export type StripeErrorType = 'invalid_request_error' | 'idempotency_error' | 'api_error' | 'card_error';

export type StripeErrorBody = {
  error: { type: StripeErrorType; message: string; code?: string; param?: string; doc_url?: string };
};

type StripeFakeErrorInit = {
  status: number;
  type: StripeErrorType;
  message: string;
  code?: string;
  param?: string;
  headers?: Record<string, string>;
};

export class StripeFakeError extends Error {
  readonly status: number;
  readonly type: StripeErrorType;
  readonly code: string | undefined;
  readonly param: string | undefined;
  readonly headers: Record<string, string>;

  constructor(init: StripeFakeErrorInit) {
    super(init.message);
    this.name = 'StripeFakeError';
    this.status = init.status;
    this.type = init.type;
    this.code = init.code;
    this.param = init.param;
    this.headers = init.headers ?? {};
  }

  toBody(): StripeErrorBody {
    return {
      error: {
        type: this.type,
        message: this.message,
        ...(this.code ? { code: this.code, doc_url: `https://stripe.com/docs/error-codes/${this.code.replaceAll('_', '-')}` } : {}),
        ...(this.param ? { param: this.param } : {}),
      },
    };
  }
}

export function invalidRequest(message: string, options: { param?: string; code?: string; status?: number } = {}): StripeFakeError {
  return new StripeFakeError({ status: options.status ?? 400, type: 'invalid_request_error', message, ...options });
}

export function parameterMissing(param: string): StripeFakeError {
  return invalidRequest(`Missing required param: ${param}.`, { param, code: 'parameter_missing' });
}

export function unknownParameter(param: string): StripeFakeError {
  return invalidRequest(`Received unknown parameter: ${param}`, { param, code: 'parameter_unknown' });
}

/** A missing object named in the URL is a 404; one named in a parameter is a 400 (as in Stripe). */
export function resourceMissing(objectType: string, id: string, param = 'id'): StripeFakeError {
  return invalidRequest(`No such ${objectType}: '${id}'`, {
    param,
    code: 'resource_missing',
    status: param === 'id' ? 404 : 400,
  });
}

export function unrecognizedRequestUrl(method: string, url: string): StripeFakeError {
  return invalidRequest(
    `Unrecognized request URL (${method}: ${url}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
    { status: 404 },
  );
}

export function apiKeyMissing(): StripeFakeError {
  return invalidRequest(
    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    { status: 401 },
  );
}

export function apiKeyInvalid(key: string): StripeFakeError {
  // Stripe shows only the key's prefix and last four characters; so do we, so logs never hold a key.
  const shown = key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}` : '****';
  return invalidRequest(`Invalid API Key provided: ${shown}`, { status: 401 });
}

/** Stripe's answer when something went wrong on its side. */
export function apiError(): StripeFakeError {
  return new StripeFakeError({ status: 500, type: 'api_error', message: 'An unknown error occurred' });
}

export function rateLimited(): StripeFakeError {
  return new StripeFakeError({
    status: 429,
    type: 'invalid_request_error',
    code: 'rate_limit',
    message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
    headers: { 'stripe-should-retry': 'true' },
  });
}

export function idempotencyKeyReused(key: string): StripeFakeError {
  return new StripeFakeError({
    status: 400,
    type: 'idempotency_error',
    message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
  });
}

export function idempotencyKeyInUse(key: string): StripeFakeError {
  return new StripeFakeError({
    status: 409,
    type: 'invalid_request_error',
    code: 'idempotency_key_in_use',
    message: `There is currently another in-progress request using this Idempotent Key (${key}). Please try again later.`,
  });
}
