import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

// Envelope encryption for every credential column: each secret gets its own random data key;
// the data key is wrapped by the master key named by `kid`, so master keys can rotate without
// touching plaintext handling anywhere else. AES-256-GCM authenticates the tenant, provider, field
// and key id as associated data: a ciphertext copied to another row, tenant or field fails to open.

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const KEY_BYTES = 32;

export const ZSecretEnvelope = z.object({
  v: z.literal(1),
  kid: z.string().min(1),
  /** Data key encrypted under the master key: nonce | ciphertext | tag, base64. */
  wrappedKey: z.string().min(1),
  nonce: z.string().min(1),
  ciphertext: z.string(),
  tag: z.string().min(1),
});
export type SecretEnvelope = z.infer<typeof ZSecretEnvelope>;

/** Where a secret lives; bound into the ciphertext as associated data. */
export type SecretContext = { orgId: string; provider: string; field: string };

export type MasterKey = { id: string; key: Buffer };
export type Keyring = { current: MasterKey; all: ReadonlyMap<string, Buffer> };

export type SecretErrorCode = 'SECRET_KEY_UNKNOWN' | 'SECRET_DECRYPT_FAILED' | 'SECRET_MALFORMED' | 'SECRET_KEY_INVALID';

export class SecretError extends Error {
  readonly retryable = false;
  constructor(
    readonly code: SecretErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SecretError';
  }
}

function parseKey(id: string, base64: string): MasterKey {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== base64.trim()) {
    throw new SecretError('SECRET_KEY_INVALID', `Master key "${id}" must be ${KEY_BYTES} random bytes in base64 (44 characters).`);
  }
  return { id, key };
}

/**
 * Builds the keyring from configuration: the current key (which seals) and older keys (which only
 * open, until `secrets:rewrap` has moved every secret to the current key).
 * `oldKeys` is "id:base64,id:base64".
 */
export function loadKeyring(config: { key: string; keyId: string; oldKeys?: string | undefined }): Keyring {
  const current = parseKey(config.keyId, config.key);
  const all = new Map<string, Buffer>([[current.id, current.key]]);
  for (const entry of (config.oldKeys ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
    const separator = entry.indexOf(':');
    if (separator <= 0) throw new SecretError('SECRET_KEY_INVALID', 'APP_ENCRYPTION_OLD_KEYS entries look like "id:base64".');
    const old = parseKey(entry.slice(0, separator), entry.slice(separator + 1));
    if (!all.has(old.id)) all.set(old.id, old.key);
  }
  return { current, all };
}

export function generateMasterKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

function associatedData(context: SecretContext, kid: string): Buffer {
  return Buffer.from(JSON.stringify(['sagesync-secret-v1', context.orgId, context.provider, context.field, kid]));
}

function encrypt(key: Buffer, plaintext: Buffer, aad: Buffer) {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv(ALGORITHM, key, nonce);
  cipher.setAAD(aad);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext, tag: cipher.getAuthTag() };
}

function decrypt(key: Buffer, parts: { nonce: Buffer; ciphertext: Buffer; tag: Buffer }, aad: Buffer): Buffer {
  const decipher = createDecipheriv(ALGORITHM, key, parts.nonce);
  decipher.setAAD(aad);
  decipher.setAuthTag(parts.tag);
  return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
}

export function sealSecret(keyring: Keyring, plaintext: string, context: SecretContext): SecretEnvelope {
  const { id: kid, key: masterKey } = keyring.current;
  const aad = associatedData(context, kid);
  const dataKey = randomBytes(KEY_BYTES);
  try {
    const wrapped = encrypt(masterKey, dataKey, aad);
    const sealed = encrypt(dataKey, Buffer.from(plaintext, 'utf8'), aad);
    return {
      v: 1,
      kid,
      wrappedKey: Buffer.concat([wrapped.nonce, wrapped.ciphertext, wrapped.tag]).toString('base64'),
      nonce: sealed.nonce.toString('base64'),
      ciphertext: sealed.ciphertext.toString('base64'),
      tag: sealed.tag.toString('base64'),
    };
  } finally {
    dataKey.fill(0);
  }
}

export function openSecret(keyring: Keyring, stored: unknown, context: SecretContext): string {
  const parsed = ZSecretEnvelope.safeParse(stored);
  if (!parsed.success) {
    throw new SecretError('SECRET_MALFORMED', `The stored ${context.field} is not an encrypted secret; reconnect ${context.provider}.`);
  }
  const envelope = parsed.data;
  const masterKey = keyring.all.get(envelope.kid);
  if (!masterKey) {
    throw new SecretError(
      'SECRET_KEY_UNKNOWN',
      `The ${context.field} of ${context.provider} is sealed with master key "${envelope.kid}", which is not configured. ` +
        'Add it to APP_ENCRYPTION_OLD_KEYS, or reconnect.',
    );
  }
  const aad = associatedData(context, envelope.kid);
  const wrapped = Buffer.from(envelope.wrappedKey, 'base64');
  let dataKey: Buffer | undefined;
  try {
    dataKey = decrypt(
      masterKey,
      {
        nonce: wrapped.subarray(0, NONCE_BYTES),
        ciphertext: wrapped.subarray(NONCE_BYTES, wrapped.length - 16),
        tag: wrapped.subarray(wrapped.length - 16),
      },
      aad,
    );
    return decrypt(
      dataKey,
      {
        nonce: Buffer.from(envelope.nonce, 'base64'),
        ciphertext: Buffer.from(envelope.ciphertext, 'base64'),
        tag: Buffer.from(envelope.tag, 'base64'),
      },
      aad,
    ).toString('utf8');
  } catch {
    // GCM authentication failed: wrong key, or the ciphertext belongs to another row, tenant or field.
    throw new SecretError(
      'SECRET_DECRYPT_FAILED',
      `The stored ${context.field} of ${context.provider} could not be decrypted for this organization; reconnect ${context.provider}.`,
    );
  } finally {
    dataKey?.fill(0);
  }
}

/** True when the envelope is sealed with an older master key and should be re-wrapped. */
export function needsRewrap(keyring: Keyring, stored: unknown): boolean {
  const parsed = ZSecretEnvelope.safeParse(stored);
  return parsed.success && parsed.data.kid !== keyring.current.id;
}
