import {
  connectionSecretContext,
  openSecret,
  sealSecret,
  type Connection,
  type ConnectionProvider,
  type ConnectionStatus,
  type Keyring,
  type PrismaClient,
  type SecretEnvelope,
} from '@sagesync/db';
import { SageError } from '../sage-error.ts';
import { isInvalidGrant, type OAuthTokens } from './oauth-client.ts';

// Where a connection's OAuth tokens live: the Connection row, sealed with the envelope module.
//
// Sage rotates the refresh token on every use and refuses the used one at once. Two workers that
// refresh the same connection at the same moment would each spend the same refresh token; the
// loser gets invalid_grant, and if the winner's answer is lost too, the connection is gone until a
// person consents again. So a refresh runs inside one database transaction that holds the row lock
// (`SELECT … FOR UPDATE`) from before the token endpoint is called until the new pair is committed.
// `tokenVersion` tells a waiter that someone else refreshed while it waited: it then takes the
// stored token and does not call Sage at all. The lock is in the database, so it holds across
// processes; on embedded PGlite, whose single connection serialises transactions, it holds as well.
//
// PGlite trap: while this transaction is open, every other query on the same PGlite waits for it.
// So the transaction makes no query except on the locked row, and the token endpoint call inside
// it has its own timeout well below the transaction's.

export type OAuthProvider = Extract<ConnectionProvider, 'sage_pro' | 'sage50' | 'sage_accounting'>;

/** A connection's current OAuth state, tokens opened. The refresh token never leaves this module. */
export type StoredAccessToken = {
  connectionId: string;
  status: ConnectionStatus;
  tokenVersion: number;
  accessToken: string | null;
  accessTokenExpiresAt: Date | null;
};

export type ConnectionTokenStoreOptions = {
  prisma: PrismaClient;
  keyring: Keyring;
  now?: () => number;
  /** How long a refresh may hold the row lock; above the OAuth client's own timeout. */
  transactionTimeoutMs?: number;
};

// A waiter may sit behind one refresh and then make its own (when the first failed): room for two
// token endpoint calls at the OAuth client's default timeout.
const DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000;

/** Seals a fresh token pair for the row it will be stored on (tenant, provider and field are bound in). */
export function sealOAuthTokens(
  keyring: Keyring,
  row: { orgId: string; provider: ConnectionProvider },
  tokens: Pick<OAuthTokens, 'accessToken' | 'refreshToken'>,
): { accessToken: SecretEnvelope; refreshToken: SecretEnvelope } {
  return {
    accessToken: sealSecret(keyring, tokens.accessToken, connectionSecretContext(row, 'accessToken')),
    refreshToken: sealSecret(keyring, tokens.refreshToken, connectionSecretContext(row, 'refreshToken')),
  };
}

export class ConnectionTokenStore {
  private readonly prisma: PrismaClient;
  private readonly keyring: Keyring;
  private readonly now: () => number;
  private readonly transactionTimeoutMs: number;

  constructor(options: ConnectionTokenStoreOptions) {
    this.prisma = options.prisma;
    this.keyring = options.keyring;
    this.now = options.now ?? Date.now;
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
  }

  /** Reads the stored access token without locking: the common path, when it is still valid. */
  async read(connectionId: string): Promise<StoredAccessToken> {
    const row = await this.prisma.connection.findUnique({ where: { id: connectionId } });
    if (!row) throw notConnected();
    return this.snapshot(row);
  }

  /**
   * Refreshes the connection's tokens unless someone already did since `seenVersion` was read.
   * `refresh` spends the stored refresh token and gives the next pair; it runs while the row is
   * locked, and its pair is committed before this returns. When Sage says the grant is dead, the
   * connection is marked `needs_reauth` (committed) and the SAGE_AUTH_REVOKED error is thrown.
   * Any other failure rolls back and leaves the stored pair as it was.
   */
  async refreshUnderLock(
    connectionId: string,
    seenVersion: number,
    refresh: (refreshToken: string) => Promise<OAuthTokens>,
  ): Promise<StoredAccessToken> {
    const outcome = await this.prisma.$transaction(
      async (tx) => {
        const locked = await tx.$queryRaw<{ id: string }[]>`SELECT "id" FROM "connections" WHERE "id" = ${connectionId} FOR UPDATE`;
        if (locked.length === 0) throw notConnected();
        const row = await tx.connection.findUniqueOrThrow({ where: { id: connectionId } });
        if (row.status !== 'connected' || row.tokenVersion !== seenVersion) return { kind: 'current' as const, row };
        if (row.refreshToken === null) throw notConnected();

        const refreshToken = openSecret(this.keyring, row.refreshToken, connectionSecretContext(row, 'refreshToken'));
        let tokens: OAuthTokens;
        try {
          tokens = await refresh(refreshToken);
        } catch (error) {
          if (!isInvalidGrant(error)) throw error;
          // Committed on purpose: the sync must stop asking Sage and show the admin a Reconnect.
          await tx.connection.update({ where: { id: connectionId }, data: { status: 'needs_reauth' } });
          return { kind: 'revoked' as const, error };
        }
        const updated = await tx.connection.update({
          where: { id: connectionId },
          data: {
            ...sealOAuthTokens(this.keyring, row, tokens),
            accessTokenExpiresAt: tokens.expiresAt,
            tokenVersion: { increment: 1 },
            lastRefreshedAt: new Date(this.now()),
            ...(tokens.scope === null ? {} : { scopes: tokens.scope }),
          },
        });
        return { kind: 'refreshed' as const, row: updated };
      },
      { maxWait: this.transactionTimeoutMs, timeout: this.transactionTimeoutMs },
    );
    if (outcome.kind === 'revoked') throw outcome.error;
    return this.snapshot(outcome.row);
  }

  private snapshot(row: Connection): StoredAccessToken {
    return {
      connectionId: row.id,
      status: row.status,
      tokenVersion: row.tokenVersion,
      accessToken: row.accessToken === null ? null : openSecret(this.keyring, row.accessToken, connectionSecretContext(row, 'accessToken')),
      accessTokenExpiresAt: row.accessTokenExpiresAt,
    };
  }
}

function notConnected(): SageError {
  return new SageError('SAGE_AUTH_REVOKED', 'Sage is not connected with OAuth for this integration. Connect Sage in the portal (Integrations → Connect).');
}
