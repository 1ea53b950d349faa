import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SYNC_OBJECT_QUEUE, syncObjectJob, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { charge, customer, refund } from './support/stripe-objects.ts';
import { createTenant, runRetryNow, startSyncHarness, waitForJob, type SyncHarness, type Tenant } from './support/sync-harness.ts';

// A charge's job posts the charge, then lists its refunds to queue them. When Stripe fails that
// listing, the charge is in Sage and its record must say so while the job retries; only a job that
// gives up says, on the record, that the refunds are missing.

describe('a charge whose refunds Stripe cannot list', () => {
  let harness: SyncHarness;
  let tenant: Tenant;

  beforeAll(async () => {
    harness = await startSyncHarness();
    tenant = await createTenant(harness, 'sage_pro');
  });
  afterAll(() => harness.close());

  const refundsFail = (failing: boolean) =>
    fetch(`${harness.fakeUrl}/_fake/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failingPaths: failing ? ['/v1/refunds'] : [] }) }).then((response) => {
      if (response.status !== 200) throw new Error(`setting faults failed: ${response.status}`);
    });

  async function refundedCharge() {
    const paid = charge({ amount: 12_000, currency: 'usd', customer: customer() });
    const back = refund(paid, { amount: 2_500 });
    await tenant.load([...paid.objects.filter((each) => each.id !== paid.charge.id), { ...paid.charge, amount_refunded: 2_500 }, ...back.objects]);
    return { chargeId: paid.charge.id as string, refundId: back.refund.id as string };
  }

  it('keeps the charge synced while the job retries, then brings the refund in once Stripe answers', async () => {
    const { chargeId, refundId } = await refundedCharge();
    await refundsFail(true);
    try {
      const jobId = await tenant.deliver('charge', chargeId);
      await waitForJob(harness, jobId, ['retry']);
      expect(await tenant.record('charge', chargeId)).toMatchObject({ status: 'synced', lastError: null });
      expect(await tenant.documents(chargeId)).toHaveLength(1);
      expect(await tenant.record('refund', refundId)).toBeNull();

      await refundsFail(false);
      await runRetryNow(harness, jobId);
      await waitForJob(harness, jobId, ['completed']);
    } finally {
      await refundsFail(false);
    }
    await vi.waitFor(async () => expect(await tenant.record('refund', refundId)).toMatchObject({ status: 'synced' }), { timeout: 25_000, interval: 100 });
    expect(await tenant.record('charge', chargeId)).toMatchObject({ status: 'synced' });
    expect(await tenant.documents(chargeId)).toHaveLength(1);
  }, 60_000);

  it('says on the record, after the last attempt, that the charge is in Sage but its refunds are not', async () => {
    const { chargeId, refundId } = await refundedCharge();
    await refundsFail(true);
    try {
      // As ingest enqueues it, but with no retry left.
      const eventId = `evt_${randomBytes(9).toString('hex')}`;
      await harness.prisma.receivedEvent.create({
        data: {
          orgId: tenant.integration.orgId,
          integrationId: tenant.integration.id,
          source: 'stripe',
          eventId,
          type: 'charge.refunded',
          objectType: 'charge',
          objectId: chargeId,
          sourceCreatedAt: new Date(),
          payload: { id: eventId, object: 'event', data: { object: { id: chargeId } } },
        },
      });
      const payload: SyncObjectJobPayload = { integrationId: tenant.integration.id, orgId: tenant.integration.orgId, objectType: 'charge', objectId: chargeId, eventId };
      await harness.boss.insert(SYNC_OBJECT_QUEUE, [{ ...syncObjectJob(payload), retryLimit: 0 }]);
      // A job that gives up moves to the dead-letter queue (its original is deleted): watch the record.
      await vi.waitFor(async () => expect(await tenant.record('charge', chargeId)).toMatchObject({ status: 'dead' }), { timeout: 25_000, interval: 100 });
    } finally {
      await refundsFail(false);
    }
    const record = await tenant.record('charge', chargeId);
    expect(record).toMatchObject({ status: 'dead', sageDocumentId: expect.any(String) });
    expect(record?.lastError).toMatchObject({ code: 'CHARGE_REFUNDS_NOT_QUEUED', retryable: true });
    expect((record?.lastError as { message: string }).message).toContain('is in Sage, but its refunds could not be read from Stripe');
    expect(await tenant.documents(chargeId)).toHaveLength(1);
    expect(await tenant.record('refund', refundId)).toBeNull();
  }, 60_000);
});
