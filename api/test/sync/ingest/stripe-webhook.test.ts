import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNC_OBJECT_QUEUE } from '../../../src/sync/ingest/sync-object-job.ts';
import { captureLogs } from '../../support/log-capture.ts';
import {
  createStripeTenant,
  deliver,
  newId,
  PLATFORM_SECRET,
  signatureFor,
  startWebhookApi,
  storedEvents,
  stripeEvent,
  syncJobs,
  type WebhookApi,
} from './support/webhook-harness.ts';

const NEXT_SECRET = 'whsec_rotated_in_secret';

describe('POST /webhooks/stripe (platform mode)', () => {
  const logs = captureLogs('debug');
  let api: WebhookApi;
  let account: string;
  let integrationId: string;
  let orgId: string;

  beforeAll(async () => {
    api = await startWebhookApi({ secrets: [PLATFORM_SECRET, NEXT_SECRET], log: logs.log });
    const tenant = await createStripeTenant(api);
    account = tenant.integration.sourceAccountId;
    integrationId = tenant.integration.id;
    orgId = tenant.org.id;
  });
  afterAll(() => api.close());

  it('stores a signed event of a connected account and enqueues one job keyed by tenant and object', async () => {
    const event = stripeEvent({ account, type: 'charge.refunded' });
    const response = await deliver(api.url, event.payload);

    expect(response).toEqual({ status: 200, body: { received: true, duplicate: false } });
    const [stored, ...others] = await storedEvents(api, event.id);
    expect(others).toHaveLength(0);
    expect(stored).toMatchObject({
      source: 'stripe',
      eventId: event.id,
      type: 'charge.refunded',
      integrationId,
      orgId,
      objectType: 'charge',
      objectId: event.objectId,
      livemode: false,
      apiVersion: '2025-09-30.clover',
    });
    expect(stored?.payload).toEqual(JSON.parse(event.payload));

    const jobs = await syncJobs(api, event.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      name: SYNC_OBJECT_QUEUE,
      state: 'created',
      singletonKey: `${integrationId}:charge:${event.objectId}`,
      data: { integrationId, orgId, objectType: 'charge', objectId: event.objectId, eventId: event.id },
    });
  });

  it('syncs the refund for a refund event and the dispute for a dispute event', async () => {
    const refund = stripeEvent({ account, type: 'refund.created', object: { id: newId('re'), object: 'refund', charge: newId('ch') } });
    const dispute = stripeEvent({ account, type: 'charge.dispute.funds_withdrawn', object: { id: newId('dp'), object: 'dispute' } });
    expect((await deliver(api.url, refund.payload)).status).toBe(200);
    expect((await deliver(api.url, dispute.payload)).status).toBe(200);

    expect((await syncJobs(api, refund.id)).map((job) => job.data)).toEqual([expect.objectContaining({ objectType: 'refund', objectId: refund.objectId })]);
    expect((await syncJobs(api, dispute.id)).map((job) => job.singletonKey)).toEqual([`${integrationId}:dispute:${dispute.objectId}`]);
  });

  it('answers a duplicate delivery 200 with duplicate: true and enqueues nothing more', async () => {
    const event = stripeEvent({ account });
    expect((await deliver(api.url, event.payload)).body).toEqual({ received: true, duplicate: false });
    expect((await deliver(api.url, event.payload)).body).toEqual({ received: true, duplicate: true });

    expect(await storedEvents(api, event.id)).toHaveLength(1);
    expect(await syncJobs(api, event.id)).toHaveLength(1);
  });

  it('accepts events signed with either secret while the secret rotates', async () => {
    const event = stripeEvent({ account });
    const response = await deliver(api.url, event.payload, { secret: NEXT_SECRET });
    expect(response).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await syncJobs(api, event.id)).toHaveLength(1);
  });

  describe('refuses, storing nothing', () => {
    it('a bad signature with 400', async () => {
      const event = stripeEvent({ account });
      const response = await deliver(api.url, event.payload, { secret: 'whsec_someone_else' });
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
      expect(await storedEvents(api, event.id)).toHaveLength(0);
      expect(await syncJobs(api, event.id)).toHaveLength(0);
    });

    it('a body changed after signing with 400', async () => {
      const event = stripeEvent({ account });
      const signature = signatureFor(event.payload, PLATFORM_SECRET);
      const response = await deliver(api.url, event.payload.replace('2500', '9999'), { signature });
      expect(response.body).toMatchObject({ error: { code: 'WEBHOOK_SIGNATURE_INVALID' } });
      expect(await storedEvents(api, event.id)).toHaveLength(0);
    });

    it('a missing signature header with 400', async () => {
      const event = stripeEvent({ account });
      const response = await deliver(api.url, event.payload, { signature: null });
      expect(response).toMatchObject({ status: 400, body: { error: { code: 'WEBHOOK_SIGNATURE_MISSING' } } });
      expect(await storedEvents(api, event.id)).toHaveLength(0);
    });

    it('a signature older than the tolerance (a replay) with 400', async () => {
      const event = stripeEvent({ account });
      const tenMinutesAgo = Math.floor(Date.now() / 1000) - 600;
      const response = await deliver(api.url, event.payload, { timestamp: tenMinutesAgo });
      expect(response).toMatchObject({ status: 400, body: { error: { code: 'WEBHOOK_TIMESTAMP_STALE' } } });
      expect(await storedEvents(api, event.id)).toHaveLength(0);
    });

    it('malformed JSON under a valid signature with 400', async () => {
      const payload = '{"id": "evt_broken", "type": "charge.succeeded",';
      const response = await deliver(api.url, payload);
      expect(response).toMatchObject({ status: 400, body: { error: { code: 'WEBHOOK_EVENT_MALFORMED' } } });
      expect(await storedEvents(api, 'evt_broken')).toHaveLength(0);
    });

    it('signed JSON that is not an event with 400', async () => {
      const response = await deliver(api.url, JSON.stringify({ id: 'evt_not_event', hello: 'world' }));
      expect(response).toMatchObject({ status: 400, body: { error: { code: 'WEBHOOK_EVENT_MALFORMED' } } });
    });

    it('a content type other than JSON with 415', async () => {
      const event = stripeEvent({ account });
      const response = await deliver(api.url, event.payload, { contentType: 'text/plain' });
      expect(response).toMatchObject({ status: 415, body: { error: { code: 'WEBHOOK_CONTENT_TYPE_UNSUPPORTED' } } });
      const form = await deliver(api.url, 'id=evt_1', { contentType: 'application/x-www-form-urlencoded' });
      expect(form.status).toBe(415);
      expect(await storedEvents(api, event.id)).toHaveLength(0);
    });

    it('a body over 1 MiB with 413', async () => {
      const event = stripeEvent({ account, object: { id: newId('ch'), object: 'charge', description: 'x'.repeat(1024 * 1024) } });
      const response = await deliver(api.url, event.payload);
      expect(response).toMatchObject({ status: 413, body: { error: { code: 'WEBHOOK_BODY_TOO_LARGE' } } });
      expect(await storedEvents(api, event.id)).toHaveLength(0);
    });
  });

  describe('acknowledges with 200 and ignores, storing nothing and logging once', () => {
    const cases = [
      { name: 'an event of an account we do not know', reason: 'unknown_account', event: () => stripeEvent({ account: 'acct_stranger' }) },
      { name: "an event of the platform's own account", reason: 'unknown_account', event: () => stripeEvent({ account: null }) },
      { name: 'an event type we do not handle', reason: 'unhandled_type', event: () => stripeEvent({ account, type: 'product.created', object: { id: newId('prod'), object: 'product' } }) },
      { name: 'a live event on the test-mode endpoint', reason: 'livemode_mismatch', event: () => stripeEvent({ account, livemode: true }) },
      { name: 'an event whose object has no id', reason: 'object_without_id', event: () => stripeEvent({ account, object: { object: 'charge', amount: 100 } }) },
    ];

    for (const { name, reason, event: build } of cases) {
      it(`${name} (${reason})`, async () => {
        const event = build();
        const response = await deliver(api.url, event.payload);

        expect(response).toEqual({ status: 200, body: { received: true, ignored: reason } });
        expect(await storedEvents(api, event.id)).toHaveLength(0);
        expect(await syncJobs(api, event.id)).toHaveLength(0);
        const lines = logs.lines.filter((line) => line.eventId === event.id && line.msg === 'stripe event ignored');
        expect(lines).toEqual([expect.objectContaining({ reason })]);
      });
    }

    it('counts them by reason in the metrics, beside the deliveries by outcome and their latency', async () => {
      const text = await (await fetch(`${api.url}/metrics`)).text();
      expect(text).toMatch(/stripe_webhook_ignored_total\{reason="unknown_account"\} 2/);
      expect(text).toMatch(/stripe_webhook_ignored_total\{reason="unhandled_type"\} 1/);
      expect(text).toMatch(/stripe_webhook_ignored_total\{reason="livemode_mismatch"\} 1/);
      expect(text).toMatch(/stripe_webhook_ignored_total\{reason="object_without_id"\} 1/);
      expect(text).toMatch(/stripe_webhook_received_total\{outcome="stored"\} \d+/);
      expect(text).toMatch(/stripe_webhook_received_total\{outcome="duplicate"\} 1/);
      expect(text).toMatch(/stripe_webhook_received_total\{outcome="rejected_signature"\} \d+/);
      expect(text).toMatch(/stripe_webhook_received_total\{outcome="rejected_too_large"\} 1/);
      expect(text).toMatch(/stripe_webhook_received_total\{outcome="rejected_content_type"\} 2/);
      expect(text).toContain('stripe_webhook_ingest_duration_seconds_bucket');
      expect(text).toContain('stripe_webhook_batch_size_bucket');
    });
  });
});

describe('POST /webhooks/stripe on a live-mode endpoint', () => {
  let api: WebhookApi;
  afterAll(() => api.close());
  beforeAll(async () => {
    api = await startWebhookApi({ livemode: true });
  });

  it('ignores a test-mode event with 200 and stores a live one', async () => {
    const { integration } = await createStripeTenant(api, { livemode: true });
    const testEvent = stripeEvent({ account: integration.sourceAccountId, livemode: false });
    const liveEvent = stripeEvent({ account: integration.sourceAccountId, livemode: true });

    expect(await deliver(api.url, testEvent.payload)).toEqual({ status: 200, body: { received: true, ignored: 'livemode_mismatch' } });
    expect(await deliver(api.url, liveEvent.payload)).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await storedEvents(api)).toEqual([expect.objectContaining({ eventId: liveEvent.id, livemode: true })]);
  });

  it('ignores a live event of an integration set up in test mode', async () => {
    const { integration } = await createStripeTenant(api, { livemode: false });
    const event = stripeEvent({ account: integration.sourceAccountId, livemode: true });
    expect(await deliver(api.url, event.payload)).toEqual({ status: 200, body: { received: true, ignored: 'livemode_mismatch' } });
    expect(await storedEvents(api, event.id)).toHaveLength(0);
  });
});
