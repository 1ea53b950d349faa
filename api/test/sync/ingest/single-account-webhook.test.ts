import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PLATFORM_SECRET, createStripeTenant, deliver, startWebhookApi, storedEvents, stripeEvent, syncJobs, type WebhookApi } from './support/webhook-harness.ts';

const OWN_SECRET = 'whsec_this_accounts_own_secret';
const ROTATED_SECRET = 'whsec_this_accounts_next_secret';

describe('POST /webhooks/stripe/:integrationId (single-account mode)', () => {
  let api: WebhookApi;
  afterAll(() => api.close());
  beforeAll(async () => {
    api = await startWebhookApi();
  });

  it("verifies with the integration's own encrypted secret and stores the event for that integration", async () => {
    const { integration, org } = await createStripeTenant(api, { webhookSecret: OWN_SECRET });
    // An account's own endpoint sends events without `account`.
    const event = stripeEvent({ account: null });
    const path = `/webhooks/stripe/${integration.id}`;

    expect(await deliver(api.url, event.payload, { secret: OWN_SECRET, path })).toEqual({ status: 200, body: { received: true, duplicate: false } });
    expect(await storedEvents(api, event.id)).toEqual([expect.objectContaining({ integrationId: integration.id, orgId: org.id })]);
    expect((await syncJobs(api, event.id)).map((job) => job.singletonKey)).toEqual([`${integration.id}:charge:${event.objectId}`]);
  });

  it('refuses the platform secret, or another integration\'s, with 400', async () => {
    const { integration } = await createStripeTenant(api, { webhookSecret: OWN_SECRET });
    const other = await createStripeTenant(api, { webhookSecret: 'whsec_other_integration' });
    const event = stripeEvent({ account: null });
    const path = `/webhooks/stripe/${integration.id}`;

    expect((await deliver(api.url, event.payload, { secret: PLATFORM_SECRET, path })).status).toBe(400);
    expect((await deliver(api.url, event.payload, { secret: 'whsec_other_integration', path })).status).toBe(400);
    expect((await deliver(api.url, event.payload, { secret: OWN_SECRET, path: `/webhooks/stripe/${other.integration.id}` })).status).toBe(400);
    expect(await storedEvents(api, event.id)).toHaveLength(0);
  });

  it('accepts both secrets of a stored pair while the secret rotates', async () => {
    const { integration } = await createStripeTenant(api, { webhookSecret: `${OWN_SECRET},${ROTATED_SECRET}` });
    const path = `/webhooks/stripe/${integration.id}`;
    const before = stripeEvent({ account: null });
    const after = stripeEvent({ account: null });
    expect((await deliver(api.url, before.payload, { secret: OWN_SECRET, path })).status).toBe(200);
    expect((await deliver(api.url, after.payload, { secret: ROTATED_SECRET, path })).status).toBe(200);
    expect(await syncJobs(api, after.id)).toHaveLength(1);
  });

  it('ignores with 200 an event naming a different connected account', async () => {
    const { integration } = await createStripeTenant(api, { webhookSecret: OWN_SECRET });
    const event = stripeEvent({ account: 'acct_someone_else' });
    const response = await deliver(api.url, event.payload, { secret: OWN_SECRET, path: `/webhooks/stripe/${integration.id}` });
    expect(response).toEqual({ status: 200, body: { received: true, ignored: 'unknown_account' } });
    expect(await storedEvents(api, event.id)).toHaveLength(0);
  });

  it('ignores with 200 a test-mode event sent to a live integration', async () => {
    const { integration } = await createStripeTenant(api, { webhookSecret: OWN_SECRET, livemode: true });
    const event = stripeEvent({ account: null, livemode: false });
    const response = await deliver(api.url, event.payload, { secret: OWN_SECRET, path: `/webhooks/stripe/${integration.id}` });
    expect(response).toEqual({ status: 200, body: { received: true, ignored: 'livemode_mismatch' } });
  });

  it('answers 404 for an integration that does not exist or has no webhook secret', async () => {
    const { integration } = await createStripeTenant(api);
    const event = stripeEvent({ account: null });
    const unknown = await deliver(api.url, event.payload, { secret: OWN_SECRET, path: '/webhooks/stripe/no-such-integration' });
    expect(unknown).toMatchObject({ status: 404, body: { error: { code: 'WEBHOOK_ENDPOINT_UNKNOWN' } } });
    const withoutSecret = await deliver(api.url, event.payload, { secret: OWN_SECRET, path: `/webhooks/stripe/${integration.id}` });
    expect(withoutSecret.status).toBe(404);
    expect(await storedEvents(api, event.id)).toHaveLength(0);
  });
});

describe('POST /webhooks/stripe with no platform secret configured', () => {
  let api: WebhookApi;
  afterAll(() => api.close());
  beforeAll(async () => {
    api = await startWebhookApi({ secrets: [] });
  });

  it('refuses every delivery with 400, storing nothing', async () => {
    const { integration } = await createStripeTenant(api);
    const event = stripeEvent({ account: integration.sourceAccountId });
    const response = await deliver(api.url, event.payload);
    expect(response).toMatchObject({ status: 400, body: { error: { code: 'WEBHOOK_NOT_CONFIGURED' } } });
    expect(await storedEvents(api, event.id)).toHaveLength(0);
  });
});
