import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { AcceptedStripeEvent } from '../../../src/sync/ingest/classify-stripe-event.ts';
import { isPerEventFailure, storeStripeEvents } from '../../../src/sync/ingest/store-stripe-events.ts';
import { createStripeTenant, deliver, newId, startWebhookApi, storedEvents, stripeEvent, syncJobs, type WebhookApi } from './support/webhook-harness.ts';

describe('storing an event and its job in one transaction', () => {
  let api: WebhookApi;
  let account: string;
  beforeAll(async () => {
    api = await startWebhookApi();
    account = (await createStripeTenant(api)).integration.sourceAccountId;
  });
  afterAll(() => api.close());

  it('fifty concurrent deliveries of one event store one row and enqueue one job', async () => {
    const event = stripeEvent({ account });
    const responses = await Promise.all(Array.from({ length: 50 }, () => deliver(api.url, event.payload)));

    expect(responses.every((response) => response.status === 200)).toBe(true);
    expect(responses.filter((response) => response.body.duplicate === false)).toHaveLength(1);
    expect(responses.filter((response) => response.body.duplicate === true)).toHaveLength(49);
    expect(await storedEvents(api, event.id)).toHaveLength(1);
    expect(await syncJobs(api, event.id)).toHaveLength(1);
  });

  it('concurrent deliveries of different events each get their own row and job', async () => {
    const events = Array.from({ length: 40 }, () => stripeEvent({ account }));
    const responses = await Promise.all(events.map((event) => deliver(api.url, event.payload)));

    expect(responses.map((response) => response.body)).toEqual(events.map(() => ({ received: true, duplicate: false })));
    for (const event of events) {
      expect(await storedEvents(api, event.id)).toHaveLength(1);
      expect(await syncJobs(api, event.id)).toHaveLength(1);
    }
  });

  it('a failure after the job was written rolls back both: 500, no row, no job, and the retry succeeds', async () => {
    const event = stripeEvent({ account });
    const insert = api.boss.insert.bind(api.boss);
    const spy = vi.spyOn(api.boss, 'insert').mockImplementationOnce(async (name, jobs, options) => {
      await insert(name, jobs, options); // the job row exists inside the transaction...
      throw new Error('lost the connection after enqueueing'); // ...and the transaction then fails
    });
    try {
      const failed = await deliver(api.url, event.payload);
      expect(failed).toMatchObject({ status: 500, body: { error: { code: 'WEBHOOK_STORE_FAILED' } } });
      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]?.[2]).toHaveProperty('db');
    } finally {
      spy.mockRestore();
    }
    expect(await storedEvents(api, event.id)).toHaveLength(0);
    expect(await syncJobs(api, event.id)).toHaveLength(0);

    // Stripe's retry then goes through as a first delivery.
    expect(await deliver(api.url, event.payload)).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await syncJobs(api, event.id)).toHaveLength(1);
  });

  it('an event the database refuses fails alone: its batch is retried one event at a time', async () => {
    // PostgreSQL refuses \u0000 inside jsonb; the event is genuine, so only its own request may fail.
    const poison = stripeEvent({ account, object: { id: newId('ch'), object: 'charge', description: 'nul \u0000 byte' } });
    const good = Array.from({ length: 5 }, () => stripeEvent({ account }));
    const [poisoned, ...fine] = await Promise.all([poison, ...good].map((event) => deliver(api.url, event.payload)));

    expect(poisoned?.status).toBe(500);
    expect(fine.map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(await storedEvents(api, poison.id)).toHaveLength(0);
    for (const event of good) expect(await syncJobs(api, event.id)).toHaveLength(1);
  });

  it('classifies that refusal as a per-event failure, and a whole batch holding it fails without writing anything', async () => {
    const { integration } = await createStripeTenant(api);
    const accepted = (payloadText: string, eventId: string): AcceptedStripeEvent => ({
      eventId,
      type: 'charge.succeeded',
      objectType: 'charge',
      objectId: newId('ch'),
      livemode: false,
      apiVersion: null,
      created: 1_700_000_000,
      payloadText,
      tenant: { kind: 'integration', integrationId: integration.id, orgId: integration.orgId },
    });
    const goodId = newId('evt');
    const badId = newId('evt');
    const error = await storeStripeEvents(api.database, api.boss, [
      accepted(JSON.stringify({ id: goodId }), goodId),
      accepted(JSON.stringify({ id: badId, note: '\u0000' }), badId),
    ]).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(Error);
    expect(isPerEventFailure(error)).toBe(true);
    expect(await storedEvents(api, goodId)).toHaveLength(0);
    expect(await syncJobs(api, goodId)).toHaveLength(0);
  });
});
