import { connectionSecretContext, sealSecret, type Integration, type Keyring, type PrismaClient, type SageEdition } from '@sagesync/db';
import type { OAuthEndpoints } from '../../src/connectors/sage/oauth/oauth-client.ts';
import type { OAuthProvider } from '../../src/connectors/sage/oauth/connection-token-store.ts';
import { storeNewOAuthConnection } from '../../src/connectors/sage/oauth/store-new-connection.ts';
import { connectWithOAuth, DEMO_CLIENT, type OAuthPrefix } from '../sandbox/sage/support/sandbox-harness.ts';

// Connects an integration to the Sage sandbox the way an admin would: Sage 500 with its agent URL
// and API key, the OAuth editions through the consent screen and a code exchange.

const PREFIX: Record<OAuthProvider, OAuthPrefix> = { sage_pro: '/sagepro', sage50: '/sage50', sage_accounting: '/sageaccounting' };

/** Where each dialect's API lives on a Sage host (what an admin enters when connecting). */
export function sageBaseUrl(sandboxUrl: string, edition: SageEdition, companyId: string): string {
  switch (edition) {
    case 'sage500':
      return `${sandboxUrl}/sage500/${companyId}`;
    case 'sage_pro':
      return `${sandboxUrl}/sagepro`;
    case 'sage50':
      return `${sandboxUrl}/sage50`;
    case 'sage_accounting':
      return `${sandboxUrl}/sageaccounting/core/v3.1`;
  }
}

export function sandboxOAuthEndpoints(sandboxUrl: string): Record<OAuthProvider, OAuthEndpoints> {
  const endpoints = (provider: OAuthProvider): OAuthEndpoints => ({
    authorizeUrl: `${sandboxUrl}${PREFIX[provider]}/oauth/authorize`,
    tokenUrl: `${sandboxUrl}${PREFIX[provider]}/oauth/token`,
    clientId: DEMO_CLIENT.clientId,
    clientSecret: DEMO_CLIENT.clientSecret,
  });
  return { sage_pro: endpoints('sage_pro'), sage50: endpoints('sage50'), sage_accounting: endpoints('sage_accounting') };
}

export async function connectSageSandbox(prisma: PrismaClient, keyring: Keyring, sandboxUrl: string, integration: Integration): Promise<void> {
  const baseUrl = sageBaseUrl(sandboxUrl, integration.sageEdition, integration.sageCompanyId);
  if (integration.sageEdition === 'sage500') {
    const row = { orgId: integration.orgId, provider: 'sage500' as const };
    await prisma.connection.upsert({
      where: { integrationId_provider: { integrationId: integration.id, provider: 'sage500' } },
      create: { ...row, integrationId: integration.id, authKind: 'api_key', baseUrl, apiKey: sealSecret(keyring, 'demo-500-agent-key', connectionSecretContext(row, 'apiKey')) },
      update: { baseUrl, status: 'connected', apiKey: sealSecret(keyring, 'demo-500-agent-key', connectionSecretContext(row, 'apiKey')) },
    });
    return;
  }
  const tokens = await connectWithOAuth(sandboxUrl, PREFIX[integration.sageEdition]);
  await storeNewOAuthConnection(prisma, keyring, {
    orgId: integration.orgId,
    integrationId: integration.id,
    provider: integration.sageEdition,
    baseUrl,
    tokens: { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: new Date(Date.now() + tokens.expires_in * 1000), scope: null },
  });
}
