import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { exampleOf } from './support/example-objects.ts';
import { startStripeFake, stripeErrorOf } from './support/stripe-fake-harness.ts';

describe('idempotency keys on POST', () => {
  it('the same key with the same parameters replays the first response, marked Idempotent-Replayed', async () => {
    const { stripe, fake } = await startStripeFake();

    const first = await stripe.customers.create({ email: 'grace@example.com' }, { idempotencyKey: 'create-grace' });
    const replay = await stripe.customers.create({ email: 'grace@example.com' }, { idempotencyKey: 'create-grace' });

    expect(replay.id).toBe(first.id);
    expect(replay.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(replay.lastResponse.requestId).toBe(first.lastResponse.requestId);
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect((await stripe.customers.list()).data).toHaveLength(1);
    expect(fake.requestLog.list().filter((entry) => entry.method === 'POST').map((entry) => entry.replayed)).toEqual([false, true]);
  });

  it('a replayed metadata update is not applied twice', async () => {
    const { stripe, load } = await startStripeFake();
    await load([exampleOf('charge', { id: 'ch_1', metadata: {} })]);

    await stripe.charges.update('ch_1', { metadata: { sage_id: 'S-1' } }, { idempotencyKey: 'k1' });
    await stripe.charges.update('ch_1', { metadata: { sage_id: '' } });
    const replay = await stripe.charges.update('ch_1', { metadata: { sage_id: 'S-1' } }, { idempotencyKey: 'k1' });

    expect(replay.metadata).toEqual({ sage_id: 'S-1' });
    expect((await stripe.charges.retrieve('ch_1')).metadata).toEqual({});
  });

  it('the same key with different parameters is an idempotency error', async () => {
    const { stripe } = await startStripeFake();
    await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'shared-key' });

    const error = await stripeErrorOf(stripe.customers.create({ email: 'b@example.com' }, { idempotencyKey: 'shared-key' }));

    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect([error.statusCode, error.type]).toEqual([400, 'StripeIdempotencyError']);
    expect(error.message).toContain("'shared-key'");
  });

  it('keys are scoped to the Stripe account', async () => {
    const { stripe } = await startStripeFake();

    const platform = await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'same' });
    const connected = await stripe.customers.create({ email: 'a@example.com' }, { idempotencyKey: 'same', stripeAccount: 'acct_other' });

    expect(connected.id).not.toBe(platform.id);
    expect(connected.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('a rejected request does not use up its key: the corrected retry runs', async () => {
    const { stripe } = await startStripeFake();

    const rejected = await stripeErrorOf(stripe.customers.create({ email: 'bad' }, { idempotencyKey: 'retry-me' }));
    const corrected = await stripe.customers.create({ email: 'good@example.com' }, { idempotencyKey: 'retry-me' });
    const replay = await stripe.customers.create({ email: 'good@example.com' }, { idempotencyKey: 'retry-me' });

    expect(rejected.statusCode).toBe(400);
    expect(corrected.email).toBe('good@example.com');
    expect(corrected.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(replay.id).toBe(corrected.id);
  });
});
