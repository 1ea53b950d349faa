import 'server-only';
import { z } from 'zod';

export const DEFAULT_API_INTERNAL_URL = 'http://127.0.0.1:4000';
export const DEFAULT_NEXTAUTH_URL = 'http://localhost:3000';

// next-auth v4 reads NEXTAUTH_URL straight from the environment on every request, so the
// default has to live there too, not only in the parsed object below.
process.env.NEXTAUTH_URL ??= DEFAULT_NEXTAUTH_URL;

const ZServerEnvSchema = z.object({
  API_INTERNAL_URL: z.url().default(DEFAULT_API_INTERNAL_URL),
  NEXTAUTH_URL: z.url().default(DEFAULT_NEXTAUTH_URL),
  NEXTAUTH_SECRET: z
    .string({ error: 'is required: the portal signs sessions with it and the api reads them with it' })
    .min(16, 'must be at least 16 characters (the api asks the same)'),
});

export type ServerEnv = z.infer<typeof ZServerEnvSchema>;

let cached: ServerEnv | undefined;

/**
 * Validated on first use at run time (and at boot by instrumentation.ts), not at import:
 * `next build` imports server modules without the run-time secrets.
 */
export function getServerEnv(): ServerEnv {
  if (cached) return cached;
  const parsed = ZServerEnvSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `  ${issue.path.join('.')} ${issue.message}`).join('\n');
    throw new Error(`Portal configuration is invalid:\n${problems}`);
  }
  cached = parsed.data;
  return cached;
}
