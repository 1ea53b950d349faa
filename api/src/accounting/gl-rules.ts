import { GL_ACCOUNT_ROLES, ZGlAccounts, ZGlConditions, type GlAccountRole, type GlAccounts, type GlCondition } from '@sagesync/db';

// Ordered GL rules choose the accounts: for each account role, the first enabled rule that matches
// and names that role wins. A catch-all last rule supplies every role; a role nobody names is an
// error a person must fix, never a guess.

export type GlRuleRow = { id: string; name: string; position: number; enabled: boolean; conditions: unknown; accounts: unknown };

/** What a rule can look at, for one transaction. Amounts in minor units of `currency`. */
export type GlFacts = {
  balanceTransactionType?: string;
  reportingCategory?: string;
  currency: string;
  amountMinor: bigint;
  metadata?: Record<string, string>;
  products?: string[];
  customerId?: string | null;
};

export class GlRuleError extends Error {
  readonly code = 'GL_ACCOUNT_MISSING';
  readonly retryable = false;
  constructor(readonly missingRoles: GlAccountRole[], detail: string) {
    super(`No GL rule names the ${missingRoles.join(', ')} account${missingRoles.length > 1 ? 's' : ''} ${detail}. Add it to the default GL rule in the portal.`);
  }
}

function matches(condition: GlCondition, facts: GlFacts): boolean {
  switch (condition.field) {
    case 'balance_transaction_type':
      return facts.balanceTransactionType !== undefined && condition.in.includes(facts.balanceTransactionType);
    case 'reporting_category':
      return facts.reportingCategory !== undefined && condition.in.includes(facts.reportingCategory);
    case 'currency':
      return condition.in.some((c) => c.toUpperCase() === facts.currency.toUpperCase());
    case 'amount_minor':
      return (condition.min === undefined || facts.amountMinor >= BigInt(condition.min)) && (condition.max === undefined || facts.amountMinor <= BigInt(condition.max));
    case 'metadata':
      return facts.metadata?.[condition.key] === condition.equals;
    case 'product':
      return (facts.products ?? []).some((p) => condition.in.includes(p));
    case 'customer':
      return facts.customerId != null && condition.in.includes(facts.customerId);
  }
}

export type ChosenAccounts = { accounts: Partial<Record<GlAccountRole, string>>; ruleByRole: Partial<Record<GlAccountRole, string>> };

/** Walks the rules in order; returns the account for each role and which rule chose it. */
export function chooseGlAccounts(rules: readonly GlRuleRow[], facts: GlFacts): ChosenAccounts {
  const chosen: ChosenAccounts = { accounts: {}, ruleByRole: {} };
  for (const rule of [...rules].sort((a, b) => a.position - b.position)) {
    if (!rule.enabled) continue;
    const conditions = ZGlConditions.parse(rule.conditions);
    if (!conditions.every((condition) => matches(condition, facts))) continue;
    const accounts: GlAccounts = ZGlAccounts.parse(rule.accounts);
    for (const role of GL_ACCOUNT_ROLES) {
      const account = accounts[role];
      if (account && chosen.accounts[role] === undefined) {
        chosen.accounts[role] = account;
        chosen.ruleByRole[role] = rule.name;
      }
    }
  }
  return chosen;
}

/** The accounts for `roles`, or a GlRuleError naming every one that no rule supplies. */
export function requireGlAccounts<R extends GlAccountRole>(rules: readonly GlRuleRow[], facts: GlFacts, roles: readonly R[]): Record<R, string> {
  const { accounts } = chooseGlAccounts(rules, facts);
  const missing = roles.filter((role) => !accounts[role]);
  if (missing.length) throw new GlRuleError(missing, `for ${facts.reportingCategory ?? facts.balanceTransactionType ?? 'this transaction'} in ${facts.currency}`);
  return Object.fromEntries(roles.map((role) => [role, accounts[role]!])) as Record<R, string>;
}
