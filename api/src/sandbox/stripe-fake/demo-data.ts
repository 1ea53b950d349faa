import { buildStripeScenario, type ScenarioOptions } from './scenario-builder.ts';
import type { StripeObjectStore } from './object-store.ts';

/**
 * The demo's Stripe accounts (one per Sage edition the demo tenants use) and the data each gets:
 * dollars for the ERPs, yen (zero-decimal) and dinars (three-decimal) to show exact conversion.
 */
export const DEMO_ACCOUNTS: ReadonlyArray<{ account: string } & Omit<ScenarioOptions, 'seed' | 'account'>> = [
  { account: 'acct_demo_sage500', currency: 'usd', size: 120, customers: 6 },
  { account: 'acct_demo_sagepro', currency: 'usd', size: 80, customers: 4 },
  { account: 'acct_demo_sage50', currency: 'jpy', size: 60, customers: 3 },
  { account: 'acct_demo_sagecloud', currency: 'bhd', size: 60, customers: 3 },
];

export function loadDemoData(store: StripeObjectStore, seed: number): Record<string, { payout: string; objects: number }> {
  const summary: Record<string, { payout: string; objects: number }> = {};
  DEMO_ACCOUNTS.forEach(({ account, ...options }, index) => {
    const scenario = buildStripeScenario({ ...options, seed: seed + index, account });
    store.load(scenario.objects);
    summary[account] = { payout: scenario.payout.id, objects: scenario.objects.length };
  });
  return summary;
}
