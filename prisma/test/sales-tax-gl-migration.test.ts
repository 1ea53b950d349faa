import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SageEdition } from '../generated/client/client.ts';
import type { GlAccounts, GlCondition } from '../src/json/gl-rule.ts';
import { applyMigrations, MIGRATIONS_DIR, readMigrations } from '../src/migrations/apply-migrations.ts';
import { DEFAULT_GL_ACCOUNTS, defaultGlRules } from '../src/seed/default-templates.ts';
import { createTestDatabase, type TestDatabase } from '../src/testing/test-database.ts';

// Integrations created before the sales_tax GL role carry the templates of their day: the same
// rules, with no sales tax account, so every invoice with tax would fail. The migration must give
// each the account its edition's template gives now, and leave alone an integration whose admin
// already chose one.

const MIGRATION = '20261215120000_default_sales_tax_gl_account';

type Rule = { name: string; position: number; enabled: boolean; conditions: GlCondition[]; accounts: GlAccounts };

/** The template rules an integration got before sales_tax existed. */
function rulesBeforeSalesTax(edition: SageEdition): Rule[] {
  return defaultGlRules(edition).map((rule, position) => {
    const { sales_tax: _dropped, ...accounts } = rule.accounts;
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

let db: TestDatabase;
let migrationSql: string;
let orgId: string;
let throughThisOne: string;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: false });
  const migration = readMigrations().find((candidate) => candidate.name === MIGRATION);
  if (!migration) throw new Error(`migration ${MIGRATION} not found in ${MIGRATIONS_DIR}`);
  migrationSql = migration.sql;
  // The database as it stood before this migration: every earlier one applied.
  const earlier = migrationsWhere((name) => name < MIGRATION);
  try {
    await applyMigrations(db, earlier);
  } finally {
    fs.rmSync(earlier, { recursive: true, force: true });
  }
  // Later migrations are not this test's subject: it applies this one and stops.
  throughThisOne = migrationsWhere((name) => name <= MIGRATION);
  orgId = (await db.prisma.organization.create({ data: { name: 'Acme', slug: 'acme' } })).id;
});
afterAll(async () => {
  fs.rmSync(throughThisOne, { recursive: true, force: true });
  await db.dispose();
});

let integrations = 0;
async function integrationWith(edition: SageEdition, rules: Rule[]): Promise<string> {
  integrations += 1;
  const integration = await db.prisma.integration.create({
    data: { orgId, name: `Acme ${edition}`, source: 'stripe', sourceAccountId: `acct_${integrations}`, sageEdition: edition, sageCompanyId: `acme-${edition}`, timeZone: 'America/Chicago', homeCurrency: 'USD' },
  });
  await db.prisma.glRule.createMany({ data: rules.map((rule) => ({ ...rule, orgId, integrationId: integration.id })) });
  return integration.id;
}

async function rulesOf(integrationId: string): Promise<Rule[]> {
  const rows = await db.prisma.glRule.findMany({ where: { integrationId }, orderBy: { position: 'asc' } });
  return rows.map((row) => ({ name: row.name, position: row.position, enabled: row.enabled, conditions: row.conditions as GlCondition[], accounts: row.accounts as GlAccounts }));
}

async function everyRule() {
  return db.query<Record<string, unknown>>('SELECT * FROM "gl_rules" ORDER BY "id"');
}

describe('the default sales tax GL account migration', () => {
  const editions = ['sage500', 'sage_pro', 'sage50', 'sage_accounting'] as const;
  const templated = new Map<SageEdition, string>();
  let withoutDefaultRule: string;
  let withOwnChoice: string;
  let ownChoiceRules: Rule[];

  it('adds the edition template’s sales tax payable account to the default rule of each integration that lacks one, and nothing to one that has one', async () => {
    for (const edition of editions) templated.set(edition, await integrationWith(edition, rulesBeforeSalesTax(edition)));
    // Its admin disabled the catch-all rule and supplies accounts by currency instead.
    withoutDefaultRule = await integrationWith('sage50', [
      { name: 'USD accounts', position: 0, enabled: true, conditions: [{ field: 'currency', in: ['USD'] }], accounts: { clearing: '10500', revenue: '40000' } },
      { name: 'Old default', position: 5, enabled: false, conditions: [], accounts: { clearing: '10500' } },
    ]);
    // Its admin chose a tax account for Canadian-dollar invoices only (GST): their choice, untouched.
    ownChoiceRules = [
      ...rulesBeforeSalesTax('sage_accounting'),
      { name: 'GST payable', position: 3, enabled: true, conditions: [{ field: 'currency', in: ['CAD'] }], accounts: { sales_tax: '2201' } },
    ];
    withOwnChoice = await integrationWith('sage_accounting', ownChoiceRules);

    expect(await applyMigrations(db, throughThisOne)).toEqual({ applied: [MIGRATION] });

    for (const edition of editions) {
      // Exactly what a new integration of the edition gets today, sales_tax in "Default accounts".
      const expected = defaultGlRules(edition).map((rule, position) => ({ ...rule, position, enabled: true }));
      const rules = await rulesOf(templated.get(edition)!);
      expect(rules).toEqual(expected);
      expect(rules.at(-1)?.accounts.sales_tax).toBe(DEFAULT_GL_ACCOUNTS[edition].sales_tax);
    }
    const added = await rulesOf(withoutDefaultRule);
    expect(added.slice(0, 2).map((rule) => rule.name)).toEqual(['USD accounts', 'Old default']);
    expect(added[2]).toEqual({ name: 'Default sales tax account', position: 6, enabled: true, conditions: [], accounts: { sales_tax: '23100' } });
    expect(await rulesOf(withOwnChoice)).toEqual(ownChoiceRules);
  });

  it('changes nothing when applied a second time', async () => {
    const before = await everyRule();
    expect(before.length).toBeGreaterThan(0);
    await db.exec(migrationSql);
    expect(await everyRule()).toEqual(before);
  });
});
