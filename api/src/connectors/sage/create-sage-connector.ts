import { connectionSecretContext, openSecret, type Connection, type Integration, type Keyring, type PrismaClient } from '@sagesync/db';
import { createSage500Connector } from './editions/sage500-connector.ts';
import { createSageProConnector } from './editions/sage-pro-connector.ts';
import { createSage50Connector } from './editions/sage50-connector.ts';
import { createSageAccountingConnector } from './editions/sage-accounting-connector.ts';
import { ApiKeyAuth, BearerAuth } from './http/sage-auth.ts';
import { SageHttpClient } from './http/sage-http-client.ts';
import type { RateLimiter } from './http/rate-limiter.ts';
import { SageOAuthClient, type OAuthEndpoints } from './oauth/oauth-client.ts';
import { ConnectionTokenStore, type OAuthProvider } from './oauth/connection-token-store.ts';
import { OAuthTokenManager } from './oauth/oauth-token-manager.ts';
import type { SageConnector } from './sage-connector.ts';
import { SageError } from './sage-error.ts';

// Builds the connector for an integration from its stored Sage connection: the edition decides the
// dialect, the connection row holds where Sage is (`baseUrl`) and the sealed credentials. One
// factory per process: it shares the company rate budgets and one token manager per dialect.

export type SageConnectorFactoryOptions = {
  prisma: PrismaClient;
  keyring: Keyring;
  /** Shared by every connector of the process (or PostgreSQL-backed across workers). */
  rateLimiter: RateLimiter;
  /** OAuth client settings per dialect; a real Sage host is configuration. */
  oauth: Partial<Record<OAuthProvider, OAuthEndpoints>>;
  timeoutMs?: number;
  fetch?: typeof fetch;
  now?: () => number;
};

export class SageConnectionMissingError extends SageError {}

export function createSageConnectorFactory(options: SageConnectorFactoryOptions) {
  const managers = new Map<OAuthProvider, OAuthTokenManager>();
  const store = new ConnectionTokenStore({ prisma: options.prisma, keyring: options.keyring, ...(options.now ? { now: options.now } : {}) });

  function tokenManager(provider: OAuthProvider): OAuthTokenManager {
    let manager = managers.get(provider);
    if (!manager) {
      const endpoints = options.oauth[provider];
      if (!endpoints) {
        throw new SageError('SAGE_AUTH_REVOKED', `OAuth is not configured for ${provider} on this server; an operator must set its client id and secret.`);
      }
      const client = new SageOAuthClient({ endpoints, ...(options.fetch ? { fetch: options.fetch } : {}), ...(options.now ? { now: options.now } : {}) });
      manager = new OAuthTokenManager({ store, client, ...(options.now ? { now: options.now } : {}) });
      managers.set(provider, manager);
    }
    return manager;
  }

  const transport = (connection: Connection, integration: Integration) => ({
    rateLimiter: options.rateLimiter,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.now ? { now: options.now } : {}),
    auth:
      integration.sageEdition === 'sage500'
        ? new ApiKeyAuth('X-Api-Key', openSecret(options.keyring, connection.apiKey, connectionSecretContext(connection, 'apiKey')))
        : new BearerAuth(tokenManager(integration.sageEdition).tokenSource(connection.id)),
  });

  return async function sageConnectorFor(integration: Integration): Promise<SageConnector> {
    const connection = await options.prisma.connection.findUnique({
      where: { integrationId_provider: { integrationId: integration.id, provider: integration.sageEdition } },
    });
    if (!connection || connection.status !== 'connected' || !connection.baseUrl) {
      throw new SageConnectionMissingError(
        'SAGE_AUTH_REVOKED',
        connection?.status === 'needs_reauth'
          ? `Sage needs to be reconnected for ${integration.name}: open the portal and connect Sage again.`
          : `${integration.name} has no working Sage connection yet: connect Sage in the portal to start syncing.`,
      );
    }
    const companyId = integration.sageCompanyId;
    const common = transport(connection, integration);
    switch (integration.sageEdition) {
      case 'sage500':
        return createSage500Connector({ companyId, http: new SageHttpClient({ ...common, baseUrl: connection.baseUrl, rateLimitKey: `sage500:${companyId}` }) });
      case 'sage_pro':
        return createSageProConnector({ companyId, http: new SageHttpClient({ ...common, baseUrl: connection.baseUrl, rateLimitKey: `sage_pro:${companyId}` }) });
      case 'sage50':
        return createSage50Connector({ baseUrl: connection.baseUrl, companyId, http: common });
      case 'sage_accounting':
        return createSageAccountingConnector({ baseUrl: connection.baseUrl, businessId: companyId, baseCurrency: integration.homeCurrency, http: common });
    }
  };
}
export type SageConnectorFor = ReturnType<typeof createSageConnectorFactory>;
