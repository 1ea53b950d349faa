// The data layer: one schema, one set of migrations, two back ends (PostgreSQL or embedded PGlite).
export * from '../generated/client/client.ts';
export { openDatabase, type Database, type DatabaseKind, type OpenDatabaseOptions } from './database.ts';
export { applyMigrations, readMigrations, MigrationChecksumError, MIGRATIONS_DIR } from './migrations/apply-migrations.ts';
export * from './secrets/envelope.ts';
export * from './secrets/secret-columns.ts';
export { hashPassword, verifyPassword, UNKNOWN_USER_PASSWORD_HASH } from './auth/password-hash.ts';
export * from './json/field-mapping.ts';
export * from './json/gl-rule.ts';
export { DEFAULT_GL_ACCOUNTS, defaultFieldMappings, defaultGlRules } from './seed/default-templates.ts';
export { seedDemo, DEMO_ADMIN_EMAIL, DEMO_ADMIN_PASSWORD, DEMO_INTEGRATIONS, DEMO_ORG_SLUG, type DemoSeedResult } from './seed/seed-demo.ts';
export { ensureDevSecrets, resolveDatabaseTarget, resolveDataDir, resolveKeyring, REPO_ROOT, type DevSecrets, type RuntimeDatabaseConfig } from './runtime-config.ts';
