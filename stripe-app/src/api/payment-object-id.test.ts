import { paymentObjectId } from './payment-object-id';

describe('the payment on the detail page', () => {
  it('is a PaymentIntent or a Charge, sent as it is', () => {
    expect(paymentObjectId({ id: 'pi_3Pk1', object: 'payment_intent' })).toBe('pi_3Pk1');
    expect(paymentObjectId({ id: 'ch_3Pk1', object: 'charge' })).toBe('ch_3Pk1');
    expect(paymentObjectId({ id: 'py_3Pk1', object: 'charge' })).toBe('py_3Pk1');
  });

  it('is nothing for any other object, or none', () => {
    expect(paymentObjectId({ id: 'cus_1', object: 'customer' })).toBeNull();
    expect(paymentObjectId({ id: 'ch_1', object: 'payment_intent' })).toBeNull();
    expect(paymentObjectId(null)).toBeNull();
    expect(paymentObjectId(undefined)).toBeNull();
  });
});
