import { randomBytes } from 'node:crypto';
import { defaultGlRules, type Integration, type SageEdition } from '@sagesync/db';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildInvoiceScenario } from '../../../src/sandbox/stripe-fake/invoice-scenario-builder.ts';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { parseAmountToMinor } from '../../../src/sandbox/sage/money.ts';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { createOrganization } from '../../support/builders.ts';
import { connectSageSandbox } from '../../support/sage-connections.ts';
import { deliver } from '../ingest/support/webhook-harness.ts';
import { DEMO_COMPANY } from './support/sync-harness.ts';
import { startEndToEndStack, type EndToEndStack } from '../end-to-end/support/end-to-end-stack.ts';

// invoice.paid and charge.succeeded as Stripe delivers them: signed, POSTed to the api's platform
// endpoint, stored and queued by ingest, then fetched from the Stripe fake and posted into the
// Sage sandbox by the real worker (two jobs at a time). Nothing is called directly.

type Stack = EndToEndStack;

const startStack = () => startEndToEndStack();

async function stopStack(stack: Stack | undefined): Promise<void> {
  await stack?.close();
}

async function connectTenant(stack: Stack, edition: SageEdition): Promise<Integration> {
  const prisma = stack.db.prisma;
  const org = await createOrganization(prisma);
  const integration = await prisma.integration.create({
    data: {
      orgId: org.id,
      name: `Stripe to ${edition}`,
      source: 'stripe',
      sourceAccountId: `acct_${randomBytes(6).toString('hex')}`,
      sageEdition: edition,
      sageCompanyId: DEMO_COMPANY[edition],
      timeZone: 'America/Chicago',
      homeCurrency: 'USD',
      writeBackMetadata: true,
    },
  });
  await prisma.glRule.createMany({
    data: defaultGlRules(edition).map((rule, position) => ({ orgId: org.id, integrationId: integration.id, position, name: rule.name, conditions: rule.conditions, accounts: rule.accounts })),
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

/** The scenario's own event, as Stripe sends it for a connected account: signed as a whole. */
function signedPayload(integration: Integration, event: Stripe.Event): string {
  return JSON.stringify({ ...event, account: integration.sourceAccountId, pending_webhooks: 1 }, null, 2);
}

function minorUsd(amount: string): number {
  const parsed = parseAmountToMinor(amount, 'USD');
  if (!parsed.ok) throw new Error(`not an amount: ${amount}`);
  return parsed.minor;
}

async function untilSettled(stack: Stack, integration: Integration, expectedJobs: number): Promise<void> {
  await vi.waitFor(
    async () => {
      const jobs = await stack.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { data: { integrationId: integration.id } });
      expect(jobs.length).toBeGreaterThanOrEqual(expectedJobs);
      expect(jobs.map((job) => job.state)).toEqual(jobs.map(() => 'completed'));
    },
    { timeout: 60_000, interval: 100 },
  );
}

describe.each(['sage_pro', 'sage500'] as const)('invoice.paid through a signed webhook into %s', (edition) => {
  let stack: Stack | undefined;
  let integration: Integration;

  beforeAll(async () => {
    stack = await startStack();
    integration = await connectTenant(stack, edition);
  }, 120_000);
  afterAll(() => stopStack(stack), 120_000);

  it('posts the invoice once and each charge’s receipt once, applied to it, when invoice.paid arrives before the charges and again after them', async () => {
    const scenario = buildInvoiceScenario({ seed: 77, lines: [{ description: 'Implementation', amount: 15_000 }, { description: 'Training day', amount: 5_000 }], payments: [12_000, 8_000] });
    await load(stack!, integration, scenario.objects);
    const events = scenario.events.map((event) => ({ type: event.type, payload: signedPayload(integration, event) }));
    const paid = events.find((event) => event.type === 'invoice.paid')!;
    // invoice.paid first, then each charge.succeeded, then invoice.paid again (a redelivery).
    const deliveries = [paid, ...events.filter((event) => event !== paid), paid];

    for (const delivery of deliveries) {
      const response = await deliver(stack!.apiUrl, delivery.payload);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ received: true });
    }
    await untilSettled(stack!, integration, 3);

    const company = DEMO_COMPANY[edition];
    const [sageInvoice, ...moreInvoices] = await stack!.sandbox.documents(company, { reference: scenario.invoice.id });
    expect(moreInvoices).toEqual([]);
    expect(sageInvoice).toMatchObject({ type: 'invoice', amount: '200.00', currency: 'USD' });
    for (const charge of scenario.charges) {
      const receipts = await stack!.sandbox.documents(company, { reference: charge.id });
      expect(receipts).toHaveLength(1);
      expect(minorUsd(receipts[0]!.amount)).toBe(charge.amount);
      if (edition === 'sage500') expect(JSON.stringify(receipts[0]!.lines)).toContain(sageInvoice!.number);
      else expect(receipts[0]!.appliesToInvoice).toBe(sageInvoice!.number);
      const record = await stack!.db.prisma.syncRecord.findFirst({ where: { integrationId: integration.id, sourceObjectType: 'charge', sourceObjectId: charge.id } });
      expect(record).toMatchObject({ status: 'synced', sageDocumentId: receipts[0]!.id });
      // The receipt's Sage id is written back onto the charge, as for any charge.
      expect(stack!.fake.store.get(integration.sourceAccountId, 'charge', charge.id)?.metadata).toMatchObject({ sage_document_id: receipts[0]!.id });
    }
    // Receivables: debited by the invoice, cleared by its receipts.
    const { body: books } = await stack!.sandbox.getJson<{ receivablesAccount: string }>(`/_sandbox/companies/${company}`);
    const receivablesMovement = [sageInvoice!, ...(await Promise.all(scenario.charges.map((charge) => stack!.sandbox.documents(company, { reference: charge.id })))).flat()]
      .flatMap((document) => document.lines)
      .filter((line) => line.account === books.receivablesAccount)
      .reduce((sum, line) => sum + minorUsd(line.debit) - minorUsd(line.credit), 0);
    expect(receivablesMovement).toBe(0);
    expect(await stack!.db.prisma.syncRecord.findFirst({ where: { integrationId: integration.id, sourceObjectType: 'invoice', sourceObjectId: scenario.invoice.id } })).toMatchObject({
      status: 'synced',
      sageDocumentType: 'invoice',
      sageDocumentId: sageInvoice!.id,
    });
  }, 120_000);
});
