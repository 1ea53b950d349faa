import type { SageEdition } from '@sagesync/db';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSage500Connector } from '../../src/connectors/sage/editions/sage500-connector.ts';
import { createSage50Connector } from '../../src/connectors/sage/editions/sage50-connector.ts';
import { createSageAccountingConnector } from '../../src/connectors/sage/editions/sage-accounting-connector.ts';
import { createSageProConnector } from '../../src/connectors/sage/editions/sage-pro-connector.ts';
import { InMemoryTokenBucket } from '../../src/connectors/sage/http/rate-limiter.ts';
import { ApiKeyAuth, BearerAuth } from '../../src/connectors/sage/http/sage-auth.ts';
import { SageHttpClient } from '../../src/connectors/sage/http/sage-http-client.ts';
import type { SageConnector } from '../../src/connectors/sage/sage-connector.ts';
import type { Customer } from '../../src/sandbox/sage/ledger-model.ts';
import { failureOf } from '../sandbox/sage/support/connector-contract.ts';
import { connectWithOAuth, startSandbox, type OAuthPrefix, type RunningSandbox } from '../sandbox/sage/support/sandbox-harness.ts';

// Contract tests of `updateCustomer`, per edition, over real HTTP against the sandbox's dialect:
// Sage 500's agent, Sage Pro, Sage 50 and Sage Accounting each update a customer with PUT.

const COMPANY: Record<SageEdition, string> = { sage500: 'demo-500', sage_pro: 'demo-pro', sage50: 'demo-50', sage_accounting: 'demo-cloud' };
const OAUTH_PREFIX: Record<Exclude<SageEdition, 'sage500'>, OAuthPrefix> = { sage_pro: '/sagepro', sage50: '/sage50', sage_accounting: '/sageaccounting' };
/** An id no customer of the edition has (Sage Accounting's contact ids are 32 hex characters). */
const UNKNOWN_ID: Record<SageEdition, string> = { sage500: 'NOBODY', sage_pro: 'NOBODY', sage50: 'NOBODY', sage_accounting: '0'.repeat(32) };

describe.each(['sage500', 'sage_pro', 'sage50', 'sage_accounting'] as const)('updating a %s customer', (edition) => {
  let sandbox: RunningSandbox;
  let sage: SageConnector;
  let requests: { method: string; path: string }[];

  beforeEach(async () => {
    sandbox = await startSandbox();
    requests = [];
    const recording: typeof fetch = (input, init) => {
      requests.push({ method: init?.method ?? 'GET', path: new URL(String(input)).pathname });
      return fetch(input, init);
    };
    const rateLimiter = new InMemoryTokenBucket({ perMinute: 60_000, burst: 10_000 });
    const company = COMPANY[edition];
    if (edition === 'sage500') {
      const http = new SageHttpClient({ baseUrl: `${sandbox.url}/sage500/${company}`, auth: new ApiKeyAuth('X-Api-Key', 'demo-500-agent-key'), rateLimiter, rateLimitKey: `sage500:${company}`, fetch: recording });
      sage = createSage500Connector({ companyId: company, http });
      return;
    }
    const { access_token: accessToken } = await connectWithOAuth(sandbox.url, OAUTH_PREFIX[edition]);
    const auth = new BearerAuth({ accessToken: async () => accessToken, refresh: async () => false });
    if (edition === 'sage_pro') {
      sage = createSageProConnector({ companyId: company, http: new SageHttpClient({ baseUrl: `${sandbox.url}/sagepro`, auth, rateLimiter, rateLimitKey: `sage_pro:${company}`, fetch: recording }) });
    } else if (edition === 'sage50') {
      sage = createSage50Connector({ baseUrl: `${sandbox.url}/sage50`, companyId: company, http: { auth, rateLimiter, fetch: recording } });
    } else {
      sage = createSageAccountingConnector({ baseUrl: `${sandbox.url}/sageaccounting/core/v3.1`, businessId: company, baseCurrency: 'USD', http: { auth, rateLimiter, fetch: recording } });
    }
  });
  afterEach(() => sandbox.close());

  /** The customers the sandbox's books hold, every field of them. */
  async function stored(): Promise<Customer[]> {
    const { body } = await sandbox.getJson<{ customers: Customer[] }>(`/_sandbox/companies/${COMPANY[edition]}/customers`);
    return body.customers;
  }

  const ada = () =>
    sage.createCustomer({
      name: 'Ada Lovelace',
      email: 'ada@example.test',
      addressLine1: '12 St James Square',
      city: 'London',
      state: 'LDN',
      postalCode: 'SW1Y 4JH',
      phone: '+44 20 7946 0000',
      stripeCustomerId: 'cus_ada',
    });

  it('changes the fields the update names, keeps every other one, and answers the customer as Sage now holds it', async () => {
    const created = await ada();
    const updated = await sage.updateCustomer(created.id, { email: 'countess@example.test', addressLine1: '1 Ockham Park', city: 'Ripley', postalCode: 'GU23 6NX' });

    expect(updated).toEqual({ ...created, email: 'countess@example.test' });
    expect(await stored()).toEqual([
      expect.objectContaining({
        name: 'Ada Lovelace',
        email: 'countess@example.test',
        addressLine1: '1 Ockham Park',
        city: 'Ripley',
        state: 'LDN',
        postalCode: 'GU23 6NX',
        phone: '+44 20 7946 0000',
      }),
    ]);
    // Still found by the Stripe id it carries, and now by its new e-mail only.
    expect(await sage.findCustomerByStripeId('cus_ada')).toEqual(updated);
    expect(await sage.findCustomerByEmail('COUNTESS@example.test')).toEqual(updated);
    expect(await sage.findCustomerByEmail('ada@example.test')).toBeNull();
    expect(requests.filter((request) => request.method === 'PUT')).toHaveLength(1);
  });

  it('renames the customer, and clears a field only when the update sets it to null', async () => {
    const created = await ada();
    const updated = await sage.updateCustomer(created.id, { name: 'Augusta Ada King', phone: null });
    expect(updated).toMatchObject({ id: created.id, name: 'Augusta Ada King', email: 'ada@example.test' });
    expect(await stored()).toEqual([expect.objectContaining({ name: 'Augusta Ada King', phone: null, city: 'London', email: 'ada@example.test' })]);
  });

  it('refuses a name longer than the edition holds as a validation error a person fixes in the mapping, and changes nothing', async () => {
    const created = await ada();
    const error = await failureOf(sage.updateCustomer(created.id, { name: 'N'.repeat(sage.capabilities.customerNameMaxLength + 1) }));
    expect(error).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false, detail: { status: expect.any(Number), field: expect.stringMatching(/name/i) } });
    expect(error.message).toMatch(/name/i);
    expect(await stored()).toEqual([expect.objectContaining({ name: 'Ada Lovelace' })]);
  });

  it('reports a customer Sage no longer has as not found, saying to resync, not retried', async () => {
    const error = await failureOf(sage.updateCustomer(UNKNOWN_ID[edition], { email: 'ghost@example.test' }));
    expect(error).toMatchObject({ code: 'SAGE_NOT_FOUND', retryable: false, detail: { method: 'PUT', status: 404 } });
    expect(error.message).toContain(UNKNOWN_ID[edition]);
    expect(error.message).toMatch(/resync/i);
  });

  it('refuses an update that names no field, or an e-mail that is not one, before sending anything', async () => {
    const created = await ada();
    const sent = requests.length;
    expect(await failureOf(sage.updateCustomer(created.id, {}))).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false });
    expect(await failureOf(sage.updateCustomer(created.id, { email: 'not an e-mail' }))).toMatchObject({ code: 'SAGE_VALIDATION', retryable: false, detail: { field: 'email' } });
    expect(requests).toHaveLength(sent);
  });
});
