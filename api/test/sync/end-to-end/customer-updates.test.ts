import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadableStripeObject } from '../../../src/sandbox/stripe-fake/object-store.ts';
import { startEndToEndStack, type EndToEndStack } from './support/end-to-end-stack.ts';
import { recordSageRequests, type SageRequestLog } from './support/sage-request-log.ts';
import { customer } from './support/stripe-builders.ts';
import { connectTenant, EDITIONS, type Tenant } from './support/tenant.ts';

// customer.updated brings the Stripe customer's changes into its one Sage customer, the whole way
// (signed webhooks, the queue, the worker, the Sage sandbox over HTTP), on every edition: the
// fields that changed and no others, nothing at all when nothing the mapping reads changed, and
// never a Sage field cleared or renamed because Stripe's is empty.

let stack: EndToEndStack;
let sageRequests: SageRequestLog;

beforeAll(async () => {
  sageRequests = recordSageRequests();
  stack = await startEndToEndStack({ sageFetch: sageRequests.fetch });
}, 60_000);
afterAll(() => stack?.close());

/** The Stripe customer as the fake holds it now (our metadata write-back included), changed by `changes`. */
async function edited(t: Tenant, id: string, changes: Record<string, unknown>): Promise<LoadableStripeObject> {
  const current = (await t.stripe.customers.retrieve(id)) as unknown as LoadableStripeObject;
  const next = { ...current, ...changes };
  await t.load([next]);
  return next;
}

describe.concurrent.each(EDITIONS)('customer updates into %s', { timeout: 90_000 }, (edition) => {
  it('customer.updated with a new e-mail and address updates the one Sage customer, and one with nothing new sends Sage no update', async () => {
    const t = await connectTenant(stack, { edition, writeBackMetadata: true });
    const grace = { ...customer({ name: 'Grace Hopper', email: 'grace@example.test' }), phone: '+1 312 555 0100' };
    await t.load([grace]);
    await t.deliver(t.event('customer.created', grace));
    await t.settle();
    const [created] = await t.sageCustomers(grace.id);
    expect(created).toMatchObject({ name: 'Grace Hopper', email: 'grace@example.test', phone: '+1 312 555 0100' });
    const requests = () => sageRequests.of(t.company);
    const writes = (since: number) => requests().slice(since).filter((request) => request.method !== 'GET');

    // A new e-mail and address in Stripe: one update, of the changed fields only.
    let sent = requests().length;
    const moved = await edited(t, grace.id, {
      email: 'grace.hopper@navy.example',
      address: { line1: '1 Navy Yard', line2: null, city: 'Arlington', state: 'va', postal_code: '22202', country: 'US' },
    });
    await t.deliver(t.event('customer.updated', moved));
    await t.settle();
    expect(await t.sageCustomers()).toEqual([
      expect.objectContaining({ id: created!.id, name: 'Grace Hopper', email: 'grace.hopper@navy.example', addressLine1: '1 Navy Yard', city: 'Arlington', state: 'VA', postalCode: '22202', phone: '+1 312 555 0100' }),
    ]);
    const [update, ...others] = writes(sent);
    expect(others).toEqual([]);
    expect(update?.method).toBe('PUT');
    expect(update?.body).not.toContain('Grace Hopper');
    expect(await t.record('customer', grace.id)).toMatchObject({ status: 'synced', sageDocumentId: edition === 'sage_accounting' ? created!.id : created!.code, postedHash: expect.any(String) });

    // Nothing the mapping reads changed (Stripe sends customer.updated for any edit): lookups at most.
    sent = requests().length;
    await t.deliver(t.event('customer.updated', await edited(t, grace.id, { description: 'VIP', metadata: { ...(moved.metadata as object), tier: 'gold' } })));
    await t.settle();
    expect(writes(sent)).toEqual([]);

    // A finance user corrects the phone in Sage; then Stripe changes the e-mail alone. The phone stays as finance set it.
    stack.sandbox.sandbox.store.updateCustomer(t.company, created!.id, { phone: '+1 312 555 0199' });
    sent = requests().length;
    await t.deliver(t.event('customer.updated', await edited(t, grace.id, { email: 'admiral@navy.example' })));
    await t.settle();
    expect(writes(sent).map((request) => request.method)).toEqual(['PUT']);
    expect(await t.sageCustomers()).toEqual([expect.objectContaining({ email: 'admiral@navy.example', phone: '+1 312 555 0199', name: 'Grace Hopper' })]);

    // Stripe loses the name and the address: Sage keeps both (no clearing, no "Stripe customer" placeholder).
    sent = requests().length;
    await t.deliver(t.event('customer.updated', await edited(t, grace.id, { name: null, address: null })));
    await t.settle();
    expect(writes(sent)).toEqual([]);
    expect(await t.sageCustomers()).toEqual([expect.objectContaining({ name: 'Grace Hopper', addressLine1: '1 Navy Yard', email: 'admiral@navy.example' })]);
  });
});
