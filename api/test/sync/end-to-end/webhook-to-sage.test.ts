import { randomBytes } from 'node:crypto';
import { defaultGlRules, type Integration } from '@sagesync/db';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { createOrganization } from '../../support/builders.ts';
import { connectSageSandbox } from '../../support/sage-connections.ts';
import { deliver } from '../ingest/support/webhook-harness.ts';
import { charge, customer, dispute, refund } from '../processors/support/stripe-objects.ts';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';

// The whole path, as in production: Stripe signs and POSTs events to the api's platform endpoint,
// ingest stores each with its job, the real worker fetches the object from the Stripe fake and
// posts it into the Sage sandbox. Nothing is called directly: every step goes through HTTP or the queue.

const EDITION = 'sage_pro' as const;
const COMPANY = 'demo-pro';

type Stack = EndToEndStack;

const startStack = () => startEndToEndStack();

async function stopStack(stack: Stack | undefined): Promise<void> {
  await stack?.close();
}

/** A tenant whose Stripe account is connected to the platform, with Sage Pro connected through OAuth. */
async function connectTenant(stack: Stack): Promise<Integration> {
  const prisma = stack.db.prisma;
  const org = await createOrganization(prisma);
  const integration = await prisma.integration.create({
    data: {
      orgId: org.id,
      name: 'Stripe to Sage Pro',
      source: 'stripe',
      sourceAccountId: `acct_${randomBytes(6).toString('hex')}`,
      sageEdition: EDITION,
      sageCompanyId: COMPANY,
      timeZone: 'America/Chicago',
      homeCurrency: 'USD',
      writeBackMetadata: false,
    },
  });
  await prisma.glRule.createMany({
    data: defaultGlRules(EDITION).map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
  });
  await connectSageSandbox(prisma, stack.keyring, stack.sandbox.url, integration);
  return integration;
}

async function load(stack: Stack, integration: Integration, objects: readonly LoadableStripeObject[]): Promise<void> {
  const response = await fetch(`${stack.fakeUrl}/_fake/objects?account=${integration.sourceAccountId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(objects),
  });
  if (response.status !== 200) throw new Error(`loading objects failed: ${response.status} ${await response.text()}`);
}

type Event = { id: string; payload: string };

/** The event Stripe would send for a connected account: the current object, signed as a whole. */
function eventAbout(integration: Integration, type: string, object: LoadableStripeObject, created: number): Event {
  const id = `evt_${randomBytes(9).toString('hex')}`;
  const event = {
    id,
    object: 'event',
    api_version: '2025-09-30.clover',
    account: integration.sourceAccountId,
    created,
    data: { object },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
  return { id, payload: JSON.stringify(event, null, 2) };
}

async function post(stack: Stack, event: Event): Promise<void> {
  const response = await deliver(stack.apiUrl, event.payload);
  expect(response.status).toBe(200);
  expect(response.body).toMatchObject({ received: true });
}

/** Bounded polling until every sync job of the integration has run to completion. */
async function untilSettled(stack: Stack, integration: Integration, expectedJobs?: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const jobs = await stack.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { data: { integrationId: integration.id } });
      if (expectedJobs !== undefined) expect(jobs.length).toBeGreaterThanOrEqual(expectedJobs);
      expect(jobs.length).toBeGreaterThan(0);
      expect(jobs.map((job) => job.state)).toEqual(jobs.map(() => 'completed'));
    },
    { timeout: 30_000, interval: 100 },
  );
}

function documents(stack: Stack, reference: string) {
  return stack.sandbox.documents(COMPANY, { reference });
}

function record(stack: Stack, integration: Integration, type: 'charge' | 'refund' | 'dispute', id: string) {
  return stack.db.prisma.syncRecord.findFirst({ where: { integrationId: integration.id, sourceObjectType: type, sourceObjectId: id } });
}

/** A small seeded generator (mulberry32), so a failing order can be replayed. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    [result[i], result[j]] = [result[j]!, result[i]!];
  }
  return result;
}

describe('a signed Stripe webhook, through the api and the worker, into Sage', () => {
  let stack: Stack | undefined;
  let integration: Integration;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    stack = await startStack();
    integration = await connectTenant(stack);
  });
  afterAll(() => stopStack(stack));

  it('posts one receipt for a charge.succeeded delivery and marks the charge synced', async () => {
    const paid = charge({ amount: 4_200, currency: 'usd', customer: customer() });
    await load(stack!, integration, paid.objects);

    await post(stack!, eventAbout(integration, 'charge.succeeded', paid.charge, now()));
    await untilSettled(stack!, integration);

    expect(await documents(stack!, paid.charge.id as string)).toEqual([expect.objectContaining({ amount: '42.00', currency: 'USD' })]);
    expect(await record(stack!, integration, 'charge', paid.charge.id as string)).toMatchObject({ status: 'synced' });
  });

  it('still posts one receipt when the same event arrives twice and a charge.updated follows', async () => {
    const paid = charge({ amount: 7_350, currency: 'usd', customer: customer() });
    await load(stack!, integration, paid.objects);
    const succeeded = eventAbout(integration, 'charge.succeeded', paid.charge, now());

    await post(stack!, succeeded);
    expect(await deliver(stack!.apiUrl, succeeded.payload)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    await post(stack!, eventAbout(integration, 'charge.updated', { ...paid.charge, description: 'Order, with a new description' }, now() + 1));
    await untilSettled(stack!, integration);

    expect(await documents(stack!, paid.charge.id as string)).toEqual([expect.objectContaining({ amount: '73.50' })]);
    expect(await record(stack!, integration, 'charge', paid.charge.id as string)).toMatchObject({ status: 'synced' });
  });

  it.each([1, 7, 42])(
    'posts every document of one customer exactly once when the events arrive shuffled (seed %i) and each twice',
    async (seed) => {
      const buyer = customer();
      const chargeA = charge({ amount: 10_000, currency: 'usd', customer: buyer });
      const firstRefundOfA = refund(chargeA, { amount: 2_500 });
      const secondRefundOfA = refund(chargeA, { amount: 1_500, created: (chargeA.charge.created as number) + 7_200 });
      const chargeB = charge({ amount: 6_000, currency: 'usd', customer: buyer });
      const disputeOfB = dispute(chargeB);
      const withdrawn = disputeOfB.withTransactions('withdrawn');
      await load(stack!, integration, [...chargeA.objects, ...firstRefundOfA.objects, ...secondRefundOfA.objects, ...chargeB.objects, withdrawn]);

      const t = now();
      const events = [
        eventAbout(integration, 'charge.succeeded', chargeA.charge, t),
        eventAbout(integration, 'refund.created', firstRefundOfA.refund, t + 1),
        eventAbout(integration, 'refund.created', secondRefundOfA.refund, t + 2),
        eventAbout(integration, 'charge.succeeded', chargeB.charge, t + 3),
        eventAbout(integration, 'charge.dispute.funds_withdrawn', withdrawn, t + 4),
      ];
      const deliveries = shuffled([...events, ...events], seededRandom(seed));
      for (const event of deliveries) await post(stack!, event);
      await untilSettled(stack!, integration);

      expect(await documents(stack!, chargeA.charge.id as string)).toEqual([expect.objectContaining({ amount: '100.00' })]);
      expect(await documents(stack!, chargeB.charge.id as string)).toEqual([expect.objectContaining({ amount: '60.00' })]);
      expect(await documents(stack!, firstRefundOfA.refund.id as string)).toEqual([expect.objectContaining({ amount: '25.00' })]);
      expect(await documents(stack!, secondRefundOfA.refund.id as string)).toEqual([expect.objectContaining({ amount: '15.00' })]);
      expect(await documents(stack!, `${disputeOfB.id}:withdrawn`)).toEqual([expect.objectContaining({ type: 'journal', amount: '60.00' })]);
      for (const [type, id] of [
        ['charge', chargeA.charge.id],
        ['charge', chargeB.charge.id],
        ['refund', firstRefundOfA.refund.id],
        ['refund', secondRefundOfA.refund.id],
        ['dispute', disputeOfB.id],
      ] as const) {
        expect(await record(stack!, integration, type, id as string)).toMatchObject({ status: 'synced' });
      }
    },
    60_000,
  );

  it('posts a zero-decimal JPY charge and its partial refund to the yen', async () => {
    const paid = charge({ amount: 1_500, currency: 'jpy', customer: customer() });
    const back = refund(paid, { amount: 400 });
    await load(stack!, integration, [...paid.objects, ...back.objects]);

    await post(stack!, eventAbout(integration, 'charge.succeeded', paid.charge, now()));
    await post(stack!, eventAbout(integration, 'refund.created', back.refund, now() + 1));
    await untilSettled(stack!, integration);

    expect(await documents(stack!, paid.charge.id as string)).toEqual([expect.objectContaining({ amount: '1500', currency: 'JPY' })]);
    expect(await documents(stack!, back.refund.id as string)).toEqual([expect.objectContaining({ amount: '400', currency: 'JPY' })]);
  });
});
