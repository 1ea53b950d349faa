import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createStripeReader, type StripeReader } from '../../../src/connectors/stripe/stripe-client.ts';
import { createLogger } from '../../../src/observability/logger.ts';
import { SYNC_OBJECT_QUEUE, syncObjectKey, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { queueChargeRefunds } from '../../../src/sync/queue-charge-refunds.ts';
import { charge, customer, refund } from './support/stripe-objects.ts';
import { createTenant, startSyncHarness, type SyncHarness, type Tenant } from './support/sync-harness.ts';

// A charge's job queues one sync job per refund of the charge, keyed by the refund, so the refund
// posts through its own path. A retried charge job queues nothing more, and a refund already in
// Sage is not queued again.

describe('queueing a charge’s refunds', () => {
  let harness: SyncHarness;
  let tenant: Tenant;
  let stripe: StripeReader;
  const log = createLogger({ level: 'silent' });

  beforeAll(async () => {
    harness = await startSyncHarness();
    tenant = await createTenant(harness, 'sage_pro');
    const fake = new URL(harness.fakeUrl);
    stripe = createStripeReader({ apiKey: 'sk_test_queue_refunds', stripeAccount: tenant.integration.sourceAccountId, host: fake.hostname, port: Number(fake.port), protocol: 'http' });
  });
  afterAll(() => harness.close());

  const jobsOf = async (refundId: string) =>
    (await harness.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { data: { integrationId: tenant.integration.id, objectId: refundId } })).filter((job) => job.data.objectType === 'refund');

  it('queues each refund once per charge job, on the refund’s own key, and a retry of that job queues nothing more', async () => {
    const paid = charge({ amount: 9_000, currency: 'usd', customer: customer() });
    const first = refund(paid, { amount: 2_000 });
    const second = refund(paid, { amount: 3_000, created: (paid.charge.created as number) + 7_200 });
    const refunded = { ...paid.charge, amount_refunded: 5_000 };
    await tenant.load([...paid.objects.filter((each) => each.id !== paid.charge.id), refunded, ...first.objects, ...second.objects]);
    const input = { db: harness.prisma, boss: harness.boss, stripe, integration: tenant.integration, log, charge: { id: paid.charge.id, amount_refunded: 5_000 }, job: { id: randomUUID(), eventId: 'evt_charge_refunded' } };

    const queued = await queueChargeRefunds(input);
    expect(queued.sort()).toEqual([first.refund.id as string, second.refund.id as string].sort());
    // The same charge job again (pg-boss retried it): its refunds' jobs exist already.
    await queueChargeRefunds(input);

    for (const each of [first, second]) {
      const jobs = await jobsOf(each.refund.id as string);
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ singletonKey: syncObjectKey({ integrationId: tenant.integration.id, objectType: 'refund', objectId: each.refund.id as string }), data: { eventId: 'evt_charge_refunded', orgId: tenant.integration.orgId } });
    }
    await vi.waitFor(async () => {
      for (const each of [first, second]) expect(await tenant.record('refund', each.refund.id as string)).toMatchObject({ status: 'synced' });
    }, { timeout: 25_000, interval: 100 });

    // Another charge job (the next charge.refunded) finds both refunds in Sage: nothing to queue.
    expect(await queueChargeRefunds({ ...input, job: { id: randomUUID(), eventId: 'evt_later' } })).toEqual([]);
    for (const each of [first, second]) expect(await jobsOf(each.refund.id as string)).toHaveLength(1);
  });

  it('asks Stripe for nothing when the charge shows no refunded amount', async () => {
    const paid = charge({ amount: 4_000, currency: 'usd', customer: customer() });
    const back = refund(paid, { amount: 1_000 });
    await tenant.load([...paid.objects, ...back.objects]);

    const queued = await queueChargeRefunds({ db: harness.prisma, boss: harness.boss, stripe, integration: tenant.integration, log, charge: { id: paid.charge.id, amount_refunded: 0 }, job: { id: randomUUID(), eventId: 'evt_charge_succeeded' } });

    expect(queued).toEqual([]);
    expect(await jobsOf(back.refund.id as string)).toEqual([]);
  });

  it('lists every page of a charge’s refunds', async () => {
    const paid = charge({ amount: 100_000, currency: 'usd', customer: customer() });
    const refunds = Array.from({ length: 105 }, (_, index) => refund(paid, { amount: 100, created: (paid.charge.created as number) + 60 * (index + 1) }));
    await tenant.load([...paid.objects, ...refunds.flatMap((each) => each.objects)]);

    const listed = await stripe.listChargeRefunds(paid.charge.id);

    expect(listed.map((each) => each.id).sort()).toEqual(refunds.map((each) => each.refund.id as string).sort());
  });
});
