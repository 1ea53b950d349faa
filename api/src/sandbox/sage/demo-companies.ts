import { createHash } from 'node:crypto';
import type { Company, LedgerAccount, SageDialect } from './ledger-model.ts';

// Charts of accounts per dialect. The clearing, bank, revenue, fees, refunds, disputes, fx and
// adjustments codes are the ones prisma/src/seed/default-templates.ts maps to by default, so the
// demo syncs with no setup; each chart adds a receivables account for invoices and receipts, and
// the sales tax payable liability that default-templates maps the sales_tax role to.

type AccountSeed = [code: string, name: string, type: LedgerAccount['type']];

const CHARTS: Record<SageDialect, { receivables: string; revenue: string; accounts: AccountSeed[]; banks: [name: string, code: string][] }> = {
  sage500: {
    receivables: '1200-00',
    revenue: '4000-00',
    accounts: [
      ['1010-00', 'Cash - Operating', 'asset'],
      ['1150-00', 'Stripe Clearing', 'asset'],
      ['1200-00', 'Accounts Receivable', 'asset'],
      ['2000-00', 'Accounts Payable', 'liability'],
      ['2100-00', 'Sales Tax Payable', 'liability'],
      ['3000-00', 'Retained Earnings', 'equity'],
      ['4000-00', 'Sales Revenue', 'income'],
      ['4050-00', 'Sales Returns and Refunds', 'income'],
      ['6150-00', 'Merchant Processing Fees', 'expense'],
      ['6160-00', 'Chargebacks and Disputes', 'expense'],
      ['6190-00', 'Payment Adjustments', 'expense'],
      ['7900-00', 'Foreign Exchange Gain/Loss', 'expense'],
    ],
    banks: [],
  },
  sage_pro: {
    receivables: '1200',
    revenue: '4000',
    accounts: [
      ['1010', 'Cash - Operating', 'asset'],
      ['1150', 'Stripe Clearing', 'asset'],
      ['1200', 'Accounts Receivable', 'asset'],
      ['2000', 'Accounts Payable', 'liability'],
      ['2100', 'Sales Tax Payable', 'liability'],
      ['3000', 'Retained Earnings', 'equity'],
      ['4000', 'Sales Revenue', 'income'],
      ['4050', 'Sales Returns and Refunds', 'income'],
      ['6150', 'Merchant Processing Fees', 'expense'],
      ['6160', 'Chargebacks and Disputes', 'expense'],
      ['6190', 'Payment Adjustments', 'expense'],
      ['7900', 'Foreign Exchange Gain/Loss', 'expense'],
    ],
    banks: [],
  },
  sage50: {
    receivables: '11000',
    revenue: '40000',
    accounts: [
      ['10200', 'Regular Checking Account', 'asset'],
      ['10500', 'Stripe Clearing', 'asset'],
      ['11000', 'Accounts Receivable', 'asset'],
      ['20000', 'Accounts Payable', 'liability'],
      ['23100', 'Sales Tax Payable', 'liability'],
      ['39000', 'Retained Earnings', 'equity'],
      ['40000', 'Sales', 'income'],
      ['40500', 'Sales Returns and Allowances', 'income'],
      ['61500', 'Merchant Fees', 'expense'],
      ['61600', 'Chargebacks', 'expense'],
      ['61900', 'Payment Adjustments', 'expense'],
      ['79000', 'Currency Gain/Loss', 'expense'],
    ],
    banks: [],
  },
  sage_accounting: {
    receivables: '1100',
    revenue: '4000',
    accounts: [
      ['1100', 'Debtors Control Account', 'asset'],
      ['1200', 'Current', 'asset'],
      ['1210', 'Stripe Clearing', 'asset'],
      ['2100', 'Creditors Control Account', 'liability'],
      ['2200', 'Sales Tax', 'liability'],
      ['3200', 'Retained Earnings', 'equity'],
      ['4000', 'Sales Type A', 'income'],
      ['4009', 'Discounts and Refunds Allowed', 'income'],
      ['7600', 'Merchant Fees', 'expense'],
      ['7601', 'Dispute Losses', 'expense'],
      ['7900', 'Currency Gains and Losses', 'expense'],
      ['8200', 'Payment Adjustments', 'expense'],
    ],
    banks: [
      ['Current', '1200'],
      ['Stripe Clearing', '1210'],
    ],
  },
};

/** Requests a minute each dialect allows per company before answering 429. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE: Record<SageDialect, number> = { sage500: 600, sage_pro: 300, sage50: 300, sage_accounting: 200 };

export const DEMO_CLOSED_THROUGH = '2023-12-31';

function stableId(...parts: string[]): string {
  return createHash('sha256').update(parts.join(':')).digest('hex').slice(0, 32);
}

export type CompanySeedOptions = Partial<Pick<Company, 'name' | 'baseCurrency' | 'closedThrough' | 'apiKey' | 'rateLimitPerMinute'>>;

/** A company with its dialect's chart of accounts; tests use it to build companies of their own. */
export function buildCompany(dialect: SageDialect, id: string, options: CompanySeedOptions = {}): Company {
  const chart = CHARTS[dialect];
  return {
    id,
    dialect,
    name: options.name ?? id,
    baseCurrency: options.baseCurrency ?? 'USD',
    closedThrough: options.closedThrough === undefined ? DEMO_CLOSED_THROUGH : options.closedThrough,
    receivablesAccount: chart.receivables,
    defaultRevenueAccount: chart.revenue,
    apiKey: options.apiKey ?? null,
    rateLimitPerMinute: options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE[dialect],
    accounts: chart.accounts.map(([code, name, type]) => ({ id: stableId(id, 'ledger', code), code, name, type })),
    bankAccounts: chart.banks.map(([name, accountCode]) => ({ id: stableId(id, 'bank', accountCode), name, accountCode })),
  };
}

/** The companies the demo seed (prisma/src/seed/seed-demo.ts) connects to. */
export function demoCompanies(): Company[] {
  return [
    buildCompany('sage500', 'demo-500', { name: 'Demo Sage 500 Company', apiKey: 'demo-500-agent-key' }),
    buildCompany('sage_pro', 'demo-pro', { name: 'Demo Sage Pro Company' }),
    buildCompany('sage50', 'demo-50', { name: 'Demo Sage 50 Company' }),
    buildCompany('sage_accounting', 'demo-cloud', { name: 'Demo Sage Accounting Business' }),
  ];
}
