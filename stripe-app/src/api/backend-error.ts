/**
 * Every way a backend call can fail, as one typed error that tells the view what to say and
 * whether trying again can help. `detail` is for the log, never for the screen.
 */
export type BackendErrorCode =
  /** The Stripe account has not been linked to a Sage Sync organization yet. */
  | 'account_not_linked'
  /** The backend did not accept Stripe's signature (clock skew, rotated secret, tampering). */
  | 'signature_rejected'
  /** The Dashboard could not produce a signature for the request. */
  | 'signature_unavailable'
  /** The Dashboard user may not do this. */
  | 'forbidden'
  /** Sage Sync has no record of the object. */
  | 'not_found'
  /** Too many requests; wait and retry. */
  | 'rate_limited'
  /** The backend failed or is down. */
  | 'backend_unavailable'
  /** The request never got an answer (offline, DNS, CSP). */
  | 'network_error'
  /** The backend answered with a body this version of the app does not understand. */
  | 'invalid_response'
  /** The Dashboard object is not a payment the app can look up. */
  | 'unsupported_object'
  /** Any other code the backend sends. */
  | (string & {});

export class BackendError extends Error {
  override readonly name = 'BackendError';

  constructor(
    readonly code: BackendErrorCode,
    /** A sentence a finance admin understands. */
    message: string,
    /** What the person can do next. */
    readonly action: string,
    /** Whether the same request may succeed if tried again. */
    readonly retryable: boolean,
    /** HTTP status when there was a response. */
    readonly status?: number,
    /** Technical detail kept for the log. */
    readonly detail?: string,
  ) {
    super(message);
  }
}

const ASK_ADMIN = 'If it keeps happening, ask your Sage Sync admin to check the integration health in the portal.';

/** The error for a status code whose body said nothing we could use. */
export function backendErrorForStatus(status: number, detail?: string): BackendError {
  if (status === 401 || status === 400) {
    return new BackendError(
      'signature_rejected',
      'Sage Sync could not confirm this request came from your Stripe Dashboard.',
      `Reload the page and try again. ${ASK_ADMIN}`,
      false,
      status,
      detail,
    );
  }
  if (status === 403) {
    return new BackendError(
      'forbidden',
      'Your Dashboard role does not allow this action in Sage Sync.',
      'Ask an account administrator to do it, or to change your role.',
      false,
      status,
      detail,
    );
  }
  if (status === 404) {
    return new BackendError(
      'not_found',
      'Sage Sync has no record of this object yet.',
      'It may still be arriving from Stripe; check again in a minute.',
      true,
      status,
      detail,
    );
  }
  if (status === 409) {
    return new BackendError(
      'account_not_linked',
      'This Stripe account is not linked to a Sage Sync organization yet.',
      'Open the Sage Sync app settings and link the account.',
      false,
      status,
      detail,
    );
  }
  if (status === 429) {
    return new BackendError(
      'rate_limited',
      'Sage Sync is busy with other requests from your account.',
      'Wait a few seconds and try again.',
      true,
      status,
      detail,
    );
  }
  return new BackendError(
    'backend_unavailable',
    'Sage Sync is not answering right now.',
    `Try again in a few minutes. ${ASK_ADMIN}`,
    status >= 500,
    status,
    detail,
  );
}

export function signatureUnavailableError(detail: string): BackendError {
  return new BackendError(
    'signature_unavailable',
    'The Stripe Dashboard could not sign the request to Sage Sync.',
    'Reload the page and try again.',
    true,
    undefined,
    detail,
  );
}

export function networkError(detail: string): BackendError {
  return new BackendError(
    'network_error',
    'Sage Sync could not be reached.',
    `Check your connection and try again. ${ASK_ADMIN}`,
    true,
    undefined,
    detail,
  );
}

export function invalidResponseError(status: number, detail: string): BackendError {
  return new BackendError(
    'invalid_response',
    'Sage Sync answered in a way this version of the app does not understand.',
    `Reload the page. ${ASK_ADMIN}`,
    false,
    status,
    detail,
  );
}

/** Anything thrown at the view boundary becomes a BackendError, so views handle one shape. */
export function toBackendError(error: unknown): BackendError {
  if (error instanceof BackendError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return new BackendError(
    'backend_unavailable',
    'Something went wrong while talking to Sage Sync.',
    `Try again. ${ASK_ADMIN}`,
    true,
    undefined,
    detail,
  );
}
