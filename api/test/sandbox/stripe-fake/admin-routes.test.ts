import { describe, expect, it } from 'vitest';
import { exampleOf } from './support/example-objects.ts';
import { startStripeFake } from './support/stripe-fake-harness.ts';

const json = (body: unknown): RequestInit => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('fake-only routes under /_fake', () => {
  it('refuses a batch with an object lacking an id, naming its index, and loads nothing of it', async () => {
    const { request, stripe } = await startStripeFake();

    const response = await request('/_fake/objects', json([exampleOf('charge', { id: 'ch_ok' }), { object: 'charge' }]));

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { type: 'invalid_request_error', param: 'objects[1]', message: expect.stringContaining('objects[1].id') } });
    expect((await stripe.charges.list()).data).toEqual([]);
  });

  it('refuses a body that is not an array, and an account that is not an account id', async () => {
    const { request } = await startStripeFake();

    const notArray = await request('/_fake/objects', json({ id: 'ch_1', object: 'charge' }));
    const badAccount = await request('/_fake/objects?account=nope', json([]));

    expect(notArray.status).toBe(400);
    expect(badAccount.status).toBe(400);
  });

  it('reset empties every account, the faults and the request log', async () => {
    const { request, stripe, load, fake } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1' })]);
    await request('/_fake/faults', json({ rateLimitShare: 0.5, failingPaths: ['/v1/refunds'] }));
    await stripe.balanceTransactions.list().catch(() => undefined);

    const reset = await request('/_fake/reset', { method: 'POST' });

    expect(reset.status).toBe(200);
    expect(fake.store.accountIds()).toEqual([]);
    expect(fake.faults.current()).toEqual({ rateLimitNext: 0, rateLimitShare: 0, failingPaths: [] });
    expect((await request('/_fake/requests')).body).toEqual({ requests: [] });
  });

  it('the request log shows each API call with its method, path, query and account, and no /_fake calls', async () => {
    const { request, stripe } = await startStripeFake();

    await stripe.charges.list({ limit: 3 }, { stripeAccount: 'acct_x' });
    const log = await request('/_fake/requests');

    expect(log.body).toEqual({
      requests: [
        expect.objectContaining({ method: 'GET', path: '/v1/charges', query: { limit: '3' }, account: 'acct_x', status: 200, replayed: false }),
      ],
    });
  });
});
