// Every connector failure is a SageError: a code the sync engine can branch on, whether a retry
// can help, a message a finance admin understands, and the raw detail for the log.

export const SAGE_ERROR_CODES = {
  // Retryable: the same request may succeed later.
  SAGE_NETWORK: true,
  SAGE_TIMEOUT: true,
  SAGE_UNAVAILABLE: true,
  SAGE_RATE_LIMITED: true,
  // Needs a human: retrying the same request cannot help.
  SAGE_VALIDATION: false,
  SAGE_MISSING_MASTER_DATA: false,
  SAGE_CLOSED_PERIOD: false,
  SAGE_DUPLICATE_REFERENCE: false,
  SAGE_AUTH_REVOKED: false,
  SAGE_NOT_FOUND: false,
} as const;
export type SageErrorCode = keyof typeof SAGE_ERROR_CODES;

export type SageErrorDetail = {
  method?: string;
  /** Path without query secrets; never a header. */
  path?: string;
  status?: number;
  /** The dialect's own error code(s) and a bounded excerpt of the body. */
  sageCodes?: string[];
  body?: string;
  field?: string;
};

export class SageError extends Error {
  readonly retryable: boolean;
  override readonly name = 'SageError';

  constructor(
    readonly code: SageErrorCode,
    /** For a finance admin: what happened and what to do. */
    message: string,
    readonly detail: SageErrorDetail = {},
    /** When Sage said when to come back (429 Retry-After), in milliseconds. */
    readonly retryAfterMs?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = SAGE_ERROR_CODES[code];
  }
}

export function isSageError(error: unknown): error is SageError {
  return error instanceof SageError;
}
