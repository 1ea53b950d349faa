import { randomBytes } from 'node:crypto';
import { defaultGlRules, DEFAULT_GL_ACCOUNTS, type Integration, type Keyring, type PostingMode, type PrismaClient, type SageEdition } from '@sagesync/db';
import { onTestFinished } from 'vitest';
import { unixToLocalDate } from '../../../../src/accounting/local-date.ts';
import { formatDecimal } from '../../../../src/accounting/money.ts';
import { INDIVIDUALLY_POSTED_CATEGORIES, roleForCategory } from '../../../../src/accounting/payout-journal.ts';
import { createSageConnectorFactory } from '../../../../src/connectors/sage/create-sage-connector.ts';
import { InMemoryTokenBucket } from '../../../../src/connectors/sage/http/rate-limiter.ts';
import { InMemoryRequestBudget } from '../../../../src/connectors/stripe/stripe-request-budget.ts';
import { createLogger } from '../../../../src/observability/logger.ts';
import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';
import { buildStripeScenario, type ScenarioOptions, type StripeScenario } from '../../../../src/sandbox/stripe-fake/scenario-builder.ts';
import { buildStripeFake } from '../../../../src/sandbox/stripe-fake/stripe-fake-server.ts';
import { createSyncServices, type SyncServices } from '../../../../src/sync/sync-services.ts';
import { startSandbox, type RunningSandbox } from '../../../sandbox/sage/support/sandbox-harness.ts';
import { connectSageSandbox, sandboxOAuthEndpoints } from '../../../support/sage-connections.ts';

// One world per test: a Stripe fake and a Sage sandbox over real HTTP, an integration of the
// chosen edition connected to the sandbox with its edition's default GL rules, and the sync
// services the worker would build. The database is the test file's.

export const SANDBOX_COMPANY: Record<SageEdition, string> = { sage500: 'demo-500', sage_pro: 'demo-pro', sage50: 'demo-50', sage_accounting: 'demo-cloud' };

/** Before every generated scenario (they start 2025-01-06): all of its money went through the sync. */
export const BEFORE_SCENARIOS = new Date('2025-01-01T00:00:00Z');

export type PayoutWorld = {
  sandbox: RunningSandbox;
  services: SyncServices;
  integration: Integration;
  company: string;
  accounts: (typeof DEFAULT_GL_ACCOUNTS)[SageEdition];
  /** A generated payout for this integration's Stripe account, loaded into the fake. */
  loadScenario(options: Omit<ScenarioOptions, 'account'>, change?: (objects: LoadableStripeObject[]) => LoadableStripeObject[]): Promise<StripeScenario>;
  /** `POST /_fake/objects` for this integration's account (objects with the same id are replaced). */
  loadObjects(objects: readonly unknown[]): Promise<void>;
  /** The company's balance of an account in a currency, as Sage formats it. */
  balance(account: string, currency: string): Promise<string>;
  /**
   * What per-transaction mode posted before the payout, as the charge/refund/dispute syncs would:
   * each individually-posted transaction created at or after `since`, at gross, into or out of
   * clearing against its own account. Posted through the integration's connector.
   */
  postIndividually(scenario: StripeScenario, since: Date): Promise<number>;
};

export async function startPayoutWorld(
  prisma: PrismaClient,
  keyring: Keyring,
  options: { edition: SageEdition; postingMode: PostingMode; syncStartAt?: Date; timeZone?: string },
): Promise<PayoutWorld> {
  const sandbox = await startSandbox({ now: Date.now });
  onTestFinished(() => sandbox.close());
  const fake = buildStripeFake();
  const { url: stripeUrl } = await fake.listen(0);
  onTestFinished(() => fake.close());

  const org = await prisma.organization.create({ data: { name: `Payouts ${options.edition}`, slug: `payouts-${randomBytes(4).toString('hex')}` } });
  const company = SANDBOX_COMPANY[options.edition];
  const integration = await prisma.integration.create({
    data: {
      orgId: org.id,
      name: `Stripe to ${options.edition}`,
      source: 'stripe',
      sourceAccountId: `acct_${randomBytes(8).toString('hex')}`,
      sageEdition: options.edition,
      sageCompanyId: company,
      postingMode: options.postingMode,
      timeZone: options.timeZone ?? 'America/Chicago',
      homeCurrency: 'USD',
      syncStartAt: options.syncStartAt ?? BEFORE_SCENARIOS,
    },
  });
  await connectSageSandbox(prisma, keyring, sandbox.url, integration);
  await prisma.glRule.createMany({
    data: defaultGlRules(options.edition).map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
  });

  const services = createSyncServices({
    prisma,
    keyring,
    log: createLogger({ level: 'silent' }),
    // Platform mode: one key, every request on behalf of the integration's Stripe account. The fake
    // is not Stripe: its budget is wide so 100 pages do not wait on Stripe's test-mode limit.
    stripe: { platformApiKey: 'sk_test_payouts_platform', apiBase: stripeUrl, rateLimiter: new InMemoryRequestBudget({ perSecond: 100_000 }) },
    sageConnectorFor: createSageConnectorFactory({ prisma, keyring, rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000 }), oauth: sandboxOAuthEndpoints(sandbox.url) }),
  });

  const loadObjects = async (objects: readonly unknown[]) => {
    const response = await fetch(`${stripeUrl}/_fake/objects?account=${encodeURIComponent(integration.sourceAccountId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(objects),
    });
    if (response.status !== 200) throw new Error(`loading objects failed with ${response.status}: ${await response.text()}`);
  };

  const accounts = DEFAULT_GL_ACCOUNTS[options.edition];
  return {
    sandbox,
    services,
    integration,
    company,
    accounts,
    loadObjects,
    async loadScenario(scenarioOptions, change = (objects) => objects) {
      const scenario = buildStripeScenario({ events: false, ...scenarioOptions, account: integration.sourceAccountId });
      await loadObjects(change(scenario.objects));
      return scenario;
    },
    async balance(account, currency) {
      const { status, body } = await sandbox.getJson<{ balance: string }>(`/_sandbox/companies/${company}/accounts/${account}/balance?currency=${currency}`);
      if (status !== 200) throw new Error(`balance answered ${status}`);
      return body.balance;
    },
    async postIndividually(scenario, since) {
      const sage = await services.sageFor(integration);
      const currency = scenario.currency.toUpperCase();
      let posted = 0;
      for (const t of scenario.balanceTransactions) {
        if (!INDIVIDUALLY_POSTED_CATEGORIES.has(t.reporting_category) || t.created * 1000 < since.getTime()) continue;
        const own = accounts[roleForCategory(t.reporting_category) as keyof typeof accounts];
        const gross = BigInt(Math.abs(t.amount));
        // Money in (a charge) is a debit to clearing; money out (refund, dispute) a credit.
        const [debit, credit] = t.amount > 0 ? [accounts.clearing, own] : [own, accounts.clearing];
        await sage.createJournalEntry({
          reference: t.id,
          date: unixToLocalDate(t.created, integration.timeZone),
          currency,
          memo: `${t.reporting_category} ${t.source ?? t.id}`,
          lines: [
            { account: debit, debitMinor: gross, creditMinor: 0n },
            { account: credit, debitMinor: 0n, creditMinor: gross },
          ],
        });
        posted += 1;
      }
      return posted;
    },
  };
}

/** Zero as Sage shows it in a currency: 0.00, 0, 0.000. */
export function zeroIn(currency: string): string {
  return formatDecimal({ minor: 0n, currency: currency.toUpperCase() });
}

export function amountIn(minor: number | bigint, currency: string): string {
  return formatDecimal({ minor: BigInt(minor), currency: currency.toUpperCase() });
}
