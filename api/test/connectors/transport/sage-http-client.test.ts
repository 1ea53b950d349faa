import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { InMemoryTokenBucket } from '../../../src/connectors/sage/http/rate-limiter.ts';
import { ApiKeyAuth, BearerAuth, type SageAuth } from '../../../src/connectors/sage/http/sage-auth.ts';
import { SageHttpClient, type SageHttpClientOptions, type SageRequest } from '../../../src/connectors/sage/http/sage-http-client.ts';
import { SageError } from '../../../src/connectors/sage/sage-error.ts';
import { connectWithOAuth, startSandbox, testClock, type RunningSandbox } from '../../sandbox/sage/support/sandbox-harness.ts';
import { closedPortUrl } from './support/closed-port.ts';

const SAGE500_KEY = 'demo-500-agent-key';
const LIST_SAGE500_CUSTOMERS: SageRequest = { method: 'GET', path: '/Sage500API/Customers' };
const LIST_SAGEPRO_CUSTOMERS: SageRequest = { method: 'GET', path: '/api/v1/customers' };

async function sageErrorOf(promise: Promise<unknown>): Promise<SageError> {
  const error = await promise.then(
    () => null,
    (failure: unknown) => failure,
  );
  if (!(error instanceof SageError)) throw new Error(`expected a SageError, got ${String(error)}`);
  return error;
}

/** A fixed bearer token, as a connector would get from the token manager. */
const fixedBearer = (token: string): SageAuth => new BearerAuth({ accessToken: async () => token, refresh: async () => false });

describe('the Sage HTTP client against the sandbox', () => {
  let s: RunningSandbox;
  beforeAll(async () => {
    s = await startSandbox();
  });
  afterAll(async () => {
    // fetch may leave a connection it opened but never used after an aborted (timed-out) request;
    // the sandbox's close would wait for it until the server's headers timeout.
    s.sandbox.app.server.closeAllConnections();
    await s.close();
  });
  afterEach(async () => {
    await s.clearFaults('demo-500');
    await s.clearFaults('demo-pro');
  });

  function sage500(options: Partial<SageHttpClientOptions> = {}) {
    return new SageHttpClient({
      baseUrl: `${s.url}/sage500/demo-500`,
      auth: new ApiKeyAuth('X-Api-Key', SAGE500_KEY),
      rateLimiter: new InMemoryTokenBucket({ perMinute: 600 }),
      rateLimitKey: 'sage500:demo-500',
      ...options,
    });
  }

  function sagePro(auth: SageAuth, options: Partial<SageHttpClientOptions> = {}) {
    return new SageHttpClient({
      baseUrl: `${s.url}/sagepro/demo-pro`,
      auth,
      rateLimiter: new InMemoryTokenBucket({ perMinute: 300 }),
      rateLimitKey: 'sage_pro:demo-pro',
      ...options,
    });
  }

  it('returns a 2xx answer with its parsed body', async () => {
    const response = await sage500().request(LIST_SAGE500_CUSTOMERS);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ Items: expect.any(Array), Page: 1 });
  });

  it('turns a 429 into SAGE_RATE_LIMITED with Retry-After, and holds that company’s budget until then', async () => {
    const workerClock = testClock();
    const waits: number[] = [];
    const limiter = new InMemoryTokenBucket({
      perMinute: 600,
      now: workerClock.now,
      sleep: async (ms) => {
        waits.push(ms);
        workerClock.advance(ms);
      },
    });
    const client = sage500({ rateLimiter: limiter, now: workerClock.now });
    await s.setFaults('demo-500', { rateLimitPerMinute: 1 });
    expect((await client.request(LIST_SAGE500_CUSTOMERS)).status).toBe(200);
    s.clock.advance(15_000);

    const error = await sageErrorOf(client.request(LIST_SAGE500_CUSTOMERS));

    expect(error).toMatchObject({ code: 'SAGE_RATE_LIMITED', retryable: true, retryAfterMs: 45_000, detail: { status: 429, method: 'GET', path: '/Sage500API/Customers' } });
    expect(waits).toEqual([]);
    const pausedAt = workerClock.now();
    await limiter.acquire('sage500:demo-500');
    expect(waits[0]).toBe(45_000);
    expect(workerClock.now()).toBeGreaterThanOrEqual(pausedAt + 45_000);
    // Another company's budget is not held.
    const waitsBefore = waits.length;
    await limiter.acquire('sage500:another-company');
    expect(waits).toHaveLength(waitsBefore);
  });

  it('turns a 500 into SAGE_UNAVAILABLE, which a retry can fix', async () => {
    await s.setFaults('demo-500', { errorShare: 1 });
    expect(await sageErrorOf(sage500().request(LIST_SAGE500_CUSTOMERS))).toMatchObject({
      code: 'SAGE_UNAVAILABLE',
      retryable: true,
      detail: { status: 500, method: 'GET', path: '/Sage500API/Customers' },
    });
  });

  it('gives up on an answer that does not come within the timeout with SAGE_TIMEOUT', async () => {
    await s.setFaults('demo-500', { timeoutShare: 1 });
    expect(await sageErrorOf(sage500({ timeoutMs: 200 }).request(LIST_SAGE500_CUSTOMERS))).toMatchObject({ code: 'SAGE_TIMEOUT', retryable: true });
  });

  it('turns a refused connection into SAGE_NETWORK', async () => {
    expect(await sageErrorOf(sage500({ baseUrl: await closedPortUrl() }).request(LIST_SAGE500_CUSTOMERS))).toMatchObject({ code: 'SAGE_NETWORK', retryable: true });
  });

  it('turns refused credentials that cannot be renewed into SAGE_AUTH_REVOKED, which a retry cannot fix', async () => {
    const error = await sageErrorOf(sage500({ auth: new ApiKeyAuth('X-Api-Key', 'a-wrong-agent-key') }).request(LIST_SAGE500_CUSTOMERS));
    expect(error).toMatchObject({ code: 'SAGE_AUTH_REVOKED', retryable: false, detail: { status: 401 } });
  });

  it('turns an answer lost after Sage committed the write into SAGE_NETWORK, so the retry looks the document up', async () => {
    await s.setFaults('demo-500', { commitThenDropNext: true });
    const create = { method: 'POST', path: '/Sage500API/Customers', body: { CustomerID: 'LOST0001', CustomerName: 'Lost Answer Ltd' } } as const;
    expect(await sageErrorOf(sage500().request(create))).toMatchObject({ code: 'SAGE_NETWORK', retryable: true });
    const found = await sage500().request({ method: 'GET', path: '/Sage500API/Customers', query: { CustomerID: 'LOST0001' } });
    expect(found.body).toMatchObject({ Items: [expect.objectContaining({ CustomerID: 'LOST0001' })] });
  });

  it('answers a write the same through its own connections and through a fetch it is given', async () => {
    const sent: string[] = [];
    const recording: typeof fetch = async (input, init) => {
      sent.push(`${init?.method ?? 'GET'} ${new URL(String(input)).pathname}`);
      return fetch(input, init);
    };
    const create = (id: string) => ({ method: 'POST', path: '/Sage500API/Customers', body: { CustomerID: id, CustomerName: `Same Answer ${id}` } }) as const;
    const direct = await sage500().request(create('SAME0001'));
    const viaFetch = await sage500({ fetch: recording }).request(create('SAME0002'));
    expect(sent).toEqual(['POST /sage500/demo-500/Sage500API/Customers']);
    expect([direct.status, viaFetch.status]).toEqual([201, 201]);
    expect(direct.body).toMatchObject({ CustomerID: 'SAME0001', CustomerName: 'Same Answer SAME0001' });
    expect(viaFetch.body).toMatchObject({ CustomerID: 'SAME0002', CustomerName: 'Same Answer SAME0002' });
    expect(direct.headers.get('content-type')).toBe(viaFetch.headers.get('content-type'));
  });

  it('keeps its connections to Sage open between requests', async () => {
    let opened = 0;
    const count = () => {
      opened += 1;
    };
    s.sandbox.app.server.on('connection', count);
    try {
      const client = sage500();
      for (let index = 0; index < 20; index += 1) expect((await client.request(LIST_SAGE500_CUSTOMERS)).status).toBe(200);
    } finally {
      s.sandbox.app.server.off('connection', count);
    }
    expect(opened).toBeLessThanOrEqual(1);
  });

  it('asks to renew the token the refused request carried, not one handed out since to another request', async () => {
    const refreshed: string[] = [];
    let current = 'token-sent-first';
    const auth = new BearerAuth({
      accessToken: async () => current,
      refresh: async (rejected) => {
        refreshed.push(rejected);
        return false;
      },
    });
    const sent = new Headers();
    await auth.authorize(sent);
    current = 'token-handed-out-since';
    await auth.authorize(new Headers());
    expect(await auth.recoverFromUnauthorized(sent)).toBe(false);
    expect(refreshed).toEqual(['token-sent-first']);
  });

  it('never puts the API key or the bearer token into the message or detail of a SageError', async () => {
    const { access_token: accessToken } = await connectWithOAuth(s.url, '/sagepro');
    const refused = await closedPortUrl();
    const withKey = (options: Partial<SageHttpClientOptions> = {}) => sage500(options);
    const withToken = (options: Partial<SageHttpClientOptions> = {}) => sagePro(fixedBearer(accessToken), options);
    const secrets = [SAGE500_KEY, accessToken, 'a-wrong-agent-key', 'an-expired-bearer-token'];

    const errors: SageError[] = [];
    const collect = async (promise: Promise<unknown>) => errors.push(await sageErrorOf(promise));
    await collect(withKey({ baseUrl: refused }).request(LIST_SAGE500_CUSTOMERS));
    await collect(withToken({ baseUrl: refused }).request(LIST_SAGEPRO_CUSTOMERS));
    await collect(sage500({ auth: new ApiKeyAuth('X-Api-Key', 'a-wrong-agent-key') }).request(LIST_SAGE500_CUSTOMERS));
    await collect(sagePro(fixedBearer('an-expired-bearer-token')).request(LIST_SAGEPRO_CUSTOMERS));
    await s.setFaults('demo-500', { errorShare: 1 });
    await s.setFaults('demo-pro', { errorShare: 1 });
    await collect(withKey().request(LIST_SAGE500_CUSTOMERS));
    await collect(withToken().request({ method: 'POST', path: '/api/v1/customers', body: { name: 'Ada' } }));
    await s.clearFaults('demo-500');
    await s.clearFaults('demo-pro');
    await s.setFaults('demo-pro', { rateLimitPerMinute: 1 });
    await withToken().request(LIST_SAGEPRO_CUSTOMERS);
    await collect(withToken().request(LIST_SAGEPRO_CUSTOMERS));
    await s.setFaults('demo-500', { timeoutShare: 1 });
    await collect(withKey({ timeoutMs: 200 }).request(LIST_SAGE500_CUSTOMERS));

    expect(errors.map((error) => error.code)).toEqual([
      'SAGE_NETWORK',
      'SAGE_NETWORK',
      'SAGE_AUTH_REVOKED',
      'SAGE_AUTH_REVOKED',
      'SAGE_UNAVAILABLE',
      'SAGE_UNAVAILABLE',
      'SAGE_RATE_LIMITED',
      'SAGE_TIMEOUT',
    ]);
    for (const error of errors) {
      const shown = `${error.message} ${JSON.stringify(error.detail)}`;
      for (const secret of secrets) expect(shown).not.toContain(secret);
    }
  });
});
