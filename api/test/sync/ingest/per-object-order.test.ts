import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDLED_STRIPE_EVENTS, isHandledStripeEventType, syncedObjectOf } from '../../../src/sync/ingest/handled-events.ts';
import { SYNC_OBJECT_QUEUE, type SyncObjectJobPayload } from '../../../src/sync/ingest/sync-object-job.ts';
import { createStripeTenant, deliver, newId, startWebhookApi, stripeEvent, type WebhookApi } from './support/webhook-harness.ts';

describe('handled event types', () => {
  it('map each event to the object its job syncs', () => {
    expect(HANDLED_STRIPE_EVENTS).toEqual({
      'charge.succeeded': 'charge',
      'charge.captured': 'charge',
      'charge.refunded': 'charge',
      'charge.updated': 'charge',
      'refund.created': 'refund',
      'refund.updated': 'refund',
      'charge.dispute.created': 'dispute',
      'charge.dispute.funds_withdrawn': 'dispute',
      'charge.dispute.funds_reinstated': 'dispute',
      'charge.dispute.closed': 'dispute',
      'customer.created': 'customer',
      'customer.updated': 'customer',
      'invoice.paid': 'invoice',
      'customer.subscription.created': 'subscription',
      'customer.subscription.updated': 'subscription',
      'customer.subscription.deleted': 'subscription',
      'payout.paid': 'payout',
    });
    expect(isHandledStripeEventType('payout.created')).toBe(false);
    expect(isHandledStripeEventType('toString')).toBe(false);
    expect(syncedObjectOf('payout.paid', { id: 'po_1' })).toEqual({ objectType: 'payout', objectId: 'po_1' });
    expect(syncedObjectOf('payout.paid', { id: '' })).toBeNull();
    expect(syncedObjectOf('payout.paid', { id: 42 })).toBeNull();
  });
});

describe('the sync-object queue', () => {
  let api: WebhookApi;
  beforeAll(async () => {
    api = await startWebhookApi();
  });
  afterAll(() => api.close());

  it('is created at start with the key_strict_fifo policy', async () => {
    expect(await api.boss.getQueue(SYNC_OBJECT_QUEUE)).toMatchObject({ name: SYNC_OBJECT_QUEUE, policy: 'key_strict_fifo' });
  });

  it('hands out one event per object at a time, in order, and a failed object holds back only its own events', async () => {
    const { integration } = await createStripeTenant(api);
    const account = integration.sourceAccountId;
    const charge = { id: newId('ch'), object: 'charge' };
    const customer = { id: newId('cus'), object: 'customer' };
    const first = stripeEvent({ account, type: 'charge.succeeded', object: charge });
    const second = stripeEvent({ account, type: 'charge.refunded', object: charge });
    const other = stripeEvent({ account, type: 'customer.created', object: customer });
    for (const event of [first, second, other]) expect((await deliver(api.url, event.payload)).status).toBe(200);

    const firstRound = await api.boss.fetch<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { batchSize: 10 });
    expect(firstRound.map((job) => job.data.eventId).sort()).toEqual([first.id, other.id].sort());

    // The charge's first job fails: its later event waits; the customer's next event does not.
    const chargeJob = firstRound.find((job) => job.data.eventId === first.id);
    const customerJob = firstRound.find((job) => job.data.eventId === other.id);
    await api.boss.fail(SYNC_OBJECT_QUEUE, chargeJob?.id ?? '', { message: 'Sage unavailable' });
    await api.boss.complete(SYNC_OBJECT_QUEUE, customerJob?.id ?? '');
    const later = stripeEvent({ account, type: 'customer.updated', object: customer });
    expect((await deliver(api.url, later.payload)).status).toBe(200);

    const secondRound = await api.boss.fetch<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { batchSize: 10 });
    expect(secondRound.map((job) => job.data.eventId)).toEqual([later.id]);
    const chargeJobs = await api.boss.findJobs<SyncObjectJobPayload>(SYNC_OBJECT_QUEUE, { key: `${integration.id}:charge:${charge.id}` });
    expect(chargeJobs.map((job) => [job.data.eventId, job.state])).toEqual([
      [first.id, 'retry'],
      [second.id, 'created'],
    ]);
  });
});
