import type { Keyring, PrismaClient } from '@sagesync/db';
import { z } from 'zod';
import { createSageConnectorFactory } from '../connectors/sage/create-sage-connector.ts';
import type { OAuthEndpoints } from '../connectors/sage/oauth/oauth-client.ts';
import type { OAuthProvider } from '../connectors/sage/oauth/connection-token-store.ts';
import { defaultBudgetPerSecond } from '../connectors/stripe/stripe-request-budget.ts';
import type { Logger } from '../observability/logger.ts';
import { PostgresTokenBucket } from './budgets/postgres-token-bucket.ts';
import { sharedStripeBudget } from './budgets/stripe-read-budget.ts';
import { createSyncServices, type SyncServices } from './sync-services.ts';

// What the worker needs to reach Stripe and Sage, validated once at start. The lead merges these
// variables into the one env schema (config/env.ts) and the README; until then the worker reads
// them here, with the same conventions (an empty string means unset).

/** The Stripe fake and the demo accept this key; it is public (it is in the README). */
export const DEMO_STRIPE_API_KEY = 'sk_test_demo_local';

/** Where each OAuth dialect serves its consent page and token endpoint on a Sage host (the sandbox's layout). */
const OAUTH_PREFIX: Record<OAuthProvider, string> = { sage_pro: '/sagepro', sage50: '/sage50', sage_accounting: '/sageaccounting' };

function unsetWhenEmpty(value: unknown): unknown {
  return typeof value === 'string' && value.trim() === '' ? undefined : value;
}
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(unsetWhenEmpty, schema.optional());
const ZBaseUrl = z.url().transform((value) => value.replace(/\/+$/, ''));

export const ZSyncConfig = z
  .object({
    /** Unset: the embedded demo's key (the Stripe fake accepts it); required with PostgreSQL. */
    STRIPE_API_KEY: optional(z.string().regex(/^(sk|rk)_(test|live)_\S+$/, 'must be a Stripe secret or restricted key (sk_… or rk_…)')),
    /** Unset: api.stripe.com. The demo points it at the Stripe fake (http://127.0.0.1:4020). */
    STRIPE_API_BASE: optional(ZBaseUrl),
    /** Requests per second per Stripe account; unset: half of Stripe's limit for the key's mode. */
    STRIPE_READ_BUDGET_PER_SECOND: optional(z.coerce.number().int().min(1).max(100)),
    /** Where the three OAuth dialects live (the Sage sandbox in the demo); unset: OAuth editions cannot sync. */
    SAGE_OAUTH_BASE_URL: optional(ZBaseUrl),
    SAGE_OAUTH_CLIENT_ID: optional(z.string().min(1)),
    SAGE_OAUTH_CLIENT_SECRET: optional(z.string().min(1)),
    /** Requests per minute per Sage company: below the lowest dialect limit (Sage Accounting, 200), so we never cause a 429. */
    SAGE_RATE_LIMIT_PER_MINUTE: z.preprocess(unsetWhenEmpty, z.coerce.number().int().min(1).max(6_000).default(180)),
  })
  .superRefine((env, ctx) => {
    const oauthSet = [env.SAGE_OAUTH_BASE_URL, env.SAGE_OAUTH_CLIENT_ID, env.SAGE_OAUTH_CLIENT_SECRET].filter((value) => value !== undefined).length;
    if (oauthSet > 0 && oauthSet < 3) {
      ctx.addIssue({ code: 'custom', path: ['SAGE_OAUTH_BASE_URL'], message: 'SAGE_OAUTH_BASE_URL, SAGE_OAUTH_CLIENT_ID and SAGE_OAUTH_CLIENT_SECRET go together: set all three or none' });
    }
  });

export type SyncConfig = {
  stripe: { platformApiKey: string | undefined; apiBase: string | undefined; readBudgetPerSecond: number | undefined };
  sage: { oauth: Partial<Record<OAuthProvider, OAuthEndpoints>>; ratePerMinute: number };
};

export class SyncConfigError extends Error {
  readonly code = 'SYNC_CONFIG_INVALID';
  readonly retryable = false;
}

/** Reads and checks the worker's Stripe and Sage settings; a bad value fails loudly, once, at start. */
export function loadSyncConfig(source: NodeJS.ProcessEnv = process.env, { embedded }: { embedded: boolean } = { embedded: !source.DATABASE_URL }): SyncConfig {
  const parsed = ZSyncConfig.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(env)'}: ${issue.message}`).join('; ');
    throw new SyncConfigError(`The worker's Stripe/Sage settings are invalid: ${problems}`);
  }
  const env = parsed.data;
  const oauth: SyncConfig['sage']['oauth'] = {};
  if (env.SAGE_OAUTH_BASE_URL && env.SAGE_OAUTH_CLIENT_ID && env.SAGE_OAUTH_CLIENT_SECRET) {
    for (const provider of Object.keys(OAUTH_PREFIX) as OAuthProvider[]) {
      const base = `${env.SAGE_OAUTH_BASE_URL}${OAUTH_PREFIX[provider]}/oauth`;
      oauth[provider] = { authorizeUrl: `${base}/authorize`, tokenUrl: `${base}/token`, clientId: env.SAGE_OAUTH_CLIENT_ID, clientSecret: env.SAGE_OAUTH_CLIENT_SECRET };
    }
  }
  return {
    stripe: {
      // With PostgreSQL an unset key means "per-integration keys" (single-account mode): no default.
      platformApiKey: env.STRIPE_API_KEY ?? (embedded ? DEMO_STRIPE_API_KEY : undefined),
      apiBase: env.STRIPE_API_BASE,
      readBudgetPerSecond: env.STRIPE_READ_BUDGET_PER_SECOND,
    },
    sage: { oauth, ratePerMinute: env.SAGE_RATE_LIMIT_PER_MINUTE },
  };
}

/** One set of services per worker process: budgets and OAuth refreshes are shared by every job. */
export function buildSyncServices(config: SyncConfig, deps: { prisma: PrismaClient; keyring: Keyring; log: Logger }): SyncServices {
  const sageConnectorFor = createSageConnectorFactory({
    prisma: deps.prisma,
    keyring: deps.keyring,
    // In PostgreSQL, not in memory: every worker process on every machine spends one budget per
    // Sage company, so together they stay under the company's limit and never cause a 429.
    rateLimiter: new PostgresTokenBucket({ prisma: deps.prisma, limits: { perMinute: config.sage.ratePerMinute } }),
    oauth: config.sage.oauth,
  });
  // Half of Stripe's limit for the mode; per-integration keys default to the test-mode budget unless
  // set. In PostgreSQL like Sage's: every process reading an account spends the same budget.
  const perSecond = config.stripe.readBudgetPerSecond ?? defaultBudgetPerSecond(config.stripe.platformApiKey ?? 'sk_test_');
  return createSyncServices({
    prisma: deps.prisma,
    keyring: deps.keyring,
    log: deps.log,
    stripe: { platformApiKey: config.stripe.platformApiKey, apiBase: config.stripe.apiBase, rateLimiter: sharedStripeBudget({ prisma: deps.prisma, perSecond }) },
    sageConnectorFor,
  });
}
