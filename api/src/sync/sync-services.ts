import { connectionSecretContext, openSecret, type Integration, type Keyring, type PrismaClient } from '@sagesync/db';
import type { SageConnectorFor } from '../connectors/sage/create-sage-connector.ts';
import type { SageConnector } from '../connectors/sage/sage-connector.ts';
import { createStripeReader, type StripeReader } from '../connectors/stripe/stripe-client.ts';
import type { StripeRateLimiter } from '../connectors/stripe/stripe-request-budget.ts';
import { StripeConnectorError } from '../connectors/stripe/stripe-error.ts';
import type { Logger } from '../observability/logger.ts';
import { integrationSettingsCache } from './integration-settings-cache.ts';

// What every sync job needs besides its payload: the database, the keyring, a Stripe reader and a
// Sage connector for the integration at hand. Built once per worker process and shared, so rate
// budgets and OAuth refreshes are shared too.

export type StripeAccess = {
  /** Platform mode (a Stripe App): one platform key, every request on behalf of the integration's account. */
  platformApiKey?: string | undefined;
  /** Where the Stripe API is: unset for api.stripe.com; the local Stripe fake in tests and the demo. */
  apiBase?: string | undefined;
  rateLimiter: StripeRateLimiter;
  maxAttempts?: number;
  sleep?: (ms: number) => Promise<void>;
};

const MAX_CACHED_STRIPE_READERS = 1_000;

export type SyncServices = {
  prisma: PrismaClient;
  keyring: Keyring;
  log: Logger;
  now: () => number;
  stripeFor(integration: Integration): Promise<StripeReader>;
  sageFor(integration: Integration): Promise<SageConnector>;
};

export function createSyncServices(options: {
  prisma: PrismaClient;
  keyring: Keyring;
  log: Logger;
  stripe: StripeAccess;
  sageConnectorFor: SageConnectorFor;
  now?: () => number;
}): SyncServices {
  const { prisma, keyring, stripe } = options;
  const location = (() => {
    if (!stripe.apiBase) return {};
    const url = new URL(stripe.apiBase);
    return { host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 80)), protocol: url.protocol.replace(':', '') as 'http' | 'https' };
  })();
  const common = {
    ...location,
    rateLimiter: stripe.rateLimiter,
    ...(stripe.maxAttempts ? { maxAttempts: stripe.maxAttempts } : {}),
    ...(stripe.sleep ? { sleep: stripe.sleep } : {}),
  };

  const settings = integrationSettingsCache(prisma);
  // Platform mode reads every account with one key: a reader per account is built once (a Stripe
  // SDK instance is not cheap to make per job) and kept, a bounded number of them.
  const platformReaders = new Map<string, StripeReader>();
  const platformApiKey = stripe.platformApiKey;
  const platformReader = (account: string, apiKey: string): StripeReader => {
    let reader = platformReaders.get(account);
    if (reader) {
      platformReaders.delete(account); // re-inserted: the map's order is least recently used first
    } else {
      reader = createStripeReader({ ...common, apiKey, stripeAccount: account });
      if (platformReaders.size >= MAX_CACHED_STRIPE_READERS) platformReaders.delete(platformReaders.keys().next().value as string);
    }
    platformReaders.set(account, reader);
    return reader;
  };

  return {
    prisma,
    keyring,
    log: options.log,
    now: options.now ?? Date.now,
    // Built once per integration and reused while its connection is unchanged: no connection read,
    // decrypt and new connector per job (integration-settings-cache.ts checks the connection row).
    sageFor: (integration) => settings.sageConnector(options.sageConnectorFor, integration, () => options.sageConnectorFor(integration)),
    async stripeFor(integration) {
      if (platformApiKey) return platformReader(integration.sourceAccountId, platformApiKey);
      const connection = await prisma.connection.findUnique({
        where: { integrationId_provider: { integrationId: integration.id, provider: 'stripe' } },
      });
      if (!connection?.apiKey) {
        throw new StripeConnectorError('STRIPE_AUTH', `${integration.name} has no Stripe API key: connect Stripe in the portal.`, { operation: 'connect' });
      }
      return createStripeReader({ ...common, apiKey: openSecret(keyring, connection.apiKey, connectionSecretContext(connection, 'apiKey')) });
    },
  };
}
