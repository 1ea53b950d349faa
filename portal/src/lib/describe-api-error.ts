import { TRPCClientError } from '@trpc/client';

/** What a finance admin reads when a call fails: what happened, and what they can do about it. */
export interface ApiErrorDescription {
  title: string;
  action: string;
  /** Per-field messages from the server's zod validation, when there are any. */
  fieldErrors: Record<string, string[]>;
  signInAgain: boolean;
}

function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data: unknown = error.data;
  if (data && typeof data === 'object' && 'code' in data && typeof data.code === 'string') return data.code;
  return undefined;
}

function zodFieldErrors(error: unknown): Record<string, string[]> {
  if (!(error instanceof TRPCClientError)) return {};
  const data: unknown = error.data;
  if (!data || typeof data !== 'object' || !('zodError' in data)) return {};
  const zodError: unknown = data.zodError;
  if (!zodError || typeof zodError !== 'object' || !('fieldErrors' in zodError)) return {};
  const fieldErrors: unknown = zodError.fieldErrors;
  if (!fieldErrors || typeof fieldErrors !== 'object') return {};
  const result: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(fieldErrors)) {
    if (Array.isArray(messages)) result[field] = messages.filter((m): m is string => typeof m === 'string');
  }
  return result;
}

export function isUnauthorized(error: unknown): boolean {
  return errorCode(error) === 'UNAUTHORIZED';
}

export function describeApiError(error: unknown): ApiErrorDescription {
  const code = errorCode(error);
  const fieldErrors = zodFieldErrors(error);
  const base = { fieldErrors, signInAgain: false };
  switch (code) {
    case 'UNAUTHORIZED':
      return { ...base, signInAgain: true, title: 'Your session has ended.', action: 'Sign in again to continue.' };
    case 'FORBIDDEN':
      return {
        ...base,
        title: 'You do not have permission to do this.',
        action: 'Ask an owner or admin of this organization to make the change, or to give you the admin role.',
      };
    case 'NOT_FOUND':
      return {
        ...base,
        title: 'This item no longer exists.',
        action: 'Reload the page to see the current list.',
      };
    case 'BAD_REQUEST':
      return {
        ...base,
        title: 'The change was not accepted.',
        action: Object.keys(fieldErrors).length
          ? 'Correct the highlighted values and try again.'
          : 'Reload the page and try again.',
      };
    case 'TOO_MANY_REQUESTS':
      return { ...base, title: 'Too many requests.', action: 'Wait a minute, then try again.' };
    case undefined:
      if (error instanceof TRPCClientError || error instanceof TypeError) {
        return {
          ...base,
          title: 'The server could not be reached.',
          action: 'Check your connection and try again in a minute.',
        };
      }
      return { ...base, title: 'Something went wrong.', action: 'Reload the page and try again.' };
    default:
      return {
        ...base,
        title: 'Something went wrong on our side.',
        action: 'Try again in a minute. If it keeps failing, tell your administrator the time it happened.',
      };
  }
}
