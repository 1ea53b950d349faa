import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SageEdition } from '../../generated/client/client.ts';
import type { GlAccountRole, GlAccounts, GlCondition } from '../../src/json/gl-rule.ts';
import { applyMigrations, MIGRATIONS_DIR, readMigrations } from '../../src/migrations/apply-migrations.ts';
import { defaultGlRules } from '../../src/seed/default-templates.ts';
import { createTestDatabase, type TestDatabase } from '../../src/testing/test-database.ts';

// A data migration's test needs the database as it stood just before the migration (every earlier
// one applied), integrations with the GL rules of their day, and the migration alone to apply: later
// ones are other tests' subjects.

export type Rule = { name: string; position: number; enabled: boolean; conditions: GlCondition[]; accounts: GlAccounts };

/** The template rules an integration got before `role` existed. */
export function templateRulesWithout(edition: SageEdition, role: GlAccountRole): Rule[] {
  return defaultGlRules(edition).map((rule, position) => {
    const { [role]: _dropped, ...accounts } = rule.accounts;
    return { ...rule, position, enabled: true, accounts };
  });
}

/** The migrations that pass `keep`, copied into a directory of their own (the caller removes it). */
function migrationsWhere(keep: (name: string) => boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'migrations-'));
  for (const { name } of readMigrations().filter((candidate) => keep(candidate.name))) {
    fs.cpSync(path.join(MIGRATIONS_DIR, name), path.join(dir, name), { recursive: true });
  }
  return dir;
}

export type DataMigrationHarness = {
  db: TestDatabase;
  /** The migration's own SQL, to apply a second time. */
  migrationSql: string;
  /** Applies every migration up to and including this one (only this one is pending). */
  applyThroughThisOne(): Promise<{ applied: string[] }>;
  integrationWith(edition: SageEdition, rules: Rule[]): Promise<string>;
  rulesOf(integrationId: string): Promise<Rule[]>;
  everyRule(): Promise<Record<string, unknown>[]>;
  dispose(): Promise<void>;
};

export async function databaseBefore(migrationName: string): Promise<DataMigrationHarness> {
  const db = await createTestDatabase({ migrate: false });
  const migration = readMigrations().find((candidate) => candidate.name === migrationName);
  if (!migration) throw new Error(`migration ${migrationName} not found in ${MIGRATIONS_DIR}`);
  const earlier = migrationsWhere((name) => name < migrationName);
  try {
    await applyMigrations(db, earlier);
  } finally {
    fs.rmSync(earlier, { recursive: true, force: true });
  }
  const orgId = (await db.prisma.organization.create({ data: { name: 'Acme', slug: 'acme' } })).id;
  let integrations = 0;
  return {
    db,
    migrationSql: migration.sql,
    async applyThroughThisOne() {
      const throughThisOne = migrationsWhere((name) => name <= migrationName);
      try {
        return await applyMigrations(db, throughThisOne);
      } finally {
        fs.rmSync(throughThisOne, { recursive: true, force: true });
      }
    },
    async integrationWith(edition, rules) {
      integrations += 1;
      const integration = await db.prisma.integration.create({
        data: { orgId, name: `Acme ${edition}`, source: 'stripe', sourceAccountId: `acct_${integrations}`, sageEdition: edition, sageCompanyId: `acme-${edition}`, timeZone: 'America/Chicago', homeCurrency: 'USD' },
      });
      await db.prisma.glRule.createMany({ data: rules.map((rule) => ({ ...rule, orgId, integrationId: integration.id })) });
      return integration.id;
    },
    async rulesOf(integrationId) {
      const rows = await db.prisma.glRule.findMany({ where: { integrationId }, orderBy: { position: 'asc' } });
      return rows.map((row) => ({ name: row.name, position: row.position, enabled: row.enabled, conditions: row.conditions as GlCondition[], accounts: row.accounts as GlAccounts }));
    },
    everyRule: () => db.query<Record<string, unknown>>('SELECT * FROM "gl_rules" ORDER BY "id"'),
    dispose: () => db.dispose(),
  };
}
