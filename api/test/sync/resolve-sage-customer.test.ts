import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createSage500Connector } from '../../src/connectors/sage/editions/sage500-connector.ts';
import { ApiKeyAuth } from '../../src/connectors/sage/http/sage-auth.ts';
import { SageHttpClient } from '../../src/connectors/sage/http/sage-http-client.ts';
import { InMemoryTokenBucket } from '../../src/connectors/sage/http/rate-limiter.ts';
import type { SageConnector } from '../../src/connectors/sage/sage-connector.ts';
import { CUSTOMER_ANSWER_REUSE_MS, resolveSageCustomer, updateSageCustomer, type StripeCustomerFacts } from '../../src/sync/resolve-sage-customer.ts';
import { failureOf } from '../sandbox/sage/support/connector-contract.ts';
import { startSandbox, type RunningSandbox } from '../sandbox/sage/support/sandbox-harness.ts';

let sandbox: RunningSandbox;
let connector: SageConnector;

beforeEach(async () => {
  sandbox = await startSandbox();
  const http = new SageHttpClient({
    baseUrl: `${sandbox.url}/sage500/demo-500`,
    auth: new ApiKeyAuth('X-Api-Key', 'demo-500-agent-key'),
    rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000 }),
    rateLimitKey: 'sage500:demo-500',
  });
  connector = createSage500Connector({ companyId: 'demo-500', http });
});
afterEach(() => sandbox.close());

async function sageCustomers() {
  const { body } = await sandbox.getJson<{ customers: unknown[] } | unknown[]>('/_sandbox/companies/demo-500/customers');
  return Array.isArray(body) ? body : body.customers;
}

function resolve(stripeCustomer: StripeCustomerFacts, writes: Record<string, string>[]) {
  return resolveSageCustomer({
    connector,
    stripeCustomer,
    newCustomer: () => ({ name: 'Grace Hopper', email: stripeCustomer.email ?? undefined, stripeCustomerId: stripeCustomer.id }),
    writeBack: async (metadata) => void writes.push(metadata),
  });
}

describe('customer resolution', () => {
  it('creates a customer once, writes its Sage id back, and finds it by that id afterwards', async () => {
    const writes: Record<string, string>[] = [];
    const first = await resolve({ id: 'cus_grace', email: 'grace@example.test', metadata: {} }, writes);
    expect(first.via).toBe('created');
    expect(writes).toEqual([{ Sage500CustomerID: first.customer.id }]);

    const again = await resolve({ id: 'cus_grace', email: 'grace@example.test', metadata: { Sage500CustomerID: first.customer.id } }, writes);
    expect(again).toMatchObject({ via: 'stripe_metadata', customer: { id: first.customer.id } });
    expect(writes).toHaveLength(1);
    expect(await sageCustomers()).toHaveLength(1);
  });

  it('finds a customer by the Stripe id in Sage when the Stripe metadata was lost', async () => {
    const created = await connector.createCustomer({ name: 'Grace Hopper', stripeCustomerId: 'cus_grace' });
    const writes: Record<string, string>[] = [];
    const found = await resolve({ id: 'cus_grace', email: null, metadata: {} }, writes);
    expect(found).toMatchObject({ via: 'sage_custom_field', customer: { id: created.id } });
    expect(writes).toEqual([{ Sage500CustomerID: created.id }]);
  });

  it('matches an existing Sage customer by e-mail whatever its case, instead of creating a duplicate', async () => {
    const existing = await connector.createCustomer({ name: 'Grace Hopper', email: 'Grace@Example.TEST', stripeCustomerId: 'cus_other_system' });
    const found = await resolve({ id: 'cus_grace', email: 'grace@example.test', metadata: {} }, []);
    expect(found).toMatchObject({ via: 'email', customer: { id: existing.id } });
    expect(await sageCustomers()).toHaveLength(1);
  });

  it('falls through a stale Sage id in Stripe metadata to the next rule', async () => {
    const found = await resolve({ id: 'cus_grace', email: null, metadata: { Sage500CustomerID: 'GONE0000' } }, []);
    expect(found.via).toBe('created');
  });

  describe('for a returning customer', () => {
    /** A connector of its own that counts the requests it sends to Sage. */
    function counted() {
      let requests = 0;
      const http = new SageHttpClient({
        baseUrl: `${sandbox.url}/sage500/demo-500`,
        auth: new ApiKeyAuth('X-Api-Key', 'demo-500-agent-key'),
        rateLimiter: new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000 }),
        rateLimitKey: 'sage500:demo-500',
        fetch: async (input, init) => {
          requests += 1;
          return fetch(input, init);
        },
      });
      return { connector: createSage500Connector({ companyId: 'demo-500', http }), requests: () => requests };
    }
    const resolveWith = (connector: SageConnector, stripeCustomer: StripeCustomerFacts) =>
      resolveSageCustomer({ connector, stripeCustomer, newCustomer: () => ({ name: 'Ada Lovelace', stripeCustomerId: stripeCustomer.id }), writeBack: async () => undefined });

    afterEach(() => {
      vi.useRealTimers();
    });

    it('reuses the customer found for its last charge without asking Sage again, until the answer is older than the reuse window', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const { connector, requests } = counted();
      const ada: StripeCustomerFacts = { id: 'cus_ada', email: 'ada@example.test', metadata: {} };
      const first = await resolveWith(connector, ada);
      expect(first.via).toBe('created');
      const asked = requests();

      const again = await resolveWith(connector, ada);
      expect(again).toMatchObject({ via: 'sage_custom_field', customer: { id: first.customer.id } });
      expect(requests()).toBe(asked);

      vi.setSystemTime(Date.now() + CUSTOMER_ANSWER_REUSE_MS + 1);
      expect(await resolveWith(connector, ada)).toMatchObject({ via: 'sage_custom_field', customer: { id: first.customer.id } });
      expect(requests()).toBe(asked + 1);
      expect(await sageCustomers()).toHaveLength(1);
    });

    it('after an update, hands the next charge the customer as Sage now holds it, and no longer finds it by its old e-mail', async () => {
      const { connector, requests } = counted();
      const ada: StripeCustomerFacts = { id: 'cus_ada', email: 'ada@example.test', metadata: {} };
      const created = (await resolveWith(connector, ada)).customer;
      // Remembered under its old e-mail too, as when another Stripe customer's charge found it by e-mail.
      await resolveWith(connector, { id: 'cus_other', email: 'ada@example.test', metadata: {} });

      const updated = await updateSageCustomer(connector, created.id, { name: 'Augusta Ada King', email: 'countess@example.test' });
      expect(updated).toMatchObject({ id: created.id, name: 'Augusta Ada King', email: 'countess@example.test' });
      const asked = requests();
      // Within the reuse window, without asking Sage: the updated customer, not the remembered one.
      expect(await resolveWith(connector, ada)).toMatchObject({ via: 'sage_custom_field', customer: updated });
      expect(requests()).toBe(asked);
      // The old e-mail is asked afresh: Sage no longer has a customer with it, so this guest gets its own.
      const guest = await resolveWith(connector, { id: 'ch_guest', email: 'ada@example.test', metadata: {} });
      expect(guest.via).toBe('created');
      expect(guest.customer.id).not.toBe(created.id);
    });

    it('forgets every remembered answer naming a customer whose update failed, so the next look asks Sage', async () => {
      const { connector, requests } = counted();
      const ada: StripeCustomerFacts = { id: 'cus_ada', email: null, metadata: {} };
      const created = (await resolveWith(connector, ada)).customer;
      expect(await failureOf(updateSageCustomer(connector, created.id, { name: 'N'.repeat(41) }))).toMatchObject({ code: 'SAGE_VALIDATION' });
      const asked = requests();
      expect(await resolveWith(connector, ada)).toMatchObject({ via: 'sage_custom_field', customer: { id: created.id } });
      expect(requests()).toBe(asked + 1);
    });

    it('asks Sage again after every miss, so a create always follows a fresh look', async () => {
      const { connector, requests } = counted();
      const stale: StripeCustomerFacts = { id: 'cus_stale', email: null, metadata: { Sage500CustomerID: 'GONE0000' } };
      await resolveWith(connector, stale);
      const afterFirst = requests();
      // The stale id misses again (one request), then the Stripe id finds the customer created just before.
      const second = await resolveWith(connector, stale);
      expect(second.via).toBe('sage_custom_field');
      expect(requests()).toBe(afterFirst + 1);
      expect(await sageCustomers()).toHaveLength(1);
    });
  });
});
