import type { Prisma } from '../../generated/client/client.ts';
import type { Database } from '../database.ts';
import { needsRewrap, openSecret, sealSecret, type Keyring, type SecretContext } from './envelope.ts';

// Every encrypted column in the schema, in one list: the re-wrap command walks exactly these, and
// a test checks the list against the schema so a new credential column cannot be forgotten.
export const CONNECTION_SECRET_FIELDS = ['accessToken', 'refreshToken', 'apiKey', 'password'] as const;
export type ConnectionSecretField = (typeof CONNECTION_SECRET_FIELDS)[number];
export const INTEGRATION_SECRET_FIELDS = ['webhookSecret'] as const;

export function connectionSecretContext(
  row: { orgId: string; provider: string },
  field: ConnectionSecretField,
): SecretContext {
  return { orgId: row.orgId, provider: row.provider, field: `connection.${field}` };
}

export function integrationSecretContext(row: { orgId: string; source: string }): SecretContext {
  return { orgId: row.orgId, provider: row.source, field: 'integration.webhookSecret' };
}

export type RewrapReport = { examined: number; rewrapped: number };

/**
 * Moves every secret sealed under an older master key to the current one. Each row is re-read and
 * written in its own transaction, so a crash part-way leaves every secret readable (old keys stay
 * configured until this reports nothing left to do).
 */
export async function rewrapAllSecrets(db: Database, keyring: Keyring): Promise<RewrapReport> {
  const report: RewrapReport = { examined: 0, rewrapped: 0 };

  const connectionIds = await db.prisma.connection.findMany({ select: { id: true } });
  for (const { id } of connectionIds) {
    await db.prisma.$transaction(async (tx) => {
      const row = await tx.connection.findUniqueOrThrow({ where: { id } });
      const data: Prisma.ConnectionUpdateInput = {};
      for (const field of CONNECTION_SECRET_FIELDS) {
        const stored = row[field];
        if (stored === null) continue;
        report.examined += 1;
        if (!needsRewrap(keyring, stored)) continue;
        const context = connectionSecretContext(row, field);
        data[field] = sealSecret(keyring, openSecret(keyring, stored, context), context);
        report.rewrapped += 1;
      }
      if (Object.keys(data).length > 0) await tx.connection.update({ where: { id }, data });
    });
  }

  const integrationIds = await db.prisma.integration.findMany({ select: { id: true } });
  for (const { id } of integrationIds) {
    await db.prisma.$transaction(async (tx) => {
      const row = await tx.integration.findUniqueOrThrow({ where: { id } });
      if (row.webhookSecret === null) return;
      report.examined += 1;
      if (!needsRewrap(keyring, row.webhookSecret)) return;
      const context = integrationSecretContext(row);
      await tx.integration.update({
        where: { id },
        data: { webhookSecret: sealSecret(keyring, openSecret(keyring, row.webhookSecret, context), context) },
      });
      report.rewrapped += 1;
    });
  }
  return report;
}
