import type { z } from 'zod';
import { SageError } from '../sage-error.ts';

/**
 * Refuses a normalized document the schema does not accept before anything is sent, naming every
 * problem at once so that one fix of the mapping covers them all.
 */
export function inputValidator(edition: string) {
  return function validated<S extends z.ZodType>(schema: S, input: unknown, what: string): z.infer<S> {
    const parsed = schema.safeParse(input);
    if (parsed.success) return parsed.data;
    const problems = parsed.error.issues.map((issue) => (issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ${issue.message}` : issue.message));
    const field = parsed.error.issues[0]?.path.map(String).join('.');
    throw new SageError('SAGE_VALIDATION', `${what} was not sent to ${edition} because it is not valid: ${problems.join('; ')}. Fix the mapping or GL rules, then resync.`, field ? { field } : {});
  };
}
