import Stripe from 'stripe';

/** Stripe's default tolerance: a signature older than five minutes is refused (replay protection). */
export const APP_SIGNATURE_TOLERANCE_SECONDS = Stripe.webhooks.DEFAULT_TOLERANCE;

export type SignedAppRequest<F extends string> = { fields: Record<F, string>; userId: string; accountId: string };

export class AppRequestRejectedError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'AppRequestRejectedError';
  }
}

/**
 * Verifies a Stripe App request: Stripe signed `JSON.stringify({ ...routeFields, user_id, account_id })`
 * (the route's fields in their order, then the user and the account). The payload is rebuilt from
 * the parsed body with exactly those keys in that order, so anything else in the body is neither
 * signed nor read. Throws `AppRequestRejectedError` on any mismatch.
 */
export function verifyAppRequest<F extends string>(
  body: unknown,
  signatureHeader: string | string[] | undefined,
  routeFields: readonly F[],
  secret: string | null,
): SignedAppRequest<F> {
  if (!secret) throw new AppRequestRejectedError('STRIPE_APP_NOT_CONFIGURED', 'The Stripe App is not configured on this server (STRIPE_APP_SECRET is not set).');
  if (typeof signatureHeader !== 'string' || signatureHeader.trim() === '') {
    throw new AppRequestRejectedError('SIGNATURE_MISSING', 'The request is not signed by Stripe.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new AppRequestRejectedError('SIGNATURE_INVALID', 'The request body is not the object Stripe signed.');
  }
  const source = body as Record<string, unknown>;
  const rebuilt: Record<string, string> = {};
  for (const key of [...routeFields, 'user_id', 'account_id']) {
    const value = source[key];
    if (typeof value !== 'string' || value === '') {
      throw new AppRequestRejectedError('SIGNATURE_INVALID', `The signed field "${key}" is missing from the request.`);
    }
    rebuilt[key] = value;
  }
  try {
    Stripe.webhooks.signature!.verifyHeader(JSON.stringify(rebuilt), signatureHeader, secret, APP_SIGNATURE_TOLERANCE_SECONDS);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new AppRequestRejectedError('SIGNATURE_INVALID', 'The request signature does not match, or it has expired.');
    }
    throw error;
  }
  const { user_id: userId, account_id: accountId, ...fields } = rebuilt;
  return { fields: fields as Record<F, string>, userId: userId!, accountId: accountId! };
}
