import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SageEdition } from '../generated/client/client.ts';
import { DEFAULT_GL_ACCOUNTS, defaultGlRules } from '../src/seed/default-templates.ts';
import { databaseBefore, templateRulesWithout, type DataMigrationHarness, type Rule } from './support/data-migration-harness.ts';

// Integrations created before the receivables GL role carry the templates of their day: the same
// rules, with no receivables account. The migration must give each the account its edition's
// template gives now, and leave alone an integration whose admin already chose one.

const MIGRATION = '20261210120000_default_receivables_gl_account';

/** The template rules an integration got before receivables existed. */
const rulesBeforeReceivables = (edition: SageEdition): Rule[] => templateRulesWithout(edition, 'receivables');

let harness: DataMigrationHarness;
beforeAll(async () => {
  harness = await databaseBefore(MIGRATION);
});
afterAll(() => harness.dispose());

const integrationWith = (edition: SageEdition, rules: Rule[]) => harness.integrationWith(edition, rules);
const rulesOf = (integrationId: string) => harness.rulesOf(integrationId);
const everyRule = () => harness.everyRule();

describe('the default receivables GL account migration', () => {
  const editions = ['sage500', 'sage_pro', 'sage50', 'sage_accounting'] as const;
  const templated = new Map<SageEdition, string>();
  let withoutDefaultRule: string;
  let withOwnChoice: string;
  let ownChoiceRules: Rule[];

  it('adds the edition template’s receivables account to the default rule of each integration that lacks one, and nothing to one that has one', async () => {
    for (const edition of editions) templated.set(edition, await integrationWith(edition, rulesBeforeReceivables(edition)));
    // Its admin deleted the catch-all rule and supplies accounts by currency instead.
    withoutDefaultRule = await integrationWith('sage500', [
      { name: 'USD accounts', position: 0, enabled: true, conditions: [{ field: 'currency', in: ['USD'] }], accounts: { clearing: '1150-00', revenue: '4000-00' } },
      { name: 'Old default', position: 3, enabled: false, conditions: [], accounts: { clearing: '1150-00' } },
    ]);
    // Its admin chose a receivables account for euro invoices only: their choice, untouched.
    ownChoiceRules = [
      ...rulesBeforeReceivables('sage_pro'),
      { name: 'Euro receivables', position: 3, enabled: true, conditions: [{ field: 'currency', in: ['EUR'] }], accounts: { receivables: '1210' } },
    ];
    withOwnChoice = await integrationWith('sage_pro', ownChoiceRules);

    // Later migrations are not this test's subject: apply this one and stop.
    expect(await harness.applyThroughThisOne()).toEqual({ applied: [MIGRATION] });

    for (const edition of editions) {
      // Exactly what a new integration of the edition gets today, receivables in "Default accounts".
      const expected = defaultGlRules(edition).map((rule, position) => ({ ...rule, position, enabled: true }));
      expect(await rulesOf(templated.get(edition)!)).toEqual(expected);
      expect((await rulesOf(templated.get(edition)!)).at(-1)?.accounts.receivables).toBe(DEFAULT_GL_ACCOUNTS[edition].receivables);
    }
    const added = await rulesOf(withoutDefaultRule);
    expect(added.slice(0, 2).map((rule) => rule.name)).toEqual(['USD accounts', 'Old default']);
    expect(added[2]).toEqual({ name: 'Default receivables account', position: 4, enabled: true, conditions: [], accounts: { receivables: '1200-00' } });
    expect(await rulesOf(withOwnChoice)).toEqual(ownChoiceRules);
  });

  it('changes nothing when applied a second time', async () => {
    const before = await everyRule();
    expect(before.length).toBeGreaterThan(0);
    await harness.db.exec(harness.migrationSql);
    expect(await everyRule()).toEqual(before);
  });
});
