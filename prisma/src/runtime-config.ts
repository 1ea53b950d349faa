import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OpenDatabaseOptions } from './database.ts';
import { generateMasterKey, loadKeyring, type Keyring } from './secrets/envelope.ts';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type RuntimeDatabaseConfig = {
  DATABASE_URL?: string | undefined;
  DATA_DIR?: string | undefined;
  APP_ENCRYPTION_KEY?: string | undefined;
  APP_ENCRYPTION_KEY_ID?: string | undefined;
  APP_ENCRYPTION_OLD_KEYS?: string | undefined;
};

export function resolveDataDir(env: RuntimeDatabaseConfig): string {
  return path.resolve(REPO_ROOT, env.DATA_DIR || '.data');
}

/** PostgreSQL when DATABASE_URL is set; otherwise the embedded PGlite under DATA_DIR. */
export function resolveDatabaseTarget(env: RuntimeDatabaseConfig): OpenDatabaseOptions {
  if (env.DATABASE_URL) return { url: env.DATABASE_URL };
  return { dataDir: path.join(resolveDataDir(env), 'pglite') };
}

/** Keys the embedded default generates once and keeps beside its data (never used with DATABASE_URL). */
export type DevSecrets = { APP_ENCRYPTION_KEY: string; APP_ENCRYPTION_KEY_ID: string; NEXTAUTH_SECRET: string };

export function ensureDevSecrets(dataDir: string): DevSecrets {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as DevSecrets;
  const secrets: DevSecrets = {
    APP_ENCRYPTION_KEY: generateMasterKey(),
    APP_ENCRYPTION_KEY_ID: 'dev-1',
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
  };
  fs.mkdirSync(dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/**
 * The master keyring: from APP_ENCRYPTION_KEY when set; in the embedded default, a generated dev key
 * kept in DATA_DIR. With DATABASE_URL (production) a missing key is an error, never a silent default.
 */
export function resolveKeyring(env: RuntimeDatabaseConfig): Keyring {
  if (env.APP_ENCRYPTION_KEY) {
    return loadKeyring({ key: env.APP_ENCRYPTION_KEY, keyId: env.APP_ENCRYPTION_KEY_ID || 'k1', oldKeys: env.APP_ENCRYPTION_OLD_KEYS });
  }
  if (env.DATABASE_URL) {
    throw new Error(
      'APP_ENCRYPTION_KEY is required when DATABASE_URL is set: 32 random bytes in base64 ' +
        '(e.g. `node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64\'))"`).',
    );
  }
  const dev = ensureDevSecrets(resolveDataDir(env));
  return loadKeyring({ key: dev.APP_ENCRYPTION_KEY, keyId: dev.APP_ENCRYPTION_KEY_ID, oldKeys: env.APP_ENCRYPTION_OLD_KEYS });
}
