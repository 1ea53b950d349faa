import type { ConnectionStatus, Keyring, PrismaClient } from '@sagesync/db';
import { sealOAuthTokens, type OAuthProvider } from './connection-token-store.ts';
import type { OAuthTokens } from './oauth-client.ts';

// After the admin consented and the code was exchanged: the tokens go onto the integration's
// Sage connection, sealed, and the connection is usable again. Reconnecting replaces the tokens of
// the existing row instead of adding a second one.

export type NewOAuthConnection = {
  orgId: string;
  integrationId: string;
  provider: OAuthProvider;
  tokens: OAuthTokens;
  /** The API base of the cloud edition, when it differs per tenant. */
  baseUrl?: string;
  /** Sage's id of the business or company the admin chose, when the dialect says. */
  externalAccountId?: string;
  now?: () => number;
};

export class WrongIntegrationError extends Error {
  override readonly name = 'WrongIntegrationError';
  readonly retryable = false;
}

export async function storeNewOAuthConnection(
  prisma: PrismaClient,
  keyring: Keyring,
  input: NewOAuthConnection,
): Promise<{ connectionId: string; status: ConnectionStatus; tokenVersion: number }> {
  const now = new Date((input.now ?? Date.now)());
  // The org comes from the admin's session and the integration id from the request: they must agree.
  const integration = await prisma.integration.findFirst({ where: { id: input.integrationId, orgId: input.orgId }, select: { id: true, sageEdition: true } });
  if (!integration) throw new WrongIntegrationError('This integration does not exist in your organization.');
  if (integration.sageEdition !== input.provider) {
    throw new WrongIntegrationError(`This integration syncs into ${integration.sageEdition}, not ${input.provider}.`);
  }

  const sealed = sealOAuthTokens(keyring, { orgId: input.orgId, provider: input.provider }, input.tokens);
  const fields = {
    ...sealed,
    status: 'connected' as const,
    accessTokenExpiresAt: input.tokens.expiresAt,
    lastRefreshedAt: now,
    scopes: input.tokens.scope,
    ...(input.baseUrl === undefined ? {} : { baseUrl: input.baseUrl }),
    ...(input.externalAccountId === undefined ? {} : { externalAccountId: input.externalAccountId }),
  };
  const row = await prisma.connection.upsert({
    where: { integrationId_provider: { integrationId: input.integrationId, provider: input.provider } },
    create: { orgId: input.orgId, integrationId: input.integrationId, provider: input.provider, authKind: 'oauth', ...fields },
    // A refresh waiting on the old pair sees the version move and takes the new tokens instead.
    update: { authKind: 'oauth', ...fields, tokenVersion: { increment: 1 } },
    select: { id: true, status: true, tokenVersion: true },
  });
  return { connectionId: row.id, status: row.status, tokenVersion: row.tokenVersion };
}
