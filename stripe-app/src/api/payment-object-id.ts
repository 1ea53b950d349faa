import type { ExtensionContextValue } from '@stripe/ui-extension-sdk/context';

/**
 * The payment detail page can be showing a PaymentIntent (`pi_…`) or a Charge (`ch_…`, or `py_…`
 * for some payment methods), depending on how the payment was made. Both are sent as they are;
 * the backend resolves a PaymentIntent to its latest charge. Anything else is not a payment.
 */
export function paymentObjectId(objectContext: ExtensionContextValue['environment']['objectContext']): string | null {
  if (!objectContext?.id) return null;
  const { id, object } = objectContext;
  if (object === 'payment_intent' && id.startsWith('pi_')) return id;
  if (object === 'charge' && (id.startsWith('ch_') || id.startsWith('py_'))) return id;
  return null;
}
