import { describe, expect, it } from 'vitest';
import { decodeStripeForm } from '../../../src/sandbox/stripe-fake/form-decoding.ts';

describe("decoding Stripe's bracket form encoding", () => {
  it('nests bracketed keys into hashes', () => {
    expect(decodeStripeForm('metadata[order]=42&metadata[note]=hello+world&created[gte]=10')).toEqual({
      metadata: { order: '42', note: 'hello world' },
      created: { gte: '10' },
    });
  });

  it('reads both expand[]= and the expand[0]= that stripe-node sends as lists, in index order', () => {
    expect(decodeStripeForm('expand[]=customer&expand[]=balance_transaction')).toEqual({ expand: ['customer', 'balance_transaction'] });
    expect(decodeStripeForm('expand[1]=b&expand[0]=a')).toEqual({ expand: ['a', 'b'] });
  });

  it('reads lists of hashes such as items[0][price]', () => {
    expect(decodeStripeForm('items[0][price]=price_1&items[0][quantity]=2&items[1][price]=price_2')).toEqual({
      items: [{ price: 'price_1', quantity: '2' }, { price: 'price_2' }],
    });
  });

  it('keeps numeric metadata keys as keys, and percent-encoded brackets work too', () => {
    expect(decodeStripeForm('metadata[0]=zero&metadata%5B1%5D=one')).toEqual({ metadata: { '0': 'zero', '1': 'one' } });
  });

  it('keeps empty values, which mean "unset" to Stripe', () => {
    expect(decodeStripeForm('metadata[note]=&description=')).toEqual({ metadata: { note: '' }, description: '' });
  });

  it('treats __proto__ as an ordinary key', () => {
    const decoded = decodeStripeForm('__proto__[polluted]=yes&metadata[__proto__]=x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(decoded)).toContain('__proto__');
  });

  it('refuses a key used both as a value and as a hash', () => {
    expect(() => decodeStripeForm('metadata=x&metadata[a]=b')).toThrow(/both a value and a hash/);
  });
});
