import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SageEdition } from '../generated/client/client.ts';
import { DEFAULT_GL_ACCOUNTS, defaultGlRules } from '../src/seed/default-templates.ts';
import { databaseBefore, templateRulesWithout, type DataMigrationHarness, type Rule } from './support/data-migration-harness.ts';

// Integrations created before the sales_tax GL role carry the templates of their day: the same
// rules, with no sales tax account, so every invoice with tax would fail. The migration must give
// each the account its edition's template gives now, and leave alone an integration whose admin
// already chose one.

const MIGRATION = '20261215120000_default_sales_tax_gl_account';

/** The template rules an integration got before sales_tax existed. */
const rulesBeforeSalesTax = (edition: SageEdition): Rule[] => templateRulesWithout(edition, 'sales_tax');

let harness: DataMigrationHarness;
beforeAll(async () => {
  harness = await databaseBefore(MIGRATION);
});
afterAll(() => harness.dispose());

const integrationWith = (edition: SageEdition, rules: Rule[]) => harness.integrationWith(edition, rules);
const rulesOf = (integrationId: string) => harness.rulesOf(integrationId);
const everyRule = () => harness.everyRule();

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

    expect(await harness.applyThroughThisOne()).toEqual({ applied: [MIGRATION] });

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
    await harness.db.exec(harness.migrationSql);
    expect(await everyRule()).toEqual(before);
  });
});
