import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateMasterKey, loadKeyring, openSecret, sealSecret, SecretError } from '../src/secrets/envelope.ts';
import {
  CONNECTION_SECRET_FIELDS,
  connectionSecretContext,
  INTEGRATION_SECRET_FIELDS,
  rewrapAllSecrets,
} from '../src/secrets/secret-columns.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.ts';

const keyA = generateMasterKey();
const keyB = generateMasterKey();
const context = { orgId: 'org_1', provider: 'sage_accounting', field: 'connection.refreshToken' };

describe('envelope encryption', () => {
  const keyring = loadKeyring({ key: keyA, keyId: 'k1' });

  it('opens what it sealed, and seals the same secret differently each time', () => {
    const first = sealSecret(keyring, 'rt_secret_value', context);
    const second = sealSecret(keyring, 'rt_secret_value', context);
    expect(openSecret(keyring, first, context)).toBe('rt_secret_value');
    expect(first.ciphertext).not.toBe(second.ciphertext);
    expect(first.nonce).not.toBe(second.nonce);
    expect(first.wrappedKey).not.toBe(second.wrappedKey);
    expect(Buffer.from(first.nonce, 'base64')).toHaveLength(12);
    expect(first.kid).toBe('k1');
  });

  it('refuses to open a secret under another tenant, provider or field', () => {
    const sealed = sealSecret(keyring, 'rt_secret_value', context);
    for (const other of [
      { ...context, orgId: 'org_2' },
      { ...context, provider: 'sage50' },
      { ...context, field: 'connection.accessToken' },
    ]) {
      expect(() => openSecret(keyring, sealed, other)).toThrowError(SecretError);
    }
  });

  it('refuses a tampered ciphertext and a swapped key id', () => {
    const sealed = sealSecret(keyring, 'rt_secret_value', context);
    const flipped = Buffer.from(sealed.ciphertext, 'base64');
    flipped[0] = flipped[0]! ^ 1;
    expect(() => openSecret(keyring, { ...sealed, ciphertext: flipped.toString('base64') }, context)).toThrowError(/could not be decrypted/);
    const twoKeys = loadKeyring({ key: keyB, keyId: 'k2', oldKeys: `k1:${keyA}` });
    expect(() => openSecret(twoKeys, { ...sealed, kid: 'k2' }, context)).toThrowError(SecretError);
  });

  it('names the missing master key when a secret was sealed under a key no longer configured', () => {
    const sealed = sealSecret(keyring, 'rt_secret_value', context);
    const rotated = loadKeyring({ key: keyB, keyId: 'k2' });
    expect(() => openSecret(rotated, sealed, context)).toThrowError(/master key "k1"/);
  });

  it('rejects a master key that is not 32 bytes of base64', () => {
    expect(() => loadKeyring({ key: 'too-short', keyId: 'k1' })).toThrowError(/32 random bytes/);
    expect(() => loadKeyring({ key: keyA, keyId: 'k1', oldKeys: 'no-separator' })).toThrowError(/id:base64/);
  });
});

describe('encrypted credential columns', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.dispose();
  });

  async function makeIntegration(slug: string) {
    const org = await db.prisma.organization.create({ data: { name: slug, slug } });
    const integration = await db.prisma.integration.create({
      data: {
        orgId: org.id,
        name: `${slug} integration`,
        source: 'stripe',
        sourceAccountId: `acct_${slug}`,
        sageEdition: 'sage_accounting',
        sageCompanyId: `${slug}-co`,
        timeZone: 'Europe/London',
        homeCurrency: 'GBP',
      },
    });
    return { org, integration };
  }

  it('keep a stored token unreadable in the raw row', async () => {
    const keyring = loadKeyring({ key: keyA, keyId: 'k1' });
    const { org, integration } = await makeIntegration('acme');
    const token = 'sage-refresh-token-3f9a7c1e5b';
    const row = { orgId: org.id, provider: 'sage_accounting' as const };
    const created = await db.prisma.connection.create({
      data: {
        ...row,
        integrationId: integration.id,
        authKind: 'oauth',
        refreshToken: sealSecret(keyring, token, connectionSecretContext(row, 'refreshToken')),
      },
    });
    const raw = await db.query<{ row_text: string }>('SELECT row_to_json(c)::text AS row_text FROM connections c WHERE id = $1', [created.id]);
    expect(raw[0]!.row_text).not.toContain(token);
    expect(raw[0]!.row_text).not.toContain(Buffer.from(token).toString('base64'));

    const stored = await db.prisma.connection.findUniqueOrThrow({ where: { id: created.id } });
    expect(openSecret(keyring, stored.refreshToken, connectionSecretContext(stored, 'refreshToken'))).toBe(token);
  });

  it('do not decrypt once a row is moved to another tenant', async () => {
    const keyring = loadKeyring({ key: keyA, keyId: 'k1' });
    const a = await makeIntegration('tenant-a');
    const b = await makeIntegration('tenant-b');
    const row = { orgId: a.org.id, provider: 'sage_accounting' as const };
    const created = await db.prisma.connection.create({
      data: { ...row, integrationId: a.integration.id, authKind: 'oauth', accessToken: sealSecret(keyring, 'at_123', connectionSecretContext(row, 'accessToken')) },
    });
    await db.query('UPDATE connections SET "orgId" = $1, "integrationId" = $2 WHERE id = $3', [b.org.id, b.integration.id, created.id]);
    const moved = await db.prisma.connection.findUniqueOrThrow({ where: { id: created.id } });
    expect(() => openSecret(keyring, moved.accessToken, connectionSecretContext(moved, 'accessToken'))).toThrowError(SecretError);
  });

  it('keep every secret readable through a key rotation and re-wrap', async () => {
    const before = loadKeyring({ key: keyA, keyId: 'k1' });
    const { org, integration } = await makeIntegration('rotating');
    const row = { orgId: org.id, provider: 'sage_accounting' as const };
    const values = { accessToken: 'at_1', refreshToken: 'rt_1', apiKey: 'key_1', password: 'pw_1' };
    const created = await db.prisma.connection.create({
      data: {
        ...row,
        integrationId: integration.id,
        authKind: 'oauth',
        ...Object.fromEntries(
          CONNECTION_SECRET_FIELDS.map((field) => [field, sealSecret(before, values[field], connectionSecretContext(row, field))]),
        ),
      },
    });
    await db.prisma.integration.update({
      where: { id: integration.id },
      data: { webhookSecret: sealSecret(before, 'whsec_1', { orgId: org.id, provider: 'stripe', field: 'integration.webhookSecret' }) },
    });

    const during = loadKeyring({ key: keyB, keyId: 'k2', oldKeys: `k1:${keyA}` });
    expect(await rewrapAllSecrets(db, during)).toEqual({ examined: 5, rewrapped: 5 });
    expect(await rewrapAllSecrets(db, during)).toEqual({ examined: 5, rewrapped: 0 });

    const after = loadKeyring({ key: keyB, keyId: 'k2' });
    const stored = await db.prisma.connection.findUniqueOrThrow({ where: { id: created.id } });
    for (const field of CONNECTION_SECRET_FIELDS) {
      expect(openSecret(after, stored[field], connectionSecretContext(stored, field))).toBe(values[field]);
    }
    const storedIntegration = await db.prisma.integration.findUniqueOrThrow({ where: { id: integration.id } });
    expect(openSecret(after, storedIntegration.webhookSecret, { orgId: org.id, provider: 'stripe', field: 'integration.webhookSecret' })).toBe('whsec_1');
  });
});

describe('the list of encrypted columns', () => {
  it('names every Json credential column of connections and integrations in schema.prisma', () => {
    const schema = fs.readFileSync(path.join(import.meta.dirname, '..', 'schema.prisma'), 'utf8');
    const jsonFields = (model: string) => {
      const body = schema.match(new RegExp(`model ${model} \\{([\\s\\S]*?)\\n\\}`))![1]!;
      return [...body.matchAll(/^\s+(\w+)\s+Json\?/gm)].map((m) => m[1]);
    };
    expect(jsonFields('Connection').sort()).toEqual([...CONNECTION_SECRET_FIELDS].sort());
    expect(jsonFields('Integration')).toEqual([...INTEGRATION_SECRET_FIELDS]);
  });
});
