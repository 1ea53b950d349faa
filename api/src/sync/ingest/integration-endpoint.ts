import { integrationSecretContext, openSecret, type Keyring, type PrismaClient } from '@sagesync/db';
import type { WebhookEndpoint } from './classify-stripe-event.ts';

export type IntegrationEndpoint = { endpoint: Extract<WebhookEndpoint, { kind: 'integration' }>; secrets: string[] };

/** Splits a secret setting: two secrets, comma-separated, while one rotates. */
export function splitWebhookSecrets(value: string): string[] {
  return value
    .split(',')
    .map((secret) => secret.trim())
    .filter(Boolean);
}

/**
 * Single-account mode: the endpoint `/webhooks/stripe/:integrationId` is verified with that
 * integration's own secret(s), stored envelope-encrypted. Null when there is no such Stripe
 * integration or it has no webhook secret. Throws a SecretError when the secret cannot be opened
 * (a master key missing from the configuration).
 */
export async function loadIntegrationEndpoint(
  prisma: PrismaClient,
  keyring: Keyring,
  integrationId: string,
): Promise<IntegrationEndpoint | null> {
  const row = await prisma.integration.findFirst({
    where: { id: integrationId, source: 'stripe' },
    select: { id: true, orgId: true, source: true, sourceAccountId: true, livemode: true, webhookSecret: true },
  });
  if (!row || row.webhookSecret === null) return null;
  const secrets = splitWebhookSecrets(openSecret(keyring, row.webhookSecret, integrationSecretContext(row)));
  if (secrets.length === 0) return null;
  return {
    endpoint: {
      kind: 'integration',
      livemode: row.livemode,
      integrationId: row.id,
      orgId: row.orgId,
      sourceAccountId: row.sourceAccountId,
    },
    secrets,
  };
}
