import { describe, expect, it } from 'vitest';
import { StripeConnectorError } from '../../../src/connectors/stripe/stripe-error.ts';
import { servedFixtureObjects } from '../../../src/sandbox/stripe-fake/fixtures.ts';
import { failureOf, startReaderHarness, virtualClock } from './support/stripe-reader-harness.ts';

const examples = servedFixtureObjects();
const charge = { ...structuredClone(examples.charge), id: 'ch_writeback', metadata: { order: '1042' } };
const customer = { ...structuredClone(examples.customer), id: 'cus_writeback', metadata: { crm: 'C-7' } };

describe('writing Sage ids back into Stripe metadata', () => {
  it("merges the Sage keys into the charge's metadata, keeping the merchant's own keys", async () => {
    const harness = await startReaderHarness();
    await harness.load([charge]);

    const updated = await harness.reader().updateChargeMetadata('ch_writeback', { sage_document: 'CR-000123', sage_company: 'ACME' }, 'writeback:ch_writeback:1');

    expect(updated.metadata).toEqual({ order: '1042', sage_document: 'CR-000123', sage_company: 'ACME' });
  });

  it('sending the same write again with the same key changes nothing and records one update', async () => {
    const harness = await startReaderHarness();
    await harness.load([charge]);
    const reader = harness.reader();

    const first = await reader.updateChargeMetadata('ch_writeback', { sage_document: 'CR-000123' }, 'writeback:ch_writeback:1');
    const again = await reader.updateChargeMetadata('ch_writeback', { sage_document: 'CR-000123' }, 'writeback:ch_writeback:1');

    expect(again).toEqual(first);
    expect(harness.requests().map((request) => request.replayed)).toEqual([false, true]);
    const updates = harness.fake.store.listNewestFirst(harness.fake.store.defaultAccountId, 'event').filter((event) => event.type === 'charge.updated');
    expect(updates).toHaveLength(1);
  });

  it('the same key with a different write is refused as an invalid request, not retried', async () => {
    const harness = await startReaderHarness();
    await harness.load([charge]);
    const reader = harness.reader();
    await reader.updateChargeMetadata('ch_writeback', { sage_document: 'CR-000123' }, 'writeback:ch_writeback:1');

    const error = await failureOf(reader.updateChargeMetadata('ch_writeback', { sage_document: 'CR-999999' }, 'writeback:ch_writeback:1'));

    expect(error).toBeInstanceOf(StripeConnectorError);
    expect([(error as StripeConnectorError).code, (error as StripeConnectorError).retryable]).toEqual(['STRIPE_INVALID_REQUEST', false]);
    expect(harness.fake.store.get(harness.fake.store.defaultAccountId, 'charge', 'ch_writeback')?.metadata).toMatchObject({ sage_document: 'CR-000123' });
  });

  it('a write refused by a rate limit is retried with the same idempotency key, and applies once', async () => {
    const harness = await startReaderHarness();
    await harness.load([customer]);
    await harness.injectRateLimits(1);
    const clock = virtualClock();

    const updated = await harness.reader({ now: clock.now, sleep: clock.sleep }).updateCustomerMetadata('cus_writeback', { sage_customer: 'CUST-88' }, 'writeback:cus_writeback:1');

    expect(updated.metadata).toEqual({ crm: 'C-7', sage_customer: 'CUST-88' });
    expect(harness.requests().map((request) => [request.status, request.idempotencyKey])).toEqual([
      [429, 'writeback:cus_writeback:1'],
      [200, 'writeback:cus_writeback:1'],
    ]);
    expect(clock.sleeps).toHaveLength(1);
  });

  it('an empty value removes that key, as in Stripe', async () => {
    const harness = await startReaderHarness();
    await harness.load([customer]);

    const updated = await harness.reader().updateCustomerMetadata('cus_writeback', { crm: '' }, 'writeback:cus_writeback:clear');

    expect(updated.metadata).toEqual({});
  });

  it('a write without an idempotency key is refused before anything is sent', async () => {
    const harness = await startReaderHarness();
    await harness.load([charge]);

    const error = await failureOf(harness.reader().updateChargeMetadata('ch_writeback', { sage_document: 'CR-1' }, ''));

    expect((error as StripeConnectorError).code).toBe('STRIPE_INVALID_REQUEST');
    expect(harness.requests()).toEqual([]);
  });
});
