import { defaultGlRules } from '@sagesync/db';
import { describe, expect, it } from 'vitest';
import { chooseGlAccounts, GlRuleError, requireGlAccounts, type GlRuleRow } from './gl-rules.ts';

const rows = (edition: Parameters<typeof defaultGlRules>[0]): GlRuleRow[] =>
  defaultGlRules(edition).map((rule, position) => ({ id: `r${position}`, position, enabled: true, ...rule }));

describe('GL rules', () => {
  it('take each account from the first matching rule and the rest from the catch-all', () => {
    const chosen = chooseGlAccounts(rows('sage500'), { reportingCategory: 'refund', currency: 'USD', amountMinor: -500n });
    expect(chosen.accounts.refunds).toBe('4050-00');
    expect(chosen.accounts.clearing).toBe('1150-00');
    expect(chosen.ruleByRole.refunds).toBe('Refunds out of clearing');
    expect(chosen.ruleByRole.clearing).toBe('Default accounts');
  });

  it('let an earlier, narrower rule override by currency, amount and metadata', () => {
    const rules: GlRuleRow[] = [
      { id: 'eur', name: 'EUR revenue', position: 0, enabled: true, conditions: [{ field: 'currency', in: ['EUR'] }], accounts: { revenue: '4100' } },
      { id: 'big', name: 'Large sales', position: 1, enabled: true, conditions: [{ field: 'amount_minor', min: 1_000_000 }], accounts: { revenue: '4200' } },
      { id: 'wholesale', name: 'Wholesale', position: 2, enabled: true, conditions: [{ field: 'metadata', key: 'channel', equals: 'wholesale' }], accounts: { revenue: '4300' } },
      { id: 'off', name: 'Disabled', position: 3, enabled: false, conditions: [], accounts: { revenue: '9999' } },
      ...rows('sage_pro').map((r) => ({ ...r, position: r.position + 10 })),
    ];
    const revenue = (facts: Parameters<typeof chooseGlAccounts>[1]) => chooseGlAccounts(rules, facts).accounts.revenue;
    expect(revenue({ currency: 'eur', amountMinor: 100n })).toBe('4100');
    expect(revenue({ currency: 'USD', amountMinor: 2_000_000n })).toBe('4200');
    expect(revenue({ currency: 'USD', amountMinor: 100n, metadata: { channel: 'wholesale' } })).toBe('4300');
    expect(revenue({ currency: 'USD', amountMinor: 100n })).toBe('4000');
  });

  it('name every missing account instead of guessing', () => {
    const rules: GlRuleRow[] = [{ id: 'only', name: 'Only revenue', position: 0, enabled: true, conditions: [], accounts: { revenue: '4000' } }];
    expect(() => requireGlAccounts(rules, { reportingCategory: 'charge', currency: 'USD', amountMinor: 1n }, ['revenue', 'clearing', 'fees'])).toThrowError(GlRuleError);
    try {
      requireGlAccounts(rules, { reportingCategory: 'charge', currency: 'USD', amountMinor: 1n }, ['revenue', 'clearing', 'fees']);
    } catch (error) {
      expect((error as GlRuleError).missingRoles).toEqual(['clearing', 'fees']);
      expect((error as GlRuleError).message).toMatch(/clearing, fees accounts for charge in USD/);
    }
  });
});
