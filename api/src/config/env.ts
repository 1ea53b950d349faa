import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The monorepo root: relative paths in the environment (DATA_DIR) are taken from here, not from the cwd. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

function isBase64Key(value: string): boolean {
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 && bytes.toString('base64') === value.trim();
}

const ZBase64Key = z.string().trim().refine(isBase64Key, 'must be 32 random bytes in base64 (44 characters)');

const ZOldKeys = z
  .string()
  .trim()
  .refine(
    (value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean)
        .every((entry) => {
          const separator = entry.indexOf(':');
          return separator > 0 && isBase64Key(entry.slice(separator + 1));
        }),
    'must look like "id:base64,id:base64", each key 32 bytes in base64',
  );

/** Empty strings in the environment mean "not set", as they do in most shells' `.env` files. */
function unsetWhenEmpty(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetWhenEmpty, schema.optional());

/** The embedded demo's Stripe webhook signing secret (public: it is in the README), used when none is set. */
export const DEMO_STRIPE_WEBHOOK_SECRET = 'whsec_demo_local';

/** The embedded demo's Stripe App signing secret (public, like the webhook one), used when none is set. */
export const DEMO_STRIPE_APP_SECRET = 'absec_demo_local';

const ZWebhookSecrets = z
  .string()
  .trim()
  .refine(
    (value) =>
      value
        .split(',')
        .map((entry) => entry.trim())
        .every((entry) => /^whsec_\S+$/.test(entry)),
    'must be one or two Stripe endpoint secrets ("whsec_...", comma-separated while rotating)',
  );

/** Every variable the api and the worker read. Each has a default good for local use except NEXTAUTH_SECRET. */
export const ZEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    API_HOST: z.string().min(1).default('127.0.0.1'),
    API_PORT: z.coerce.number().int().min(0).max(65_535).default(4000),
    /** Set: production PostgreSQL. Unset: the embedded PGlite under DATA_DIR. */
    DATABASE_URL: optional(
      z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// connection string' }),
    ),
    DATA_DIR: z.string().min(1).default('.data'),
    /** The only browser Origin allowed to send mutations (the portal, which proxies /api/trpc here). */
    PORTAL_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:3000'),
    /** Shared with the portal: decrypts next-auth's session cookie. */
    NEXTAUTH_SECRET: z
      .string({ error: 'is required (the same value the portal uses; `npm start` generates one)' })
      .min(16, 'must be at least 16 characters'),
    APP_ENCRYPTION_KEY: optional(ZBase64Key),
    /** Names the current master key in every envelope it seals (the db package defaults it to "k1"). */
    APP_ENCRYPTION_KEY_ID: optional(z.string().trim().min(1)),
    APP_ENCRYPTION_OLD_KEYS: optional(ZOldKeys),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
    /** Unset: on for the embedded database (PGlite lives in one process), off for PostgreSQL. */
    RUN_WORKER_IN_PROCESS: optional(z.stringbool()),
    /**
     * Platform mode: the signing secret of `POST /webhooks/stripe`; two, comma-separated, while one
     * rotates. Unset: the demo secret with the embedded database; that route disabled with PostgreSQL.
     */
    STRIPE_WEBHOOK_SECRET: optional(ZWebhookSecrets),
    /**
     * The Stripe App's signing secret (`absec_...`): verifies every `/stripe-app/*` request. Unset:
     * the demo secret with the embedded database; those routes refuse everything with PostgreSQL.
     */
    STRIPE_APP_SECRET: optional(z.string().trim().regex(/^absec_\S+$/, 'must be a Stripe App signing secret ("absec_...")')),
    /** Bearer token a metrics scraper sends; unset: `/metrics` answers loopback clients only. */
    METRICS_TOKEN: optional(z.string().trim().min(16, 'must be at least 16 characters')),
    /** Whether the webhook endpoint takes live events; events of the other mode are acknowledged and ignored. */
    STRIPE_LIVEMODE: z.preprocess(unsetWhenEmpty, z.stringbool().default(false)),
  })
  .transform((env) => {
    const embedded = env.DATABASE_URL === undefined;
    return {
      ...env,
      DATA_DIR: path.resolve(REPO_ROOT, env.DATA_DIR),
      PORTAL_ORIGIN: new URL(env.PORTAL_URL).origin,
      RUN_WORKER_IN_PROCESS: env.RUN_WORKER_IN_PROCESS ?? embedded,
      STRIPE_APP_SECRET: env.STRIPE_APP_SECRET ?? (embedded ? DEMO_STRIPE_APP_SECRET : undefined),
      STRIPE_WEBHOOK_SECRETS: (env.STRIPE_WEBHOOK_SECRET ?? (embedded ? DEMO_STRIPE_WEBHOOK_SECRET : ''))
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean),
    };
  });

export type Env = z.infer<typeof ZEnvSchema>;

/** Thrown once at start with every problem in the environment, so one run shows them all. */
export class EnvValidationError extends Error {
  readonly code = 'ENV_INVALID';
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid environment (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n` +
        problems.map((problem) => `  - ${problem.variable}: ${problem.message}`).join('\n'),
    );
    this.name = 'EnvValidationError';
  }
}

export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const result = ZEnvSchema.safeParse(source);
  if (result.success) return result.data;
  throw new EnvValidationError(
    result.error.issues.map((issue) => ({
      variable: issue.path.map(String).join('.') || '(environment)',
      message: issue.message,
    })),
  );
}
