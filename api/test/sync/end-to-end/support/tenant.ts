import { randomBytes } from 'node:crypto';
import { DEFAULT_GL_ACCOUNTS, defaultGlRules, type Integration, type PostingMode, type SageEdition, type SourceObjectType, type SyncRecord } from '@sagesync/db';
import Stripe from 'stripe';
import { expect, vi } from 'vitest';
import { buildCompany } from '../../../../src/sandbox/sage/demo-companies.ts';
import type { LoadableStripeObject } from '../../../../src/sandbox/stripe-fake/object-store.ts';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../../../src/sync/ingest/sync-object-job.ts';
import type { InspectedDocument } from '../../../sandbox/sage/support/sandbox-harness.ts';
import { createOrganization } from '../../../support/builders.ts';
import { connectSageSandbox } from '../../../support/sage-connections.ts';
import { deliver } from '../../ingest/support/webhook-harness.ts';
import type { EndToEndStack } from './end-to-end-stack.ts';

// A tenant as an admin sets one up: an organization, its Stripe account connected to the platform,
// and a Sage company of its own (so its balances and trial balance are its alone) connected the
// way each edition connects (Sage 500 with its agent key, the others through OAuth consent), with
// the edition's default GL rules. Everything a test does after that goes through HTTP or the queue.

export const EDITIONS = ['sage500', 'sage_pro', 'sage50', 'sage_accounting'] as const satisfies readonly SageEdition[];

/** Before every object these tests build: what the tenant's Stripe account did, the sync saw. */
export const SYNC_STARTED = new Date('2025-01-01T00:00:00Z');

/**
 * The sandbox document types each Stripe movement lands as, per edition (see the Sage sandbox
 * README and each connector): Sage 500 has no cash-receipt endpoint, Sage 50 no credit memo, and
 * Sage Accounting pairs a credit note with a customer refund out of the clearing bank account.
 */
export const LANDS_AS: Record<SageEdition, { receipt: string[]; refund: string[]; journal: string[] }> = {
  sage500: { receipt: ['journal'], refund: ['credit_memo'], journal: ['journal'] },
  sage_pro: { receipt: ['cash_receipt'], refund: ['credit_memo'], journal: ['journal'] },
  sage50: { receipt: ['cash_receipt'], refund: ['journal'], journal: ['journal'] },
  sage_accounting: { receipt: ['cash_receipt'], refund: ['credit_memo', 'customer_refund'], journal: ['journal'] },
};

/** The Stripe metadata key each edition's Sage customer id is written back under. */
export const SAGE_CUSTOMER_ID_KEY: Record<SageEdition, string> = {
  sage500: 'Sage500CustomerID',
  sage_pro: 'SageProCustomerID',
  sage50: 'Sage50CustomerID',
  sage_accounting: 'SageAccountingContactID',
};

export type TenantSettings = {
  edition: SageEdition;
  timeZone?: string;
  postingMode?: PostingMode;
  writeBackMetadata?: boolean;
  /** The Sage company's base currency, which is also the integration's home currency. Default USD. */
  baseCurrency?: string;
};

export type SandboxCustomer = { id: string; code: string; name: string; email: string | null; stripeCustomerId: string | null };

export type SignedEvent = { id: string; type: string; payload: string };

export type TrialBalance = {
  company: string;
  currencies: { currency: string; debit: string; credit: string; accounts: { account: string; name: string; debit: string; credit: string; balance: string }[] }[];
};

type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

export type Tenant = {
  integration: Integration;
  edition: SageEdition;
  company: string;
  accounts: (typeof DEFAULT_GL_ACCOUNTS)[SageEdition];
  /** The real SDK, acting on this tenant's connected account in the Stripe fake. */
  stripe: Stripe;
  /** `POST /_fake/objects` into this tenant's Stripe account (same id: replaced, as Stripe's state moves on). */
  load(objects: readonly LoadableStripeObject[]): Promise<void>;
  /**
   * The event Stripe would send about `object`, signed as a whole. Without `created`, each event
   * is one second newer than the one before, so the order they are built in is Stripe's order.
   */
  event(type: string, object: LoadableStripeObject, created?: number): SignedEvent;
  /** POSTs each event to the api's platform endpoint, in the order given; each must be accepted. */
  deliver(...events: SignedEvent[]): Promise<void>;
  /**
   * Waits until every sync job of this tenant has completed, then checks that none met an
   * unexpected error on the way. `retryNow` plays the backoff forward: a job waiting to retry
   * (after a lost Sage answer) is made due at once, as pg-boss makes it later.
   */
  settle(options?: { retryNow?: boolean; timeoutMs?: number }): Promise<void>;
  documents(query?: { type?: string; reference?: string }): Promise<InspectedDocument[]>;
  trialBalance(): Promise<TrialBalance>;
  /** Debits minus credits of an account in a currency, as the sandbox formats it. */
  balance(account: string, currency: string): Promise<string>;
  /** The Sage customers carrying this Stripe customer id (Sage Accounting keeps it as the contact's reference). */
  sageCustomers(stripeCustomerId?: string): Promise<SandboxCustomer[]>;
  record(type: SourceObjectType, id: string): Promise<SyncRecord | null>;
  records(): Promise<SyncRecord[]>;
  setFaults(faults: Record<string, unknown>): Promise<void>;
};

let companies = 0;

export async function connectTenant(stack: EndToEndStack, settings: TenantSettings): Promise<Tenant> {
  const { edition } = settings;
  const prisma = stack.db.prisma;
  const baseCurrency = settings.baseCurrency ?? 'USD';
  companies += 1;
  const company = `e2e-${edition.replace('_', '')}-${companies}-${randomBytes(3).toString('hex')}`;
  // The company the admin's Sage already has. Its rate limit is raised: the limits are per minute
  // and a test file pushes a day's traffic through in seconds (the sync's own budget still applies).
  stack.sandbox.sandbox.store.addCompany(
    buildCompany(edition, company, { baseCurrency, rateLimitPerMinute: 100_000, ...(edition === 'sage500' ? { apiKey: 'demo-500-agent-key' } : {}) }),
  );

  const org = await createOrganization(prisma);
  const integration = await prisma.integration.create({
    data: {
      orgId: org.id,
      name: `Stripe to ${edition}`,
      source: 'stripe',
      sourceAccountId: `acct_${randomBytes(8).toString('hex')}`,
      sageEdition: edition,
      sageCompanyId: company,
      postingMode: settings.postingMode ?? 'per_transaction',
      timeZone: settings.timeZone ?? 'America/Chicago',
      homeCurrency: baseCurrency,
      syncStartAt: SYNC_STARTED,
      writeBackMetadata: settings.writeBackMetadata ?? false,
    },
  });
  await prisma.glRule.createMany({
    data: defaultGlRules(edition).map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
  });
  await connectSageSandbox(prisma, stack.keyring, stack.sandbox.url, integration);

  const fake = new URL(stack.fakeUrl);
  const stripe = new Stripe('sk_test_end_to_end_reader', { host: fake.hostname, port: Number(fake.port), protocol: 'http', stripeAccount: integration.sourceAccountId, maxNetworkRetries: 0 });
  let clock = Math.floor(Date.now() / 1000) - 86_400;

  const jobsOf = () => stack.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { data: { integrationId: integration.id } });
  const records = () => prisma.syncRecord.findMany({ where: { integrationId: integration.id }, orderBy: { createdAt: 'asc' } });

  return {
    integration,
    edition,
    company,
    accounts: DEFAULT_GL_ACCOUNTS[edition],
    stripe,
    async load(objects) {
      const response = await fetch(`${stack.fakeUrl}/_fake/objects?account=${integration.sourceAccountId}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(objects),
      });
      if (response.status !== 200) throw new Error(`loading objects failed: ${response.status} ${await response.text()}`);
    },
    event(type, object, created) {
      clock = created ?? clock + 1;
      const id = `evt_${randomBytes(10).toString('hex')}`;
      const { account: _hint, payout: _payoutHint, ...stripeObject } = object;
      const event = {
        id,
        object: 'event',
        api_version: '2025-09-30.clover',
        account: integration.sourceAccountId,
        created: clock,
        data: { object: stripeObject },
        livemode: false,
        pending_webhooks: 1,
        request: { id: null, idempotency_key: null },
        type,
      };
      return { id, type, payload: JSON.stringify(event, null, 2) };
    },
    async deliver(...events) {
      for (const event of events) {
        const response = await deliver(stack.apiUrl, event.payload);
        expect(response, `delivering ${event.type} ${event.id}`).toMatchObject({ status: 200, body: { received: true } });
      }
    },
    async settle({ retryNow = false, timeoutMs = 40_000 } = {}) {
      await vi.waitFor(
        async () => {
          const jobs = await jobsOf();
          const states = jobs.map((job) => job.state as JobState);
          if (retryNow) {
            for (const job of jobs.filter((each) => each.state === 'retry')) {
              await stack.boss.update(SYNC_OBJECT_QUEUE, job.data, { id: job.id, startAfter: new Date() });
            }
          }
          const unfinished = states.filter((state) => state !== 'completed');
          if (unfinished.length > 0 && states.some((state) => state === 'retry' || state === 'failed')) {
            const troubled = (await records()).filter((each) => each.status === 'failed' || each.status === 'dead');
            expect(unfinished, JSON.stringify(troubled.map((each) => [each.sourceObjectType, each.sourceObjectId, each.lastError]))).toEqual([]);
          }
          expect(jobs.length).toBeGreaterThan(0);
          expect(unfinished).toEqual([]);
        },
        { timeout: timeoutMs, interval: 200 },
      );
      // An unexpected error on the way is a bug even when a retry got past it.
      const unexpected = await prisma.syncAttempt.findMany({ where: { syncRecord: { integrationId: integration.id }, error: { path: ['code'], equals: 'SYNC_INTERNAL' } } });
      expect(unexpected.map((each) => each.error)).toEqual([]);
    },
    async documents(query = {}) {
      return stack.sandbox.documents(company, query);
    },
    async trialBalance() {
      const { status, body } = await stack.sandbox.getJson<TrialBalance>(`/_sandbox/companies/${company}/trial-balance`);
      if (status !== 200) throw new Error(`trial balance answered ${status}`);
      return body;
    },
    async balance(account, currency) {
      const { status, body } = await stack.sandbox.getJson<{ balance: string }>(`/_sandbox/companies/${company}/accounts/${account}/balance?currency=${currency}`);
      if (status !== 200) throw new Error(`balance answered ${status}`);
      return body.balance;
    },
    async sageCustomers(stripeCustomerId) {
      const filter = stripeCustomerId === undefined ? '' : edition === 'sage_accounting' ? `?code=${stripeCustomerId}` : `?stripeCustomerId=${stripeCustomerId}`;
      const { status, body } = await stack.sandbox.getJson<{ customers: SandboxCustomer[] }>(`/_sandbox/companies/${company}/customers${filter}`);
      if (status !== 200) throw new Error(`customers answered ${status}`);
      return body.customers;
    },
    record: (type, id) => prisma.syncRecord.findFirst({ where: { integrationId: integration.id, sourceObjectType: type, sourceObjectId: id } }),
    records,
    setFaults: (faults) => stack.sandbox.setFaults(company, faults),
  };
}

/** Each reference's document types, sorted: `[receipt]` once means exactly one document of that type. */
export function typesByReference(documents: readonly InspectedDocument[]): Record<string, string[]> {
  const byReference: Record<string, string[]> = {};
  for (const document of documents) {
    const reference = document.reference ?? '(none)';
    (byReference[reference] ??= []).push(document.type);
  }
  for (const types of Object.values(byReference)) types.sort();
  return byReference;
}

/**
 * Every document's own lines balance (debits = credits), and so does every currency of the
 * company's trial balance. Decimal strings of one currency have the same number of decimals, so
 * their digits compare as integers: no floating point.
 */
export async function expectBooksBalanced(tenant: Tenant): Promise<void> {
  const minor = (decimal: string) => BigInt(decimal.replace('.', ''));
  const unbalanced = (await tenant.documents())
    .map((document) => ({
      reference: document.reference,
      type: document.type,
      debits: document.lines.reduce((sum, line) => sum + minor(line.debit), 0n),
      credits: document.lines.reduce((sum, line) => sum + minor(line.credit), 0n),
    }))
    .filter((document) => document.debits !== document.credits);
  expect(unbalanced).toEqual([]);
  const trial = await tenant.trialBalance();
  expect(trial.currencies.length).toBeGreaterThan(0);
  for (const currency of trial.currencies) {
    expect({ currency: currency.currency, debit: currency.debit }).toEqual({ currency: currency.currency, debit: currency.credit });
    const fromAccounts = currency.accounts.reduce((sum, account) => sum + minor(account.balance), 0n);
    expect(fromAccounts).toBe(0n);
  }
}

/** A small seeded generator (mulberry32), so a failing order can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

/**
 * The seed for this run's shuffles: `SHUFFLE_SEED` replays a run, otherwise a new one each run so
 * CI explores new orders. Printed either way, so a failure says how to replay it.
 */
export function shuffleSeed(label: string): number {
  const fromEnv = process.env.SHUFFLE_SEED;
  const seed = fromEnv ? Number(fromEnv) : randomBytes(4).readUInt32BE(0);
  if (!Number.isSafeInteger(seed)) throw new Error(`SHUFFLE_SEED must be an integer, got ${fromEnv}`);
  console.info(`${label}: shuffle seed ${seed} (replay with SHUFFLE_SEED=${seed})`);
  return seed;
}
